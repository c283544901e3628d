/* rules_reject.c — the reject family: the Reject PDU against what came
 * before and after it. Its ExpCmdSN is current (not behind what the target
 * already gave on that connection; with several connections that is
 * MCS-006's, session-wide; its StatSN is SEQ-009's like every
 * numbered response's, a MaxCmdSN below ExpCmdSN - 1 SEQ-005's; a smaller
 * MaxCmdSN than before is a shrinking window, which initiators ignore), its DataSN/R2TSN field is filled only for a
 * Data/R2T SNACK rejected with reason 0x04 (then with the task's next
 * DataSN/R2TSN), and a command whose PDU was rejected gets no response
 * unless the initiator sends it again. REJECT-001 is the pdu family's. */
#include "harness/check/family.h"
#include "pdu/serial.h"

static const struct chk_rule rules[] = {
	{ "REJECT-002", "MUST", "a Reject carries the current ExpCmdSN (not "
	  "behind what the target sent before on its connection)", "no Reject after a target PDU with ExpCmdSN", 0 },
	{ "REJECT-003", "MUST", "DataSN/R2TSN is set only when a Data/R2T "
	  "SNACK is rejected with reason 0x04, and then holds the task's next "
	  "DataSN/R2TSN", "no Reject carrying the rejected header", 0 },
	{ "REJECT-006", "SHOULD", "no response for a command whose own PDU was "
	  "rejected (unless the initiator sends it again)",
	  "no Reject of a command PDU", 0 },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define MAX_REJECTED 64

struct rejected {
	uint32_t itt;
	uint64_t frame;
	bool live, broken;
};

struct rj_conn {
	bool win_known;
	uint32_t expcmdsn;
	uint64_t win_frame;
};

struct rj_sess {
	struct rejected cmds[MAX_REJECTED];
	size_t n;
};

static bool is_command(uint8_t op)
{
	return op == PDU_OP_SCSI_CMD || op == PDU_OP_TMF_REQ ||
	       op == PDU_OP_TEXT_REQ || op == PDU_OP_NOP_OUT ||
	       op == PDU_OP_LOGOUT_REQ;
}

static bool is_response(uint8_t op)
{
	switch (op) {
	case PDU_OP_SCSI_RSP: case PDU_OP_DATA_IN: case PDU_OP_R2T:
	case PDU_OP_TMF_RSP: case PDU_OP_TEXT_RSP: case PDU_OP_NOP_IN:
	case PDU_OP_LOGOUT_RSP:
		return true;
	default:
		return false;
	}
}

static struct rejected *rejected_find(struct rj_sess *q, uint32_t itt)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->cmds[i].live && q->cmds[i].itt == itt)
			return &q->cmds[i];
	return NULL;
}

static void window_check(struct chk_ctx *c, const struct rj_conn *w,
			 const struct pdu_hdr *h)
{
	/* with two connections or more, MCS-006 (mcs family) judges it */
	if (!w->win_known || chk_live_conns(c->sess) > 1)
		return;
	if (serial_lt(h->expcmdsn, w->expcmdsn))
		chk_fail(c, "REJECT-002", "iscsi.expcmdsn",
			 "Reject has ExpCmdSN %u; the target gave ExpCmdSN %u "
			 "on this connection already (frame %llu)", h->expcmdsn,
			 w->expcmdsn, (unsigned long long)w->win_frame);
	else
		chk_held(c, "REJECT-002");
}

/* The next DataSN/R2TSN the target would send for the task of r. */
static bool next_sn(const struct chk_ctx *c, const struct pdu_hdr *r,
		    uint32_t *sn)
{
	const struct chk_task *t = chk_task_find(c->sess, r->itt);
	if (!t || !t->cmd_seen)
		return false;
	if (t->read)
		*sn = t->in_sn_known ? t->in_sn_next : 0;
	else
		*sn = t->r2t_seen ? t->r2tsn_next : 0;
	return true;
}

static void datasn_check(struct chk_ctx *c, const struct pdu_hdr *h,
			 const struct pdu_hdr *r)
{
	bool filled = h->reject_reason == 0x04 &&
		      r->opcode == PDU_OP_SNACK_REQ &&
		      r->snack_type == PDU_SNACK_DATA_R2T;
	if (!filled) {
		if (h->datasn != 0)
			chk_fail(c, "REJECT-003", "iscsi.datasn",
				 "Reject reason 0x%02x of opcode 0x%02x has "
				 "DataSN/R2TSN %u; it is set only for a Data/R2T "
				 "SNACK rejected with reason 0x04",
				 h->reject_reason, r->opcode, h->datasn);
		else
			chk_held(c, "REJECT-003");
		return;
	}
	uint32_t want;
	if (!next_sn(c, r, &want)) {
		chk_unjudged(c, "REJECT-003", "the task ITT 0x%08x of the "
			     "rejected SNACK is not in the capture", r->itt);
		return;
	}
	if (h->datasn == want)
		chk_held(c, "REJECT-003");
	else
		chk_fail(c, "REJECT-003", "iscsi.datasn",
			 "Reject of the Data/R2T SNACK for ITT 0x%08x has "
			 "DataSN/R2TSN %u; the target's next one is %u", r->itt,
			 h->datasn, want);
}

static void reject(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct rj_sess *q = chk_sstate(c);
	window_check(c, chk_cstate(c), &p->h);
	if (!p->data || p->data_len < PDU_BHS_LEN)
		return;
	struct pdu_hdr r;
	pdu_hdr_decode(p->data, &r);
	datasn_check(c, &p->h, &r);
	if (!is_command(r.opcode) || r.itt == PDU_RESERVED_TAG ||
	    rejected_find(q, r.itt))
		return;
	if (q->n == MAX_REJECTED) {
		chk_unjudged(c, "REJECT-006", "more than %d rejected commands: "
			     "later ones are not followed", MAX_REJECTED);
		return;
	}
	q->cmds[q->n++] = (struct rejected){ r.itt, chk_here(c).frame, true,
					     false };
}

static void rj_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct rj_sess *q = chk_sstate(c);
	struct rj_conn *w = chk_cstate(c);
	const struct pdu_hdr *h = &p->h;
	struct rejected *x;
	char op[24];
	if (p->dir == EV_DIR_I2T) {
		/* sent again: its response is due once more */
		if (is_command(p->opcode) && (x = rejected_find(q, h->itt))) {
			if (!x->broken)
				chk_held(c, "REJECT-006");
			x->live = false;
		}
		return;
	}
	if (p->opcode == PDU_OP_REJECT)
		reject(c, p);
	else if (is_response(p->opcode) && (x = rejected_find(q, h->itt)) &&
		 !x->broken) {
		x->broken = true;
		chk_fail(c, "REJECT-006", "iscsi.initiatortasktag",
			 "%s for ITT 0x%08x, whose command PDU the Reject of "
			 "frame %llu discarded", pdu_opcode_name(p->opcode, op),
			 h->itt, (unsigned long long)x->frame);
	}
	if (chk_has_window(p->opcode) && c->conn->phase != CHK_PHASE_LOGIN &&
	    !serial_lt(h->maxcmdsn, h->expcmdsn - 1)) {
		w->win_known = true;
		w->expcmdsn = h->expcmdsn;
		w->win_frame = chk_here(c).frame;
	}
}

static void rj_on_end(struct chk_ctx *c)
{
	if (c->conn)
		return;
	struct rj_sess *q = chk_sstate(c);
	for (size_t i = 0; i < q->n; i++)
		if (q->cmds[i].live && !q->cmds[i].broken)
			chk_held(c, "REJECT-006");
}

const struct chk_family chk_family_reject = {
	.name = "reject",
	.summary = "Reject: current window, DataSN/R2TSN field, no response "
		   "for a rejected command",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct rj_sess),
	.conn_size = sizeof(struct rj_conn),
	.on_pdu = rj_on_pdu,
	.on_end = rj_on_end,
};
