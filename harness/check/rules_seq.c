/* rules_seq.c — the seq family: numbering and data transfer as a capture
 * shows them. The CmdSN window and command numbering session-wide across
 * connections (RFC 1982 arithmetic, pdu/serial.h), StatSN and ExpStatSN per
 * connection, DataSN and R2TSN per task, R2T answers, burst limits, buffer
 * offsets in order, unsolicited data against the negotiated keys, and the
 * NOP ping rules.
 *
 * One defect, one ID: a StatSN that jumps by exactly the numbered
 * responses sent on other connections is a session-wide StatSN counter
 * (MCS-008, mcs family), a CmdSN used again on another connection is
 * MCS-005 (mcs family); the numbered response right after a connection's
 * first Login Response is LOGIN-011's (login family). SEQ-018, SEQ-024 and
 * SEQ-028 are single-PDU rules the pdu family checks with the validator.
 *
 * Across connections, commands may reach the capture a little out of
 * CmdSN order (two TCP streams); a CmdSN skipped on one connection may be
 * filled by another, so an unfilled hole is judged at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/check/family.h"
#include "pdu/serial.h"

static const struct chk_rule rules[] = {
	{ "SEQ-002", "MUST", "every non-immediate command is inside the "
	  "session's CmdSN window [ExpCmdSN, MaxCmdSN]",
	  "no non-immediate command after the window was known",
	  CHK_RULE_SESSION },
	{ "SEQ-003", "MUST", "non-immediate commands take consecutive CmdSNs; "
	  "immediate ones carry the next CmdSN without taking it",
	  "no command with a known next CmdSN", CHK_RULE_SESSION },
	{ "SEQ-005", "MUST", "no target PDU carries MaxCmdSN < ExpCmdSN - 1",
	  "no target PDU with ExpCmdSN/MaxCmdSN", 0 },
	{ "SEQ-009", "MUST", "numbered responses on a connection carry "
	  "StatSN + 1 each, no gap, no repeat but exact retransmissions",
	  "no two numbered responses on one connection", 0 },
	{ "SEQ-010", "MUST", "R2T and unsolicited NOP-In carry the next StatSN "
	  "without taking it", "no R2T or NOP-In with ITT 0xffffffff after a "
	  "numbered response", 0 },
	{ "SEQ-011", "MUST", "ExpStatSN never runs ahead of the last StatSN "
	  "received + 1 (a decrease is noted, not failed)",
	  "no initiator PDU after a numbered response", 0 },
	{ "SEQ-012", "MUST", "Data-In of a command carry DataSN 0, 1, 2, ... "
	  "(shared with R2TSN when bidirectional)",
	  "no Data-In of a command whose request is in the capture", 0 },
	{ "SEQ-013", "MUST", "Data-Out of each output sequence carry DataSN 0, "
	  "1, 2, ...", "no Data-Out of a command whose request is in the "
	  "capture", 0 },
	{ "SEQ-014", "MUST", "R2Ts of a command carry R2TSN 0, 1, 2, ...",
	  "no R2T of a command whose request is in the capture", 0 },
	{ "SEQ-015", "MUST", "Data-Out answering an R2T copy its TTT and LUN, "
	  "stay in its range, cover it exactly, the last with F=1",
	  "no Data-Out answering an R2T", 0 },
	{ "SEQ-016", "MUST", "outstanding R2Ts on a connection are answered in "
	  "the order received", "never two R2Ts outstanding on one "
	  "connection", 0 },
	{ "SEQ-017", "MUST", "never more than MaxOutstandingR2T R2Ts "
	  "outstanding for one task", "no R2T with MaxOutstandingR2T known",
	  CHK_RULE_SESSION },
	{ "SEQ-018", "MUST", "no DataSegmentLength exceeds the receiver's "
	  "MaxRecvDataSegmentLength", "no PDU whose receiver's "
	  "MaxRecvDataSegmentLength is known", 0 },
	{ "SEQ-019", "MUST", "a solicited sequence totals <= MaxBurstLength, "
	  "unsolicited data <= FirstBurstLength",
	  "no data transfer with the burst lengths known", CHK_RULE_SESSION },
	{ "SEQ-020", "MUST", "with DataPDUInOrder=Yes the PDUs of a sequence "
	  "have contiguous increasing offsets",
	  "no data sequence with DataPDUInOrder=Yes known", CHK_RULE_SESSION },
	{ "SEQ-021", "MUST", "with DataSequenceInOrder=Yes R2Ts and Data-In "
	  "sequences cover contiguous increasing ranges",
	  "no R2T or Data-In sequence with DataSequenceInOrder=Yes known",
	  CHK_RULE_SESSION },
	{ "SEQ-022", "MUST", "unsolicited data only as InitialR2T and "
	  "ImmediateData allow", "no write command with the keys known",
	  CHK_RULE_SESSION },
	{ "SEQ-023", "MUST", "with EDTL > FirstBurstLength the unsolicited "
	  "data is exactly FirstBurstLength or only the immediate data",
	  "no write longer than FirstBurstLength with InitialR2T=No",
	  CHK_RULE_SESSION },
	{ "SEQ-024", "MUST", "a NOP-Out with ITT 0xffffffff is immediate and "
	  "takes no CmdSN", "no NOP-Out with ITT 0xffffffff", 0 },
	{ "SEQ-026", "MUST", "a NOP-In with a valid TTT is answered by a "
	  "NOP-Out with its TTT and LUN on that connection",
	  "no NOP-In with a valid TTT", 0 },
	{ "SEQ-027", "SHOULD", "the initiator does not answer a NOP-In whose "
	  "TTT is 0xffffffff", "no NOP-In with TTT 0xffffffff followed by an "
	  "initiator PDU", 0 },
	{ "SEQ-028", "MUST", "an unsolicited NOP-In has ITT 0xffffffff, no "
	  "data and a valid LUN with a valid TTT",
	  "no NOP-In with ITT 0xffffffff", 0 },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define RING 64
#define MAX_HOLES 64
#define MAX_PINGS 16
#define MAX_PENDING 16

struct sent_rsp {
	uint32_t statsn;
	uint64_t frame;
	uint8_t bhs[PDU_BHS_LEN];
};

struct ping {
	uint32_t ttt;
	uint64_t lun;
	struct chk_where where;
	bool ini_after;          /* the initiator sent something since */
};

struct sq_conn {
	uint64_t numbered;       /* numbered responses seen here */
	bool first_was_login;
	struct sent_rsp ring[RING];
	size_t ring_n, ring_pos;
	bool s009_stop_noted;
	struct ping pings[MAX_PINGS];
	size_t n_pings;
	bool nopin_res;          /* a NOP-In with TTT 0xffffffff came last */
	bool exp_back_noted;     /* a decreasing ExpStatSN was noted */
	bool announced;          /* an R2T or unsolicited NOP-In announced the
				    next StatSN since the last numbered response */
	bool ack_announced_noted;
	uint64_t nopin_frame;
};

struct used {
	uint32_t cmdsn;
	uint32_t conn;
	bool valid;
};

struct hole {
	uint32_t cmdsn;
	struct chk_where where;  /* the command that skipped it */
};

struct imm {
	uint32_t cmdsn;
	struct chk_where where;
};

struct sq_sess {
	bool next_known;
	uint32_t next;
	bool has_alt;            /* after a jump: the jumped-to numbering */
	uint32_t alt_next;
	bool stopped;            /* an initiator stream gap: numbering unjudged */
	struct hole holes[MAX_HOLES];
	size_t n_holes;
	struct used used[RING];  /* recent non-immediate CmdSNs */
	size_t used_pos;
	struct imm pending[MAX_PENDING]; /* immediates ahead of next */
	size_t n_pending;
};

static const char *opname(uint8_t op, char buf[24])
{
	return pdu_opcode_name(op, buf);
}

/* ---- CmdSN --------------------------------------------------------------- */

static const struct used *used_find(const struct sq_sess *q, uint32_t cmdsn)
{
	for (size_t i = 0; i < RING; i++)
		if (q->used[i].valid && q->used[i].cmdsn == cmdsn)
			return &q->used[i];
	return NULL;
}

static void used_add(struct sq_sess *q, uint32_t cmdsn, uint32_t conn)
{
	q->used[q->used_pos] = (struct used){ cmdsn, conn, true };
	q->used_pos = (q->used_pos + 1) % RING;
}

static bool hole_take(struct sq_sess *q, uint32_t cmdsn)
{
	for (size_t i = 0; i < q->n_holes; i++) {
		if (q->holes[i].cmdsn == cmdsn) {
			q->holes[i] = q->holes[--q->n_holes];
			return true;
		}
	}
	return false;
}

static bool one_connection(const struct chk_session *s)
{
	return chk_live_conns(s) <= 1;
}

/* Pending immediates whose CmdSN the numbering has now reached. */
static void settle_pending(struct chk_ctx *c, struct sq_sess *q)
{
	for (size_t i = 0; i < q->n_pending;) {
		if (serial_le(q->pending[i].cmdsn, q->next)) {
			chk_held(c, "SEQ-003");
			q->pending[i] = q->pending[--q->n_pending];
			continue;
		}
		i++;
	}
}

static bool numbering_stopped(struct chk_ctx *c, struct sq_sess *q)
{
	if (!q->stopped && chk_session_gap(c->sess, EV_DIR_I2T)) {
		q->stopped = true;
		chk_unjudged(c, "SEQ-003", "bytes of an initiator stream are "
			     "missing: CmdSN order is not judged after the gap");
	}
	return q->stopped;
}

static void cmdsn_nonimmediate(struct chk_ctx *c, struct sq_sess *q,
			       const struct pdu_hdr *h)
{
	char op[24];
	uint32_t x = h->cmdsn;
	if (!q->next_known) {
		q->next_known = true;
		q->next = x + 1;
		used_add(q, x, c->conn->id);
		return;
	}
	if (x == q->next || hole_take(q, x)) {
		chk_held(c, "SEQ-003");
		if (x == q->next)
			q->next = x + 1;
		q->has_alt = false;
	} else if (q->has_alt && x == q->alt_next) {
		/* the initiator really went on after the jump judged before */
		q->next = x + 1;
		q->has_alt = false;
	} else if (serial_gt(x, q->next)) {
		uint32_t skipped = x - q->next;
		if (one_connection(c->sess) || skipped > MAX_HOLES ||
		    q->n_holes + skipped > MAX_HOLES) {
			chk_fail(c, "SEQ-003", "iscsi.cmdsn",
				 "%s ITT 0x%08x has CmdSN %u; the next CmdSN "
				 "was %u (%u skipped)", opname(h->opcode, op),
				 h->itt, x, q->next, skipped);
			/* one bad command, or a real skip: the next command
			 * says which (the target dropped this one) */
			q->has_alt = true;
			q->alt_next = x + 1;
		} else {
			for (uint32_t k = q->next; k != x; k++)
				q->holes[q->n_holes++] = (struct hole){
					k, chk_here(c) };
			q->next = x + 1;
		}
	} else {
		const struct used *u = used_find(q, x);
		if (!u || u->conn == c->conn->id)
			chk_fail(c, "SEQ-003", "iscsi.cmdsn",
				 "%s ITT 0x%08x has CmdSN %u, already taken "
				 "(the next CmdSN was %u)", opname(h->opcode, op),
				 h->itt, x, q->next);
		/* on another connection: MCS-005 (mcs family) */
	}
	used_add(q, x, c->conn->id);
	settle_pending(c, q);
}

/* Every CmdSN in [x, next) was taken on another connection (the capture
 * saw those commands before this immediate one). */
static bool taken_elsewhere(const struct sq_sess *q, uint32_t x,
			    uint32_t conn)
{
	for (uint32_t k = x; k != q->next; k++) {
		const struct used *u = used_find(q, k);
		if (!u || u->conn == conn)
			return false;
	}
	return true;
}

static void cmdsn_immediate(struct chk_ctx *c, struct sq_sess *q,
			    const struct pdu_hdr *h)
{
	char op[24];
	uint32_t x = h->cmdsn;
	if (!q->next_known)
		return;
	if (x == q->next) {
		chk_held(c, "SEQ-003");
		return;
	}
	bool multi = !one_connection(c->sess);
	if (multi && serial_gt(x, q->next) && x - q->next <= RING &&
	    q->n_pending < MAX_PENDING) {
		q->pending[q->n_pending++] = (struct imm){ x, chk_here(c) };
		return;
	}
	if (multi && serial_lt(x, q->next) && q->next - x <= RING &&
	    taken_elsewhere(q, x, c->conn->id)) {
		chk_held(c, "SEQ-003");
		return;
	}
	chk_fail(c, "SEQ-003", "iscsi.cmdsn",
		 "immediate %s ITT 0x%08x has CmdSN %u; the next non-immediate "
		 "command takes %u", opname(h->opcode, op), h->itt, x, q->next);
}

static void window_check(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_session *s = c->sess;
	char op[24];
	if (!s->window_known)
		return;
	const struct chk_task *t = chk_task_find(s, h->itt);
	bool retry = t && t->cmd_seen && t->cmdsn == h->cmdsn &&
		     t->opcode == h->opcode && t->state == CHK_TASK_OPEN;
	if (serial_lt(s->maxcmdsn, s->expcmdsn - 1))
		return;
	if (s->maxcmdsn == s->expcmdsn - 1) {
		chk_fail(c, "SEQ-002", "iscsi.cmdsn",
			 "%s ITT 0x%08x CmdSN %u sent while the window is "
			 "closed (ExpCmdSN %u, MaxCmdSN %u)",
			 opname(h->opcode, op), h->itt, h->cmdsn, s->expcmdsn,
			 s->maxcmdsn);
		return;
	}
	if (!retry && serial_lt(h->cmdsn, s->expcmdsn)) {
		chk_fail(c, "SEQ-002", "iscsi.cmdsn",
			 "%s ITT 0x%08x has CmdSN %u below ExpCmdSN %u",
			 opname(h->opcode, op), h->itt, h->cmdsn, s->expcmdsn);
		return;
	}
	if (serial_gt(h->cmdsn, s->maxcmdsn)) {
		if (chk_session_gap(s, EV_DIR_T2I))
			chk_unjudged(c, "SEQ-002", "bytes of a target stream "
				     "are missing: a larger MaxCmdSN may not be "
				     "in the capture");
		else
			chk_fail(c, "SEQ-002", "iscsi.cmdsn",
				 "%s ITT 0x%08x has CmdSN %u above MaxCmdSN %u "
				 "(ExpCmdSN %u)", opname(h->opcode, op), h->itt,
				 h->cmdsn, s->maxcmdsn, s->expcmdsn);
		return;
	}
	chk_held(c, "SEQ-002");
}

/* ---- StatSN -------------------------------------------------------------- */

static bool same_resend(const uint8_t *a, const uint8_t *b)
{
	/* ExpCmdSN, MaxCmdSN, ExpDataSN (bytes 28-39) carry current values
	 * in a resent response (RFC 7143 §11.16, ERL1-011) */
	return memcmp(a, b, 28) == 0 &&
	       memcmp(a + 40, b + 40, PDU_BHS_LEN - 40) == 0;
}

static void statsn_check(struct chk_ctx *c, struct sq_conn *q,
			 const struct chk_pdu *p)
{
	const struct chk_conn *cn = c->conn;
	const struct pdu_hdr *h = &p->h;
	char op[24];
	bool refusal = p->opcode == PDU_OP_LOGIN_RSP && h->status_class != 0;
	bool login_first = q->numbered == 1 && q->first_was_login &&
			   cn->login_from_start;
	if (q->numbered == 0)
		q->first_was_login = p->opcode == PDU_OP_LOGIN_RSP;
	if (refusal)
		return;
	q->numbered++;
	if (!cn->statsn_known || login_first)
		goto remember;
	if (!chk_stream_ok(cn, EV_DIR_T2I)) {
		if (!q->s009_stop_noted) {
			q->s009_stop_noted = true;
			chk_unjudged(c, "SEQ-009", "bytes of the target's stream "
				     "on connection %u are missing from frame "
				     "%llu", cn->id,
				     (unsigned long long)cn->gap_frame[EV_DIR_T2I]);
		}
		return;
	}
	uint32_t want = cn->last_statsn + 1;
	if (h->statsn == want) {
		chk_held(c, "SEQ-009");
	} else if (serial_lt(h->statsn, want)) {
		const struct sent_rsp *old = NULL;
		for (size_t i = 0; i < q->ring_n; i++)
			if (q->ring[i].statsn == h->statsn)
				old = &q->ring[i];
		if (old && same_resend(old->bhs, p->bytes))
			chk_held(c, "SEQ-009");
		else if (old)
			chk_fail(c, "SEQ-009", "iscsi.statsn",
				 "%s ITT 0x%08x repeats StatSN %u of frame %llu "
				 "but is not a retransmission of it (expected "
				 "StatSN %u)", opname(p->opcode, op), h->itt,
				 h->statsn, (unsigned long long)old->frame, want);
		else
			chk_fail(c, "SEQ-009", "iscsi.statsn",
				 "%s ITT 0x%08x has StatSN %u, behind the "
				 "expected %u", opname(p->opcode, op), h->itt,
				 h->statsn, want);
		return;
	} else {
		uint64_t others = c->sess->numbered - cn->numbered_mark;
		if (!(others && h->statsn == want + (uint32_t)others))
			chk_fail(c, "SEQ-009", "iscsi.statsn",
				 "%s ITT 0x%08x has StatSN %u; expected %u (the "
				 "last numbered response on connection %u had "
				 "%u)", opname(p->opcode, op), h->itt,
				 h->statsn, want, cn->id, cn->last_statsn);
	}
remember:
	q->ring[q->ring_pos].statsn = h->statsn;
	q->ring[q->ring_pos].frame = c->ev ? c->ev->frame : 0;
	memcpy(q->ring[q->ring_pos].bhs, p->bytes, PDU_BHS_LEN);
	q->ring_pos = (q->ring_pos + 1) % RING;
	if (q->ring_n < RING)
		q->ring_n++;
}

static void next_statsn_check(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct chk_conn *cn = c->conn;
	char op[24];
	if (!cn->statsn_known)
		return;
	if (!chk_stream_ok(cn, EV_DIR_T2I)) {
		chk_unjudged(c, "SEQ-010", "bytes of the target's stream on "
			     "connection %u are missing", cn->id);
		return;
	}
	if (p->h.statsn == cn->last_statsn + 1)
		chk_held(c, "SEQ-010");
	else
		chk_fail(c, "SEQ-010", "iscsi.statsn",
			 "%s ITT 0x%08x TTT 0x%08x has StatSN %u; the next "
			 "StatSN of connection %u is %u",
			 opname(p->opcode, op), p->h.itt, p->h.ttt, p->h.statsn,
			 cn->id, cn->last_statsn + 1);
}

static void expstatsn_check(struct chk_ctx *c, struct sq_conn *q,
			    const struct chk_pdu *p)
{
	const struct chk_conn *cn = c->conn;
	const struct pdu_hdr *h = &p->h;
	char op[24];
	if (!pdu_opcode_is_defined(p->opcode) || !cn->statsn_known)
		return;
	/* A Logout Request closing another connection carries that
	 * connection's ExpStatSN (RFC 7143 §11.14.4): LOGOUT-002's business */
	if (chk_logout_names_other(h, cn))
		return;
	/* a smaller ExpStatSN than before breaks no rule (the catalogue
	 * reports it): an initiator waiting on a Status SNACK does it */
	if (cn->expstatsn_known && serial_lt(h->expstatsn, cn->last_expstatsn) &&
	    !q->exp_back_noted) {
		q->exp_back_noted = true;
		chk_note(c, "connection %u frame %llu: %s ITT 0x%08x has "
			 "ExpStatSN %u, below the %u sent before (not a "
			 "violation; later decreases on this connection are "
			 "not noted)", cn->id,
			 c->ev ? (unsigned long long)c->ev->frame : 0ull,
			 opname(p->opcode, op), h->itt, h->expstatsn,
			 cn->last_expstatsn);
	}
	/* An R2T or unsolicited NOP-In carries the next StatSN without taking
	 * it (SEQ-010). Some initiators (libiscsi) acknowledge that announced
	 * StatSN before the response that takes it arrives. The catalogue row
	 * speaks of "the last StatSN received", which that field is, and the
	 * RFC forbids it nowhere in so many words: noted, not failed. */
	if (q->announced && h->expstatsn == cn->last_statsn + 2) {
		if (!q->ack_announced_noted) {
			q->ack_announced_noted = true;
			chk_note(c, "connection %u frame %llu: %s ITT 0x%08x has "
				 "ExpStatSN %u, acknowledging the StatSN an R2T or "
				 "NOP-In announced before the response that takes it "
				 "was sent (not failed: SEQ-011 counts the announced "
				 "StatSN as received; later cases are not noted)",
				 cn->id, c->ev ? (unsigned long long)c->ev->frame : 0ull,
				 opname(p->opcode, op), h->itt, h->expstatsn);
		}
		chk_held(c, "SEQ-011");
		return;
	}
	if (serial_gt(h->expstatsn, cn->last_statsn + 1)) {
		if (!chk_stream_ok(cn, EV_DIR_T2I))
			chk_unjudged(c, "SEQ-011", "bytes of the target's "
				     "stream on connection %u are missing",
				     cn->id);
		else
			chk_fail(c, "SEQ-011", "iscsi.expstatsn",
				 "%s ITT 0x%08x has ExpStatSN %u; the last "
				 "StatSN sent on connection %u was %u",
				 opname(p->opcode, op), h->itt, h->expstatsn,
				 cn->id, cn->last_statsn);
		return;
	}
	chk_held(c, "SEQ-011");
}

/* ---- data ---------------------------------------------------------------- */

/* The task a data PDU belongs to, when its command is in view on this
 * connection (or was reassigned to it) and the stream is unbroken. */
static const struct chk_task *task_in_view(struct chk_ctx *c,
					   const struct pdu_hdr *h,
					   enum ev_dir dir)
{
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	if (!t || !t->cmd_seen || t->opcode != PDU_OP_SCSI_CMD)
		return NULL;
	if (!chk_stream_ok(c->conn, dir) || !chk_stream_ok(t->conn, dir))
		return NULL;
	return t;
}

static const struct chk_r2t *r2t_open(const struct chk_task *t, uint32_t ttt)
{
	for (size_t i = t->n_r2t; i-- > 0;)
		if (t->r2ts[i].ttt == ttt && !t->r2ts[i].done)
			return &t->r2ts[i];
	return NULL;
}

static void data_in(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_session *s = c->sess;
	uint32_t len = (uint32_t)p->data_len;
	const struct chk_task *t = task_in_view(c, h, EV_DIR_T2I);
	if (!t) {
		if (!chk_stream_ok(c->conn, EV_DIR_T2I))
			chk_unjudged(c, "SEQ-012", "bytes of the target's stream "
				     "on connection %u are missing",
				     c->conn->id);
		return;
	}
	bool resent = t->snack_seen || t->reassigned;
	uint32_t want = t->in_sn_known ? t->in_sn_next : 0;
	if (h->datasn == want)
		chk_held(c, "SEQ-012");
	else if (!(resent && serial_lt(h->datasn, want)))
		chk_fail(c, "SEQ-012", "iscsi.datasn",
			 "Data-In ITT 0x%08x has DataSN %u; expected %u",
			 h->itt, h->datasn, want);
	if (!s->params_known || resent)
		return;
	const struct pdu_key_params *kp = &s->params;
	if (t->in_seq_bytes + len > kp->max_burst_length)
		chk_fail(c, "SEQ-019", "iscsi.datasegmentlength",
			 "Data-In ITT 0x%08x DataSN %u brings its sequence to "
			 "%u bytes, over MaxBurstLength %u", h->itt, h->datasn,
			 t->in_seq_bytes + len, kp->max_burst_length);
	else if (h->final)
		chk_held(c, "SEQ-019");
	if (kp->data_pdu_in_order && t->in_seq_open) {
		if (h->buffer_offset != t->in_offset_next)
			chk_fail(c, "SEQ-020", "iscsi.bufferOffset",
				 "Data-In ITT 0x%08x DataSN %u has Buffer "
				 "Offset %u; the sequence continues at %u",
				 h->itt, h->datasn, h->buffer_offset,
				 t->in_offset_next);
		else
			chk_held(c, "SEQ-020");
	}
	if (kp->data_sequence_in_order && !t->in_seq_open) {
		uint32_t start = t->in_seq_ended ? t->in_seq_end : 0;
		if (t->datain_pdus && !t->in_seq_ended)
			return;
		if (h->buffer_offset != start)
			chk_fail(c, "SEQ-021", "iscsi.bufferOffset",
				 "Data-In ITT 0x%08x DataSN %u starts a sequence "
				 "at Buffer Offset %u; the data so far ends at %u",
				 h->itt, h->datasn, h->buffer_offset, start);
		else
			chk_held(c, "SEQ-021");
	}
}

static void r2t(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_session *s = c->sess;
	const struct chk_task *t = task_in_view(c, h, EV_DIR_T2I);
	if (!t)
		return;
	bool bidi = t->read && t->write;
	uint32_t want = bidi ? (t->in_sn_known ? t->in_sn_next : 0)
			     : (t->r2t_seen ? t->r2tsn_next : 0);
	if (h->r2tsn == want)
		chk_held(c, "SEQ-014");
	else if (!(t->snack_seen && serial_lt(h->r2tsn, want)))
		chk_fail(c, "SEQ-014", "iscsi.r2tsn",
			 "R2T ITT 0x%08x TTT 0x%08x has R2TSN %u; expected %u%s",
			 h->itt, h->ttt, h->r2tsn, want,
			 bidi ? " (shared with the Data-In of this "
			 "bidirectional command)" : "");
	if (!s->params_known)
		return;
	size_t open = 1;
	for (size_t i = 0; i < t->n_r2t; i++)
		open += !t->r2ts[i].done;
	if (open > s->params.max_outstanding_r2t)
		chk_fail(c, "SEQ-017", NULL,
			 "R2T ITT 0x%08x TTT 0x%08x makes %zu R2Ts outstanding "
			 "for the task; MaxOutstandingR2T is %u", h->itt,
			 h->ttt, open, s->params.max_outstanding_r2t);
	else
		chk_held(c, "SEQ-017");
	if (s->params.data_sequence_in_order && t->r2t_seen &&
	    h->buffer_offset >= t->r2t_end) {
		if (h->buffer_offset != t->r2t_end)
			chk_fail(c, "SEQ-021", "iscsi.bufferOffset",
				 "R2T ITT 0x%08x TTT 0x%08x asks from offset %u; "
				 "the previous R2T's range ended at %u", h->itt,
				 h->ttt, h->buffer_offset, t->r2t_end);
		else
			chk_held(c, "SEQ-021");
	}
}

/* R2Ts received earlier on this connection still not answered when r
 * completes (SEQ-016); the evidence names the earliest. */
static void r2t_order(struct chk_ctx *c, const struct chk_task *t,
		      const struct chk_r2t *r)
{
	bool other = false;
	const struct chk_r2t *first = NULL;
	const struct chk_task *first_task = NULL;
	for (const struct chk_task *o = c->sess->oldest_task; o; o = o->newer) {
		if (o->state != CHK_TASK_OPEN)
			continue;
		for (size_t i = 0; i < o->n_r2t; i++) {
			const struct chk_r2t *x = &o->r2ts[i];
			if (x == r || x->done || x->conn != r->conn)
				continue;
			other = true;
			if (x->order < r->order && (!first || x->order < first->order)) {
				first = x;
				first_task = o;
			}
		}
	}
	if (first)
		chk_fail(c, "SEQ-016", "iscsi.targettransfertag",
			 "R2T TTT 0x%08x (ITT 0x%08x) is answered before R2T TTT "
			 "0x%08x (ITT 0x%08x, frame %llu) received earlier on "
			 "connection %u", r->ttt, t->itt, first->ttt, first_task->itt,
			 (unsigned long long)first->frame, c->conn->id);
	else if (other)
		chk_held(c, "SEQ-016");
}

static void data_out_solicited(struct chk_ctx *c, const struct chk_pdu *p,
			       const struct chk_task *t)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_session *s = c->sess;
	uint32_t len = (uint32_t)p->data_len;
	const struct chk_r2t *r = r2t_open(t, h->ttt);
	if (!r) {
		chk_fail(c, "SEQ-015", "iscsi.targettransfertag",
			 "Data-Out ITT 0x%08x has TTT 0x%08x, which no open R2T "
			 "of the task carries", h->itt, h->ttt);
		return;
	}
	bool ok = true;
	if (h->lun != r->lun) {
		chk_fail(c, "SEQ-015", "iscsi.lun",
			 "Data-Out ITT 0x%08x TTT 0x%08x has LUN 0x%016llx; "
			 "the R2T (frame %llu) has 0x%016llx", h->itt, h->ttt,
			 (unsigned long long)h->lun,
			 (unsigned long long)r->frame,
			 (unsigned long long)r->lun);
		ok = false;
	} else if (h->buffer_offset < r->offset ||
		   (uint64_t)h->buffer_offset + len >
		   (uint64_t)r->offset + r->ddtl) {
		chk_fail(c, "SEQ-015", "iscsi.bufferOffset",
			 "Data-Out ITT 0x%08x TTT 0x%08x covers [%u, %llu); the "
			 "R2T asked for [%u, %llu)", h->itt, h->ttt,
			 h->buffer_offset,
			 (unsigned long long)h->buffer_offset + len, r->offset,
			 (unsigned long long)r->offset + r->ddtl);
		ok = false;
	} else if (h->final && r->received + len != r->ddtl) {
		chk_fail(c, "SEQ-015", "iscsi.scsidata.F",
			 "Data-Out ITT 0x%08x TTT 0x%08x has F=1 after %u of "
			 "the %u bytes the R2T asked for", h->itt, h->ttt,
			 r->received + len, r->ddtl);
		ok = false;
	} else if (!h->final && r->received + len >= r->ddtl) {
		chk_fail(c, "SEQ-015", "iscsi.scsidata.F",
			 "Data-Out ITT 0x%08x TTT 0x%08x completes the R2T's %u "
			 "bytes with F=0", h->itt, h->ttt, r->ddtl);
		ok = false;
	}
	if (ok)
		chk_held(c, "SEQ-015");
	if (h->datasn == r->next_datasn)
		chk_held(c, "SEQ-013");
	else
		chk_fail(c, "SEQ-013", "iscsi.datasn",
			 "Data-Out ITT 0x%08x TTT 0x%08x has DataSN %u; expected "
			 "%u in this R2T's sequence", h->itt, h->ttt, h->datasn,
			 r->next_datasn);
	if (h->final)
		r2t_order(c, t, r);
	if (!s->params_known)
		return;
	if (r->received + len > s->params.max_burst_length)
		chk_fail(c, "SEQ-019", "iscsi.datasegmentlength",
			 "Data-Out ITT 0x%08x TTT 0x%08x brings the sequence to "
			 "%u bytes, over MaxBurstLength %u", h->itt, h->ttt,
			 r->received + len, s->params.max_burst_length);
	else if (h->final)
		chk_held(c, "SEQ-019");
	if (s->params.data_pdu_in_order) {
		if (h->buffer_offset != r->next_offset)
			chk_fail(c, "SEQ-020", "iscsi.bufferOffset",
				 "Data-Out ITT 0x%08x TTT 0x%08x has Buffer "
				 "Offset %u; the sequence continues at %u",
				 h->itt, h->ttt, h->buffer_offset,
				 r->next_offset);
		else
			chk_held(c, "SEQ-020");
	}
}

static void data_out_unsolicited(struct chk_ctx *c, const struct chk_pdu *p,
				 const struct chk_task *t)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_session *s = c->sess;
	uint32_t len = (uint32_t)p->data_len;
	uint32_t want = t->unsol_dout_seen ? t->unsol_next_datasn : 0;
	if (h->datasn == want)
		chk_held(c, "SEQ-013");
	else
		chk_fail(c, "SEQ-013", "iscsi.datasn",
			 "unsolicited Data-Out ITT 0x%08x has DataSN %u; "
			 "expected %u", h->itt, h->datasn, want);
	if (!s->params_known)
		return;
	const struct pdu_key_params *kp = &s->params;
	if (kp->initial_r2t) {
		chk_fail(c, "SEQ-022", "iscsi.targettransfertag",
			 "unsolicited Data-Out ITT 0x%08x (TTT 0xffffffff) "
			 "while InitialR2T=Yes", h->itt);
		return;
	}
	chk_held(c, "SEQ-022");
	uint32_t total = t->unsol_bytes + len;
	if (total > kp->first_burst_length)
		chk_fail(c, "SEQ-019", "iscsi.datasegmentlength",
			 "unsolicited data of ITT 0x%08x reaches %u bytes, "
			 "over FirstBurstLength %u", h->itt, total,
			 kp->first_burst_length);
	else
		chk_held(c, "SEQ-019");
	if (kp->data_pdu_in_order) {
		if (h->buffer_offset != t->unsol_next_offset)
			chk_fail(c, "SEQ-020", "iscsi.bufferOffset",
				 "unsolicited Data-Out ITT 0x%08x has Buffer "
				 "Offset %u; the unsolicited data continues at "
				 "%u", h->itt, h->buffer_offset,
				 t->unsol_next_offset);
		else
			chk_held(c, "SEQ-020");
	}
	if (h->final && t->edtl > kp->first_burst_length) {
		if (total != kp->first_burst_length)
			chk_fail(c, "SEQ-023", "iscsi.scsidata.F",
				 "unsolicited data of ITT 0x%08x (Expected Data "
				 "Transfer Length %u) ends at %u bytes; it must "
				 "be FirstBurstLength %u or the immediate data "
				 "only", h->itt, t->edtl, total,
				 kp->first_burst_length);
		else
			chk_held(c, "SEQ-023");
	}
}

static void data_out(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_task *t = task_in_view(c, h, EV_DIR_I2T);
	if (!t) {
		const struct chk_task *any = chk_task_find(c->sess, h->itt);
		if (h->ttt != PDU_RESERVED_TAG && any && any->r2t_seen &&
		    !r2t_open(any, h->ttt) && chk_conn_ok(c->conn))
			chk_fail(c, "SEQ-015", "iscsi.targettransfertag",
				 "Data-Out ITT 0x%08x has TTT 0x%08x, which no "
				 "open R2T of the task carries", h->itt, h->ttt);
		return;
	}
	if (h->ttt == PDU_RESERVED_TAG)
		data_out_unsolicited(c, p, t);
	else
		data_out_solicited(c, p, t);
}

static void write_command(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_session *s = c->sess;
	if (!h->write || !s->params_known)
		return;
	const struct pdu_key_params *kp = &s->params;
	uint32_t imm = (uint32_t)p->data_len;
	if (imm && !kp->immediate_data) {
		chk_fail(c, "SEQ-022", "iscsi.datasegmentlength",
			 "write ITT 0x%08x carries %u bytes of immediate data "
			 "while ImmediateData=No", h->itt, imm);
		return;
	}
	chk_held(c, "SEQ-022");
	if (kp->initial_r2t && !kp->immediate_data)
		return;
	if (imm > kp->first_burst_length)
		chk_fail(c, "SEQ-019", "iscsi.datasegmentlength",
			 "write ITT 0x%08x carries %u bytes of immediate data, "
			 "over FirstBurstLength %u", h->itt, imm,
			 kp->first_burst_length);
	else if (imm)
		chk_held(c, "SEQ-019");
	if (!kp->initial_r2t && h->edtl > kp->first_burst_length && h->final)
		chk_held(c, "SEQ-023");
}

/* ---- NOP ----------------------------------------------------------------- */

static void ping_answer(struct chk_ctx *c, struct sq_conn *q,
			const struct pdu_hdr *h)
{
	for (size_t i = 0; i < q->n_pings; i++) {
		if (q->pings[i].ttt != h->ttt)
			continue;
		if (q->pings[i].lun != h->lun)
			chk_fail(c, "SEQ-026", "iscsi.lun",
				 "NOP-Out answering TTT 0x%08x has LUN "
				 "0x%016llx; the NOP-In (frame %llu) had "
				 "0x%016llx", h->ttt, (unsigned long long)h->lun,
				 (unsigned long long)q->pings[i].where.frame,
				 (unsigned long long)q->pings[i].lun);
		else
			chk_held(c, "SEQ-026");
		q->pings[i] = q->pings[--q->n_pings];
		return;
	}
	const struct chk_session *s = c->sess;
	for (size_t k = 0; k < s->n_conns; k++) {
		if (s->conns[k] == c->conn)
			continue;
		const struct sq_conn *o = chk_cstate_of(c, s->conns[k]);
		for (size_t i = 0; o && i < o->n_pings; i++) {
			if (o->pings[i].ttt != h->ttt)
				continue;
			chk_fail(c, "SEQ-026", "iscsi.targettransfertag",
				 "NOP-Out with TTT 0x%08x on connection %u "
				 "answers the NOP-In of connection %u (frame "
				 "%llu)", h->ttt, c->conn->id, s->conns[k]->id,
				 (unsigned long long)o->pings[i].where.frame);
			return;
		}
	}
	if (chk_stream_ok(c->conn, EV_DIR_T2I))
		chk_fail(c, "SEQ-026", "iscsi.targettransfertag",
			 "NOP-Out carries TTT 0x%08x, which no NOP-In on "
			 "connection %u asked for", h->ttt, c->conn->id);
}

/* ---- dispatch ------------------------------------------------------------ */

/* Initiator PDUs that carry a CmdSN of their own (Login apart). */
static bool is_command(uint8_t op)
{
	return op == PDU_OP_NOP_OUT || op == PDU_OP_SCSI_CMD ||
	       op == PDU_OP_TMF_REQ || op == PDU_OP_TEXT_REQ ||
	       op == PDU_OP_LOGOUT_REQ;
}

static void initiator_pdu(struct chk_ctx *c, struct sq_conn *q,
			  const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	struct sq_sess *ss = chk_sstate(c);

	for (size_t i = 0; i < q->n_pings; i++)
		q->pings[i].ini_after = true;
	if (q->nopin_res) {
		q->nopin_res = false;
		if (p->opcode == PDU_OP_NOP_OUT && h->itt == PDU_RESERVED_TAG &&
		    h->ttt == PDU_RESERVED_TAG)
			chk_fail(c, "SEQ-027", "iscsi.targettransfertag",
				 "NOP-Out (ITT and TTT 0xffffffff) right after "
				 "the NOP-In of frame %llu, whose TTT was "
				 "0xffffffff: it looks like an answer",
				 (unsigned long long)q->nopin_frame);
		else
			chk_held(c, "SEQ-027");
	}
	expstatsn_check(c, q, p);
	if (is_command(p->opcode)) {
		const struct chk_task *t = chk_task_find(c->sess, h->itt);
		bool retry = p->opcode == PDU_OP_SCSI_CMD && t && t->cmd_seen &&
			     t->cmdsn == h->cmdsn && t->state == CHK_TASK_OPEN &&
			     t->opcode == PDU_OP_SCSI_CMD;
		if (retry)
			;  /* a retry keeps its CmdSN (ERL1-006) */
		else if (pdu_takes_cmdsn(h)) {
			window_check(c, h);
			if (!numbering_stopped(c, ss))
				cmdsn_nonimmediate(c, ss, h);
		} else if (!numbering_stopped(c, ss)) {
			cmdsn_immediate(c, ss, h);
		}
	}
	switch (p->opcode) {
	case PDU_OP_SCSI_CMD:
		write_command(c, p);
		break;
	case PDU_OP_DATA_OUT:
		data_out(c, p);
		break;
	case PDU_OP_NOP_OUT:
		if (h->ttt != PDU_RESERVED_TAG)
			ping_answer(c, q, h);
		break;
	default:
		break;
	}
}

static void target_pdu(struct chk_ctx *c, struct sq_conn *q,
		       const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	char op[24];
	if (chk_has_window(p->opcode) &&
	    !(p->opcode == PDU_OP_LOGIN_RSP && h->status_class != 0)) {
		if (serial_lt(h->maxcmdsn, h->expcmdsn - 1))
			chk_fail(c, "SEQ-005", "iscsi.maxcmdsn",
				 "%s ITT 0x%08x has MaxCmdSN %u, less than "
				 "ExpCmdSN %u - 1", opname(p->opcode, op),
				 h->itt, h->maxcmdsn, h->expcmdsn);
		else
			chk_held(c, "SEQ-005");
	}
	if (p->numbered) {
		statsn_check(c, q, p);
		q->announced = false;
	}
	switch (p->opcode) {
	case PDU_OP_R2T:
		next_statsn_check(c, p);
		q->announced = true;
		r2t(c, p);
		break;
	case PDU_OP_NOP_IN:
		if (h->itt == PDU_RESERVED_TAG) {
			next_statsn_check(c, p);
			q->announced = true;
		}
		if (h->ttt != PDU_RESERVED_TAG && q->n_pings < MAX_PINGS)
			q->pings[q->n_pings++] = (struct ping){
				h->ttt, h->lun, chk_here(c), false };
		if (h->ttt == PDU_RESERVED_TAG) {
			q->nopin_res = true;
			q->nopin_frame = c->ev ? c->ev->frame : 0;
		}
		break;
	case PDU_OP_DATA_IN:
		data_in(c, p);
		break;
	default:
		break;
	}
}

static void sq_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct sq_conn *q = chk_cstate(c);
	if (p->dir == EV_DIR_I2T)
		initiator_pdu(c, q, p);
	else
		target_pdu(c, q, p);
}

static void sq_on_nego(struct chk_ctx *c, const struct chk_nego *n)
{
	struct sq_sess *q = chk_sstate(c);
	if (n->kind == CHK_NEGO_LOGIN_OK && c->conn->leading &&
	    c->sess->leading_login_seen && !q->next_known) {
		q->next_known = true;
		q->next = c->conn->login_cmdsn;
	}
}

static void sq_on_end(struct chk_ctx *c)
{
	if (c->conn) {
		struct sq_conn *q = chk_cstate(c);
		const struct chk_conn *cn = c->conn;
		/* the initiator itself left the connection */
		bool ended = cn->fin[EV_DIR_I2T] || cn->rst[EV_DIR_I2T] ||
			     cn->logout_sent;
		for (size_t i = 0; i < q->n_pings; i++) {
			const struct ping *pg = &q->pings[i];
			if (pg->ini_after && ended && chk_stream_ok(cn, EV_DIR_I2T))
				chk_fail_at(c, &pg->where, "SEQ-026",
					    "iscsi.targettransfertag",
					    "NOP-In TTT 0x%08x on connection %u "
					    "was never answered; the initiator "
					    "sent other PDUs and then left the "
					    "connection",
					    pg->ttt, cn->id);
			else
				chk_unjudged(c, "SEQ-026", "the capture ended "
					     "before the NOP-In of frame %llu "
					     "could be answered",
					     (unsigned long long)pg->where.frame);
		}
		return;
	}
	struct sq_sess *q = chk_sstate(c);
	if (q->stopped)
		return;
	for (size_t i = 0; i < q->n_holes; i++)
		chk_fail_at(c, &q->holes[i].where, "SEQ-003", "iscsi.cmdsn",
			    "CmdSN %u was skipped: no command on any connection "
			    "took it", q->holes[i].cmdsn);
	for (size_t i = 0; i < q->n_pending; i++)
		chk_fail_at(c, &q->pending[i].where, "SEQ-003", "iscsi.cmdsn",
			    "immediate command with CmdSN %u; no command took "
			    "the CmdSNs before it (next was %u)",
			    q->pending[i].cmdsn, q->next);
}

const struct chk_family chk_family_seq = {
	.name = "seq",
	.summary = "CmdSN window and numbering, StatSN/ExpStatSN, DataSN/R2TSN, "
		   "R2T answers, bursts, offsets, unsolicited data, NOP",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct sq_sess),
	.conn_size = sizeof(struct sq_conn),
	.on_pdu = sq_on_pdu,
	.on_nego = sq_on_nego,
	.on_end = sq_on_end,
};
