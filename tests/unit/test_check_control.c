/* test_check_control.c — the rule families of the control path:
 * logout (rules_logout.c), tmf (rules_tmf.c), text (rules_text.c), reject
 * (rules_reject.c), async (rules_async.c) and erl (rules_erl.c). The golden session gives no
 * FAIL and PASSes what it shows; each ID the families report is broken on
 * purpose (a golden PDU changed, or a small synthesized session) and must
 * FAIL alone at the bad PDU's frame; situations the rules must accept
 * (a race across connections, a logout without the target's FIN) give no
 * FAIL; a table check proves every ID the families own was seen FAIL. */
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
#define MINUS(n) ((uint64_t)0 - (n))

static struct sb B;

static struct sb_conn *start(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	sb_login_leading(&B, c, NULL, NULL);
	return c;
}

static uint64_t scsi_rsp(struct sb_conn *c, uint32_t itt)
{
	return sb_scsi_rsp(&B, c, itt, 0);
}

/* ---- logout ----------------------------------------------------------------- */

/* the Logout of connection 2 goes back below its last ExpStatSN */
static const struct sb_mut m_logout_exp = { 2, PDU_OP_LOGOUT_REQ, 1,
					    "iscsi.expstatsn", MINUS(3), true,
					    .byte = NO };
/* the Logout Response of connection 2 answers no Logout Request */
static const struct sb_mut m_logout_itt = { 2, PDU_OP_LOGOUT_RSP, 1,
					    "iscsi.initiatortasktag", 0x5000,
					    .byte = NO };

/* A ping on the connection after its Logout Request. */
static uint64_t run_after_logout(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	uint32_t itt;
	sb_logout_req(&B, c, 1, 1, &itt);
	uint64_t f = sb_nop_ping(&B, c) - 1;
	sb_logout_rsp(&B, c, itt, 0);
	sb_close(&B, c);
	return f;
}

/* Reason 0 on connection 1, then a command on connection 2 numbered after
 * the Logout. */
static uint64_t run_after_logout_other(struct ev_observer sink,
				       const void *arg)
{
	(void)arg;
	struct sb_conn *c1 = start(sink);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	sb_login_join(&B, c2, NULL, NULL);
	uint32_t itt, cmd;
	sb_logout_req(&B, c1, 0, 1, &itt);
	uint64_t f = sb_command(&B, c2, true, false, 512, 0, true, &cmd);
	sb_logout_rsp(&B, c1, itt, 0);
	sb_close(&B, c1);
	sb_close(&B, c2);
	return f;
}

/* A SCSI Response for a task the session's logout ended. */
static uint64_t run_rsp_after_logout(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	uint32_t cmd, itt;
	sb_command(&B, c, true, false, 512, 0, true, &cmd);
	sb_logout_req(&B, c, 0, 1, &itt);
	sb_logout_rsp(&B, c, itt, 0);
	uint64_t f = scsi_rsp(c, cmd);
	sb_close(&B, c);
	return f;
}

/* A NOP-In after the Logout Response. */
static uint64_t run_pdu_after_close(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	sb_logout(&B, c, 0);
	struct pdu_hdr in = sb_hdr(PDU_OP_NOP_IN);
	in.final = true;
	uint64_t f = sb_send(&B, c, &in, NULL, 0, NULL, 0, 0);
	sb_close(&B, c);
	return f;
}

/* ---- tmf ----------------------------------------------------------------- */

/* the LUN reset of connection 1 is answered with another ITT */
static const struct sb_mut m_tmf_itt = { 1, PDU_OP_TMF_RSP, 1,
					 "iscsi.initiatortasktag", 0x5000,
					 .byte = NO };

/* ABORT TASK of a read whose CmdSN is n, with RefCmdSN n + 1. */
static uint64_t run_refcmdsn(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	uint32_t cmd, tmf;
	uint32_t sn = B.cmdsn;
	sb_command(&B, c, true, false, 512, 0, true, &cmd);
	uint64_t f = sb_tmf_req(&B, c, 1, LUN1, cmd, sn + 1, &tmf);
	sb_tmf_rsp(&B, c, tmf, 0);
	return f;
}

/* A SCSI Response for the task the ABORT TASK ended. */
static uint64_t run_rsp_after_abort(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	uint32_t cmd, tmf;
	uint32_t sn = B.cmdsn;
	sb_command(&B, c, true, false, 512, 0, true, &cmd);
	sb_tmf_req(&B, c, 1, LUN1, cmd, sn, &tmf);
	sb_tmf_rsp(&B, c, tmf, 0);
	return scsi_rsp(c, cmd);
}

/* ---- text ------------------------------------------------------------------ */

static uint64_t text(struct sb_conn *c, bool req, uint32_t itt, uint32_t ttt,
		     bool f, const char *const *keys)
{
	struct pdu_hdr h = sb_hdr(req ? PDU_OP_TEXT_REQ : PDU_OP_TEXT_RSP);
	h.itt = itt;
	h.ttt = ttt;
	h.final = f;
	if (!req && ttt != PDU_RESERVED_TAG)
		h.lun = LUN1;
	return sb_send_keys(&B, c, &h, keys, 0);
}

#define REQ true
#define RSP false
#define NONE PDU_RESERVED_TAG

/* What each text case changes in one two-round exchange. */
struct text_arg {
	uint32_t itt2;     /* ITT of the second request (0: the first's) */
	uint32_t ttt2;     /* TTT of the second request (0: the answer's) */
	bool early;        /* the second request before the first answer */
	bool first_f0;     /* the first request has F=0 and gets F=1 */
};

static uint64_t run_text(struct ev_observer sink, const void *arg)
{
	const struct text_arg *a = arg;
	struct sb_conn *c = start(sink);
	uint32_t itt = sb_itt(&B), ttt = sb_ttt(&B);
	if (a->first_f0) {
		text(c, REQ, itt, NONE, false, NULL);
		return text(c, RSP, itt, NONE, true, NULL);
	}
	text(c, REQ, itt, NONE, true, NULL);
	uint64_t f = 0;
	if (a->early) {
		uint32_t other = sb_itt(&B);
		f = text(c, REQ, other, NONE, true, NULL);
		text(c, RSP, itt, NONE, true, NULL);
		text(c, RSP, other, NONE, true, NULL);
		return f;
	}
	text(c, RSP, itt, ttt, false, NULL);
	uint32_t itt2 = a->itt2 ? a->itt2 : itt;
	f = text(c, REQ, itt2, a->ttt2 ? a->ttt2 : ttt, true, NULL);
	text(c, RSP, itt2, NONE, true, NULL);
	return f;
}

static const struct text_arg t_early = { .early = true };
static const struct text_arg t_other_itt = { .itt2 = 0x4444 };
static const struct text_arg t_f0 = { .first_f0 = true };
static const struct text_arg t_other_ttt = { .ttt2 = 0x4444 };
static const struct text_arg t_good = { 0 };

/* A discovery session whose SendTargets=All answer has the address
 * given (NULL: a TargetAddress before any TargetName). */
static uint64_t run_sendtargets(struct ev_observer sink, const void *arg)
{
	const char *addr = arg;
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	static char iname[300];
	snprintf(iname, sizeof iname, "InitiatorName=%s", B.initiator);
	const char *const req[] = { iname, "SessionType=Discovery",
		"HeaderDigest=None", "DataDigest=None", NULL };
	const char *const rsp[] = { "TargetPortalGroupTag=1",
		"HeaderDigest=None", "DataDigest=None", NULL };
	B.tsih = B.next_tsih++;
	sb_login_pair(&B, c, PDU_STAGE_OPERATIONAL, PDU_STAGE_FULL_FEATURE,
		      true, 0, B.tsih, req, rsp, 0, 0);
	static char tname[300], taddr[300];
	snprintf(tname, sizeof tname, "TargetName=%s", B.target);
	snprintf(taddr, sizeof taddr, "TargetAddress=%s",
		 addr ? addr : "192.0.2.20:3260,1");
	const char *const ask[] = { "SendTargets=All", NULL };
	const char *const answer[] = { tname, taddr, NULL };
	const char *const bad[] = { taddr, tname, NULL };
	uint32_t itt = sb_itt(&B);
	text(c, REQ, itt, NONE, true, ask);
	uint64_t f = text(c, RSP, itt, NONE, true, addr ? answer : bad);
	sb_logout(&B, c, 0);
	sb_close(&B, c);
	return f;
}

/* ---- reject ---------------------------------------------------------------- */

/* the golden Reject of connection 1 with a DataSN/R2TSN for the rejected
 * DataACK */
static const struct sb_mut m_reject_sn = { 1, PDU_OP_REJECT, 1,
					   "iscsi.datasn", 5, .byte = NO };

/* A DataACK for a TTT never given, rejected with the ExpCmdSN from before
 * the last command (one connection: MCS-006 does not apply). */
static uint64_t run_stale_reject(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	sb_read(&B, c, 512, 512);
	struct pdu_hdr s = sb_hdr(PDU_OP_SNACK_REQ);
	s.final = true;
	s.snack_type = PDU_SNACK_DATA_ACK;
	s.ttt = 0xbeef;
	s.lun = LUN1;
	s.begrun = 3;
	sb_send(&B, c, &s, NULL, 0, NULL, 0, 0);
	B.expcmdsn--;
	uint64_t f = sb_reject_last(&B, c, 0x08, 0);
	B.expcmdsn++;
	sb_nop_ping(&B, c);
	return f;
}

/* A read whose command PDU is rejected, then answered all the same. */
static uint64_t run_rsp_after_reject(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	uint32_t cmd;
	sb_command(&B, c, true, false, 512, 0, true, &cmd);
	sb_reject_last(&B, c, 0x09, 0);
	return scsi_rsp(c, cmd);
}

/* A Data/R2T SNACK of a read rejected 0x04 with a wrong next DataSN. */
static uint64_t run_snack_reject(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	uint32_t cmd;
	sb_command(&B, c, true, false, 1024, 0, true, &cmd);
	static uint8_t data[512];
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	d.itt = cmd;
	d.lun = LUN1;
	sb_send(&B, c, &d, NULL, 0, data, sizeof data, 0);
	struct pdu_hdr s = sb_hdr(PDU_OP_SNACK_REQ);
	s.final = true;
	s.itt = cmd;
	s.lun = LUN1;
	s.begrun = 4;
	s.runlength = 1;
	sb_send(&B, c, &s, NULL, 0, NULL, 0, 0);
	uint64_t f = sb_reject_last(&B, c, 0x04, 3);
	d.datasn = 1;
	d.buffer_offset = 512;
	d.final = true;
	d.status_present = true;
	sb_send(&B, c, &d, NULL, 0, data, sizeof data, 0);
	return f;
}

/* ---- async ----------------------------------------------------------------- */

static uint64_t async(struct sb_conn *c, uint8_t event, uint16_t p1,
		      uint16_t p2, uint16_t p3)
{
	struct pdu_hdr h = sb_hdr(PDU_OP_ASYNC_MSG);
	h.final = true;
	h.async_event = event;
	h.param1 = p1;
	h.param2 = p2;
	h.param3 = p3;
	if (event == 0)
		h.lun = LUN1;
	return sb_send(&B, c, &h, NULL, 0, NULL, 0, 0);
}

static uint64_t run_no_sense(struct ev_observer sink, const void *arg)
{
	(void)arg;
	return async(start(sink), 0, 0, 0, 0);
}

/* Event 2 naming CID 9 of a two-connection session. */
static uint64_t run_drop_cid(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c1 = start(sink);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	sb_login_join(&B, c2, NULL, NULL);
	return async(c1, 2, 9, 2, 20);
}

/* Event 1 with 1 second to log out; the next PDU comes 2 seconds later
 * (arg NULL), or a Logout with reason 2 answers in time (arg set). */
static uint64_t run_late_logout(struct ev_observer sink, const void *arg)
{
	struct sb_conn *c = start(sink);
	async(c, 1, 0, 0, 1);
	if (arg) {
		uint32_t itt;
		uint64_t f = sb_logout_req(&B, c, 2, 1, &itt);
		sb_logout_rsp(&B, c, itt, 0);
		sb_close(&B, c);
		return f;
	}
	B.now += 2000000000LL;
	uint64_t f = sb_nop_ping(&B, c) - 1;
	sb_logout(&B, c, 1);
	sb_close(&B, c);
	return f;
}

static const int reason2 = 2;

/* ---- erl ------------------------------------------------------------------- */

static uint64_t data_in(struct sb_conn *c, uint32_t itt, uint32_t sn,
			uint32_t off, const uint8_t *data, bool last)
{
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	d.itt = itt;
	d.lun = LUN1;
	d.datasn = sn;
	d.buffer_offset = off;
	d.final = last;
	d.status_present = last;
	return sb_send(&B, c, &d, NULL, 0, data, 512, 0);
}

static uint64_t snack(struct sb_conn *c, uint8_t type, uint32_t itt,
		      uint32_t ttt, uint32_t begrun, uint32_t runlength)
{
	struct pdu_hdr s = sb_hdr(PDU_OP_SNACK_REQ);
	s.final = true;
	s.snack_type = type;
	s.itt = itt;
	s.ttt = ttt;
	s.lun = type == PDU_SNACK_DATA_ACK ? LUN1 : 0;
	s.begrun = begrun;
	s.runlength = runlength;
	return sb_send(&B, c, &s, NULL, 0, NULL, 0, 0);
}

/* A read of two Data-In; DataSN 0 is asked again by a Data/R2T SNACK and
 * resent with other data (arg NULL) or the same (arg set). */
static uint64_t run_resend(struct ev_observer sink, const void *arg)
{
	static uint8_t a[512], b[512];
	b[7] = 1;
	struct sb_conn *c = start(sink);
	uint32_t cmd;
	sb_command(&B, c, true, false, 1024, 0, true, &cmd);
	data_in(c, cmd, 0, 0, a, false);
	snack(c, PDU_SNACK_DATA_R2T, cmd, 0, 0, 1);
	uint64_t f = data_in(c, cmd, 0, 0, arg ? a : b, false);
	data_in(c, cmd, 1, 512, a, true);
	return f;
}

/* A Data-In with A=1 (DataSN 0) acknowledged with BegRun 0. */
static uint64_t run_data_ack(struct ev_observer sink, const void *arg)
{
	(void)arg;
	static uint8_t a[512];
	struct sb_conn *c = start(sink);
	uint32_t cmd;
	sb_command(&B, c, true, false, 1024, 0, true, &cmd);
	struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
	d.itt = cmd;
	d.lun = LUN1;
	d.ttt = 0x7777;
	d.ack = true;
	sb_send(&B, c, &d, NULL, 0, a, sizeof a, 0);
	uint64_t f = snack(c, PDU_SNACK_DATA_ACK, PDU_RESERVED_TAG, 0x7777, 0,
			   0);
	data_in(c, cmd, 1, 512, a, true);
	return f;
}

/* the first SCSI Response of the golden session with a SNACK Tag no
 * R-Data SNACK gave */
static const struct sb_mut m_snack_tag = { 1, PDU_OP_SCSI_RSP, 1,
					   "iscsi.snacktag", 5, .byte = NO };

/* A Logout Response with Time2Retain t2r. */
static void recovery_logout(struct sb_conn *c, uint16_t t2r)
{
	uint32_t itt;
	sb_logout_req(&B, c, 2, c->cid, &itt);
	struct pdu_hdr r = sb_hdr(PDU_OP_LOGOUT_RSP);
	r.final = true;
	r.itt = itt;
	r.time2wait = 0;
	r.time2retain = t2r;
	sb_send(&B, c, &r, NULL, 0, NULL, 0, 0);
	sb_close(&B, c);
}

/* What each reassignment case does. */
struct reassign_arg {
	bool logout;       /* connection 1 is logged out for recovery first */
	uint16_t t2r;      /* its Time2Retain */
	bool same_conn;    /* TASK REASSIGN on connection 1 */
	bool early;        /* a Data-In on connection 2 before the answer */
};

/* A read on connection 1 reassigned to connection 2. Returns the frame of
 * the TASK REASSIGN, or of the early Data-In. */
static uint64_t run_reassign(struct ev_observer sink, const void *arg)
{
	const struct reassign_arg *a = arg;
	static uint8_t d[512];
	struct sb_conn *c1 = start(sink);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	sb_login_join(&B, c2, NULL, NULL);
	uint32_t cmd, tmf;
	sb_command(&B, c1, true, false, 512, 0, true, &cmd);
	if (a->logout)
		recovery_logout(c1, a->t2r);
	struct sb_conn *to = a->same_conn ? c1 : c2;
	uint64_t f = sb_tmf_req(&B, to, 8, 0, cmd, 0, &tmf);
	if (a->early)
		f = data_in(c2, cmd, 0, 0, d, false);
	bool ok = a->logout && a->t2r;
	sb_tmf_rsp(&B, to, tmf, ok ? 0 : 3);
	if (ok && !a->early)
		data_in(c2, cmd, 0, 0, d, true);
	return f;
}

static const struct reassign_arg ra_live = { .t2r = 20 };
static const struct reassign_arg ra_same = { .same_conn = true };
static const struct reassign_arg ra_early = { .logout = true, .t2r = 20,
					      .early = true };
static const struct reassign_arg ra_t2r0 = { .logout = true, .t2r = 0 };
static const struct reassign_arg ra_good = { .logout = true, .t2r = 20 };
static const int same_data = 1;

/* ---- the table ------------------------------------------------------------- */

static const struct sb_case cases[] = {
	{ "LOGOUT-002", "Logout ExpStatSN below the connection's last",
	  sb_run_mut, &m_logout_exp, { 0 } },
	{ "LOGOUT-003", "ping on the connection after its Logout",
	  run_after_logout, NULL, { 0 } },
	{ "LOGOUT-003", "command on another connection after reason 0",
	  run_after_logout_other, NULL, { 0 } },
	{ "LOGOUT-004", "SCSI Response after the session's logout",
	  run_rsp_after_logout, NULL, { 0 } },
	{ "LOGOUT-007", "NOP-In after the Logout Response",
	  run_pdu_after_close, NULL, { 0 } },
	{ "LOGOUT-010", "Logout Response with another ITT", sb_run_mut,
	  &m_logout_itt, { 0 } },
	{ "TMF-004", "ABORT TASK with RefCmdSN + 1", run_refcmdsn, NULL,
	  { 0 } },
	{ "TMF-006", "TMF Response with another ITT", sb_run_mut, &m_tmf_itt,
	  { 0 } },
	{ "TMF-010", "SCSI Response after ABORT TASK", run_rsp_after_abort,
	  NULL, { 0 } },
	{ "TEXT-001", "second Text Request before the first answer",
	  run_text, &t_early, { 0 } },
	{ "TEXT-003", "continuation with another ITT", run_text, &t_other_itt,
	  { 0 } },
	{ "TEXT-005", "F=0 request answered with F=1", run_text, &t_f0,
	  { 0 } },
	{ "TEXT-006", "continuation with another TTT", run_text, &t_other_ttt,
	  { 0 } },
	{ "TEXT-009", "TargetAddress without a portal group tag",
	  run_sendtargets, "192.0.2.20:3260", { 0 } },
	{ "TEXT-009", "TargetAddress before TargetName", run_sendtargets,
	  NULL, { 0 } },
	{ "REJECT-002", "Reject with a stale ExpCmdSN", run_stale_reject,
	  NULL, { 0 } },
	{ "REJECT-003", "DataSN/R2TSN in a Reject of a DataACK", sb_run_mut,
	  &m_reject_sn, { 0 } },
	{ "REJECT-003", "wrong next DataSN in a SNACK Reject",
	  run_snack_reject, NULL, { 0 } },
	{ "REJECT-006", "response for a rejected command",
	  run_rsp_after_reject, NULL, { 0 } },
	{ "ASYNC-002", "event 0 without sense data", run_no_sense, NULL,
	  { 0 } },
	{ "ASYNC-004", "event 2 naming an unknown CID", run_drop_cid, NULL,
	  { 0 } },
	{ "MCS-021", "no Logout within Parameter3", run_late_logout, NULL,
	  { 0 } },
	{ "MCS-021", "Logout reason 2 after event 1", run_late_logout,
	  &reason2, { 0 } },
	{ "ERL1-011", "resent Data-In with other data", run_resend, NULL,
	  { 0 } },
	{ "ERL1-015", "DataACK with BegRun 0", run_data_ack, NULL, { 0 } },
	{ "ERL1-020", "SNACK Tag without an R-Data SNACK", sb_run_mut,
	  &m_snack_tag, { 0 } },
	{ "ERL2-002", "TASK REASSIGN from a live connection", run_reassign,
	  &ra_live, { 0 } },
	{ "ERL2-005", "TASK REASSIGN on the task's own connection",
	  run_reassign, &ra_same, { 0 } },
	{ "ERL2-006", "Data-In before the TASK REASSIGN answer",
	  run_reassign, &ra_early, { "MCS-009" } },
	{ "ERL2-016", "TASK REASSIGN after Time2Retain 0", run_reassign,
	  &ra_t2r0, { 0 } },
};

#define N_CASES (sizeof cases / sizeof cases[0])

static void test_every_id_broken(void **state)
{
	(void)state;
	static const char *const fams[] = { "logout", "tmf", "text", "reject",
					    "async", "erl" };
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++)
		sb_expect_covered(fams[i], cases, N_CASES);
}

static void test_golden(void **state)
{
	(void)state;
	static const char *const pass[] = {
		"LOGOUT-002", "LOGOUT-003", "LOGOUT-007", "LOGOUT-010",
		"TMF-006", "TEXT-001", "REJECT-003", "ERL1-020", NULL };
	char why[600] = "";
	if (!sb_golden_expect("logout,tmf,text,reject,async,erl", pass, why,
			      sizeof why))
		fail_msg("%s", why);
	/* and with every family on */
	if (!sb_golden_expect(NULL, pass, why, sizeof why))
		fail_msg("%s", why);
}

/* Sessions the families must accept: nothing FAILs and the ID gets the
 * verdict listed in accepted[]. */
static uint64_t run_abort_immediate(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	struct pdu_hdr h = sb_hdr(PDU_OP_NOP_OUT);
	h.immediate = true;
	h.final = true;
	h.itt = sb_itt(&B);
	sb_send(&B, c, &h, NULL, 0, NULL, 0, 0);
	uint32_t tmf;
	sb_tmf_req(&B, c, 1, LUN1, h.itt, B.cmdsn, &tmf);
	return sb_tmf_rsp(&B, c, tmf, 0);
}

/* A logout whose capture ends before the target closed the connection. */
static uint64_t run_logout_no_fin(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = start(sink);
	sb_nop_ping(&B, c);
	uint32_t itt;
	sb_logout_req(&B, c, 0, 1, &itt);
	sb_logout_rsp(&B, c, itt, 0);
	/* the capture ends before the target's FIN */
	return 0;
}

struct accepted {
	const char *id;
	enum rep_result result;
	uint64_t (*run)(struct ev_observer, const void *);
	const void *arg;
};

static const struct accepted accepted[] = {
	{ "TEXT-006", REP_PASS, run_text, &t_good },
	{ "TEXT-009", REP_NOT_OBSERVED, run_sendtargets,
	  "[2001:db8::20]:3260,1" },
	{ "TMF-004", REP_NOT_OBSERVED, run_abort_immediate, NULL },
	{ "LOGOUT-007", REP_NOT_OBSERVED, run_logout_no_fin, NULL },
	{ "ERL1-011", REP_PASS, run_resend, &same_data },
	{ "ERL2-002", REP_PASS, run_reassign, &ra_good },
	{ "ERL2-005", REP_PASS, run_reassign, &ra_good },
	{ "ERL2-006", REP_PASS, run_reassign, &ra_good },
	{ "ERL2-016", REP_PASS, run_reassign, &ra_good },
};

static void test_accepted(void **state)
{
	const struct accepted *a = *state;
	struct chk_engine *e;
	assert_int_equal(chk_create(NULL, &e, NULL, 0), CHK_OK);
	a->run(chk_observer(e), a->arg);
	struct rep_run run;
	assert_int_equal(sb_export(e, &run), CHK_OK);
	chk_free(e);
	sb_expect_no_fail(&run);
	const struct rep_verdict *v = sb_verdict(&run, 0, a->id);
	if (!v || v->result != a->result)
		fail_msg("%s is %s", a->id,
			 v ? rep_result_name(v->result) : "missing");
	rep_run_free(&run);
}

#define N_ACCEPTED (sizeof accepted / sizeof accepted[0])

int main(void)
{
	struct CMUnitTest tests[N_CASES + N_ACCEPTED + 2];
	static char names[N_CASES + N_ACCEPTED][96];
	size_t n = 0;
	for (size_t i = 0; i < N_CASES; i++) {
		snprintf(names[n], sizeof names[n], "breaks %s: %s",
			 cases[i].id, cases[i].name);
		tests[n] = (struct CMUnitTest){ names[n], sb_cmocka_case, NULL,
						NULL, (void *)&cases[i] };
		n++;
	}
	for (size_t i = 0; i < N_ACCEPTED; i++) {
		snprintf(names[n], sizeof names[n], "accepts: %s %s",
			 accepted[i].id, rep_result_name(accepted[i].result));
		tests[n] = (struct CMUnitTest){ names[n], test_accepted, NULL,
						NULL, (void *)&accepted[i] };
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_id_broken);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden);
	return _cmocka_run_group_tests("check_control", tests, n, NULL, NULL);
}
