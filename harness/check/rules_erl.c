/* rules_erl.c — the erl family: error recovery across PDUs as a capture
 * shows it, with the session's ErrorRecoveryLevel from its login.
 *
 * Within a connection: a Data-In or R2T sent again after a Data/R2T SNACK
 * is the original but for ExpCmdSN/MaxCmdSN (and StatSN in an R2T); a
 * DataACK copies the TTT and LUN of the Data-In that asked for it and
 * acknowledges from there; a SCSI Response carries the SNACK Tag of the
 * task's last accepted R-Data SNACK (0 without one).
 *
 * Connection recovery: TASK REASSIGN goes on another connection than the
 * task's, only once that connection was logged out for recovery (Logout
 * reason 2, response 0) or reinstated, never after a Logout Response that
 * gave Time2Retain 0, and the new connection carries nothing for the task
 * before the TMF Response. A resent numbered response is SEQ-009's (seq
 * family); TASK REASSIGN below ErrorRecoveryLevel 2 is ERL2-001 (pdu). */
#include <string.h>

#include "harness/check/family.h"

static const struct chk_rule rules[] = {
	{ "ERL1-011", "MUST", "a Data-In or R2T sent again after a Data/R2T "
	  "SNACK is byte-identical but for ExpCmdSN, MaxCmdSN (and StatSN in "
	  "an R2T)", "no Data-In or R2T sent again after a Data/R2T SNACK", 0 },
	{ "ERL1-015", "MUST", "a DataACK copies the TTT and LUN of the Data-In "
	  "with A=1, has BegRun = the next expected DataSN and RunLength 0",
	  "no DataACK for a Data-In with A=1", 0 },
	{ "ERL1-020", "MUST", "a SCSI Response carries the SNACK Tag of the "
	  "task's last R-Data SNACK on that connection, else 0",
	  "no SCSI Response of a task whose command is in the capture", 0 },
	{ "ERL2-002", "MUST", "TASK REASSIGN only after the task's connection "
	  "was logged out for recovery (reason 2) or reinstated",
	  "no TASK REASSIGN of a task whose command is in the capture",
	  CHK_RULE_SESSION },
	{ "ERL2-005", "MUST", "TASK REASSIGN goes on the connection taking the "
	  "task, not on the task's own", "no TASK REASSIGN of a task whose "
	  "command is in the capture", CHK_RULE_SESSION },
	{ "ERL2-006", "MUST", "no R2T, Data-In or SCSI Response for a "
	  "reassigned task on the new connection before the TMF Response",
	  "no TASK REASSIGN answered in the capture", 0 },
	{ "ERL2-016", "MUST", "no TASK REASSIGN of a task whose connection's "
	  "Logout Response gave Time2Retain 0",
	  "no TASK REASSIGN after a recovery logout", CHK_RULE_SESSION },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define RING 64
#define MAX_ACKS 16
#define MAX_RDATA 32
#define MAX_REASSIGN 16
#define TASK_REASSIGN 8

/* A Data-In or R2T as first sent. */
struct sent {
	uint8_t opcode;
	uint32_t itt, sn;
	uint8_t bhs[PDU_BHS_LEN];
	size_t dlen;
	uint32_t dcrc;
	uint64_t frame;
	bool used;
};

/* A Data-In with A=1. */
struct ack_ask {
	uint32_t itt, ttt, datasn;
	uint64_t lun, frame;
};

struct er_conn {
	struct sent ring[RING];
	size_t pos;
	struct ack_ask acks[MAX_ACKS];
	size_t n_acks;
	bool recovered;          /* Logout reason 2 answered 0 */
	uint16_t time2retain;    /* that response's */
	uint64_t logout_frame;
	bool dropped;            /* an Async event 2/3 dropped it */
};

struct rdata {
	uint32_t itt, tag;
	const struct chk_conn *conn;
};

struct reassign {
	uint32_t tmf_itt, ref;
	const struct chk_conn *conn;  /* the new connection */
	uint64_t frame;
	bool live, broken;
};

struct er_sess {
	struct rdata rd[MAX_RDATA];
	size_t n_rd;
	struct reassign ra[MAX_REASSIGN];
	size_t n_ra;
};

/* The session's ErrorRecoveryLevel, or -1. */
static int erl(const struct chk_ctx *c)
{
	const struct chk_session *s = c->sess;
	return s->params_known ? s->params.error_recovery_level : -1;
}

/* The newest connection of the session with this CID (live or not). */
static struct chk_conn *conn_of_cid(const struct chk_session *s, int cid)
{
	for (size_t i = s->n_conns; i-- > 0;)
		if (s->conns[i]->cid == cid)
			return s->conns[i];
	return NULL;
}

static struct rdata *rdata_find(struct er_sess *q, uint32_t itt)
{
	for (size_t i = 0; i < q->n_rd; i++)
		if (q->rd[i].itt == itt)
			return &q->rd[i];
	return NULL;
}

/* ---- ERL 1 ------------------------------------------------------------------ */

static struct sent *sent_find(struct er_conn *q, uint8_t op, uint32_t itt,
			      uint32_t sn)
{
	for (size_t i = 0; i < RING; i++)
		if (q->ring[i].used && q->ring[i].opcode == op &&
		    q->ring[i].itt == itt && q->ring[i].sn == sn)
			return &q->ring[i];
	return NULL;
}

static bool same_bytes(const struct sent *o, const struct chk_pdu *p)
{
	const uint8_t *b = p->bytes;
	/* StatSN (24-27) of an R2T, ExpCmdSN and MaxCmdSN (28-35) are
	 * current values in a resent PDU */
	size_t keep = p->opcode == PDU_OP_R2T ? 24 : 28;
	return memcmp(o->bhs, b, keep) == 0 &&
	       memcmp(o->bhs + 36, b + 36, PDU_BHS_LEN - 36) == 0 &&
	       o->dlen == p->data_len &&
	       o->dcrc == pdu_crc32c(p->data, p->data_len);
}

static void resend_check(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct er_conn *q = chk_cstate(c);
	struct er_sess *ss = chk_sstate(c);
	const struct pdu_hdr *h = &p->h;
	uint32_t sn = p->opcode == PDU_OP_R2T ? h->r2tsn : h->datasn;
	const struct sent *o = sent_find(q, p->opcode, h->itt, sn);
	if (!o) {
		struct sent *n = &q->ring[q->pos];
		q->pos = (q->pos + 1) % RING;
		n->opcode = p->opcode;
		n->itt = h->itt;
		n->sn = sn;
		memcpy(n->bhs, p->bytes, PDU_BHS_LEN);
		n->dlen = p->data_len;
		n->dcrc = pdu_crc32c(p->data, p->data_len);
		n->frame = chk_here(c).frame;
		n->used = true;
		return;
	}
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	/* a repeat without a SNACK is SEQ-012/SEQ-014's; after an R-Data
	 * SNACK or a reassignment the data may be cut anew */
	if (!t || !t->snack_seen || t->reassigned || rdata_find(ss, h->itt) ||
	    p->data_len != (size_t)h->data_segment_len)
		return;
	char op[24];
	if (same_bytes(o, p))
		chk_held(c, "ERL1-011");
	else
		chk_fail(c, "ERL1-011", "iscsi.opcode",
			 "%s ITT 0x%08x %s %u sent again differs from the one of "
			 "frame %llu in more than ExpCmdSN/MaxCmdSN%s",
			 pdu_opcode_name(p->opcode, op), h->itt,
			 p->opcode == PDU_OP_R2T ? "R2TSN" : "DataSN", sn,
			 (unsigned long long)o->frame,
			 p->opcode == PDU_OP_R2T ? "/StatSN" : "");
}

static void ack_asked(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct er_conn *q = chk_cstate(c);
	struct ack_ask a = { h->itt, h->ttt, h->datasn, h->lun,
			     chk_here(c).frame };
	if (q->n_acks == MAX_ACKS) {
		memmove(q->acks, q->acks + 1, (MAX_ACKS - 1) * sizeof a);
		q->n_acks--;
	}
	q->acks[q->n_acks++] = a;
}

static void data_ack(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct er_conn *q = chk_cstate(c);
	const struct ack_ask *a = NULL;
	for (size_t i = q->n_acks; i-- > 0 && !a;)
		if (q->acks[i].ttt == h->ttt)
			a = &q->acks[i];
	if (!a) {
		chk_unjudged(c, "ERL1-015", "DataACK with TTT 0x%08x: no Data-In "
			     "with A=1 carried it in the capture", h->ttt);
		return;
	}
	const struct chk_task *t = chk_task_find(c->sess, a->itt);
	uint32_t hi = t && t->in_sn_known ? t->in_sn_next : a->datasn + 1;
	if (h->lun != a->lun)
		chk_fail(c, "ERL1-015", "iscsi.lun",
			 "DataACK TTT 0x%08x has LUN 0x%016llx; the Data-In with "
			 "A=1 (frame %llu) had 0x%016llx", h->ttt,
			 (unsigned long long)h->lun, (unsigned long long)a->frame,
			 (unsigned long long)a->lun);
	else if (h->runlength != 0)
		chk_fail(c, "ERL1-015", "iscsi.snack.runlength",
			 "DataACK TTT 0x%08x has RunLength %u; must be 0",
			 h->ttt, h->runlength);
	else if (h->begrun < a->datasn + 1 || h->begrun > hi)
		chk_fail(c, "ERL1-015", "iscsi.snack.begrun",
			 "DataACK TTT 0x%08x has BegRun %u; the Data-In with A=1 "
			 "(frame %llu) had DataSN %u, so the next expected is "
			 "%u%s", h->ttt, h->begrun, (unsigned long long)a->frame,
			 a->datasn, a->datasn + 1,
			 hi > a->datasn + 1 ? " or a later one received" : "");
	else
		chk_held(c, "ERL1-015");
}

static void snack_tag(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct er_sess *q = chk_sstate(c);
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	if (!t || !t->cmd_seen || t->reassigned ||
	    !chk_stream_ok(c->conn, EV_DIR_I2T))
		return;
	const struct rdata *r = rdata_find(q, h->itt);
	uint32_t want = r && r->conn == c->conn ? r->tag : 0;
	if (h->snack_tag == want)
		chk_held(c, "ERL1-020");
	else
		chk_fail(c, "ERL1-020", "iscsi.snacktag",
			 "SCSI Response ITT 0x%08x has SNACK Tag 0x%08x; %s "
			 "0x%08x", h->itt, h->snack_tag, want ?
			 "the task's last R-Data SNACK had" : "no R-Data SNACK "
			 "for the task on this connection, so", want);
}

static void rdata_snack(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct er_sess *q = chk_sstate(c);
	struct rdata *r = rdata_find(q, h->itt);
	if (!r && q->n_rd < MAX_RDATA)
		r = &q->rd[q->n_rd++];
	if (r)
		*r = (struct rdata){ h->itt, h->ttt, c->conn };
}

/* A Reject of an R-Data SNACK: that SNACK was not accepted. */
static void rejected(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct er_sess *q = chk_sstate(c);
	if (!p->data || p->data_len < PDU_BHS_LEN)
		return;
	struct pdu_hdr r;
	pdu_hdr_decode(p->data, &r);
	struct rdata *x = rdata_find(q, r.itt);
	if (x && r.opcode == PDU_OP_SNACK_REQ &&
	    r.snack_type == PDU_SNACK_RDATA && x->tag == r.ttt)
		*x = q->rd[--q->n_rd];
}

/* ---- ERL 2 ------------------------------------------------------------------ */

static void reassign(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct er_sess *q = chk_sstate(c);
	if (erl(c) >= 0 && erl(c) < 2)
		return;  /* ERL2-001 (pdu family) */
	const struct chk_task *t = chk_task_find(c->sess, h->ref_task_tag);
	if (q->n_ra < MAX_REASSIGN)
		q->ra[q->n_ra++] = (struct reassign){ h->itt, h->ref_task_tag,
			c->conn, chk_here(c).frame, true, false };
	if (!t || !t->cmd_seen)
		return;
	const struct chk_conn *old = t->conn;
	if (old == c->conn) {
		chk_fail(c, "ERL2-005", "iscsi.taskmanfun.referencedtasktag",
			 "TASK REASSIGN of ITT 0x%08x on connection %u, which "
			 "already holds the task", t->itt, old->id);
		return;
	}
	chk_held(c, "ERL2-005");
	const struct er_conn *oq = chk_cstate_of(c, old);
	if (oq && oq->recovered) {
		chk_held(c, "ERL2-002");
		if (oq->time2retain == 0)
			chk_fail(c, "ERL2-016", "iscsi.taskmanfun.function",
				 "TASK REASSIGN of ITT 0x%08x after the Logout "
				 "Response of frame %llu gave Time2Retain 0",
				 t->itt, (unsigned long long)oq->logout_frame);
		else
			chk_held(c, "ERL2-016");
	} else if (old->replaced_by) {
		chk_held(c, "ERL2-002");
	} else if ((oq && oq->dropped) ||
		   chk_session_gap(c->sess, EV_DIR_I2T)) {
		chk_unjudged(c, "ERL2-002", "connection %u of task ITT 0x%08x "
			     "was dropped by the target or a Logout may be "
			     "missing from the capture", old->id, t->itt);
	} else {
		chk_fail(c, "ERL2-002", "iscsi.taskmanfun.function",
			 "TASK REASSIGN of ITT 0x%08x: its connection %u was "
			 "neither logged out for recovery (reason 2) nor "
			 "reinstated", t->itt, old->id);
	}
}

static void reassign_answered(struct chk_ctx *c, const struct pdu_hdr *h)
{
	struct er_sess *q = chk_sstate(c);
	for (size_t i = 0; i < q->n_ra; i++) {
		struct reassign *r = &q->ra[i];
		if (!r->live || r->tmf_itt != h->itt)
			continue;
		r->live = false;
		if (!r->broken)
			chk_held(c, "ERL2-006");
	}
}

static void early_for_reassigned(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct er_sess *q = chk_sstate(c);
	char op[24];
	for (size_t i = 0; i < q->n_ra; i++) {
		struct reassign *r = &q->ra[i];
		if (!r->live || r->broken || r->ref != p->h.itt ||
		    r->conn != c->conn)
			continue;
		r->broken = true;
		chk_fail(c, "ERL2-006", "iscsi.initiatortasktag",
			 "%s for ITT 0x%08x on connection %u before the TMF "
			 "Response to its TASK REASSIGN (frame %llu)",
			 pdu_opcode_name(p->opcode, op), p->h.itt, c->conn->id,
			 (unsigned long long)r->frame);
	}
}

static void logout_answered(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	if (!t || t->opcode != PDU_OP_LOGOUT_REQ || t->logout_reason != 2 ||
	    h->response != 0)
		return;
	struct chk_conn *x = conn_of_cid(c->sess, t->logout_cid);
	struct er_conn *q = x ? chk_cstate_of(c, x) : NULL;
	if (!q)
		return;
	q->recovered = true;
	q->time2retain = h->time2retain;
	q->logout_frame = chk_here(c).frame;
}

static void async_drop(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_session *s = c->sess;
	for (size_t i = 0; i < s->n_conns; i++) {
		if (h->async_event == 2 && s->conns[i]->cid != h->param1)
			continue;
		struct er_conn *q = chk_cstate_of(c, s->conns[i]);
		if (q)
			q->dropped = true;
	}
}

/* ---- dispatch ----------------------------------------------------------------- */

static void initiator_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	if (p->opcode == PDU_OP_SNACK_REQ && h->snack_type == PDU_SNACK_DATA_ACK)
		data_ack(c, h);
	else if (p->opcode == PDU_OP_SNACK_REQ &&
		 h->snack_type == PDU_SNACK_RDATA)
		rdata_snack(c, h);
	else if (p->opcode == PDU_OP_TMF_REQ &&
		 h->tmf_function == TASK_REASSIGN)
		reassign(c, h);
}

static void target_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	switch (p->opcode) {
	case PDU_OP_R2T:
		early_for_reassigned(c, p);
		resend_check(c, p);
		break;
	case PDU_OP_DATA_IN:
		early_for_reassigned(c, p);
		resend_check(c, p);
		if (h->ack && h->ttt != PDU_RESERVED_TAG)
			ack_asked(c, h);
		break;
	case PDU_OP_SCSI_RSP:
		early_for_reassigned(c, p);
		snack_tag(c, h);
		break;
	case PDU_OP_TMF_RSP:
		reassign_answered(c, h);
		break;
	case PDU_OP_LOGOUT_RSP:
		logout_answered(c, h);
		break;
	case PDU_OP_REJECT:
		rejected(c, p);
		break;
	case PDU_OP_ASYNC_MSG:
		if (h->async_event == 2 || h->async_event == 3)
			async_drop(c, h);
		break;
	default:
		break;
	}
}

static void er_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	if (c->conn->phase == CHK_PHASE_LOGIN)
		return;
	if (p->dir == EV_DIR_I2T)
		initiator_pdu(c, p);
	else
		target_pdu(c, p);
}

const struct chk_family chk_family_erl = {
	.name = "erl",
	.summary = "error recovery: resent PDUs, DataACK, SNACK Tag, TASK "
		   "REASSIGN",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct er_sess),
	.conn_size = sizeof(struct er_conn),
	.on_pdu = er_on_pdu,
};
