/* test_check_session.c — the session tracker of the check engine
 * (harness/check/session.c) as the verdicts show it: connections without a
 * login become "unknown session on connection N" judged only per
 * connection; a capture that starts mid-stream is judged from its first
 * PDU; a gap turns rules that need an unbroken stream to NOT-OBSERVED,
 * never FAIL; two sessions at once stay apart; a connection added to a
 * session whose login is missing; session and connection reinstatement;
 * a discovery session; MaxRecvDataSegmentLength changed by a Text
 * negotiation in Full Feature Phase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness/check/check.h"
#include "tests/support/session_builder.h"

#define LUN1 0x0001000000000000ull

static struct sb B, B2;

static void has(const char *text, const char *part)
{
	if (!text || !strstr(text, part))
		fail_msg("\"%s\" not in \"%s\"", part, text ? text : "(null)");
}

static void traffic(struct sb *b, struct sb_conn *c, int n)
{
	for (int i = 0; i < n; i++) {
		sb_read(b, c, 1024, 512);
		sb_write_r2t(b, c, 1024, 1024);
		sb_nop_ping(b, c);
	}
}

/* ---- no login ----------------------------------------------------------- */

static void feed_no_login(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 7, 1);
	c->ffp = true;
	traffic(&B, c, 3);
	sb_close(&B, c);
}

static void test_no_login(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_no_login, NULL);
	sb_expect_no_fail(&run);
	assert_int_equal(run.n_sessions, 1);
	assert_string_equal(run.sessions[0].name,
			    "unknown session on connection 7");
	assert_null(run.sessions[0].initiator);
	assert_int_equal(run.sessions[0].conns[0].cid, -1);
	has(run.sessions[0].notes, "login is not in the capture");
	/* per-connection rules are judged */
	sb_expect(&run, 0, "SEQ-009", REP_PASS);
	sb_expect(&run, 0, "SEQ-012", REP_PASS);
	sb_expect(&run, 0, "SEQ-015", REP_PASS);
	sb_expect(&run, 0, "PDU-004", REP_PASS);
	/* session-wide ones are not, and say why */
	static const char *const session_wide[] = {
		"SEQ-002", "SEQ-003", "SEQ-017", "SEQ-019", "MCS-005",
		"MCS-009", NULL };
	for (const char *const *id = session_wide; *id; id++)
		has(sb_expect(&run, 0, *id, REP_NOT_OBSERVED)->reason,
		    "login not in capture");
	/* login rules never came up */
	sb_expect(&run, 0, "LOGIN-013", REP_NOT_OBSERVED);
	rep_run_free(&run);
}

/* A capture that starts inside a connection: the reader resynchronises
 * before the first PDU. That is not a gap: the stream is judged from
 * there. */
static void feed_mid_stream(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 3, 1);
	c->ffp = true;
	c->statsn = 0x5000;
	c->expstatsn = 0x5000;
	B.cmdsn = B.expcmdsn = 0x700;
	sb_event(&B, c, EV_RESYNC, EV_DIR_I2T, 100);
	sb_event(&B, c, EV_RESYNC, EV_DIR_T2I, 200);
	traffic(&B, c, 2);
}

static void test_mid_stream(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_mid_stream, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "SEQ-009", REP_PASS);
	sb_expect(&run, 0, "SEQ-011", REP_PASS);
	rep_run_free(&run);
}

/* ---- gaps --------------------------------------------------------------- */

/* The golden session with bytes missing from connection 1's target
 * stream where the first Data-In of the first READ was, and from its
 * initiator stream where the NOP-Out answering the target's ping was. */
static bool hook_gaps(void *ctx, struct sb_golden *g, struct event *ev,
		      uint8_t *buf, size_t *len)
{
	(void)ctx;
	(void)buf;
	if (sb_is(g, ev, 1, PDU_OP_DATA_IN, 1) ||
	    sb_is(g, ev, 1, PDU_OP_NOP_OUT, 4)) {
		struct event gap = { .kind = EV_GAP, .conn = 1, .dir = ev->dir,
				     .ts_ns = ev->ts_ns, .len = *len,
				     .text = "segment not captured" };
		sb_inject(g, &gap);
		return false;
	}
	return true;
}

static void feed_golden_gaps(struct ev_observer sink)
{
	assert_int_equal(sb_golden(sink, hook_gaps, NULL), 0);
}

static void test_gap_is_not_fail(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_golden_gaps, NULL);
	sb_expect_no_fail(&run);
	has(run.sessions[0].notes, "bytes missing");
	has(run.sessions[0].notes, "target-to-initiator");
	/* what the gaps hide is not judged: the ping was not answered in
	 * view, the Data-In count of the READ is unknown */
	sb_expect(&run, 0, "SEQ-009", REP_PASS);
	rep_run_free(&run);
}

/* After a gap in the target's stream, StatSN is not judged on that
 * connection: responses seem to skip, and that is not a FAIL. */
static void feed_statsn_gap(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	sb_nop_ping(&B, c);
	sb_event(&B, c, EV_GAP, EV_DIR_T2I, 1000);
	c->statsn += 3;
	sb_nop_ping(&B, c);
	sb_nop_ping(&B, c);
	sb_event(&B, c, EV_GAP, EV_DIR_I2T, 500);
	B.cmdsn += 4;
	sb_read(&B, c, 512, 512);
}

static void test_statsn_gap(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_statsn_gap, NULL);
	sb_expect_no_fail(&run);
	const struct rep_verdict *v = sb_verdict(&run, 0, "SEQ-009");
	assert_int_equal(v->broken, 0);
	has(run.sessions[0].notes, "stop judging");
	has(sb_expect(&run, 0, "SEQ-003", REP_PASS)->summary, "CmdSN");
	rep_run_free(&run);
}

/* A gap before anything in the stream was judged: NOT-OBSERVED with the
 * gap as the reason. */
static void feed_gap_first(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	sb_event(&B, c, EV_GAP, EV_DIR_T2I, 1000);
	c->statsn += 5;
	sb_nop_ping(&B, c);
	sb_nop_ping(&B, c);
}

static void test_gap_reason(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_gap_first, NULL);
	sb_expect_no_fail(&run);
	has(sb_expect(&run, 0, "SEQ-009", REP_NOT_OBSERVED)->reason, "missing");
	has(sb_expect(&run, 0, "LOGIN-011", REP_NOT_OBSERVED)->reason, "gap");
	rep_run_free(&run);
}

/* ---- several sessions --------------------------------------------------- */

/* Two sessions at once (other ISIDs, same ITTs and CmdSNs), their PDUs
 * interleaved. */
static void feed_two_sessions(struct ev_observer sink)
{
	sb_init(&B, sink);
	sb_init(&B2, sink);
	B2.isid[5] = 0x02;
	B2.next_tsih = 0x0077;
	struct sb_conn *a = sb_open(&B, 1, 1);
	struct sb_conn *b = sb_open(&B2, 2, 1);
	sb_login_leading(&B, a, NULL, NULL);
	sb_login_leading(&B2, b, NULL, NULL);
	for (int i = 0; i < 3; i++) {
		sb_read(&B, a, 1024, 512);
		sb_read(&B2, b, 1024, 512);
		sb_nop_ping(&B2, b);
		sb_write_r2t(&B, a, 512, 512);
	}
	sb_logout(&B2, b, 0);
	sb_close(&B2, b);
	sb_logout(&B, a, 0);
	sb_close(&B, a);
}

static void test_two_sessions(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_two_sessions, NULL);
	sb_expect_no_fail(&run);
	assert_int_equal(run.n_sessions, 2);
	assert_int_equal(run.sessions[0].tsih, 0x0042);
	assert_int_equal(run.sessions[1].tsih, 0x0077);
	assert_int_equal(run.sessions[0].isid[5], 0x01);
	assert_int_equal(run.sessions[1].isid[5], 0x02);
	for (size_t s = 0; s < 2; s++) {
		assert_int_equal(run.sessions[s].n_conns, 1);
		sb_expect(&run, s, "MCS-012", REP_PASS);
		sb_expect(&run, s, "SEQ-003", REP_PASS);
		sb_expect(&run, s, "SEQ-009", REP_PASS);
	}
	assert_int_equal(run.sessions[0].conns[0].conn, 1);
	assert_int_equal(run.sessions[1].conns[0].conn, 2);
	rep_run_free(&run);
}

/* A connection added to a session whose leading login is not in the
 * capture: its own login is judged, the session's rules are not. */
static void feed_partial(struct ev_observer sink)
{
	sb_init(&B, sink);
	B.tsih = 0x0042;
	B.cmdsn = B.expcmdsn = 40;
	struct sb_conn *c = sb_open(&B, 2, 2);
	sb_login_join(&B, c, NULL, NULL);
	traffic(&B, c, 2);
}

static void test_partial_session(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_partial, NULL);
	sb_expect_no_fail(&run);
	assert_int_equal(run.n_sessions, 1);
	has(run.sessions[0].name, "TSIH 0x0042");
	has(run.sessions[0].name, "login not in capture");
	assert_string_equal(run.sessions[0].initiator,
			    "iqn.2026-01.org.iscsi-harness:sb-initiator");
	sb_expect(&run, 0, "LOGIN-013", REP_PASS);
	sb_expect(&run, 0, "SEQ-009", REP_PASS);
	has(sb_expect(&run, 0, "LOGIN-009", REP_NOT_OBSERVED)->reason,
	    "not in the capture");
	has(sb_expect(&run, 0, "MCS-005", REP_NOT_OBSERVED)->reason,
	    "login not in capture");
	rep_run_free(&run);
}

/* Session reinstatement: the first session's connection is reset, and a
 * new login with the same ISID and names and TSIH 0 replaces it. Then,
 * after a clean logout, the ISID is used again: a new session, not a
 * reinstatement. */
static void feed_reinstate_session(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *a = sb_open(&B, 1, 1);
	sb_login_leading(&B, a, NULL, NULL);
	traffic(&B, a, 1);
	sb_event(&B, a, EV_CONN_RST, EV_DIR_I2T, 0);
	B.cmdsn = B.expcmdsn = 1;
	struct sb_conn *b = sb_open(&B, 2, 1);
	sb_login_leading(&B, b, NULL, NULL);
	traffic(&B, b, 1);
	sb_logout(&B, b, 0);
	sb_close(&B, b);
	B.cmdsn = B.expcmdsn = 1;
	struct sb_conn *c = sb_open(&B, 3, 1);
	sb_login_leading(&B, c, NULL, NULL);
	traffic(&B, c, 1);
}

static void test_reinstate_session(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_reinstate_session, NULL);
	sb_expect_no_fail(&run);
	assert_int_equal(run.n_sessions, 3);
	has(run.sessions[0].notes, "reinstated by a login on connection 2");
	has(run.sessions[1].notes, "reinstates the session with TSIH 0x0042");
	assert_true(run.sessions[2].notes == NULL ||
		    !strstr(run.sessions[2].notes, "reinstates"));
	assert_string_equal(run.sessions[0].conns[0].end, "RST by initiator");
	for (size_t s = 0; s < 3; s++)
		sb_expect(&run, s, "LOGIN-010", REP_PASS);
	rep_run_free(&run);
}

/* Connection reinstatement: a login with the session's TSIH and the CID
 * of its live connection replaces that connection. */
static void feed_reinstate_conn(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *a = sb_open(&B, 1, 1);
	sb_login_leading(&B, a, NULL, NULL);
	struct sb_conn *b = sb_open(&B, 2, 2);
	sb_login_join(&B, b, NULL, NULL);
	traffic(&B, a, 1);
	traffic(&B, b, 1);
	struct sb_conn *a2 = sb_open(&B, 3, 1);
	sb_login_join(&B, a2, NULL, NULL);
	traffic(&B, a2, 1);
	traffic(&B, b, 1);
}

static void test_reinstate_conn(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_reinstate_conn, NULL);
	sb_expect_no_fail(&run);
	assert_int_equal(run.n_sessions, 1);
	const struct rep_session *s = &run.sessions[0];
	assert_int_equal(s->n_conns, 3);
	assert_int_equal(s->conns[2].cid, 1);
	assert_string_equal(s->conns[0].end, "reinstated by another connection");
	has(s->notes, "reinstates connection 1");
	const struct rep_verdict *v = sb_expect(&run, 0, "MCS-016",
					      REP_NOT_OBSERVED);
	assert_int_equal(v->held, 1);
	has(v->reason, "live run");
	sb_expect(&run, 0, "MCS-003", REP_PASS);
	sb_expect(&run, 0, "MCS-001", REP_PASS);
	sb_expect(&run, 0, "LOGIN-009", REP_PASS);
	rep_run_free(&run);
}

/* ---- negotiation ----------------------------------------------------------- */

/* A discovery session: SendTargets answered with two targets (TargetName
 * and TargetAddress repeat, as they may in a SendTargets answer). */
static void feed_discovery(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	static const char *const req[] = {
		"InitiatorName=iqn.2026-01.org.iscsi-harness:sb-initiator",
		"SessionType=Discovery", "HeaderDigest=None",
		"DataDigest=None", "MaxRecvDataSegmentLength=65536", NULL };
	static const char *const rsp[] = {
		"HeaderDigest=None", "DataDigest=None",
		"MaxRecvDataSegmentLength=65536", NULL };
	B.tsih = B.next_tsih++;
	sb_login_pair(&B, c, 1, 3, true, 0, B.tsih, req, rsp, 0, 0);
	struct pdu_hdr q = sb_hdr(PDU_OP_TEXT_REQ), r = sb_hdr(PDU_OP_TEXT_RSP);
	static const char *const st[] = { "SendTargets=All", NULL };
	static const char *const ans[] = {
		"TargetName=iqn.2026-01.org.iscsi-harness:one",
		"TargetAddress=192.0.2.20:3260,1",
		"TargetAddress=192.0.2.21:3260,1",
		"TargetName=iqn.2026-01.org.iscsi-harness:two",
		"TargetAddress=192.0.2.20:3260,1", NULL };
	q.final = true;
	q.itt = sb_itt(&B);
	sb_send_keys(&B, c, &q, st, 0);
	r.final = true;
	r.itt = q.itt;
	sb_send_keys(&B, c, &r, ans, 0);
	sb_logout(&B, c, 0);
	sb_close(&B, c);
}

static void test_discovery(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_discovery, NULL);
	sb_expect_no_fail(&run);
	assert_string_equal(run.sessions[0].type, "Discovery");
	assert_null(run.sessions[0].target);
	sb_expect(&run, 0, "LOGIN-013", REP_PASS);
	sb_expect(&run, 0, "LOGIN-014", REP_NOT_OBSERVED);
	sb_expect(&run, 0, "LOGIN-015", REP_NOT_OBSERVED);
	sb_expect(&run, 0, "LOGIN-024", REP_PASS);
	rep_run_free(&run);
}

/* The initiator declares a smaller MaxRecvDataSegmentLength in Full
 * Feature Phase; a Data-In above it afterwards breaks SEQ-018. */
static uint64_t big_frame;

static void feed_text_mrdsl(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	sb_read(&B, c, 8192, 8192);
	struct pdu_hdr q = sb_hdr(PDU_OP_TEXT_REQ), r = sb_hdr(PDU_OP_TEXT_RSP);
	static const char *const req[] = { "MaxRecvDataSegmentLength=4096",
					   NULL };
	q.final = true;
	q.itt = sb_itt(&B);
	sb_send_keys(&B, c, &q, req, 0);
	r.final = true;
	r.itt = q.itt;
	sb_send_keys(&B, c, &r, NULL, 0);
	uint32_t itt;
	sb_command(&B, c, true, false, 8192, 0, true, &itt);
	static uint8_t data[8192];
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	d.itt = itt;
	d.lun = LUN1;
	d.final = d.status_present = true;
	big_frame = sb_send(&B, c, &d, NULL, 0, data, sizeof data, 0);
}

static void test_text_mrdsl(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_text_mrdsl, NULL);
	const struct rep_verdict *v = sb_failed(&run, "SEQ-018");
	assert_non_null(v);
	assert_int_equal(v->broken, 1);
	assert_int_equal(v->evidence[0].frame, big_frame);
	has(v->evidence[0].message, "4096");
	static const char *const only[] = { "SEQ-018", NULL };
	char why[600];
	if (!sb_only_fails(&run, only, why, sizeof why))
		fail_msg("%s", why);
	rep_run_free(&run);
}

/* A long session keeps its task table small: acknowledged tasks are
 * forgotten, and ITTs used again later are new tasks. */
static void feed_long(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	for (int i = 0; i < 3000; i++) {
		B.next_itt = 0x100 + (uint32_t)(i % 7);
		sb_read(&B, c, 512, 512);
	}
	sb_nop_ping(&B, c);
}

static void test_long_session(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_long, NULL);
	sb_expect_no_fail(&run);
	const struct rep_verdict *v = sb_expect(&run, 0, "MCS-012", REP_PASS);
	assert_int_equal(v->held, 3001);
	assert_int_equal(sb_expect(&run, 0, "SEQ-012", REP_PASS)->held, 3000);
	rep_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_login),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_gap_is_not_fail),
		cmocka_unit_test(test_statsn_gap),
		cmocka_unit_test(test_gap_reason),
		cmocka_unit_test(test_two_sessions),
		cmocka_unit_test(test_partial_session),
		cmocka_unit_test(test_reinstate_session),
		cmocka_unit_test(test_reinstate_conn),
		cmocka_unit_test(test_discovery),
		cmocka_unit_test(test_text_mrdsl),
		cmocka_unit_test(test_long_session),
	};
	return cmocka_run_group_tests_name("check_session", tests, NULL, NULL);
}
