/* test_net_loop.c — the event loop of harness/net/loop.h: timers fire in
 * due order (ties in the order set), cancel, set and cancel from inside a
 * callback, a self-rearming 0 ms timer does not starve the loop, thousands
 * of timers through the heap, fds watched and unwatched (also in the middle
 * of a batch), signals through signalfd, and runs bounded by max_ms or
 * ended by net_loop_stop(). No test asserts on wall-clock speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/net/loop.h"

#define MAX_FIRED 8192
#define RUN_LIMIT_MS 5000

struct record {
	struct net_loop *loop;
	int fired[MAX_FIRED];
	size_t n;
	size_t stop_at;          /* stop the loop when n reaches this */
	uint64_t cancel_id;      /* a timer the callback cancels */
	int64_t max_due_lo;      /* heap test: latest lower bound of a fired due time */
	bool out_of_order;
};

struct tagged {
	struct record *rec;
	int tag;
	int64_t due_lo, due_hi;  /* bounds of the due time (now before and after setting) */
};

static struct net_loop *new_loop(void)
{
	struct net_loop *l;
	char err[128];
	assert_int_equal(net_loop_create(&l, err, sizeof err), 0);
	return l;
}

static void note(struct record *r, int tag)
{
	if (r->n < MAX_FIRED)
		r->fired[r->n] = tag;
	r->n++;
	if (r->n == r->stop_at)
		net_loop_stop(r->loop);
}

static void on_tagged(void *arg, uint64_t id)
{
	(void)id;
	struct tagged *t = arg;
	note(t->rec, t->tag);
}

static void test_timers_fire_in_due_order(void **state)
{
	(void)state;
	struct net_loop *l = new_loop();
	struct record r = { .loop = l, .stop_at = 5 };
	const int tags[] = { 30, 10, 20, 0, 11 };
	const int64_t delays[] = { 30, 10, 20, 0, 10 };
	struct tagged t[5];
	for (size_t i = 0; i < 5; i++) {
		t[i] = (struct tagged){ .rec = &r, .tag = tags[i] };
		assert_int_not_equal(net_loop_timer(l, delays[i], on_tagged, &t[i]), 0);
	}
	assert_int_equal(net_loop_timer_count(l), 5);
	assert_int_equal(net_loop_run(l, RUN_LIMIT_MS), 0);
	assert_int_equal(r.n, 5);
	const int want[] = { 0, 10, 11, 20, 30 };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(r.fired[i], want[i]);
	assert_int_equal(net_loop_timer_count(l), 0);
	net_loop_free(l);
}

static void test_cancel(void **state)
{
	(void)state;
	struct net_loop *l = new_loop();
	struct record r = { .loop = l, .stop_at = 2 };
	struct tagged a = { .rec = &r, .tag = 1 }, b = { .rec = &r, .tag = 2 }, c = { .rec = &r, .tag = 3 };
	uint64_t ia = net_loop_timer(l, 5, on_tagged, &a);
	uint64_t ib = net_loop_timer(l, 1, on_tagged, &b);
	uint64_t ic = net_loop_timer(l, 10, on_tagged, &c);
	assert_true(ia != ib && ib != ic && ia != ic);
	net_loop_timer_cancel(l, ib);
	net_loop_timer_cancel(l, ib);          /* twice: no-op */
	net_loop_timer_cancel(l, 0);           /* 0: no-op */
	net_loop_timer_cancel(l, ic ^ (1ull << 40)); /* unknown: no-op */
	assert_int_equal(net_loop_timer_count(l), 2);
	assert_int_equal(net_loop_run(l, RUN_LIMIT_MS), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.fired[0], 1);
	assert_int_equal(r.fired[1], 3);
	net_loop_timer_cancel(l, ia);          /* fired: no-op */
	/* A slot reused by a new timer is not cancelled by the old id. */
	struct tagged d = { .rec = &r, .tag = 4 };
	r.stop_at = 3;
	uint64_t id = net_loop_timer(l, 0, on_tagged, &d);
	net_loop_timer_cancel(l, ia);
	net_loop_timer_cancel(l, ic);
	assert_int_not_equal(id, ia);
	assert_int_equal(net_loop_timer_count(l), 1);
	assert_int_equal(net_loop_run(l, RUN_LIMIT_MS), 0);
	assert_int_equal(r.fired[2], 4);
	net_loop_free(l);
}

/* Sets a 0 ms timer, cancels a pending one and itself (already fired). */
static void on_reentrant(void *arg, uint64_t id)
{
	struct tagged *t = arg;
	struct record *r = t->rec;
	note(r, t->tag);
	net_loop_timer_cancel(r->loop, r->cancel_id);
	net_loop_timer_cancel(r->loop, id);
	static struct tagged later[3];
	if (t->tag < 3) {
		later[t->tag] = (struct tagged){ .rec = r, .tag = t->tag + 1 };
		assert_int_not_equal(net_loop_timer(r->loop, 0, on_reentrant, &later[t->tag]), 0);
	}
}

static void test_reentrant_set_and_cancel(void **state)
{
	(void)state;
	struct net_loop *l = new_loop();
	struct record r = { .loop = l, .stop_at = 3 };
	struct tagged first = { .rec = &r, .tag = 1 }, victim = { .rec = &r, .tag = 99 };
	net_loop_timer(l, 0, on_reentrant, &first);
	r.cancel_id = net_loop_timer(l, 20, on_tagged, &victim);
	assert_int_equal(net_loop_run(l, RUN_LIMIT_MS), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.fired[0], 1);
	assert_int_equal(r.fired[1], 2);
	assert_int_equal(r.fired[2], 3);
	r.stop_at = 0;
	assert_int_equal(net_loop_run(l, 40), 0); /* the victim never fires */
	assert_int_equal(r.n, 3);
	assert_int_equal(net_loop_timer_count(l), 0);
	net_loop_free(l);
}

static void on_rearm(void *arg, uint64_t id)
{
	(void)id;
	struct record *r = arg;
	r->n++;
	net_loop_timer(r->loop, 0, on_rearm, r);
}

static void on_stop(void *arg, uint64_t id)
{
	(void)id;
	net_loop_stop(arg);
}

static void test_rearming_zero_timer_does_not_starve(void **state)
{
	(void)state;
	struct net_loop *l = new_loop();
	struct record r = { .loop = l };
	net_loop_timer(l, 0, on_rearm, &r);
	net_loop_timer(l, 5, on_stop, l);
	assert_int_equal(net_loop_run(l, RUN_LIMIT_MS), 0); /* ended by on_stop */
	assert_true(r.n >= 1);
	assert_int_equal(net_loop_timer_count(l), 1);       /* the rearmed one */
	size_t before = r.n;
	assert_int_equal(net_loop_run(l, 5), 0);           /* bounded by max_ms */
	assert_true(r.n > before);
	net_loop_free(l);
}

static void on_heap_timer(void *arg, uint64_t id)
{
	(void)id;
	struct tagged *t = arg;
	struct record *r = t->rec;
	if (t->due_lo > r->max_due_lo)
		r->max_due_lo = t->due_lo;
	if (r->max_due_lo > t->due_hi) /* one fired before it was surely due later */
		r->out_of_order = true;
	note(r, t->tag);
}

static void test_thousands_of_timers(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct net_loop *l = new_loop();
	struct tagged *t = calloc(N, sizeof *t);
	uint64_t *ids = calloc(N, sizeof *ids);
	assert_non_null(t);
	assert_non_null(ids);
	struct record r = { .loop = l };
	unsigned seed = 12345;
	size_t kept = 0;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		int64_t delay = (seed >> 16) % 30;
		t[i] = (struct tagged){ .rec = &r, .tag = i,
					.due_lo = net_loop_now_ns(l) + delay * 1000000 };
		ids[i] = net_loop_timer(l, delay, on_heap_timer, &t[i]);
		t[i].due_hi = net_loop_now_ns(l) + delay * 1000000;
		assert_int_not_equal(ids[i], 0);
	}
	for (int i = 0; i < N; i++) {
		if (i % 3 == 0)
			net_loop_timer_cancel(l, ids[i]);
		else
			kept++;
	}
	r.stop_at = kept;
	assert_int_equal(net_loop_timer_count(l), kept);
	assert_int_equal(net_loop_run(l, RUN_LIMIT_MS), 0);
	assert_int_equal(r.n, kept);
	assert_false(r.out_of_order);
	for (size_t i = 0; i < kept; i++)
		assert_int_not_equal(r.fired[i] % 3, 0);
	free(t);
	free(ids);
	net_loop_free(l);
}

struct pipes {
	struct net_loop *loop;
	int fds[2][2];
	int calls;
	unsigned last_events;
};

/* Reads the byte, then unwatches both pipes (the other one possibly
 * waiting in the same batch). */
static void on_pipe(void *arg, int fd, unsigned events)
{
	struct pipes *p = arg;
	char c;
	p->calls++;
	p->last_events = events;
	assert_int_equal(read(fd, &c, 1), 1);
	net_loop_unwatch(p->loop, p->fds[0][0]);
	net_loop_unwatch(p->loop, p->fds[1][0]);
	net_loop_timer(p->loop, 10, on_stop, p->loop);
}

static void test_fds_watch_and_unwatch_mid_batch(void **state)
{
	(void)state;
	struct pipes p = { .loop = new_loop() };
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(p.fds[i]), 0);
		assert_int_equal(net_loop_watch(p.loop, p.fds[i][0], NET_IN, on_pipe, &p), 0);
		assert_int_equal(write(p.fds[i][1], "x", 1), 1);
	}
	assert_int_equal(net_loop_watch(p.loop, p.fds[0][0], NET_IN, on_pipe, &p), -1);
	assert_int_equal(net_loop_run(p.loop, RUN_LIMIT_MS), 0);
	assert_int_equal(p.calls, 1);
	assert_true(p.last_events & NET_IN);
	/* Watch again for writing on the write end, then rewatch to nothing. */
	assert_int_equal(net_loop_watch(p.loop, p.fds[0][1], NET_IN, on_pipe, &p), 0);
	assert_int_equal(net_loop_rewatch(p.loop, p.fds[0][1], 0), 0);
	assert_int_equal(net_loop_rewatch(p.loop, p.fds[1][1], NET_IN), -1); /* not watched */
	assert_int_equal(net_loop_run(p.loop, 10), 0);
	assert_int_equal(p.calls, 1);
	net_loop_unwatch(p.loop, p.fds[0][1]);
	for (int i = 0; i < 2; i++) {
		close(p.fds[i][0]);
		close(p.fds[i][1]);
	}
	net_loop_free(p.loop);
}

struct sig_seen {
	struct net_loop *loop;
	int sig;
	int count;
};

static void on_signal(void *arg, int sig)
{
	struct sig_seen *s = arg;
	s->sig = sig;
	s->count++;
	net_loop_stop(s->loop);
}

static void test_signal_through_signalfd(void **state)
{
	(void)state;
	struct sig_seen s = { .loop = new_loop() };
	const int sigs[] = { SIGUSR1 };
	sigset_t old;
	sigprocmask(SIG_BLOCK, NULL, &old);
	assert_int_equal(net_loop_on_signals(s.loop, sigs, 1, on_signal, &s), 0);
	assert_int_equal(net_loop_on_signals(s.loop, sigs, 1, on_signal, &s), -1); /* once */
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(net_loop_run(s.loop, RUN_LIMIT_MS), 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.sig, SIGUSR1);
	net_loop_free(s.loop);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_bounded_and_stopped_runs(void **state)
{
	(void)state;
	struct net_loop *l = new_loop();
	assert_int_equal(net_loop_run(l, 0), 0);   /* nothing to do: returns */
	assert_int_equal(net_loop_run(l, 15), 0);
	int64_t t0 = net_loop_now_ns(l);
	net_loop_timer(l, 1, on_stop, l);
	net_loop_timer(l, 60000, on_stop, l);
	assert_int_equal(net_loop_run(l, -1), 0);  /* ended by the 1 ms timer */
	assert_true(net_loop_now_ns(l) >= t0);
	assert_int_equal(net_loop_timer_count(l), 1);
	net_loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_due_order),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_reentrant_set_and_cancel),
		cmocka_unit_test(test_rearming_zero_timer_does_not_starve),
		cmocka_unit_test(test_thousands_of_timers),
		cmocka_unit_test(test_fds_watch_and_unwatch_mid_batch),
		cmocka_unit_test(test_signal_through_signalfd),
		cmocka_unit_test(test_bounded_and_stopped_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
