/* rules_tmf.c — the tmf family: task management across PDUs as a capture
 * shows it. The TMF Response answers an outstanding TMF Request, ABORT
 * TASK names the referenced task's CmdSN, and no response for a task
 * follows the TMF Response that ended it. That the response goes on the
 * request's connection is MCS-011's (mcs family) and that it is numbered
 * SEQ-009's (seq family); the single-PDU TMF rules (TMF-001..003) are the
 * pdu family's. */
#include "harness/check/family.h"

static const struct chk_rule rules[] = {
	{ "TMF-004", "MUST", "ABORT TASK carries RefCmdSN = the referenced "
	  "task's CmdSN, or its own CmdSN when that task was immediate",
	  "no ABORT TASK of a task whose command is in the capture", 0 },
	{ "TMF-006", "MUST", "the TMF Response carries the ITT of an "
	  "outstanding TMF Request",
	  "no TMF Response", 0 },
	{ "TMF-010", "MUST", "no R2T, Data-In or SCSI Response for a task "
	  "after the TMF Response that ended it (TASK REASSIGN apart)",
	  "no TMF Response ending a task still open", 0 },
};

#define N_RULES (sizeof rules / sizeof rules[0])

struct tm_ended {
	uint32_t itt;
	uint64_t frame;          /* the TMF Response that ended it */
	bool broken, dropped;    /* dropped: the ITT was used again */
};

#define MAX_ENDED 128

struct tm_sess {
	struct tm_ended ended[MAX_ENDED];
	size_t n;
	bool full_noted;
};

static void abort_task(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_task *t = chk_task_find(c->sess, h->ref_task_tag);
	if (!t || !t->cmd_seen || t->opcode != PDU_OP_SCSI_CMD)
		return;
	uint32_t want = t->immediate ? h->cmdsn : t->cmdsn;
	if (h->ref_cmdsn == want)
		chk_held(c, "TMF-004");
	else
		chk_fail(c, "TMF-004", "iscsi.refcmdsn",
			 "ABORT TASK ITT 0x%08x has RefCmdSN %u; the task ITT "
			 "0x%08x (frame %llu) %s %u", h->itt, h->ref_cmdsn,
			 t->itt, (unsigned long long)t->frame,
			 t->immediate ? "was immediate, so RefCmdSN is the "
			 "TMF's own CmdSN" : "has CmdSN", want);
}

static void ended_add(struct chk_ctx *c, struct tm_sess *q, uint32_t itt)
{
	if (q->n < MAX_ENDED) {
		q->ended[q->n++] = (struct tm_ended){ itt, chk_here(c).frame,
						      false, false };
	} else if (!q->full_noted) {
		q->full_noted = true;
		chk_unjudged(c, "TMF-010", "more than %d tasks ended by task "
			     "management: later ones are not followed",
			     MAX_ENDED);
	}
}

/* Whether the function t asked for ends task o (what the tracker ends). */
static bool covers(const struct chk_task *t, const struct chk_task *o)
{
	if (o->state != CHK_TASK_OPEN || o->opcode != PDU_OP_SCSI_CMD)
		return false;
	switch (t->tmf_function) {
	case 1:
		return o->itt == t->ref_itt;
	case 2: case 4: case 5:
		return o->lun == t->lun;
	case 6: case 7:
		return true;
	default:
		return false;
	}
}

static void tmf_response(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_session *s = c->sess;
	const struct chk_task *t = chk_task_find(s, h->itt);
	if (!t || t->opcode != PDU_OP_TMF_REQ || !t->cmd_seen ||
	    t->state != CHK_TASK_OPEN) {
		if (chk_session_gap(s, EV_DIR_I2T) ||
		    c->conn->start_missing[EV_DIR_I2T] || !c->conn->login_seen)
			chk_unjudged(c, "TMF-006", "the TMF Request of ITT "
				     "0x%08x may be missing from the capture",
				     h->itt);
		else
			chk_fail(c, "TMF-006", "iscsi.initiatortasktag",
				 "TMF Response has ITT 0x%08x, which no "
				 "outstanding TMF Request carries", h->itt);
		return;
	}
	chk_held(c, "TMF-006");
	if (h->response != 0)
		return;
	struct tm_sess *q = chk_sstate(c);
	for (const struct chk_task *o = s->oldest_task; o; o = o->newer)
		if (covers(t, o))
			ended_add(c, q, o->itt);
}

static struct tm_ended *ended_find(struct tm_sess *q, uint32_t itt)
{
	for (size_t i = q->n; i-- > 0;)
		if (q->ended[i].itt == itt && !q->ended[i].dropped)
			return &q->ended[i];
	return NULL;
}

static void tm_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct tm_sess *q = chk_sstate(c);
	const struct pdu_hdr *h = &p->h;
	struct tm_ended *e;
	char op[24];
	switch (p->opcode) {
	case PDU_OP_TMF_REQ:
		if (h->tmf_function == 1)
			abort_task(c, h);
		break;
	case PDU_OP_SCSI_CMD:
		/* the ITT is free again: a new task */
		if ((e = ended_find(q, h->itt)) != NULL)
			e->dropped = true;
		break;
	case PDU_OP_TMF_RSP:
		tmf_response(c, h);
		break;
	case PDU_OP_SCSI_RSP: case PDU_OP_DATA_IN: case PDU_OP_R2T:
		e = ended_find(q, h->itt);
		if (!e || e->broken)
			break;
		e->broken = true;
		chk_fail(c, "TMF-010", "iscsi.initiatortasktag",
			 "%s for ITT 0x%08x after the TMF Response of frame "
			 "%llu ended that task", pdu_opcode_name(p->opcode, op),
			 h->itt, (unsigned long long)e->frame);
		break;
	default:
		break;
	}
}

static void tm_on_end(struct chk_ctx *c)
{
	if (c->conn)
		return;
	struct tm_sess *q = chk_sstate(c);
	for (size_t i = 0; i < q->n; i++)
		if (!q->ended[i].broken)
			chk_held(c, "TMF-010");
}

const struct chk_family chk_family_tmf = {
	.name = "tmf",
	.summary = "task management: response ITT and connection, RefCmdSN, "
		   "nothing for a task after its TMF Response",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct tm_sess),
	.on_pdu = tm_on_pdu,
	.on_end = tm_on_end,
};
