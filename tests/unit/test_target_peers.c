/* test_target_peers.c — real initiators against the embedded target, with
 * tgtd beside it as the reference: libiscsi's tools (iscsi-ls, iscsi-inq,
 * iscsi-readcapacity16), a CHAP login in libiscsi's URL form (one-way and
 * mutual), and libiscsi's conformance suite iscsi-test-cu — its iSCSI and
 * SCSI families with --dataloss — run against both targets in the same
 * test: every test tgtd really passes (not skipped) the harness target
 * really passes too, and it fails none that tgtd does not. Each harness run's own pcap goes through the rule
 * engine: only what iscsi-test-cu breaks on purpose may fail. */
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
#include "tests/support/testcu.h"

#define TOOL_SECONDS 20.0
#define CHAP_USER "harness-user"
#define CHAP_SECRET "harness-secret-1"
#define CHAP_TARGET_USER "harness-target"
#define CHAP_TARGET_SECRET "harness-target-secret"

/* What iscsi-test-cu's iSCSI family breaks on purpose (its iSCSIcmdsn
 * tests send CmdSNs outside the window, iSCSIdatasn wrong DataSNs): the
 * initiator's rules, never the target's. */
static const char *const TEST_CU_BREAKS[] = { "SEQ-002", "SEQ-003", "SEQ-013", NULL };

struct fx {
	char dir[512];
	struct peer_harness_target h;
	struct peer_tgtd tgtd;
};

static int setup(void **state)
{
	char missing[512];
	if (!peer_prereqs(missing, sizeof missing))
		fail_msg("the peer tests need: %s (scripts/install-deps installs them)", missing);
	if (!getenv("HARNESS_BIN"))
		fail_msg("HARNESS_BIN is not set (make test sets it)");
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char err[512];
	peer_harness_target_stop(&f->h, err, sizeof err);
	peer_tgtd_stop(&f->tgtd, err, sizeof err);
	free(f);
	return 0;
}

static void start_harness(struct fx *f, const char *name, const char *const *extra)
{
	char err[1024];
	if (scratch_make_dir(name, f->dir, sizeof f->dir) != 0)
		fail_msg("no scratch directory for %s", name);
	if (peer_harness_target_start(getenv("HARNESS_BIN"), f->dir, extra, &f->h, err,
				      sizeof err) != 0)
		fail_msg("%s", err);
}

/* Stop the harness target (it must exit cleanly) and check its pcap. */
static void stop_and_check(struct fx *f, const char *label, const char *const *breaks)
{
	char err[1024];
	if (peer_harness_target_stop(&f->h, err, sizeof err) != 0)
		fail_msg("%s", err);
	pc_expect_only(label, f->h.pcap, (uint16_t)f->h.port, breaks, false);
}

static void run_tool(const char *const argv[], const char *const env[], bool want_ok,
		     const char *must_say)
{
	struct peer_result r;
	char err[512];
	if (peer_run(argv, env, TOOL_SECONDS, &r, err, sizeof err) != 0)
		fail_msg("%s: %s", argv[0], err);
	bool ok = peer_result_ok(&r);
	if (ok != want_ok || (must_say && (!r.out || !strstr(r.out, must_say))))
		fail_msg("%s %s: %s (status %d), output: %.600s", argv[0], argv[1],
			 ok ? "succeeded" : "failed", r.status, r.out ? r.out : "");
	peer_result_free(&r);
}

/* ---- libiscsi's tools ------------------------------------------------------- */

static void test_libiscsi_tools(void **state)
{
	struct fx *f = *state;
	static const char *const extra[] = { "--lun", "64M", "--lun", "8M", NULL };
	start_harness(f, "target-tools", extra);
	char portal[64], url1[320];
	snprintf(portal, sizeof portal, "iscsi://127.0.0.1:%d", f->h.port);
	snprintf(url1, sizeof url1, "iscsi://127.0.0.1:%d/%s/1", f->h.port, f->h.iqn);
	const char *ls[] = { "iscsi-ls", "-s", portal, NULL };
	run_tool(ls, NULL, true, "Lun:1");
	const char *inq[] = { "iscsi-inq", f->h.url, NULL };
	run_tool(inq, NULL, true, "Vendor:ISCSIHAR");
	const char *rc16[] = { "iscsi-readcapacity16", f->h.url, NULL };
	run_tool(rc16, NULL, true, "Total size:67108864");
	const char *rc16b[] = { "iscsi-readcapacity16", url1, NULL };
	run_tool(rc16b, NULL, true, "Total size:8388608");
	stop_and_check(f, "tools", NULL);
}

/* ---- CHAP, in libiscsi's URL form ---------------------------------------------- */

static void test_chap(void **state)
{
	struct fx *f = *state;
	static const char *const extra[] = {
		"--chap", CHAP_USER ":" CHAP_SECRET,
		"--mutual-chap", CHAP_TARGET_USER ":" CHAP_TARGET_SECRET, NULL,
	};
	start_harness(f, "target-chap", extra);
	char good[400], bad[400];
	snprintf(good, sizeof good, "iscsi://%s%%%s@127.0.0.1:%d/%s/0", CHAP_USER, CHAP_SECRET,
		 f->h.port, f->h.iqn);
	snprintf(bad, sizeof bad, "iscsi://%s%%wrong-secret@127.0.0.1:%d/%s/0", CHAP_USER,
		 f->h.port, f->h.iqn);
	const char *none[] = { "iscsi-inq", f->h.url, NULL };
	run_tool(none, NULL, false, NULL);          /* LOGIN: CHAP required */
	const char *wrong[] = { "iscsi-inq", bad, NULL };
	run_tool(wrong, NULL, false, NULL);
	const char *right[] = { "iscsi-inq", good, NULL };
	run_tool(right, NULL, true, "Vendor:ISCSIHAR");
	/* mutual: libiscsi challenges the target and checks its answer */
	static const char *const mutual_env[] = {
		"LIBISCSI_CHAP_TARGET_USERNAME=" CHAP_TARGET_USER,
		"LIBISCSI_CHAP_TARGET_PASSWORD=" CHAP_TARGET_SECRET, NULL,
	};
	run_tool(right, mutual_env, true, "Vendor:ISCSIHAR");
	static const char *const mutual_wrong[] = {
		"LIBISCSI_CHAP_TARGET_USERNAME=" CHAP_TARGET_USER,
		"LIBISCSI_CHAP_TARGET_PASSWORD=not-what-the-target-knows", NULL,
	};
	run_tool(right, mutual_wrong, false, NULL);
	stop_and_check(f, "chap", NULL);
}

/* ---- iscsi-test-cu, side by side with tgtd ----------------------------------- */

static void print_side_by_side(const char *family, const struct testcu_run *h,
			       const struct testcu_run *t)
{
	printf("iscsi-test-cu -d -t %s: harness target %zu passed, %zu skipped, %zu failed "
	       "(%.1f s); tgtd %zu passed, %zu skipped, %zu failed (%.1f s)\n", family,
	       h->passed, h->skipped, h->failed, h->seconds, t->passed, t->skipped, t->failed,
	       t->seconds);
	for (size_t i = 0; i < h->n; i++) {
		int o = testcu_outcome_of(t, h->tests[i].name);
		if (o != (int)h->tests[i].outcome)
			printf("  %-48s harness %-8s tgtd %s\n", h->tests[i].name,
			       testcu_outcome_name(h->tests[i].outcome),
			       o < 0 ? "absent" : testcu_outcome_name((enum testcu_outcome)o));
	}
}

/* Every test tgtd really passes (not skipped), the harness target really
 * passes too; and every test the harness target fails, tgtd fails as well
 * (PrinServiceactionRange.Range: neither reports READ FULL STATUS). */
static void expect_superset(const char *family, const struct testcu_run *h,
			    const struct testcu_run *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->tests[i].outcome != TESTCU_PASSED)
			continue;
		int o = testcu_outcome_of(h, t->tests[i].name);
		if (o != TESTCU_PASSED)
			fail_msg("iscsi-test-cu %s: %s passes on tgtd but is %s on the harness "
				 "target", family, t->tests[i].name,
				 o < 0 ? "absent" : testcu_outcome_name((enum testcu_outcome)o));
	}
	for (size_t i = 0; i < h->n; i++) {
		if (h->tests[i].outcome != TESTCU_FAILED)
			continue;
		int o = testcu_outcome_of(t, h->tests[i].name);
		if (o != TESTCU_FAILED)
			fail_msg("iscsi-test-cu %s: %s fails on the harness target but is %s on "
				 "tgtd", family, h->tests[i].name,
				 o < 0 ? "absent" : testcu_outcome_name((enum testcu_outcome)o));
	}
	printf("iscsi-test-cu -d -t %s: every test tgtd passes passes on the harness target, "
	       "and it fails none that tgtd passes or skips\n", family);
}

static void test_iscsi_test_cu_side_by_side(void **state)
{
	struct fx *f = *state;
	char err[1024];
	static const char *const extra[] = { "--lun", "64M", NULL };
	start_harness(f, "target-test-cu", extra);
	char tdir[600];
	snprintf(tdir, sizeof tdir, "%s/tgtd", f->dir);
	struct peer_tgtd_opts to = { .workdir = tdir };
	if (peer_tgtd_start(&to, &f->tgtd, err, sizeof err) != 0)
		fail_msg("tgtd: %s", err);
	static struct testcu_run h, t;
	static const char *const families[] = { "iSCSI", "SCSI" };
	for (size_t i = 0; i < 2; i++) {
		testcu_run(families[i], f->h.url, 300.0, &h);
		testcu_run(families[i], f->tgtd.url, 300.0, &t);
		print_side_by_side(families[i], &h, &t);
		expect_superset(families[i], &h, &t);
		if (i == 0 && (h.passed != 15 || h.failed))
			fail_msg("iscsi-test-cu -d -t iSCSI: the harness target passes %zu of 15 "
				 "(%zu skipped, %zu failed)", h.passed, h.skipped, h.failed);
	}
	if (peer_tgtd_stop(&f->tgtd, err, sizeof err) != 0)
		fail_msg("tgtd: %s", err);
	stop_and_check(f, "iscsi-test-cu", TEST_CU_BREAKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_libiscsi_tools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iscsi_test_cu_side_by_side, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
