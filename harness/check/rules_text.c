/* rules_text.c — the text family: Text Request/Response exchanges in Full
 * Feature Phase as a capture shows them. One Text Request outstanding per
 * connection, one ITT and I bit through a sequence, no final answer to a
 * request that is not final, continuation by the last response's TTT, and
 * the shape of a SendTargets=All answer in a discovery session. The
 * single-PDU Text rules (TEXT-002, -004, -007) are the pdu family's. */
#include <stdlib.h>
#include <string.h>

#include "harness/check/family.h"

static const struct chk_rule rules[] = {
	{ "TEXT-001", "MUST", "at most one Text Request is outstanding on a "
	  "connection", "no Text Request", 0 },
	{ "TEXT-003", "MUST", "the Text Requests of one sequence carry the same "
	  "ITT and the same I bit", "no Text Request continuing a sequence", 0 },
	{ "TEXT-005", "MUST", "a Text Request with F=0 is never answered by a "
	  "Text Response with F=1", "no Text Request with F=0 answered", 0 },
	{ "TEXT-006", "MUST", "a continuing Text Request carries the TTT of the "
	  "last Text Response (the reserved tag starts over)",
	  "no Text Request continuing a sequence", 0 },
	{ "TEXT-009", "MUST", "a SendTargets=All answer in a discovery session "
	  "gives TargetName, then its TargetAddress values as "
	  "address[:port],portal-group-tag",
	  "no SendTargets=All answered in a discovery session",
	  CHK_RULE_PARTIAL },
};

#define N_RULES (sizeof rules / sizeof rules[0])

struct tx_conn {
	bool pending;            /* a Text Request waits for its response */
	uint32_t pending_itt;
	uint64_t pending_frame;
	bool req_final;          /* F of that request */
	bool seq_active;         /* the last response had F=0 (or C=1) */
	uint32_t seq_itt, seq_ttt;
	bool seq_imm;
	uint64_t seq_frame;      /* that response */
	bool st_all;             /* the last request asked SendTargets=All */
	uint32_t st_itt;
	bool st_answer;          /* keys now arriving answer it */
	bool st_name;            /* a TargetName came in this answer */
	bool st_broken;
};

static bool asks_all(const struct chk_pdu *p)
{
	static const char key[] = "SendTargets=All";
	size_t n = sizeof key - 1;
	for (size_t i = 0; p->data && i + n <= p->data_len; i++) {
		if ((i == 0 || p->data[i - 1] == 0) &&
		    memcmp(p->data + i, key, n) == 0 &&
		    (i + n == p->data_len || p->data[i + n] == 0))
			return true;
	}
	return false;
}

/* Did the capture see every Text Response the target sent on cn? */
static bool start_seen(const struct chk_conn *cn)
{
	return cn->login_seen && !cn->start_missing[EV_DIR_T2I] &&
	       chk_stream_ok(cn, EV_DIR_T2I);
}

static void continuing(struct chk_ctx *c, struct tx_conn *q,
		       const struct pdu_hdr *h)
{
	if (!q->seq_active) {
		if (start_seen(c->conn))
			chk_fail(c, "TEXT-006", "iscsi.targettransfertag",
				 "Text Request ITT 0x%08x carries TTT 0x%08x "
				 "but no Text Response is waiting to be "
				 "continued", h->itt, h->ttt);
		return;
	}
	if (h->ttt != q->seq_ttt)
		chk_fail(c, "TEXT-006", "iscsi.targettransfertag",
			 "Text Request ITT 0x%08x carries TTT 0x%08x; the last "
			 "Text Response (frame %llu) gave 0x%08x", h->itt,
			 h->ttt, (unsigned long long)q->seq_frame, q->seq_ttt);
	else
		chk_held(c, "TEXT-006");
	if (h->itt != q->seq_itt)
		chk_fail(c, "TEXT-003", "iscsi.initiatortasktag",
			 "Text Request continues the sequence of ITT 0x%08x "
			 "with ITT 0x%08x", q->seq_itt, h->itt);
	else if (h->immediate != q->seq_imm)
		chk_fail(c, "TEXT-003", "iscsi.I",
			 "Text Request ITT 0x%08x has I=%d; the sequence began "
			 "with I=%d", h->itt, h->immediate, q->seq_imm);
	else
		chk_held(c, "TEXT-003");
}

static void text_request(struct chk_ctx *c, struct tx_conn *q,
			 const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	const struct chk_task *t = q->pending ?
		chk_task_find(c->sess, q->pending_itt) : NULL;
	if (t && t->opcode == PDU_OP_TEXT_REQ && t->state == CHK_TASK_OPEN)
		chk_fail(c, "TEXT-001", "iscsi.initiatortasktag",
			 "Text Request ITT 0x%08x while the Text Request ITT "
			 "0x%08x of frame %llu has no response yet", h->itt,
			 q->pending_itt, (unsigned long long)q->pending_frame);
	else
		chk_held(c, "TEXT-001");
	if (h->ttt != PDU_RESERVED_TAG) {
		continuing(c, q, h);
	} else {
		q->seq_itt = h->itt;
		q->seq_imm = h->immediate;
	}
	q->pending = true;
	q->pending_itt = h->itt;
	q->pending_frame = chk_here(c).frame;
	q->req_final = h->final;
	if (asks_all(p)) {
		q->st_all = true;
		q->st_itt = h->itt;
		q->st_name = false;
	}
}

static void text_response(struct chk_ctx *c, struct tx_conn *q,
			  const struct pdu_hdr *h)
{
	if (q->pending && h->itt == q->pending_itt) {
		if (!q->req_final && h->final)
			chk_fail(c, "TEXT-005", "iscsi.text.F",
				 "Text Response ITT 0x%08x has F=1; the request "
				 "(frame %llu) had F=0", h->itt,
				 (unsigned long long)q->pending_frame);
		else if (!q->req_final)
			chk_held(c, "TEXT-005");
		q->pending = false;
	}
	q->st_answer = q->st_all && h->itt == q->st_itt &&
		       c->sess->type == CHK_TYPE_DISCOVERY;
	if (h->final && !h->cont) {
		q->seq_active = false;
	} else {
		q->seq_active = true;
		q->seq_ttt = h->ttt;
		q->seq_frame = chk_here(c).frame;
	}
}

static void tx_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct tx_conn *q = chk_cstate(c);
	if (c->conn->phase == CHK_PHASE_LOGIN)
		return;
	if (p->opcode == PDU_OP_TEXT_REQ)
		text_request(c, q, p);
	else if (p->opcode == PDU_OP_TEXT_RSP)
		text_response(c, q, &p->h);
}

/* address[:port],tag with a tag of 1 to 5 digits up to 65535. */
static bool address_ok(const char *v)
{
	const char *comma = strrchr(v, ',');
	if (!comma || comma == v || !comma[1] || strlen(comma + 1) > 5)
		return false;
	for (const char *d = comma + 1; *d; d++)
		if (*d < '0' || *d > '9')
			return false;
	return strtoul(comma + 1, NULL, 10) <= 65535;
}

static void tx_on_key(struct chk_ctx *c, const struct chk_key *k)
{
	if (!c->conn || k->login || k->dir != EV_DIR_T2I || k->error)
		return;
	struct tx_conn *q = chk_cstate(c);
	if (!q->st_answer || q->st_broken)
		return;
	if (strcmp(k->key, "TargetName") == 0) {
		q->st_name = true;
		return;
	}
	if (strcmp(k->key, "TargetAddress") != 0)
		return;
	const char *v = k->value ? k->value : "";
	if (!q->st_name) {
		q->st_broken = true;
		chk_fail(c, "TEXT-009", NULL,
			 "SendTargets answer gives TargetAddress=%s before any "
			 "TargetName", v);
	} else if (!address_ok(v)) {
		q->st_broken = true;
		chk_fail(c, "TEXT-009", NULL,
			 "SendTargets answer gives TargetAddress=%s; expected "
			 "address[:port],portal-group-tag", v);
	} else {
		chk_held(c, "TEXT-009");
	}
}

static void tx_on_nego(struct chk_ctx *c, const struct chk_nego *n)
{
	if (n->kind != CHK_NEGO_TEXT_END || !c->conn)
		return;
	struct tx_conn *q = chk_cstate(c);
	if (q->st_answer) {
		q->st_all = false;
		q->st_answer = false;
		q->st_broken = false;
	}
}

const struct chk_family chk_family_text = {
	.name = "text",
	.summary = "Text exchanges: one outstanding request, sequences, "
		   "continuation TTT, SendTargets answers",
	.rules = rules,
	.n_rules = N_RULES,
	.conn_size = sizeof(struct tx_conn),
	.on_pdu = tx_on_pdu,
	.on_key = tx_on_key,
	.on_nego = tx_on_nego,
};
