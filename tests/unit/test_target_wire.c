/* test_target_wire.c — the `iscsi-harness target` process over loopback
 * TCP, driven by raw PDUs: MC/S with two and four connections, ERL 1
 * (a data digest error answered by Reject and a recovery R2T; Status and
 * Data SNACK) and ERL 2 (a connection lost mid-write and mid-read, the
 * task reassigned, the data intact). Each run's pcap — written by the
 * target itself — goes through the rule engine: only what the scenario
 * breaks on purpose may fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/support/pcap_check.h"
#include "tests/support/peers.h"
#include "tests/support/scratch.h"
#include "tests/support/target_scenarios.h"

struct wire {
	struct peer_harness_target t;
	int fds[16];
	size_t n_fds;
};

static struct tini_link wire_open(void *ctx)
{
	struct wire *w = ctx;
	assert_true(w->n_fds < 16);
	int *fd = &w->fds[w->n_fds++];
	return tini_tcp_link(fd, (uint16_t)w->t.port);
}

static void run(const char *name, void (*scenario)(struct ts_env *),
		const char *const *breaks)
{
	const char *bin = getenv("HARNESS_BIN");
	if (!bin)
		fail_msg("HARNESS_BIN is not set (make test sets it)");
	char dir[512], err[1024];
	if (scratch_make_dir(name, dir, sizeof dir) != 0)
		fail_msg("cannot make a scratch directory for %s", name);
	struct wire *w = calloc(1, sizeof *w);
	assert_non_null(w);
	static const char *const extra[] = { "--lun", "16M", NULL };
	if (peer_harness_target_start(bin, dir, extra, &w->t, err, sizeof err) != 0)
		fail_msg("%s", err);
	struct ts_env e = {
		.ctx = w, .open = wire_open, .quiet_ms = 300,
		.target_iqn = w->t.iqn, .isid_last = 1,
	};
	scenario(&e);
	if (peer_harness_target_stop(&w->t, err, sizeof err) != 0)
		fail_msg("%s", err);
	pc_expect_only(name, w->t.pcap, (uint16_t)w->t.port, breaks, true);
	free(w);
}

static void mcs2(struct ts_env *e) { ts_mcs(e, 2); }
static void mcs4(struct ts_env *e) { ts_mcs(e, 4); }

static void test_mcs_two(void **state) { (void)state; run("wire-mcs2", mcs2, ts_no_breaks); }
static void test_mcs_four(void **state) { (void)state; run("wire-mcs4", mcs4, ts_no_breaks); }
static void test_erl1_digest(void **state)
{
	(void)state;
	run("wire-erl1-digest", ts_erl1_data_digest, ts_erl1_data_digest_breaks);
}
static void test_erl1_snack(void **state) { (void)state; run("wire-erl1-snack", ts_erl1_snack, ts_no_breaks); }
static void test_erl2_write(void **state)
{
	(void)state;
	run("wire-erl2-write", ts_erl2_write_reassign, ts_no_breaks);
}
static void test_erl2_read(void **state)
{
	(void)state;
	run("wire-erl2-read", ts_erl2_read_reinstate, ts_no_breaks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcs_two),
		cmocka_unit_test(test_mcs_four),
		cmocka_unit_test(test_erl1_digest),
		cmocka_unit_test(test_erl1_snack),
		cmocka_unit_test(test_erl2_write),
		cmocka_unit_test(test_erl2_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
