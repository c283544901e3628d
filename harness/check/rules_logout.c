/* rules_logout.c — the logout family: the Logout exchange as a capture
 * shows it. The ExpStatSN a Logout Request carries for the connection it
 * closes, no new request once a Logout is on its way (on every connection
 * for reason 0), the Logout Response's ITT, no response for the tasks a
 * successful logout ended, and the connection's end: nothing after the
 * Logout Response, then the target's FIN. That the response goes on the
 * request's connection is MCS-011's (mcs family) and that it is numbered
 * SEQ-009's (seq family), as for every response.
 *
 * A request on another connection counts as sent after the Logout only
 * when its CmdSN says so (CmdSN at or past the Logout's): two TCP streams
 * may reach the capture in another order than the initiator sent them. */
#include <stdlib.h>
#include <string.h>

#include "harness/check/family.h"
#include "pdu/serial.h"

static const struct chk_rule rules[] = {
	{ "LOGOUT-002", "MUST", "the ExpStatSN of a Logout Request is the last "
	  "ExpStatSN of the connection it closes (not below what that "
	  "connection acknowledged, not past what it received)",
	  "no Logout Request on a connection with known numbering", 0 },
	{ "LOGOUT-003", "MUST", "no new request on the connection being closed "
	  "(on any connection for reason 0) once the Logout Request is sent",
	  "no Logout Request answered in the capture", 0 },
	{ "LOGOUT-004", "MUST", "no response for the tasks a successful reason "
	  "0/1 logout ended after the Logout Response",
	  "no successful Logout with tasks still pending", CHK_RULE_PARTIAL },
	{ "LOGOUT-007", "MUST", "after the Logout Response no iSCSI PDU "
	  "follows on the closed connection(s) and the target half-closes "
	  "them", "no connection closed by a Logout Response", 0 },
	{ "LOGOUT-010", "MUST", "the Logout Response carries the ITT of an "
	  "outstanding Logout Request", 
	  "no Logout Response", 0 },
};

#define N_RULES (sizeof rules / sizeof rules[0])

struct lo_conn {
	bool closing;            /* a Logout Request names it, unanswered */
	uint32_t closing_cmdsn;  /* that Logout's CmdSN */
	uint64_t closing_frame;
	bool s003_broken;
	bool s007_broken;        /* a PDU followed the Logout Response */
};

struct lo_ended {
	uint32_t itt;
	uint64_t frame;          /* the Logout Response that ended it */
	bool broken;
};

struct lo_sess {
	struct lo_ended *ended;  /* tasks ended by a successful logout */
	size_t n_ended, cap_ended;
};

static void lo_sess_free(void *state)
{
	struct lo_sess *q = state;
	free(q->ended);
}

/* The live connection a Logout Request of conn names. */
static struct chk_conn *named_conn(const struct chk_session *s,
				   struct chk_conn *conn, uint8_t reason,
				   uint16_t cid)
{
	if (reason == 0 || cid == (uint16_t)conn->cid)
		return conn;
	return chk_conn_by_cid(s, cid, NULL);
}

/* ---- initiator --------------------------------------------------------- */

static void expstatsn_check(struct chk_ctx *c, const struct pdu_hdr *h,
			    const struct chk_conn *x)
{
	if (!x->statsn_known || !x->expstatsn_known)
		return;
	if (!chk_stream_ok(x, EV_DIR_T2I) || !chk_stream_ok(x, EV_DIR_I2T)) {
		chk_unjudged(c, "LOGOUT-002", "bytes of connection %u are "
			     "missing: its last ExpStatSN is not known", x->id);
		return;
	}
	uint32_t lo = x->last_expstatsn, hi = x->last_statsn + 1;
	uint32_t e = h->expstatsn;
	if (serial_lt(e, lo))
		chk_fail(c, "LOGOUT-002", "iscsi.expstatsn",
			 "Logout Request ITT 0x%08x has ExpStatSN %u, below "
			 "the ExpStatSN %u connection %u had already sent",
			 h->itt, e, lo, x->id);
	else if (serial_gt(e, hi) && x != c->conn)
		chk_fail(c, "LOGOUT-002", "iscsi.expstatsn",
			 "Logout Request ITT 0x%08x (on connection %u) has "
			 "ExpStatSN %u; connection %u it closes has received "
			 "StatSN up to %u only", h->itt, c->conn->id, e, x->id,
			 x->last_statsn);
	else if (serial_le(e, hi))
		chk_held(c, "LOGOUT-002");
	/* past what this connection received: SEQ-011 (seq family) */
}

static void logout_request(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct chk_session *s = c->sess;
	struct chk_conn *x = named_conn(s, c->conn, h->logout_reason, h->cid);
	if (x)
		expstatsn_check(c, h, x);
	for (size_t i = 0; i < s->n_conns; i++) {
		struct chk_conn *o = s->conns[i];
		if (h->logout_reason != 0 && o != x)
			continue;
		struct lo_conn *q = chk_cstate_of(c, o);
		if (!q || q->closing)
			continue;
		q->closing = true;
		q->closing_cmdsn = h->cmdsn;
		q->closing_frame = c->ev ? c->ev->frame : 0;
	}
}

/* A request that starts something new (a retry or the next PDU of an
 * exchange already going is not new). */
static bool new_request(const struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	switch (h->opcode) {
	case PDU_OP_SCSI_CMD:
		return !(t && t->state == CHK_TASK_OPEN && t->cmdsn == h->cmdsn &&
			 t->opcode == PDU_OP_SCSI_CMD);
	case PDU_OP_TEXT_REQ:
		return !(t && t->state == CHK_TASK_OPEN &&
			 t->opcode == PDU_OP_TEXT_REQ);
	case PDU_OP_TMF_REQ:
		return true;
	case PDU_OP_NOP_OUT:
		return h->itt != PDU_RESERVED_TAG;
	default:
		return false;
	}
}

static void request_after_logout(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct lo_conn *q = chk_cstate(c);
	const struct pdu_hdr *h = &p->h;
	char op[24];
	if (!q->closing || q->s003_broken || !new_request(c, h))
		return;
	if (serial_lt(h->cmdsn, q->closing_cmdsn))
		return;  /* numbered before the Logout: sent before it */
	q->s003_broken = true;
	chk_fail(c, "LOGOUT-003", "iscsi.opcode",
		 "%s ITT 0x%08x (CmdSN %u) on connection %u after the Logout "
		 "Request of frame %llu that closes it",
		 pdu_opcode_name(p->opcode, op), h->itt, h->cmdsn, c->conn->id,
		 (unsigned long long)q->closing_frame);
}

/* ---- target -------------------------------------------------------------- */

static void ended_add(struct chk_ctx *c, struct lo_sess *q, uint32_t itt)
{
	if (q->n_ended == q->cap_ended) {
		size_t n = q->cap_ended ? q->cap_ended * 2 : 16;
		struct lo_ended *ne = realloc(q->ended, n * sizeof *ne);
		if (!ne)
			return;
		q->ended = ne;
		q->cap_ended = n;
	}
	q->ended[q->n_ended++] = (struct lo_ended){ itt, chk_here(c).frame,
						    false };
}

/* The Logout Response answers t (before the tracker ends anything). */
static void logout_done(struct chk_ctx *c, const struct chk_task *t,
			const struct pdu_hdr *h)
{
	struct chk_session *s = c->sess;
	struct chk_conn *x = named_conn(s, t->conn, t->logout_reason,
					t->logout_cid);
	for (size_t i = 0; i < s->n_conns; i++) {
		struct chk_conn *o = s->conns[i];
		if (t->logout_reason != 0 && o != x)
			continue;
		struct lo_conn *q = chk_cstate_of(c, o);
		if (!q || !q->closing)
			continue;
		q->closing = false;
		if (!q->s003_broken && chk_stream_ok(o, EV_DIR_I2T))
			chk_held(c, "LOGOUT-003");
		q->s003_broken = false;
	}
	if (h->response != 0 || t->logout_reason > 1)
		return;
	struct lo_sess *ss = chk_sstate(c);
	for (const struct chk_task *o = s->oldest_task; o; o = o->newer)
		if (o->state == CHK_TASK_OPEN && o->opcode == PDU_OP_SCSI_CMD &&
		    (t->logout_reason == 0 || o->conn == x))
			ended_add(c, ss, o->itt);
}

static void logout_response(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_session *s = c->sess;
	const struct chk_task *t = chk_task_find(s, h->itt);
	bool open = t && t->opcode == PDU_OP_LOGOUT_REQ && t->cmd_seen &&
		    t->state == CHK_TASK_OPEN;
	if (!open) {
		if (chk_session_gap(s, EV_DIR_I2T) ||
		    c->conn->start_missing[EV_DIR_I2T] || !c->conn->login_seen)
			chk_unjudged(c, "LOGOUT-010", "the Logout Request of ITT "
				     "0x%08x may be missing from the capture",
				     h->itt);
		else
			chk_fail(c, "LOGOUT-010", "iscsi.initiatortasktag",
				 "Logout Response has ITT 0x%08x, which no "
				 "outstanding Logout Request carries", h->itt);
		return;
	}
	chk_held(c, "LOGOUT-010");
	logout_done(c, t, h);
}

/* A SCSI Response or Data-In for a task a logout ended. */
static bool ended_response(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct lo_sess *q = chk_sstate(c);
	if (p->opcode != PDU_OP_SCSI_RSP && p->opcode != PDU_OP_DATA_IN)
		return false;
	for (size_t i = 0; i < q->n_ended; i++) {
		struct lo_ended *e = &q->ended[i];
		if (e->itt != p->h.itt)
			continue;
		if (!e->broken)
			chk_fail(c, "LOGOUT-004", "iscsi.initiatortasktag",
				 "%s for ITT 0x%08x after the Logout Response "
				 "of frame %llu ended that task",
				 p->opcode == PDU_OP_SCSI_RSP ? "SCSI Response"
				 : "Data-In", p->h.itt,
				 (unsigned long long)e->frame);
		e->broken = true;
		return true;
	}
	return false;
}

static void lo_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct lo_conn *q = chk_cstate(c);
	const struct chk_conn *cn = c->conn;
	char op[24];
	if (p->dir == EV_DIR_T2I && ended_response(c, p))
		return;
	if (cn->logged_out) {
		if (!q->s007_broken)
			chk_fail(c, "LOGOUT-007", "iscsi.opcode",
				 "%s on connection %u after the Logout Response "
				 "of frame %llu closed it",
				 pdu_opcode_name(p->opcode, op), cn->id,
				 (unsigned long long)cn->logged_out_frame);
		q->s007_broken = true;
		return;
	}
	if (p->dir == EV_DIR_I2T) {
		request_after_logout(c, p);
		if (p->opcode == PDU_OP_LOGOUT_REQ)
			logout_request(c, &p->h);
	} else if (p->opcode == PDU_OP_LOGOUT_RSP) {
		logout_response(c, &p->h);
	}
}

static void lo_on_end(struct chk_ctx *c)
{
	const struct chk_conn *cn = c->conn;
	if (!cn) {
		struct lo_sess *q = chk_sstate(c);
		for (size_t i = 0; i < q->n_ended; i++)
			if (!q->ended[i].broken)
				chk_held(c, "LOGOUT-004");
		return;
	}
	struct lo_conn *q = chk_cstate(c);
	if (!cn->logged_out || q->s007_broken)
		return;
	if (cn->fin[EV_DIR_T2I])
		chk_held(c, "LOGOUT-007");
	else if (cn->rst[EV_DIR_T2I] || cn->rst[EV_DIR_I2T])
		chk_unjudged(c, "LOGOUT-007", "connection %u was reset after "
			     "its Logout Response (frame %llu), not half-closed",
			     cn->id, (unsigned long long)cn->logged_out_frame);
	else
		chk_unjudged(c, "LOGOUT-007", "the capture ends before the "
			     "target closed connection %u (Logout Response at "
			     "frame %llu)", cn->id,
			     (unsigned long long)cn->logged_out_frame);
}

const struct chk_family chk_family_logout = {
	.name = "logout",
	.summary = "Logout Request/Response: ExpStatSN, no new requests, "
		   "response ITT and connection, the connection's end",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct lo_sess),
	.conn_size = sizeof(struct lo_conn),
	.session_free = lo_sess_free,
	.on_pdu = lo_on_pdu,
	.on_end = lo_on_end,
};
