/* loop.c — the event loop of loop.h: epoll_wait, then the timers that are
 * due. Watches live in an array indexed by fd, each with a generation that
 * epoll carries back, so an event for an fd unwatched (and maybe reused)
 * earlier in the same batch is dropped. Timers live in slots; a binary heap
 * of slot numbers orders them by due time, then by the order they were set,
 * and each slot knows its heap position so a cancel is O(log n).
 */
#include "harness/net/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAIT 64

struct watch {
	net_fd_fn fn;       /* NULL: not watched */
	void *arg;
	uint32_t gen;
};

struct timer {
	int64_t due_ns;
	uint64_t seq;       /* order of setting: ties and the run's cut-off */
	uint64_t id;        /* gen << 32 | slot; 0: slot free */
	proto_timer_fn fn;
	void *arg;
	size_t heap_pos;
	uint32_t gen;
	uint32_t next_free; /* free list, slot numbers + 1 */
};

struct net_loop {
	int epfd;
	bool stopping;
	struct watch *watches;
	size_t n_watches;
	uint32_t watch_gen;
	struct timer *timers;
	size_t n_timers;     /* slots allocated */
	uint32_t free_head;  /* first free slot + 1, 0: none */
	uint32_t *heap;      /* slot numbers; capacity n_timers */
	size_t heap_len;
	uint64_t timer_seq;
	int sigfd;
	void (*sig_fn)(void *arg, int sig);
	void *sig_arg;
};

int64_t net_loop_now_ns(const struct net_loop *l)
{
	(void)l;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int net_loop_create(struct net_loop **out, char *err, size_t errlen)
{
	*out = NULL;
	struct net_loop *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "event loop: out of memory");
		return -1;
	}
	l->sigfd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		free(l);
		return -1;
	}
	*out = l;
	return 0;
}

void net_loop_free(struct net_loop *l)
{
	if (!l)
		return;
	if (l->sigfd >= 0)
		close(l->sigfd);
	close(l->epfd);
	free(l->watches);
	free(l->timers);
	free(l->heap);
	free(l);
}

/* ---- fds ---------------------------------------------------------------- */

static uint32_t epoll_mask(unsigned events)
{
	return ((events & NET_IN) ? EPOLLIN | EPOLLRDHUP : 0) | ((events & NET_OUT) ? EPOLLOUT : 0);
}

static int epoll_set(struct net_loop *l, int op, int fd, unsigned events)
{
	struct epoll_event ev = {
		.events = epoll_mask(events),
		.data.u64 = (uint64_t)l->watches[fd].gen << 32 | (uint32_t)fd,
	};
	return epoll_ctl(l->epfd, op, fd, &ev);
}

int net_loop_watch(struct net_loop *l, int fd, unsigned events, net_fd_fn fn, void *arg)
{
	if (fd < 0 || !fn) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= l->n_watches) {
		size_t n = l->n_watches ? l->n_watches : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct watch *w = realloc(l->watches, n * sizeof *w);
		if (!w)
			return -1;
		memset(w + l->n_watches, 0, (n - l->n_watches) * sizeof *w);
		l->watches = w;
		l->n_watches = n;
	}
	struct watch *w = &l->watches[fd];
	if (w->fn) {
		errno = EEXIST;
		return -1;
	}
	w->gen = ++l->watch_gen;
	if (epoll_set(l, EPOLL_CTL_ADD, fd, events) < 0)
		return -1;
	w->fn = fn;
	w->arg = arg;
	return 0;
}

static bool watched(const struct net_loop *l, int fd)
{
	return fd >= 0 && (size_t)fd < l->n_watches && l->watches[fd].fn;
}

int net_loop_rewatch(struct net_loop *l, int fd, unsigned events)
{
	if (!watched(l, fd)) {
		errno = ENOENT;
		return -1;
	}
	return epoll_set(l, EPOLL_CTL_MOD, fd, events);
}

void net_loop_unwatch(struct net_loop *l, int fd)
{
	if (!watched(l, fd))
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->watches[fd].fn = NULL;
	l->watches[fd].arg = NULL;
}

static void dispatch_fd(struct net_loop *l, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	if (!watched(l, fd) || l->watches[fd].gen != gen)
		return;
	unsigned events = ((ev->events & EPOLLIN) ? NET_IN : 0)
			| ((ev->events & EPOLLOUT) ? NET_OUT : 0)
			| ((ev->events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) ? NET_HUP : 0);
	l->watches[fd].fn(l->watches[fd].arg, fd, events);
}

/* ---- timers ------------------------------------------------------------- */

static bool timer_before(const struct net_loop *l, uint32_t a, uint32_t b)
{
	const struct timer *ta = &l->timers[a], *tb = &l->timers[b];
	return ta->due_ns < tb->due_ns || (ta->due_ns == tb->due_ns && ta->seq < tb->seq);
}

static void heap_place(struct net_loop *l, size_t pos, uint32_t slot)
{
	l->heap[pos] = slot;
	l->timers[slot].heap_pos = pos;
}

static void heap_up(struct net_loop *l, size_t pos)
{
	uint32_t slot = l->heap[pos];
	while (pos > 0) {
		size_t parent = (pos - 1) / 2;
		if (!timer_before(l, slot, l->heap[parent]))
			break;
		heap_place(l, pos, l->heap[parent]);
		pos = parent;
	}
	heap_place(l, pos, slot);
}

static void heap_down(struct net_loop *l, size_t pos)
{
	uint32_t slot = l->heap[pos];
	for (;;) {
		size_t child = 2 * pos + 1;
		if (child >= l->heap_len)
			break;
		if (child + 1 < l->heap_len && timer_before(l, l->heap[child + 1], l->heap[child]))
			child++;
		if (!timer_before(l, l->heap[child], slot))
			break;
		heap_place(l, pos, l->heap[child]);
		pos = child;
	}
	heap_place(l, pos, slot);
}

/* Take slot out of the heap and put it on the free list. */
static void timer_release(struct net_loop *l, uint32_t slot)
{
	size_t pos = l->timers[slot].heap_pos;
	uint32_t last = l->heap[--l->heap_len];
	if (pos < l->heap_len) {
		heap_place(l, pos, last);
		heap_down(l, pos);
		heap_up(l, l->timers[last].heap_pos);
	}
	l->timers[slot].id = 0;
	l->timers[slot].next_free = l->free_head;
	l->free_head = slot + 1;
}

static int timers_grow(struct net_loop *l)
{
	size_t n = l->n_timers ? l->n_timers * 2 : 64;
	if (n > UINT32_MAX)
		return -1;
	struct timer *t = realloc(l->timers, n * sizeof *t);
	if (!t)
		return -1;
	l->timers = t;
	uint32_t *h = realloc(l->heap, n * sizeof *h);
	if (!h)
		return -1;
	l->heap = h;
	for (size_t i = n; i-- > l->n_timers;) {
		t[i] = (struct timer){ .next_free = l->free_head };
		l->free_head = (uint32_t)i + 1;
	}
	l->n_timers = n;
	return 0;
}

uint64_t net_loop_timer(struct net_loop *l, int64_t delay_ms, proto_timer_fn fn, void *arg)
{
	if (!l->free_head && timers_grow(l) < 0)
		return 0;
	uint32_t slot = l->free_head - 1;
	struct timer *t = &l->timers[slot];
	l->free_head = t->next_free;
	t->gen++;
	if (t->gen == 0)
		t->gen = 1;
	t->id = (uint64_t)t->gen << 32 | slot;
	t->due_ns = net_loop_now_ns(l) + (delay_ms > 0 ? delay_ms : 0) * 1000000;
	t->seq = ++l->timer_seq;
	t->fn = fn;
	t->arg = arg;
	l->heap_len++;
	heap_place(l, l->heap_len - 1, slot);
	heap_up(l, l->heap_len - 1);
	return t->id;
}

void net_loop_timer_cancel(struct net_loop *l, uint64_t id)
{
	uint32_t slot = (uint32_t)id;
	if (id == 0 || slot >= l->n_timers || l->timers[slot].id != id)
		return;
	timer_release(l, slot);
}

size_t net_loop_timer_count(const struct net_loop *l)
{
	return l->heap_len;
}

/* Fire the timers due now that were set before this call began (a 0 ms
 * timer set by a callback waits for the next round). */
static void run_due_timers(struct net_loop *l)
{
	int64_t now = net_loop_now_ns(l);
	uint64_t last_seq = l->timer_seq;
	while (l->heap_len > 0 && !l->stopping) {
		uint32_t slot = l->heap[0];
		struct timer *t = &l->timers[slot];
		if (t->due_ns > now || t->seq > last_seq)
			break;
		proto_timer_fn fn = t->fn;
		void *arg = t->arg;
		uint64_t id = t->id;
		timer_release(l, slot);
		fn(arg, id);
	}
}

/* Milliseconds epoll_wait may sleep: until the first timer or the end. */
static int wait_ms(const struct net_loop *l, int64_t end_ns)
{
	int64_t now = net_loop_now_ns(l);
	int64_t until = end_ns;
	if (l->heap_len > 0 && (until < 0 || l->timers[l->heap[0]].due_ns < until))
		until = l->timers[l->heap[0]].due_ns;
	if (until < 0)
		return -1;
	if (until <= now)
		return 0;
	int64_t ms = (until - now + 999999) / 1000000;
	return ms > 60000 ? 60000 : (int)ms;
}

/* ---- signals ------------------------------------------------------------ */

static void on_signalfd(void *arg, int fd, unsigned events)
{
	(void)events;
	struct net_loop *l = arg;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		l->sig_fn(l->sig_arg, (int)si.ssi_signo);
}

int net_loop_on_signals(struct net_loop *l, const int *sigs, size_t n,
			void (*fn)(void *arg, int sig), void *arg)
{
	if (l->sigfd >= 0 || !fn) {
		errno = EBUSY;
		return -1;
	}
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < n; i++)
		if (sigaddset(&set, sigs[i]) < 0)
			return -1;
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	l->sig_fn = fn;
	l->sig_arg = arg;
	if (net_loop_watch(l, fd, NET_IN, on_signalfd, l) < 0) {
		close(fd);
		return -1;
	}
	l->sigfd = fd;
	return 0;
}

/* ---- run ---------------------------------------------------------------- */

void net_loop_stop(struct net_loop *l)
{
	l->stopping = true;
}

int net_loop_run(struct net_loop *l, int64_t max_ms)
{
	int64_t end_ns = max_ms < 0 ? -1 : net_loop_now_ns(l) + max_ms * 1000000;
	l->stopping = false;
	while (!l->stopping) {
		struct epoll_event evs[EVENTS_PER_WAIT];
		int n = epoll_wait(l->epfd, evs, EVENTS_PER_WAIT, wait_ms(l, end_ns));
		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < n && !l->stopping; i++)
			dispatch_fd(l, &evs[i]);
		run_due_timers(l);
		if (end_ns >= 0 && net_loop_now_ns(l) >= end_ns)
			break;
	}
	return 0;
}
