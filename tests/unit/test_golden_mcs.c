/* test_golden_mcs.c — the MC/S golden session (harness/capture/golden_mcs.h)
 * written through the pcap writer: tshark decodes it with no malformed
 * frame and no expert error and finds every PDU that was emitted; the
 * offline checker (capture reader + rule engine + export) finds one
 * session of five connections with no FAIL, and PASS for the MC/S rules
 * the session exists to show (MCS-016 at least not FAIL); also at a small
 * MSS; and the committed captures/golden/mcs-four-connections.pcap is
 * exactly what the generator writes now.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capture/golden_mcs.h"
#include "harness/capture/pcap_reader.h"
#include "harness/capture/pcap_writer.h"
#include "harness/check/check.h"
#include "harness/report/report.h"
#include "tests/support/tshark.h"

#define MCS_COMMITTED "captures/golden/mcs-four-connections.pcap"

static int count_pdus(void *ctx, const struct event *ev)
{
	if (ev->kind == EV_PDU)
		++*(size_t *)ctx;
	return 0;
}

static void scratch_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("HARNESS_SCRATCH");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(buf, len, "%s/%s", dir, name);
}

/* Write the session to path at this MSS; returns the PDUs emitted. */
static size_t write_session(const char *path, uint32_t mss)
{
	char err[256];
	struct cap_writer_opts opts = { .mss = mss };
	struct cap_writer *w;
	assert_int_equal(cap_writer_open(&w, path, &opts, err, sizeof err), 0);
	size_t pdus = 0;
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ count_pdus, &pdus });
	ev_bus_add(&bus, cap_writer_observer(w));
	assert_int_equal(golden_mcs_emit(&bus), 0);
	assert_int_equal(cap_writer_close(w), 0);
	return pdus;
}

/* Read path through the checker into run. */
static void check_capture(const char *path, struct rep_run *run)
{
	char err[256];
	struct chk_engine *eng;
	struct cap_reader *r;
	assert_int_equal(chk_create(NULL, &eng, err, sizeof err), 0);
	assert_int_equal(cap_reader_open(&r, path, NULL, err, sizeof err), 0);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, chk_observer(eng));
	assert_int_equal(cap_reader_run(r, &bus), 0);
	assert_int_equal(bus.first_error, 0);
	rep_run_init(run, "test_golden_mcs", "0");
	assert_int_equal(chk_export(eng, run), 0);
	chk_free(eng);
	cap_reader_close(r);
}

static void print_fails(const struct rep_session *s)
{
	for (size_t i = 0; i < s->n_verdicts; i++) {
		const struct rep_verdict *v = &s->verdicts[i];
		if (v->result != REP_FAIL)
			continue;
		print_message("FAIL %s: %s\n", v->id,
			      v->n_evidence ? v->evidence[0].message : "");
	}
}

static void assert_checker_clean(const char *path)
{
	struct rep_run run;
	check_capture(path, &run);
	assert_int_equal(run.n_sessions, 1);
	struct rep_session *s = &run.sessions[0];
	assert_int_equal(s->n_conns, 5);
	assert_int_equal(s->tsih, 0x0204);
	struct rep_totals t = rep_run_totals(&run);
	if (t.fail)
		print_fails(s);
	assert_int_equal(t.fail, 0);
	assert_int_equal(t.problems, 0);
	static const char *const must_pass[] = {
		"MCS-001", "MCS-003", "MCS-005", "MCS-006", "MCS-008", "MCS-009",
		"MCS-010", "MCS-011", "MCS-012", "MCS-015", "PDU-007", NULL };
	for (const char *const *id = must_pass; *id; id++) {
		const struct rep_verdict *v = rep_session_find_verdict(s, *id);
		assert_non_null(v);
		if (v->result != REP_PASS)
			print_message("%s is %s\n", *id, rep_result_name(v->result));
		assert_int_equal(v->result, REP_PASS);
	}
	const struct rep_verdict *v16 = rep_session_find_verdict(s, "MCS-016");
	assert_non_null(v16);
	assert_int_not_equal(v16->result, REP_FAIL);
	assert_int_not_equal(v16->result, REP_SKIP);
	assert_true(v16->held >= 1);
	rep_run_free(&run);
}

static void test_tshark_agrees(void **state)
{
	(void)state;
	if (!tsh_available()) {
		print_message("tshark is not installed: skipped\n");
		skip();
	}
	char path[512], err[512];
	scratch_path(path, sizeof path, "golden-mcs.pcap");
	size_t emitted = write_session(path, 0);
	struct tsh_report r;
	if (tsh_analyze(path, NULL, &r, err, sizeof err) != 0)
		fail_msg("tshark: %s", err);
	if (r.malformed || r.expert_errors_iscsi || r.expert_errors_other)
		print_message("tshark problems:\n%s\n", r.problems);
	assert_int_equal(r.malformed, 0);
	assert_int_equal(r.expert_errors_iscsi, 0);
	assert_int_equal(r.expert_errors_other, 0);
	assert_int_equal(r.bad_tcp_checksums, 0);
	assert_int_equal(r.bad_ip_checksums, 0);
	assert_int_equal(r.n_pdus, emitted);
	size_t hdigests = 0;
	for (size_t i = 0; i < r.n_pdus; i++) {
		assert_int_not_equal(r.pdus[i].hdigest, TSH_DIGEST_BAD);
		hdigests += r.pdus[i].hdigest == TSH_DIGEST_GOOD;
	}
	assert_true(hdigests > 0);
	tsh_report_free(&r);
}

static void test_checker_passes(void **state)
{
	(void)state;
	char path[512];
	scratch_path(path, sizeof path, "golden-mcs-check.pcap");
	assert_true(write_session(path, 0) > 40);
	assert_checker_clean(path);
}

/* Segments much smaller than a PDU: reassembly must not change a verdict. */
static void test_checker_passes_small_mss(void **state)
{
	(void)state;
	char path[512];
	scratch_path(path, sizeof path, "golden-mcs-mss48.pcap");
	write_session(path, 48);
	assert_checker_clean(path);
}

static bool files_equal(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = fa && fb;
	while (same) {
		int ca = getc(fa), cb = getc(fb);
		if (ca != cb)
			same = false;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void test_committed_is_current(void **state)
{
	(void)state;
	const char *committed = getenv("GOLDEN_MCS_PCAP");
	if (!committed || !*committed)
		committed = MCS_COMMITTED;
	char path[512];
	scratch_path(path, sizeof path, "golden-mcs-now.pcap");
	write_session(path, 0);
	if (!files_equal(path, committed))
		fail_msg("%s differs from what the generator writes now: run "
			 "`make golden` and commit it", committed);
	assert_checker_clean(committed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tshark_agrees),
		cmocka_unit_test(test_checker_passes),
		cmocka_unit_test(test_checker_passes_small_mss),
		cmocka_unit_test(test_committed_is_current),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
