/* shim.h — the one place every byte of a connection crosses its socket.
 * Today it records: each read() and each write() that moved bytes becomes
 * one EV_WIRE event (I2T for reads, T2I for writes). A fault injector
 * (drop, delay, corrupt) will plug in here later.
 */
#ifndef HARNESS_NET_SHIM_H
#define HARNESS_NET_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/event.h"

struct net_shim {
	struct ev_bus *bus;   /* may be NULL */
	uint32_t conn;
};

/* read(2) from fd into buf; the bytes read go out as EV_WIRE I2T.
 * Returns what read(2) returned (errno set on -1). */
ssize_t net_shim_read(const struct net_shim *s, int fd, uint8_t *buf, size_t cap);

/* send(2) of buf on fd (MSG_NOSIGNAL); the bytes written go out as
 * EV_WIRE T2I. Returns what send(2) returned (errno set on -1). */
ssize_t net_shim_write(const struct net_shim *s, int fd, const uint8_t *buf, size_t len);

#endif
