/* test_check_pdu.c — the pdu rule family (harness/check/rules_pdu.c): the
 * golden session passes every single-PDU rule it exercises; each ID the
 * family reports is broken on purpose (a golden PDU changed, a PDU added,
 * or a small synthesized session) and must FAIL alone, at the frame of
 * the bad PDU; the family lists exactly the validator's IDs; and a table
 * check proves every ID it owns was seen FAIL here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/check/check.h"
#include "harness/check/family.h"
#include "pdu/fields.h"
#include "pdu/validate.h"
#include "tests/support/session_builder.h"

#define LUN1 0x0001000000000000ull
#define NO -1

/* ---- golden mutations -------------------------------------------------- */

/* conn 1 has no digests, conn 2 has both. The NOP-Out pings carry 1, 3
 * and 0 bytes; the first NOP-Out of a connection carries one byte. */
static const struct sb_mut m_short = { 1, PDU_OP_NOP_OUT, 1, .byte = NO,
				       .shorten = 1 };
static const struct sb_mut m_x_bit = { 1, PDU_OP_NOP_OUT, 2, .byte = 0,
				       .set_bits = 0x80 };
static const struct sb_mut m_reserved = { 1, PDU_OP_NOP_OUT, 2, .byte = 2,
					  .set_bits = 0x01 };
static const struct sb_mut m_no_pad = { 1, PDU_OP_NOP_OUT, 1, .byte = NO,
					.shorten = 3 };
static const struct sb_mut m_pad = { 1, PDU_OP_NOP_OUT, 1, .byte = 49,
				     .set_bits = 0xaa };
static const struct sb_mut m_hdigest = { 2, PDU_OP_NOP_OUT, 1, .byte = 48,
					 .xor_bits = 0x01,
					 .keep_digests = true };
static const struct sb_mut m_ddigest = { 2, PDU_OP_NOP_OUT, 1, .byte = 56,
					 .xor_bits = 0x01,
					 .keep_digests = true };
/* the READ(32) command's Extended CDB AHS says 40 bytes in 20 */
static const struct sb_mut m_ahs = { 1, PDU_OP_SCSI_CMD, 3, .byte = 49,
				     .set_bits = 40 };
static const struct sb_mut m_ou = { 1, PDU_OP_SCSI_RSP, 1, .byte = 1,
				    .set_bits = 0x06 };
static const struct sb_mut m_expdatasn = { 1, PDU_OP_SCSI_RSP, 2,
					   "iscsi.expdatasn", 3, .byte = NO };
static const struct sb_mut m_response = { 1, PDU_OP_SCSI_RSP, 2,
					  "iscsi.scsiresponse.response", 1,
					  .byte = NO };
static const struct sb_mut m_s_no_f = { 1, PDU_OP_DATA_IN, 2, .byte = 1,
					.clear_bits = 0x80 };
static const struct sb_mut m_fixed_f = { 1, PDU_OP_SCSI_RSP, 1, .byte = 1,
					.clear_bits = 0x80 };
static const struct sb_mut m_reject_itt = { 1, PDU_OP_REJECT, 1,
					    "iscsi.initiatortasktag", 0x1234,
					    .byte = NO };
static const struct sb_mut m_async_itt = { 2, PDU_OP_ASYNC_MSG, 1,
					   "iscsi.initiatortasktag", 7,
					   .byte = NO };
static const struct sb_mut m_snack_itt = { 1, PDU_OP_SNACK_REQ, 1,
					   "iscsi.initiatortasktag", 0x55,
					   .byte = NO };
static const struct sb_mut m_tmf_code = { 1, PDU_OP_TMF_RSP, 1,
					  "iscsi.taskmanfun.response", 9,
					  .byte = NO };
static const struct sb_mut m_tmf_lun = { 1, PDU_OP_TMF_REQ, 1,
					 "iscsi.taskmanfun.function", 6,
					 .byte = NO };
static const struct sb_mut m_tmf_rtt = { 1, PDU_OP_TMF_REQ, 1,
					 "iscsi.taskmanfun.referencedtasktag",
					 0x10, .byte = NO };
static const struct sb_mut m_text_cf = { 1, PDU_OP_TEXT_REQ, 1, .byte = 1,
					 .set_bits = 0x40 };
static const struct sb_mut m_text_ttt = { 1, PDU_OP_TEXT_RSP, 1,
					  "iscsi.targettransfertag", 5,
					  .byte = NO };
static const struct sb_mut m_reason = { 1, PDU_OP_REJECT, 1,
					"iscsi.reject.reason", 0x0b, .byte = NO };
static const struct sb_mut m_vcode = { 2, PDU_OP_ASYNC_MSG, 1,
				       "iscsi.eventvendorcode", 1, .byte = NO };
static const struct sb_mut m_event = { 2, PDU_OP_ASYNC_MSG, 1,
				       "iscsi.asyncevent", 7, .byte = NO };
static const struct sb_mut m_logout_reason = { 2, PDU_OP_LOGOUT_REQ, 1,
					       "iscsi.logout.reason", 5,
					       .byte = NO };
static const struct sb_mut m_logout_rsp = { 2, PDU_OP_LOGOUT_RSP, 1,
					    "iscsi.logout.response", 7,
					    .byte = NO };

/* ---- golden with a changed or added PDU ------------------------------- */

/* R2T and the Data-Out answering it both carry TTT 0xffffffff. */
static bool hook_r2t_ttt(void *ctx, struct sb_golden *g, struct event *ev,
			 uint8_t *buf, size_t *len)
{
	uint64_t *frame = ctx;
	if (sb_is(g, ev, 1, PDU_OP_R2T, 1)) {
		*frame = sb_frame(g);
		sb_set(buf, *len, ev->digests, "iscsi.targettransfertag",
		       PDU_RESERVED_TAG);
	}
	if (sb_is(g, ev, 1, PDU_OP_DATA_OUT, 1))
		sb_set(buf, *len, ev->digests, "iscsi.targettransfertag",
		       PDU_RESERVED_TAG);
	return true;
}

static const struct sb_hooked r2t_ttt = { hook_r2t_ttt };

/* The Text Response goes on (F=0) with a TTT and "no LUN". */
static bool hook_text_lun(void *ctx, struct sb_golden *g, struct event *ev,
			  uint8_t *buf, size_t *len)
{
	uint64_t *frame = ctx;
	if (sb_is(g, ev, 1, PDU_OP_TEXT_RSP, 1)) {
		*frame = sb_frame(g);
		buf[1] &= 0x7f;
		sb_set(buf, *len, ev->digests, "iscsi.targettransfertag", 5);
		sb_set(buf, *len, ev->digests, "iscsi.lun",
		       0xff00000000000000ull);
	}
	return true;
}

static const struct sb_hooked text_lun = { hook_text_lun };

struct inject {
	uint64_t frame;
	uint32_t read_itt, expstatsn, cmdsn;
};

/* The initiator sends a vendor-specific target opcode (0x3c). */
static bool hook_opcode(void *ctx, struct sb_golden *g, struct event *ev,
			uint8_t *buf, size_t *len)
{
	(void)buf;
	(void)len;
	struct inject *in = ctx;
	if (sb_is(g, ev, 1, PDU_OP_NOP_OUT, 2)) {
		static uint8_t bad[PDU_BHS_LEN];
		memset(bad, 0, sizeof bad);
		bad[0] = 0x3c;
		struct event x = { .kind = EV_PDU, .conn = 1, .dir = EV_DIR_I2T,
				   .ts_ns = ev->ts_ns, .bytes = bad,
				   .len = sizeof bad };
		in->frame = sb_frame(g);
		sb_inject(g, &x);
	}
	return true;
}

static uint64_t run_opcode(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct inject in = { 0 };
	sb_golden(sink, hook_opcode, &in);
	return in.frame;
}

/* An R-Data SNACK for the first READ with BegRun 1. */
static bool hook_rdata(void *ctx, struct sb_golden *g, struct event *ev,
		       uint8_t *buf, size_t *len)
{
	struct inject *in = ctx;
	(void)len;
	if (sb_is(g, ev, 1, PDU_OP_SCSI_CMD, 1)) {
		struct pdu_hdr h;
		pdu_hdr_decode(buf, &h);
		in->read_itt = h.itt;
		in->expstatsn = h.expstatsn;
	}
	if (sb_is(g, ev, 1, PDU_OP_DATA_IN, 2)) {
		struct pdu_hdr s;
		static uint8_t pdu[PDU_BHS_LEN];
		memset(&s, 0, sizeof s);
		s.opcode = PDU_OP_SNACK_REQ;
		s.final = true;
		s.snack_type = PDU_SNACK_RDATA;
		s.itt = in->read_itt;
		s.ttt = 5;
		s.expstatsn = in->expstatsn;
		s.begrun = 1;
		pdu_hdr_encode(&s, pdu);
		struct event x = { .kind = EV_PDU, .conn = 1, .dir = EV_DIR_I2T,
				   .ts_ns = ev->ts_ns, .bytes = pdu,
				   .len = sizeof pdu };
		in->frame = sb_frame(g);
		sb_inject(g, &x);
	}
	return true;
}

static uint64_t run_rdata(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct inject in = { 0 };
	sb_golden(sink, hook_rdata, &in);
	return in.frame;
}

/* ---- synthesized sessions ---------------------------------------------- */

static const char *const erl0_keys[] = {
	"HeaderDigest=None", "DataDigest=None", "MaxConnections=8",
	"ErrorRecoveryLevel=0", "InitialR2T=No", "ImmediateData=Yes",
	"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
	"FirstBurstLength=65536", "MaxOutstandingR2T=1", NULL };
static const char *const erl1_keys[] = {
	"HeaderDigest=None", "DataDigest=None", "MaxConnections=8",
	"ErrorRecoveryLevel=1", "InitialR2T=No", "ImmediateData=Yes",
	"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
	"FirstBurstLength=65536", "MaxOutstandingR2T=1", NULL };

static struct sb B;

static struct sb_conn *start(struct ev_observer sink, const char *const *op)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, op, op);
	return c;
}

/* A READ(10) whose Extended CDB AHS adds no CDB byte. */
static uint64_t run_ext_cdb(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	struct pdu_hdr h = sb_hdr(PDU_OP_SCSI_CMD);
	static const uint8_t ahs[4] = { 0x00, 0x01, PDU_AHS_EXTENDED_CDB, 0 };
	h.itt = sb_itt(&B);
	h.final = true;
	h.read = true;
	h.edtl = 512;
	h.lun = LUN1;
	h.cdb[0] = 0x28;
	uint64_t f = sb_send(&B, c, &h, ahs, sizeof ahs, NULL, 0, 0);
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	static uint8_t data[512];
	d.itt = h.itt;
	d.final = d.status_present = true;
	sb_send(&B, c, &d, NULL, 0, data, sizeof data, 0);
	return f;
}

/* A WRITE whose immediate data is all of it, with F=0. */
static uint64_t run_write_f(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	uint32_t itt;
	uint64_t f = sb_command(&B, c, false, true, 512, 512, false, &itt);
	sb_scsi_rsp(&B, c, itt, 0);
	return f;
}

/* An R2T asking for 0 bytes, answered by an empty Data-Out. */
static uint64_t run_r2t_zero(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	uint32_t itt;
	sb_command(&B, c, false, true, 512, 0, true, &itt);
	struct pdu_hdr r = sb_hdr(PDU_OP_R2T);
	r.final = true;
	r.itt = itt;
	r.lun = LUN1;
	r.ttt = sb_ttt(&B);
	uint64_t f = sb_send(&B, c, &r, NULL, 0, NULL, 0, 0);
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_OUT);
	d.final = true;
	d.itt = itt;
	d.lun = LUN1;
	d.ttt = r.ttt;
	sb_send(&B, c, &d, NULL, 0, NULL, 0, 0);
	sb_scsi_rsp(&B, c, itt, 0);
	return f;
}

/* A TMF Request with a data segment. */
static uint64_t run_tmf_data(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, NULL);
	struct pdu_hdr q = sb_hdr(PDU_OP_TMF_REQ), r = sb_hdr(PDU_OP_TMF_RSP);
	static const uint8_t data[4] = { 1, 2, 3, 4 };
	q.immediate = true;
	q.final = true;
	q.tmf_function = 5;
	q.lun = LUN1;
	q.ref_task_tag = PDU_RESERVED_TAG;
	q.itt = sb_itt(&B);
	uint64_t f = sb_send(&B, c, &q, NULL, 0, data, sizeof data, 0);
	r.final = true;
	r.itt = q.itt;
	sb_send(&B, c, &r, NULL, 0, NULL, 0, 0);
	return f;
}

/* Data-In with A=1 at ErrorRecoveryLevel 0. */
static uint64_t run_a_bit(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, erl0_keys);
	uint32_t itt;
	sb_command(&B, c, true, false, 512, 0, true, &itt);
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	static uint8_t data[512];
	d.itt = itt;
	d.lun = LUN1;
	d.ack = true;
	d.ttt = 0x44;
	d.final = d.status_present = true;
	return sb_send(&B, c, &d, NULL, 0, data, sizeof data, 0);
}

/* A Status SNACK at ErrorRecoveryLevel 0. */
static uint64_t run_snack_erl0(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, erl0_keys);
	sb_nop_ping(&B, c);
	struct pdu_hdr s = sb_hdr(PDU_OP_SNACK_REQ);
	s.final = true;
	s.snack_type = PDU_SNACK_STATUS;
	s.begrun = c->statsn - 1;
	s.runlength = 1;
	return sb_send(&B, c, &s, NULL, 0, NULL, 0, 0);
}

/* TASK REASSIGN at ErrorRecoveryLevel 1. */
static uint64_t run_reassign(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink, erl1_keys);
	struct pdu_hdr q = sb_hdr(PDU_OP_TMF_REQ), r = sb_hdr(PDU_OP_TMF_RSP);
	q.immediate = true;
	q.final = true;
	q.tmf_function = 8;
	q.ref_task_tag = 0x42;
	q.itt = sb_itt(&B);
	uint64_t f = sb_send(&B, c, &q, NULL, 0, NULL, 0, 0);
	r.final = true;
	r.itt = q.itt;
	r.response = 4;
	sb_send(&B, c, &r, NULL, 0, NULL, 0, 0);
	return f;
}

/* ---- the cases ---------------------------------------------------------- */

static const struct sb_case cases[] = {
	{ "PDU-001", "NOP-Out one byte short", sb_run_mut, &m_short, { 0 } },
	{ "PDU-002", "initiator sends opcode 0x3c", run_opcode, NULL, { 0 } },
	{ "PDU-003", "bit 0x80 of byte 0 set", sb_run_mut, &m_x_bit, { 0 } },
	{ "PDU-004", "reserved byte 2 of a NOP-Out", sb_run_mut, &m_reserved,
	  { 0 } },
	{ "PDU-005", "data segment without its padding", sb_run_mut, &m_no_pad,
	  { 0 } },
	{ "PDU-006", "non-zero padding", sb_run_mut, &m_pad, { 0 } },
	{ "PDU-007", "header digest does not verify", sb_run_mut, &m_hdigest,
	  { 0 } },
	{ "PDU-008", "data digest does not verify", sb_run_mut, &m_ddigest,
	  { 0 } },
	{ "PDU-009", "AHSLength overruns TotalAHSLength", sb_run_mut, &m_ahs,
	  { 0 } },
	{ "PDU-010", "Extended CDB AHS with no CDB bytes", run_ext_cdb, NULL,
	  { 0 } },
	{ "PDU-011", "write with all data immediate and F=0", run_write_f,
	  NULL, { 0 } },
	{ "PDU-012", "SCSI Response with O and U", sb_run_mut, &m_ou, { 0 } },
	{ "PDU-013", "ExpDataSN not the Data-In count", sb_run_mut,
	  &m_expdatasn, { 0 } },
	{ "PDU-013", "ExpDataSN with a target failure", sb_run_mut,
	  &m_response, { 0 } },
	{ "PDU-014", "Data-In with S=1 and F=0", sb_run_mut, &m_s_no_f, { 0 } },
	{ "PDU-017", "R2T for 0 bytes", run_r2t_zero, NULL, { 0 } },
	{ "PDU-018", "R2T with TTT 0xffffffff", sb_run_hooked, &r2t_ttt, { 0 } },
	{ "PDU-019", "TMF Request with data", run_tmf_data, NULL, { 0 } },
	{ "PDU-020", "Reject with a valid ITT", sb_run_mut, &m_reject_itt,
	  { 0 } },
	{ "PDU-021", "Async Message with a valid ITT", sb_run_mut,
	  &m_async_itt, { 0 } },
	{ "PDU-022", "SCSI Response with F=0", sb_run_mut, &m_fixed_f, { 0 } },
	{ "SEQ-029", "Data-In A=1 at ERL 0", run_a_bit, NULL, { 0 } },
	{ "ERL0-006", "Status SNACK at ERL 0", run_snack_erl0, NULL, { 0 } },
	{ "ERL1-014", "Status SNACK with a valid ITT", sb_run_mut,
	  &m_snack_itt, { 0 } },
	{ "ERL1-018", "R-Data SNACK with BegRun 1", run_rdata, NULL, { 0 } },
	{ "ERL2-001", "TASK REASSIGN at ERL 1", run_reassign, NULL, { 0 } },
	{ "TMF-001", "TMF response code 9", sb_run_mut, &m_tmf_code, { 0 } },
	{ "TMF-002", "TARGET WARM RESET with a LUN", sb_run_mut, &m_tmf_lun,
	  { 0 } },
	{ "TMF-003", "LUN RESET with a Referenced Task Tag", sb_run_mut,
	  &m_tmf_rtt, { 0 } },
	{ "TEXT-002", "Text Request with C=1 and F=1", sb_run_mut, &m_text_cf,
	  { 0 } },
	{ "TEXT-004", "final Text Response with a TTT", sb_run_mut, &m_text_ttt,
	  { 0 } },
	{ "TEXT-007", "Text Response with a TTT and no LUN", sb_run_hooked, &text_lun,
	  { 0 } },
	{ "REJECT-001", "Reject reason 0x0b", sb_run_mut, &m_reason, { 0 } },
	{ "ASYNC-005", "AsyncVCode with event 1", sb_run_mut, &m_vcode, { 0 } },
	{ "ASYNC-006", "AsyncEvent 7", sb_run_mut, &m_event, { 0 } },
	{ "LOGOUT-001", "Logout reason 5", sb_run_mut, &m_logout_reason,
	  { 0 } },
	{ "LOGOUT-005", "Logout response 7", sb_run_mut, &m_logout_rsp, { 0 } },
};

#define N_CASES (sizeof cases / sizeof cases[0])

/* Every ID the pdu family owns was broken by some case above. */
static void test_every_id_broken(void **state)
{
	(void)state;
	sb_expect_covered("pdu", cases, N_CASES);
}

/* The family lists exactly the validator's IDs, each once. */
static void test_lists_validator_ids(void **state)
{
	(void)state;
	size_t n;
	const char *const *ids = pdu_validate_rule_ids(&n);
	assert_int_equal(chk_family_pdu.n_rules, n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t r = 0; r < chk_family_pdu.n_rules; r++)
			found = found || strcmp(chk_family_pdu.rules[r].id,
						ids[i]) == 0;
		if (!found)
			fail_msg("validator ID %s not listed", ids[i]);
		assert_string_equal(chk_family_pdu.rules[i].severity,
				    pdu_severity_name(
					    pdu_validate_rule_severity(
						    chk_family_pdu.rules[i].id)));
	}
	/* the IDs of other areas that a family lists belong to it */
	assert_ptr_equal(chk_rule_owner("LOGIN-001"), &chk_family_login);
	assert_ptr_equal(chk_rule_owner("SEQ-018"), &chk_family_seq);
	assert_ptr_equal(chk_rule_owner("PDU-007"), &chk_family_pdu);
	/* (a tmf family, when there is one, will own TMF-002) */
	assert_non_null(chk_rule_owner("TMF-002"));
	assert_null(chk_rule_owner("PDU-015"));
	assert_null(chk_rule_owner("NOPE-1"));
}

/* The golden session: every pdu rule it exercises PASSes with counts. */
static void test_golden(void **state)
{
	(void)state;
	struct chk_engine *e;
	struct chk_options o = { .rules = "pdu" };
	assert_int_equal(chk_create(&o, &e, NULL, 0), CHK_OK);
	assert_int_equal(sb_golden(chk_observer(e), NULL, NULL), 0);
	struct rep_run run;
	assert_int_equal(sb_export(e, &run), CHK_OK);
	assert_int_equal(run.n_sessions, 1);
	char why[600];
	if (!sb_only_fails(&run, NULL, why, sizeof why))
		fail_msg("%s", why);
	static const char *const pass[] = {
		"PDU-001", "PDU-002", "PDU-003", "PDU-004", "PDU-005",
		"PDU-006", "PDU-007", "PDU-008", "PDU-009", "PDU-010",
		"PDU-011", "PDU-012", "PDU-013", "PDU-014", "PDU-017",
		"PDU-018", "PDU-019", "PDU-020", "PDU-021", "PDU-022",
		"ERL1-014",
		"TMF-001", "TMF-002", "TMF-003", "TEXT-004", "REJECT-001",
		"ASYNC-005", "ASYNC-006", "LOGOUT-001", NULL };
	for (const char *const *id = pass; *id; id++) {
		const struct rep_verdict *v = sb_verdict(&run, 0, *id);
		assert_non_null(v);
		if (v->result != REP_PASS)
			fail_msg("%s is %s on the golden session", *id,
				 rep_result_name(v->result));
		assert_true(v->held > 0);
		assert_string_equal(v->family, "pdu");
	}
	/* only the families asked for are reported */
	assert_null(sb_verdict(&run, 0, "SEQ-009"));
	assert_null(sb_verdict(&run, 0, "LOGIN-001"));
	/* every PDU is checked: PDU-001 held once per PDU */
	const struct rep_session *s = &run.sessions[0];
	uint64_t pdus = 0;
	for (size_t i = 0; i < 64; i++)
		pdus += s->pdus_by_opcode[i];
	assert_int_equal(sb_verdict(&run, 0, "PDU-001")->held, pdus);
	/* partly live: never PASS, but counted */
	const struct rep_verdict *v = sb_verdict(&run, 0, "LOGOUT-005");
	assert_int_equal(v->result, REP_NOT_OBSERVED);
	assert_int_equal(v->held, 2);
	assert_non_null(strstr(v->reason, "live"));
	/* situations golden does not have say so */
	v = sb_verdict(&run, 0, "ERL1-018");
	assert_int_equal(v->result, REP_NOT_OBSERVED);
	assert_string_equal(v->reason, "no R-Data SNACK");
	v = sb_verdict(&run, 0, "ERL0-006");
	assert_int_equal(v->result, REP_NOT_OBSERVED);
	rep_run_free(&run);
	chk_free(e);
}

/* Every NOP PDU of both connections gets a reserved byte set. */
static bool hook_every_nop(void *ctx, struct sb_golden *g, struct event *ev,
			   uint8_t *buf, size_t *len)
{
	uint64_t *first = ctx;
	if (ev->kind != EV_PDU || *len < PDU_BHS_LEN ||
	    ((buf[0] & 0x3f) != PDU_OP_NOP_OUT &&
	     (buf[0] & 0x3f) != PDU_OP_NOP_IN))
		return true;
	if (!*first)
		*first = sb_frame(g);
	buf[2] = 1;
	sb_fix_digests(buf, *len, ev->digests);
	return true;
}

/* Evidence names the registry field, the frame, the connection and the
 * values; the count goes on past REP_MAX_EVIDENCE. */
static void test_evidence(void **state)
{
	(void)state;
	struct chk_engine *e;
	assert_int_equal(chk_create(NULL, &e, NULL, 0), CHK_OK);
	uint64_t first = 0;
	assert_int_equal(sb_golden(chk_observer(e), hook_every_nop, &first),
			 0);
	struct rep_run run;
	assert_int_equal(sb_export(e, &run), CHK_OK);
	const struct rep_verdict *v = sb_failed(&run, "PDU-004");
	assert_non_null(v);
	assert_int_equal(v->broken, 20);  /* ten NOP-Outs, ten NOP-Ins */
	assert_int_equal(v->n_evidence, REP_MAX_EVIDENCE);
	assert_int_equal(v->evidence[0].frame, first);
	assert_int_equal(v->evidence[0].conn, 1);
	assert_string_equal(v->evidence[0].field, "iscsi.reserved");
	assert_non_null(strstr(v->evidence[0].message, "NOP-Out"));
	assert_non_null(strstr(v->evidence[0].message, "byte 2"));
	assert_non_null(strstr(v->evidence[0].message, "0x01"));
	assert_true(v->evidence[1].frame > v->evidence[0].frame);
	char why[600];
	static const char *const only[] = { "PDU-004", NULL };
	if (!sb_only_fails(&run, only, why, sizeof why))
		fail_msg("%s", why);
	rep_run_free(&run);
	chk_free(e);
}

int main(void)
{
	struct CMUnitTest tests[N_CASES + 4];
	size_t n = 0;
	static char names[N_CASES][96];
	for (size_t i = 0; i < N_CASES; i++) {
		snprintf(names[i], sizeof names[i], "breaks %s: %s",
			 cases[i].id, cases[i].name);
		tests[n++] = (struct CMUnitTest){ names[i], sb_cmocka_case, NULL,
						  NULL, (void *)&cases[i] };
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_id_broken);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lists_validator_ids);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_evidence);
	return _cmocka_run_group_tests("check_pdu", tests, n, NULL, NULL);
}
