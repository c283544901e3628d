/* loop.h — the harness's one-thread event loop: epoll for file
 * descriptors, a binary heap of one-shot timers (CLOCK_MONOTONIC), and
 * signals through signalfd. Callbacks may watch/unwatch fds (the one being
 * dispatched too) and set/cancel timers; deferred work that must not run
 * re-entrantly goes through a 0 ms timer.
 */
#ifndef HARNESS_NET_LOOP_H
#define HARNESS_NET_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "harness/net/carrier.h"

struct net_loop;

/* Returns 0, or -1 with a message in err. */
int net_loop_create(struct net_loop **out, char *err, size_t errlen);
/* Frees the loop (NULL: no-op); the watched fds are not closed. */
void net_loop_free(struct net_loop *l);

#define NET_IN 0x1u
#define NET_OUT 0x2u
#define NET_HUP 0x4u   /* error or hang-up, reported to the callback */

typedef void (*net_fd_fn)(void *arg, int fd, unsigned events);

/* Watch fd for events (NET_IN | NET_OUT; NET_HUP is always reported).
 * Returns 0, or -1 with errno set (fd already watched: EEXIST). */
int net_loop_watch(struct net_loop *l, int fd, unsigned events, net_fd_fn fn, void *arg);
/* Change what a watched fd is watched for. Returns 0 or -1 (errno). */
int net_loop_rewatch(struct net_loop *l, int fd, unsigned events);
/* Stop watching fd (before closing it); a pending event is not delivered. */
void net_loop_unwatch(struct net_loop *l, int fd);

/* A one-shot timer in delay_ms (negative: 0); returns its id, never 0
 * (0 only when out of memory). Timers due at the same time fire in the
 * order they were set. */
uint64_t net_loop_timer(struct net_loop *l, int64_t delay_ms, proto_timer_fn fn, void *arg);
/* Cancel a timer that has not fired (0, unknown or fired ids: no-op). */
void net_loop_timer_cancel(struct net_loop *l, uint64_t id);
/* Timers set and not yet fired or cancelled. */
size_t net_loop_timer_count(const struct net_loop *l);

/* CLOCK_MONOTONIC, nanoseconds. */
int64_t net_loop_now_ns(const struct net_loop *l);

/* Block sigs and deliver them to fn through a signalfd (once per loop).
 * Returns 0, or -1 with errno set. */
int net_loop_on_signals(struct net_loop *l, const int *sigs, size_t n,
			void (*fn)(void *arg, int sig), void *arg);

/* Dispatch until net_loop_stop() or max_ms have passed (-1: no limit).
 * Returns 0, or -1 when epoll_wait failed (errno set). */
int net_loop_run(struct net_loop *l, int64_t max_ms);
/* Make the running net_loop_run return once the current callback returns. */
void net_loop_stop(struct net_loop *l);

#endif
