/* test_check_seq.c — the seq rule family (harness/check/rules_seq.c):
 * numbering and data transfer on the golden session pass; each ID the
 * family reports is broken on purpose (a golden PDU changed, or a small
 * synthesized session) and must FAIL alone at the bad PDU's frame; CmdSN
 * order tolerates commands of two connections reaching the capture out
 * of order, and a decreasing ExpStatSN is noted, not failed; a table check
 * proves every ID the family owns was seen FAIL here. */
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

/* ---- golden mutations --------------------------------------------------- */

static const struct sb_mut m_r2t_statsn = { 1, PDU_OP_R2T, 1, "iscsi.statsn",
					    1, true, .byte = NO };
static const struct sb_mut m_expstatsn = { 1, PDU_OP_DATA_OUT, 1,
					   "iscsi.expstatsn", 5, true,
					   .byte = NO };
static const struct sb_mut m_datain_sn = { 1, PDU_OP_DATA_IN, 2,
					   "iscsi.datasn", 1, true, .byte = NO };
static const struct sb_mut m_dataout_sn = { 1, PDU_OP_DATA_OUT, 2,
					    "iscsi.datasn", 1, .byte = NO };
static const struct sb_mut m_r2tsn = { 1, PDU_OP_R2T, 1, "iscsi.r2tsn", 1,
				       .byte = NO };
static const struct sb_mut m_dataout_lun = { 1, PDU_OP_DATA_OUT, 1,
					     "iscsi.lun", 2ull << 48,
					     .byte = NO };
static const struct sb_mut m_offset = { 1, PDU_OP_DATA_IN, 2,
					"iscsi.bufferOffset", 1, true,
					.byte = NO };
/* the answer to the target's ping (the fourth NOP-Out) */
static const struct sb_mut m_nop_i = { 1, PDU_OP_NOP_OUT, 4, .byte = 0,
				       .clear_bits = 0x40 };
static const struct sb_mut m_nop_lun = { 1, PDU_OP_NOP_OUT, 4, "iscsi.lun",
					 2ull << 48, .byte = NO };

/* A NOP-In whose MaxCmdSN is ExpCmdSN - 5. */
static bool hook_window(void *ctx, struct sb_golden *g, struct event *ev,
			uint8_t *buf, size_t *len)
{
	uint64_t *frame = ctx;
	if (sb_is(g, ev, 1, PDU_OP_NOP_IN, 2)) {
		struct pdu_hdr h;
		pdu_hdr_decode(buf, &h);
		*frame = sb_frame(g);
		sb_set(buf, *len, ev->digests, "iscsi.maxcmdsn", h.expcmdsn - 5);
	}
	return true;
}

static const struct sb_hooked window = { hook_window };

/* The target's ping NOP-In and its answer carry "no LUN" (0xff...). */
static bool hook_ping_lun(void *ctx, struct sb_golden *g, struct event *ev,
			  uint8_t *buf, size_t *len)
{
	uint64_t *frame = ctx;
	if (sb_is(g, ev, 1, PDU_OP_NOP_IN, 4)) {
		*frame = sb_frame(g);
		sb_set(buf, *len, ev->digests, "iscsi.lun",
		       0xff00000000000000ull);
	}
	if (sb_is(g, ev, 1, PDU_OP_NOP_OUT, 4))
		sb_set(buf, *len, ev->digests, "iscsi.lun",
		       0xff00000000000000ull);
	return true;
}

static const struct sb_hooked ping_lun = { hook_ping_lun };

/* ---- synthesized sessions ----------------------------------------------- */

static struct sb B;

static struct sb_conn *start(struct ev_observer sink, const char *const *op)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, op, op);
	return c;
}

static uint64_t data_in(struct sb_conn *c, uint32_t itt, uint32_t sn,
			uint32_t off, uint32_t len, bool f, bool s)
{
	static uint8_t data[SB_MAX_DATA];
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	d.itt = itt;
	d.lun = LUN1;
	d.datasn = sn;
	d.buffer_offset = off;
	d.final = f;
	d.status_present = s;
	return sb_send(&B, c, &d, NULL, 0, data, len, 0);
}

static uint64_t r2t(struct sb_conn *c, uint32_t itt, uint32_t ttt,
		    uint32_t sn, uint32_t off, uint32_t len)
{
	struct pdu_hdr r = sb_hdr(PDU_OP_R2T);
	r.final = true;
	r.itt = itt;
	r.lun = LUN1;
	r.ttt = ttt;
	r.r2tsn = sn;
	r.buffer_offset = off;
	r.ddtl = len;
	return sb_send(&B, c, &r, NULL, 0, NULL, 0, 0);
}

static uint64_t data_out(struct sb_conn *c, uint32_t itt, uint32_t ttt,
			 uint32_t sn, uint32_t off, uint32_t len, bool f)
{
	static uint8_t data[SB_MAX_DATA];
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_OUT);
	d.itt = itt;
	d.ttt = ttt;
	d.lun = LUN1;
	d.datasn = sn;
	d.buffer_offset = off;
	d.final = f;
	return sb_send(&B, c, &d, NULL, 0, data, len, 0);
}

static uint64_t run_above_window(struct ev_observer sink, const void *arg)
{
	(void)arg;
	sb_init(&B, sink);
	B.window = 1;
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	uint32_t a, b;
	sb_command(&B, c, true, false, 512, 0, true, &a);
	uint64_t f = sb_command(&B, c, true, false, 512, 0, true, &b);
	data_in(c, a, 0, 0, 512, true, true);
	data_in(c, b, 0, 0, 512, true, true);
	return f;
}

static uint64_t run_skip_cmdsn(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	sb_read(&B, c, 512, 512);
	B.cmdsn++;
	uint32_t itt;
	uint64_t f = sb_command(&B, c, true, false, 512, 0, true, &itt);
	data_in(c, itt, 0, 0, 512, true, true);
	return f;
}

static uint64_t run_statsn_jump(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	sb_nop_ping(&B, c);
	c->statsn++;
	uint64_t f = sb_nop_ping(&B, c);
	sb_nop_ping(&B, c);
	return f;
}

/* Two writes; the second R2T is answered before the first. */
static uint64_t run_r2t_order(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	uint32_t a, b;
	sb_command(&B, c, false, true, 512, 0, true, &a);
	sb_command(&B, c, false, true, 512, 0, true, &b);
	r2t(c, a, 0x10, 0, 0, 512);
	r2t(c, b, 0x11, 0, 0, 512);
	uint64_t f = data_out(c, b, 0x11, 0, 0, 512, true);
	data_out(c, a, 0x10, 0, 0, 512, true);
	sb_scsi_rsp(&B, c, a, 0);
	sb_scsi_rsp(&B, c, b, 0);
	return f;
}

/* Two R2Ts outstanding for one task with MaxOutstandingR2T=1. */
static uint64_t run_r2t_many(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	uint32_t a;
	sb_command(&B, c, false, true, 1024, 0, true, &a);
	r2t(c, a, 0x10, 0, 0, 512);
	uint64_t f = r2t(c, a, 0x11, 1, 512, 512);
	data_out(c, a, 0x10, 0, 0, 512, true);
	data_out(c, a, 0x11, 0, 512, 512, true);
	sb_scsi_rsp(&B, c, a, 0);
	return f;
}

static const char *const small_mrdsl_req[] = {
	"MaxRecvDataSegmentLength=4096", NULL };
static const char *const small_mrdsl_rsp[] = {
	"MaxRecvDataSegmentLength=65536", NULL };

static uint64_t run_big_pdu(struct ev_observer sink, const void *arg)
{
	(void)arg;
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, small_mrdsl_req, small_mrdsl_rsp);
	uint32_t itt;
	sb_command(&B, c, true, false, 8192, 0, true, &itt);
	return data_in(c, itt, 0, 0, 8192, true, true);
}

static const char *const small_burst[] = {
	"MaxBurstLength=4096", "FirstBurstLength=4096", NULL };

static uint64_t run_long_burst(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, small_burst);
	uint32_t itt;
	sb_command(&B, c, true, false, 8192, 0, true, &itt);
	data_in(c, itt, 0, 0, 4096, false, false);
	return data_in(c, itt, 1, 4096, 4096, true, true);
}

static uint64_t run_seq_gap(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	uint32_t itt;
	sb_command(&B, c, true, false, 1112, 0, true, &itt);
	data_in(c, itt, 0, 0, 512, true, false);
	return data_in(c, itt, 1, 600, 512, true, true);
}

static const char *const no_immediate[] = { "ImmediateData=No", NULL };

static uint64_t run_immediate_no(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, no_immediate);
	uint32_t itt;
	uint64_t f = sb_command(&B, c, false, true, 512, 512, true, &itt);
	sb_scsi_rsp(&B, c, itt, 0);
	return f;
}

static const char *const fbl_4k[] = { "InitialR2T=No", "ImmediateData=Yes",
				      "FirstBurstLength=4096", NULL };

static uint64_t run_short_unsol(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, fbl_4k);
	uint32_t itt;
	sb_command(&B, c, false, true, 16384, 1024, false, &itt);
	uint64_t f = data_out(c, itt, PDU_RESERVED_TAG, 0, 1024, 1024, true);
	sb_scsi_rsp(&B, c, itt, 0);
	return f;
}

/* An unsolicited NOP-In with both tags reserved "answered" by a NOP-Out
 * with both tags reserved. */
static uint64_t run_answer_nopin(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	struct pdu_hdr in = sb_hdr(PDU_OP_NOP_IN), out = sb_hdr(PDU_OP_NOP_OUT);
	in.final = true;
	sb_send(&B, c, &in, NULL, 0, NULL, 0, 0);
	out.final = true;
	out.immediate = true;
	return sb_send(&B, c, &out, NULL, 0, NULL, 0, 0);
}

/* The target pings; the initiator goes on with a READ and logs out
 * without answering. */
static uint64_t run_ping_ignored(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	struct pdu_hdr in = sb_hdr(PDU_OP_NOP_IN);
	in.final = true;
	in.ttt = 0x99;
	in.lun = LUN1;
	uint64_t f = sb_send(&B, c, &in, NULL, 0, NULL, 0, 0);
	sb_read(&B, c, 512, 512);
	sb_logout(&B, c, 0);
	sb_close(&B, c);
	return f;
}

static const struct sb_case cases[] = {
	{ "SEQ-002", "command above MaxCmdSN", run_above_window, NULL, { 0 } },
	{ "SEQ-003", "a CmdSN skipped", run_skip_cmdsn, NULL, { 0 } },
	{ "SEQ-005", "MaxCmdSN below ExpCmdSN - 1", sb_run_hooked, &window, { 0 } },
	{ "SEQ-009", "StatSN skips one", run_statsn_jump, NULL, { 0 } },
	{ "SEQ-010", "R2T takes a StatSN ahead", sb_run_mut, &m_r2t_statsn,
	  { 0 } },
	{ "SEQ-011", "ExpStatSN ahead of StatSN", sb_run_mut, &m_expstatsn,
	  { 0 } },
	{ "SEQ-012", "DataSN skips one", sb_run_mut, &m_datain_sn, { 0 } },
	{ "SEQ-013", "unsolicited Data-Out DataSN 1", sb_run_mut,
	  &m_dataout_sn, { 0 } },
	{ "SEQ-014", "first R2T with R2TSN 1", sb_run_mut, &m_r2tsn, { 0 } },
	{ "SEQ-015", "Data-Out with another LUN than its R2T", sb_run_mut,
	  &m_dataout_lun, { 0 } },
	{ "SEQ-016", "R2Ts answered out of order", run_r2t_order, NULL, { 0 } },
	{ "SEQ-017", "two R2Ts outstanding, MaxOutstandingR2T=1", run_r2t_many,
	  NULL, { 0 } },
	{ "SEQ-018", "Data-In over the initiator's MRDSL", run_big_pdu, NULL,
	  { 0 } },
	{ "SEQ-019", "Data-In sequence over MaxBurstLength", run_long_burst,
	  NULL, { 0 } },
	{ "SEQ-020", "Data-In offsets not contiguous", sb_run_mut, &m_offset,
	  { 0 } },
	{ "SEQ-021", "Data-In sequences not contiguous", run_seq_gap, NULL,
	  { 0 } },
	{ "SEQ-022", "immediate data with ImmediateData=No", run_immediate_no,
	  NULL, { 0 } },
	{ "SEQ-023", "unsolicited data short of FirstBurstLength",
	  run_short_unsol, NULL, { 0 } },
	{ "SEQ-024", "NOP-Out with ITT 0xffffffff and I=0", sb_run_mut,
	  &m_nop_i, { 0 } },
	{ "SEQ-026", "ping answered with another LUN", sb_run_mut, &m_nop_lun,
	  { 0 } },
	{ "SEQ-026", "ping never answered", run_ping_ignored, NULL, { 0 } },
	{ "SEQ-027", "NOP-In with TTT 0xffffffff answered", run_answer_nopin,
	  NULL, { 0 } },
	{ "SEQ-028", "ping NOP-In without a valid LUN", sb_run_hooked, &ping_lun,
	  { 0 } },
};

#define N_CASES (sizeof cases / sizeof cases[0])

static void test_every_id_broken(void **state)
{
	(void)state;
	sb_expect_covered("seq", cases, N_CASES);
}

static void test_golden(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(sb_feed_golden, "seq");
	sb_expect_no_fail(&run);
	static const char *const pass[] = {
		"SEQ-002", "SEQ-003", "SEQ-005", "SEQ-009", "SEQ-010",
		"SEQ-011", "SEQ-012", "SEQ-013", "SEQ-014", "SEQ-015",
		"SEQ-017", "SEQ-018", "SEQ-019", "SEQ-020", "SEQ-021",
		"SEQ-022", "SEQ-024", "SEQ-026", "SEQ-027", "SEQ-028", NULL };
	for (const char *const *id = pass; *id; id++)
		sb_expect(&run, 0, *id, REP_PASS);
	sb_expect(&run, 0, "SEQ-016", REP_NOT_OBSERVED);
	sb_expect(&run, 0, "SEQ-023", REP_NOT_OBSERVED);
	/* the resent SCSI Response after the Status SNACK is an exact
	 * retransmission: held, not broken */
	assert_true(sb_verdict(&run, 0, "SEQ-009")->held >= 28);
	rep_run_free(&run);
}

/* Two connections: the command with CmdSN n+1 (connection 2) reaches the
 * capture before the one with n (connection 1), and an immediate command
 * on connection 2 carries n+2 before either: no SEQ-003 failure. */
static void feed_reordered(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c1 = sb_open(&B, 1, 1);
	sb_login_leading(&B, c1, NULL, NULL);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	sb_login_join(&B, c2, NULL, NULL);
	sb_read(&B, c1, 512, 512);
	uint32_t n = B.cmdsn;
	struct pdu_hdr a = sb_hdr(PDU_OP_SCSI_CMD), b = sb_hdr(PDU_OP_SCSI_CMD);
	a.itt = sb_itt(&B);
	b.itt = sb_itt(&B);
	a.final = b.final = a.read = b.read = true;
	a.edtl = b.edtl = 512;
	a.lun = b.lun = LUN1;
	a.cmdsn = n;
	b.cmdsn = n + 1;
	a.expstatsn = c1->expstatsn;
	b.expstatsn = c2->expstatsn;
	struct pdu_hdr nop = sb_hdr(PDU_OP_NOP_OUT);
	nop.immediate = nop.final = true;
	nop.cmdsn = n + 2;
	nop.expstatsn = c2->expstatsn;
	sb_send(&B, c2, &nop, NULL, 0, NULL, 0, SB_RAW);
	sb_send(&B, c2, &b, NULL, 0, NULL, 0, SB_RAW);
	sb_send(&B, c1, &a, NULL, 0, NULL, 0, SB_RAW);
	B.cmdsn = n + 2;
	B.expcmdsn = n + 2;
	data_in(c2, b.itt, 0, 0, 512, true, true);
	data_in(c1, a.itt, 0, 0, 512, true, true);
	sb_read(&B, c2, 512, 512);
}

static void test_reordered_connections(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_reordered, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "SEQ-003", REP_PASS);
	sb_expect(&run, 0, "MCS-005", REP_PASS);
	rep_run_free(&run);
}

/* A CmdSN hole that no connection fills is reported at the end, at the
 * command that skipped it. */
static uint64_t hole_frame;

static void feed_hole(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c1 = sb_open(&B, 1, 1);
	sb_login_leading(&B, c1, NULL, NULL);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	sb_login_join(&B, c2, NULL, NULL);
	sb_read(&B, c1, 512, 512);
	B.cmdsn++;
	uint32_t itt;
	hole_frame = sb_command(&B, c2, true, false, 512, 0, true, &itt);
	data_in(c2, itt, 0, 0, 512, true, true);
	sb_read(&B, c1, 512, 512);
}

static void test_hole_at_end(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_hole, "seq");
	const struct rep_verdict *v = sb_failed(&run, "SEQ-003");
	assert_non_null(v);
	assert_int_equal(v->broken, 1);
	assert_int_equal(v->evidence[0].frame, hole_frame);
	assert_non_null(strstr(v->evidence[0].message, "skipped"));
	static const char *const only[] = { "SEQ-003", NULL };
	char why[600];
	if (!sb_only_fails(&run, only, why, sizeof why))
		fail_msg("%s", why);
	rep_run_free(&run);
}

/* An ExpStatSN lower than the one before is noted, never failed (the
 * initiator may wait on a Status SNACK). */
static const struct sb_mut m_exp_back = { 1, PDU_OP_SCSI_CMD, 2,
					  "iscsi.expstatsn", (uint64_t)-2, true,
					  .byte = NO };

static void feed_exp_back(struct ev_observer sink)
{
	sb_run_mut(sink, &m_exp_back);
}

static void test_expstatsn_back(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_exp_back, "seq");
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "SEQ-011", REP_PASS);
	assert_non_null(run.sessions[0].notes);
	assert_non_null(strstr(run.sessions[0].notes, "ExpStatSN"));
	rep_run_free(&run);
}

/* The Data-Out answering golden's R2T acknowledges the StatSN the R2T
 * announced (libiscsi does this): noted, not failed; one further ahead is
 * a FAIL. */
static const struct sb_mut m_ack_announced = { 1, PDU_OP_DATA_OUT, 1,
					       "iscsi.expstatsn", 1, true,
					       .byte = NO };
static const struct sb_mut m_ack_beyond = { 1, PDU_OP_DATA_OUT, 1,
					    "iscsi.expstatsn", 2, true,
					    .byte = NO };

static void feed_ack_announced(struct ev_observer sink)
{
	sb_run_mut(sink, &m_ack_announced);
}

static void feed_ack_beyond(struct ev_observer sink)
{
	sb_run_mut(sink, &m_ack_beyond);
}

static void test_expstatsn_acks_announced_statsn(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_ack_announced, "seq");
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "SEQ-011", REP_PASS);
	assert_non_null(run.sessions[0].notes);
	assert_non_null(strstr(run.sessions[0].notes, "announced"));
	rep_run_free(&run);
	run = sb_engine_run(feed_ack_beyond, "seq");
	assert_non_null(sb_failed(&run, "SEQ-011"));
	rep_run_free(&run);
}

/* A retried command (same ITT, CmdSN, CDB) takes no new CmdSN. */
static void feed_retry(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	struct pdu_hdr h = sb_hdr(PDU_OP_SCSI_CMD);
	h.itt = sb_itt(&B);
	h.final = h.read = true;
	h.edtl = 512;
	h.lun = LUN1;
	sb_send(&B, c, &h, NULL, 0, NULL, 0, 0);
	sb_send(&B, c, &h, NULL, 0, NULL, 0, SB_RAW);
	data_in(c, h.itt, 0, 0, 512, true, true);
	sb_read(&B, c, 512, 512);
}

static void test_retry(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_retry, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "SEQ-003", REP_PASS);
	rep_run_free(&run);
}

/* RFC 1982: numbering that wraps past 2^32 is judged as any other. */
static void feed_wrap(struct ev_observer sink)
{
	sb_init(&B, sink);
	B.cmdsn = B.expcmdsn = 0xfffffffe;
	struct sb_conn *c = sb_open(&B, 1, 1);
	c->statsn = 0xfffffffd;
	sb_login_leading(&B, c, NULL, NULL);
	for (int i = 0; i < 4; i++) {
		sb_read(&B, c, 1024, 512);
		sb_nop_ping(&B, c);
	}
}

static void test_wrap(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_wrap, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "SEQ-002", REP_PASS);
	sb_expect(&run, 0, "SEQ-003", REP_PASS);
	sb_expect(&run, 0, "SEQ-009", REP_PASS);
	sb_expect(&run, 0, "SEQ-011", REP_PASS);
	rep_run_free(&run);
}

int main(void)
{
	struct CMUnitTest tests[N_CASES + 9];
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
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_reordered_connections);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_hole_at_end);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_expstatsn_back);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_expstatsn_acks_announced_statsn);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_retry);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_wrap);
	return _cmocka_run_group_tests("check_seq", tests, n, NULL, NULL);
}
