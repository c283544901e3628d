/* test_check_mcs.c — the mcs rule family (harness/check/rules_mcs.c): the
 * golden two-connection session passes (MCS-005, MCS-008 among others);
 * each ID the family reports is broken on purpose in a small synthesized
 * multi-connection session (or a changed golden PDU) and must FAIL alone
 * at the right frame; a four-connection session with commands spread over
 * every connection passes; a table check proves every ID the family owns
 * was seen FAIL here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness/check/check.h"
#include "harness/check/family.h"
#include "tests/support/session_builder.h"

#define NO -1
#define LUN1 0x0001000000000000ull

static const struct sb_mut m_join_tsih = { 2, PDU_OP_LOGIN_RSP, 1,
					   "iscsi.tsih", 0x0202, .byte = NO };

static struct sb B;

/* A session of two connections, CID 1 and cid2. */
static void start2(struct ev_observer sink, uint16_t cid2,
		   struct sb_conn **c1, struct sb_conn **c2)
{
	sb_init(&B, sink);
	*c1 = sb_open(&B, 1, 1);
	sb_login_leading(&B, *c1, NULL, NULL);
	*c2 = sb_open(&B, 2, cid2);
	sb_login_join(&B, *c2, NULL, NULL);
}

static uint64_t data_in(struct sb_conn *c, uint32_t itt, uint32_t sn,
			uint32_t off, uint32_t len, bool last)
{
	static uint8_t data[4096];
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	d.itt = itt;
	d.lun = LUN1;
	d.datasn = sn;
	d.buffer_offset = off;
	d.final = d.status_present = last;
	return sb_send(&B, c, &d, NULL, 0, data, len, 0);
}

static uint64_t nop_out(struct sb_conn *c)
{
	struct pdu_hdr h = sb_hdr(PDU_OP_NOP_OUT);
	h.immediate = h.final = true;
	return sb_send(&B, c, &h, NULL, 0, NULL, 0, 0);
}

static uint64_t nop_in(struct sb_conn *c)
{
	struct pdu_hdr h = sb_hdr(PDU_OP_NOP_IN);
	h.final = true;
	return sb_send(&B, c, &h, NULL, 0, NULL, 0, 0);
}

static uint64_t async(struct sb_conn *c, uint8_t event, uint16_t p1)
{
	struct pdu_hdr h = sb_hdr(PDU_OP_ASYNC_MSG);
	h.final = true;
	h.async_event = event;
	h.param1 = p1;
	h.param3 = 5;
	return sb_send(&B, c, &h, NULL, 0, NULL, 0, 0);
}

/* Connection 2 reinstates CID 1; the initiator then still uses the old
 * connection. */
static uint64_t run_cid_twice(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 1, &c1, &c2);
	uint64_t f = nop_out(c1);
	sb_nop_ping(&B, c2);
	return f;
}

/* Connection 2 takes the CmdSN connection 1's command took. */
static uint64_t run_cmdsn_twice(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	uint32_t a;
	sb_command(&B, c1, true, false, 512, 0, true, &a);
	struct pdu_hdr h = sb_hdr(PDU_OP_SCSI_CMD);
	h.itt = sb_itt(&B);
	h.final = h.read = true;
	h.edtl = 512;
	h.lun = LUN1;
	h.cmdsn = B.cmdsn - 1;
	h.expstatsn = c2->expstatsn;
	uint64_t f = sb_send(&B, c2, &h, NULL, 0, NULL, 0, SB_RAW);
	data_in(c1, a, 0, 0, 512, true);
	data_in(c2, h.itt, 0, 0, 512, true);
	return f;
}

/* A NOP-In on connection 2 acknowledges commands never sent. */
static uint64_t run_expcmdsn_ahead(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	sb_read(&B, c1, 512, 512);
	struct pdu_hdr h = sb_hdr(PDU_OP_NOP_IN);
	h.final = true;
	h.statsn = c2->statsn;
	h.expcmdsn = B.cmdsn + 5;
	h.maxcmdsn = h.expcmdsn + 31;
	return sb_send(&B, c2, &h, NULL, 0, NULL, 0, SB_RAW);
}

/* Connection 2's StatSN counts connection 1's responses too. */
static uint64_t run_shared_statsn(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	sb_nop_ping(&B, c1);
	sb_nop_ping(&B, c1);
	c2->statsn += 2;
	uint64_t f = sb_nop_ping(&B, c2);
	sb_nop_ping(&B, c2);
	return f;
}

/* A Data-In of connection 1's READ goes on connection 2. */
static uint64_t run_datain_elsewhere(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	uint32_t a;
	sb_command(&B, c1, true, false, 1024, 0, true, &a);
	uint64_t f = data_in(c2, a, 0, 0, 512, false);
	data_in(c1, a, 1, 512, 512, true);
	return f;
}

/* The Data-Out answering connection 1's R2T goes on connection 2. */
static uint64_t run_dataout_elsewhere(struct ev_observer sink,
				      const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	uint32_t a;
	sb_command(&B, c1, false, true, 512, 0, true, &a);
	struct pdu_hdr r = sb_hdr(PDU_OP_R2T);
	r.final = true;
	r.itt = a;
	r.lun = LUN1;
	r.ttt = 0x33;
	r.ddtl = 512;
	sb_send(&B, c1, &r, NULL, 0, NULL, 0, 0);
	static uint8_t data[512];
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_OUT);
	d.final = true;
	d.itt = a;
	d.lun = LUN1;
	d.ttt = 0x33;
	uint64_t f = sb_send(&B, c2, &d, NULL, 0, data, sizeof data, 0);
	sb_scsi_rsp(&B, c1, a, 0);
	return f;
}

/* A ping on connection 1 answered on connection 2. */
static uint64_t run_answer_elsewhere(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	struct pdu_hdr out = sb_hdr(PDU_OP_NOP_OUT), in = sb_hdr(PDU_OP_NOP_IN);
	out.immediate = out.final = true;
	out.itt = sb_itt(&B);
	sb_send(&B, c1, &out, NULL, 0, NULL, 0, 0);
	in.final = true;
	in.itt = out.itt;
	return sb_send(&B, c2, &in, NULL, 0, NULL, 0, 0);
}

/* Connection 2 uses the ITT of connection 1's outstanding READ. */
static uint64_t run_itt_twice(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	uint32_t a;
	sb_command(&B, c1, true, false, 512, 0, true, &a);
	struct pdu_hdr h = sb_hdr(PDU_OP_SCSI_CMD);
	h.itt = a;
	h.final = h.read = true;
	h.edtl = 512;
	h.lun = LUN1;
	return sb_send(&B, c2, &h, NULL, 0, NULL, 0, 0);
}

/* A Logout on connection 1 closes CID 2, whose connection still works. */
static uint64_t run_logout_live(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	struct pdu_hdr q = sb_hdr(PDU_OP_LOGOUT_REQ), r = sb_hdr(PDU_OP_LOGOUT_RSP);
	q.immediate = q.final = true;
	q.logout_reason = 1;
	q.cid = 2;
	q.itt = sb_itt(&B);
	uint64_t f = sb_send(&B, c1, &q, NULL, 0, NULL, 0, 0);
	nop_out(c2);
	r.final = true;
	r.itt = q.itt;
	sb_send(&B, c1, &r, NULL, 0, NULL, 0, 0);
	return f;
}

/* Connection 2 reinstates CID 1; the target goes on using the old one. */
static uint64_t run_old_conn_used(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 1, &c1, &c2);
	uint64_t f = nop_in(c1);
	sb_nop_ping(&B, c2);
	return f;
}

/* Async event 1 on connection 1; the target then drops connection 2. */
static uint64_t run_wrong_drop(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	uint64_t f = async(c1, 1, 0);
	sb_event(&B, c2, EV_CONN_FIN, EV_DIR_T2I, 0);
	sb_nop_ping(&B, c1);
	return f;
}

/* Async event 2 names CID 1 (sent on connection 2); the target drops
 * connection 2 instead. */
static uint64_t run_event2_drop(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	uint64_t f = async(c2, 2, 1);
	sb_event(&B, c2, EV_CONN_FIN, EV_DIR_T2I, 0);
	return f;
}

/* Async event 1 on a connection that is still logging in. */
static uint64_t run_event1_login(struct ev_observer sink, const void *arg)
{
	(void)arg;
	sb_init(&B, sink);
	struct sb_conn *c1 = sb_open(&B, 1, 1);
	sb_login_leading(&B, c1, NULL, NULL);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	struct pdu_hdr q = sb_hdr(PDU_OP_LOGIN_REQ), r = sb_hdr(PDU_OP_LOGIN_RSP);
	static const char *const keys[] = {
		"InitiatorName=iqn.2026-01.org.iscsi-harness:sb-initiator",
		"TargetName=iqn.2026-01.org.iscsi-harness:sb-target", NULL };
	static const char *const tpgt[] = { "TargetPortalGroupTag=1", NULL };
	q.immediate = q.transit = true;
	q.csg = 1;
	q.nsg = 3;
	memcpy(q.isid, B.isid, 6);
	q.tsih = B.tsih;
	q.cid = 2;
	q.itt = 0x55;
	sb_send_keys(&B, c2, &q, keys, 0);
	uint64_t f = async(c2, 1, 0);
	r.transit = true;
	r.csg = 1;
	r.nsg = 3;
	memcpy(r.isid, B.isid, 6);
	r.tsih = B.tsih;
	r.itt = 0x55;
	sb_send_keys(&B, c2, &r, tpgt, 0);
	c2->ffp = true;
	sb_nop_ping(&B, c2);
	return f;
}

static const struct sb_case cases[] = {
	{ "MCS-001", "added connection's TSIH not echoed", sb_run_mut,
	  &m_join_tsih, { 0 } },
	{ "MCS-003", "old connection used after its CID was reinstated",
	  run_cid_twice, NULL, { 0 } },
	{ "MCS-005", "one CmdSN on two connections", run_cmdsn_twice, NULL,
	  { 0 } },
	{ "MCS-006", "ExpCmdSN ahead of every command sent",
	  run_expcmdsn_ahead, NULL, { 0 } },
	{ "MCS-008", "StatSN counted across connections", run_shared_statsn,
	  NULL, { 0 } },
	{ "MCS-009", "Data-In on another connection", run_datain_elsewhere,
	  NULL, { 0 } },
	{ "MCS-010", "Data-Out on another connection", run_dataout_elsewhere,
	  NULL, { 0 } },
	{ "MCS-011", "NOP-In reply on another connection",
	  run_answer_elsewhere, NULL, { 0 } },
	{ "MCS-012", "ITT of an outstanding task reused", run_itt_twice, NULL,
	  { 0 } },
	{ "MCS-015", "Logout naming a live connection elsewhere",
	  run_logout_live, NULL, { 0 } },
	{ "MCS-016", "target uses the reinstated connection",
	  run_old_conn_used, NULL, { 0 } },
	{ "MCS-020", "Async event 1 then another connection dropped",
	  run_wrong_drop, NULL, { 0 } },
	{ "MCS-020", "Async event 1 during a login", run_event1_login, NULL,
	  { 0 } },
	{ "MCS-022", "Async event 2 then another connection dropped",
	  run_event2_drop, NULL, { 0 } },
};

#define N_CASES (sizeof cases / sizeof cases[0])

static void test_every_id_broken(void **state)
{
	(void)state;
	sb_expect_covered("mcs", cases, N_CASES);
}

static void test_golden(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(sb_feed_golden, "mcs");
	sb_expect_no_fail(&run);
	static const char *const pass[] = {
		"MCS-001", "MCS-003", "MCS-005", "MCS-006", "MCS-008",
		"MCS-009", "MCS-010", "MCS-011", "MCS-012", "MCS-015",
		"MCS-020", NULL };
	for (const char *const *id = pass; *id; id++)
		sb_expect(&run, 0, *id, REP_PASS);
	sb_expect(&run, 0, "MCS-016", REP_NOT_OBSERVED);
	sb_expect(&run, 0, "MCS-022", REP_NOT_OBSERVED);
	/* every golden command on connection 2 took the next CmdSN while
	 * connection 1 was live */
	assert_true(sb_verdict(&run, 0, "MCS-005")->held >= 6);
	assert_int_equal(run.sessions[0].n_conns, 2);
	assert_int_equal(run.sessions[0].conns[0].cid, 1);
	assert_int_equal(run.sessions[0].conns[1].cid, 2);
	rep_run_free(&run);
}

/* Four connections, commands and pings spread round-robin, each
 * connection with its own StatSN sequence; then each is logged out. */
static void feed_four(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c[4];
	c[0] = sb_open(&B, 1, 1);
	sb_login_leading(&B, c[0], NULL, NULL);
	for (int i = 1; i < 4; i++) {
		c[i] = sb_open(&B, (uint32_t)i + 1, (uint16_t)(i + 1));
		sb_login_join(&B, c[i], NULL, NULL);
	}
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4; i++) {
			sb_read(&B, c[i], 2048, 1024);
			sb_write_r2t(&B, c[i], 1024, 512);
			sb_nop_ping(&B, c[(i + 1) % 4]);
		}
	}
	for (int i = 3; i >= 1; i--) {
		sb_logout(&B, c[i], 1);
		sb_close(&B, c[i]);
	}
	sb_logout(&B, c[0], 0);
	sb_close(&B, c[0]);
}

static void test_four_connections(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_four, NULL);
	sb_expect_no_fail(&run);
	assert_int_equal(run.n_sessions, 1);
	const struct rep_session *s = &run.sessions[0];
	assert_int_equal(s->n_conns, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(s->conns[i].cid, (int)i + 1);
		assert_string_equal(s->conns[i].end, "logged out, FIN");
	}
	static const char *const pass[] = {
		"MCS-001", "MCS-003", "MCS-005", "MCS-006", "MCS-008",
		"MCS-009", "MCS-010", "MCS-011", "MCS-012", "MCS-015",
		"SEQ-003", "SEQ-009", "SEQ-012", "SEQ-013", "SEQ-015", NULL };
	for (const char *const *id = pass; *id; id++)
		sb_expect(&run, 0, *id, REP_PASS);
	assert_int_equal(sb_verdict(&run, 0, "MCS-001")->held, 3);
	rep_run_free(&run);
}

/* Async event 2 naming CID 1, after which the target drops CID 1 and goes
 * on serving CID 2: held. */
static void feed_event2_ok(struct ev_observer sink)
{
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	async(c2, 2, 1);
	sb_event(&B, c1, EV_CONN_FIN, EV_DIR_T2I, 0);
	sb_nop_ping(&B, c2);
}

static void test_event2_ok(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_event2_ok, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "MCS-022", REP_PASS);
	rep_run_free(&run);
}

/* A Logout for CID 2 sent on connection 1 after connection 2's TCP
 * connection was reset: the MAY done right. */
static void feed_logout_gone(struct ev_observer sink)
{
	struct sb_conn *c1, *c2;
	start2(sink, 2, &c1, &c2);
	sb_event(&B, c2, EV_CONN_RST, EV_DIR_I2T, 0);
	struct pdu_hdr q = sb_hdr(PDU_OP_LOGOUT_REQ), r = sb_hdr(PDU_OP_LOGOUT_RSP);
	q.immediate = q.final = true;
	q.logout_reason = 2;
	q.cid = 2;
	q.itt = sb_itt(&B);
	sb_send(&B, c1, &q, NULL, 0, NULL, 0, 0);
	r.final = true;
	r.itt = q.itt;
	sb_send(&B, c1, &r, NULL, 0, NULL, 0, 0);
	sb_nop_ping(&B, c1);
}

static void test_logout_gone(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_logout_gone, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "MCS-015", REP_PASS);
	rep_run_free(&run);
}

int main(void)
{
	struct CMUnitTest tests[N_CASES + 6];
	size_t n = 0;
	static char names[N_CASES][96];
	for (size_t i = 0; i < N_CASES; i++) {
		snprintf(names[i], sizeof names[i], "breaks %s: %s",
			 cases[i].id, cases[i].name);
		tests[n++] = (struct CMUnitTest){ names[i], sb_cmocka_case, NULL,
						  NULL, (void *)&cases[i] };
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_id_broken);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_four_connections);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_event2_ok);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_logout_gone);
	return _cmocka_run_group_tests("check_mcs", tests, n, NULL, NULL);
}
