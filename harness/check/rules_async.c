/* rules_async.c — the async family: Asynchronous Message contents against
 * the session, and the initiator's answer to a logout request. Event 0
 * carries sense data, events 2 and 3 carry a connection of the session and
 * Time2Wait/Time2Retain values in range, and after event 1 a Logout that
 * closes the connection or the session follows within Parameter3 seconds
 * (MCS-021; the time bound is judged from capture timestamps, the rest of
 * the rule needs a live run). That an Async Message is numbered is
 * SEQ-009's (seq family), as for every numbered response; ASYNC-005 and
 * ASYNC-006 are the pdu family's. */
#include "harness/check/family.h"

static const struct chk_rule rules[] = {
	{ "ASYNC-002", "MUST", "event 0 carries SenseLength and that many "
	  "bytes of sense data", "no Asynchronous Message event 0", 0 },
	{ "ASYNC-004", "MUST", "event 2 names a connection of the session in "
	  "Parameter1; events 2 and 3 carry Time2Wait and Time2Retain of at "
	  "most 3600 in Parameter2 and Parameter3",
	  "no Asynchronous Message event 2 or 3", 0 },
	{ "MCS-021", "MUST", "after event 1 the initiator sends a Logout "
	  "closing that connection or the session within Parameter3 seconds",
	  "no Asynchronous Message event 1", CHK_RULE_PARTIAL },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define MAX_ASKS 16
#define T2W_MAX 3600u  /* DefaultTime2Wait / DefaultTime2Retain ranges */

struct ask {
	const struct chk_conn *conn; /* the connection asked to log out */
	struct chk_where where;
	int64_t deadline_ns;
	bool timed;                  /* Parameter3 > 0 */
	bool live;
};

struct as_sess {
	struct ask asks[MAX_ASKS];
	size_t n;
};

static void sense_check(struct chk_ctx *c, const struct chk_pdu *p)
{
	size_t len = p->data ? p->data_len : 0;
	unsigned sl = len >= 2 ? (unsigned)p->data[0] << 8 | p->data[1] : 0;
	if (len < 2 || sl == 0)
		chk_fail(c, "ASYNC-002", "iscsi.datasegmentlength",
			 "Asynchronous Message event 0 carries %zu data bytes "
			 "and SenseLength %u: no sense data", len, sl);
	else if (2 + (size_t)sl > len)
		chk_fail(c, "ASYNC-002", "iscsi.datasegmentlength",
			 "Asynchronous Message event 0 has SenseLength %u but "
			 "only %zu bytes follow it", sl, len - 2);
	else
		chk_held(c, "ASYNC-002");
}

static void drop_check(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_session *s = c->sess;
	if (h->async_event == 2 && s->leading_login_seen &&
	    !chk_conn_by_cid(s, h->param1, NULL)) {
		chk_fail(c, "ASYNC-004", "iscsi.parameter1",
			 "Asynchronous Message event 2 names CID %u in "
			 "Parameter1; no live connection of the session has it",
			 h->param1);
		return;
	}
	if (h->param2 > T2W_MAX || h->param3 > T2W_MAX) {
		chk_fail(c, "ASYNC-004", h->param2 > T2W_MAX ?
			 "iscsi.parameter2" : "iscsi.parameter3",
			 "Asynchronous Message event %u has Time2Wait %u and "
			 "Time2Retain %u; each is at most %u", h->async_event,
			 h->param2, h->param3, T2W_MAX);
		return;
	}
	chk_held(c, "ASYNC-004");
}

static void ask_add(struct chk_ctx *c, struct as_sess *q,
		    const struct pdu_hdr *h)
{
	if (q->n == MAX_ASKS) {
		chk_unjudged(c, "MCS-021", "more than %d logout requests: "
			     "later ones are not followed", MAX_ASKS);
		return;
	}
	struct chk_where w = chk_here(c);
	q->asks[q->n++] = (struct ask){ c->conn, w,
		w.ts_ns + (int64_t)h->param3 * 1000000000LL, h->param3 > 0,
		true };
}

/* A Logout Request answers the asks it closes. */
static void logout_sent(struct chk_ctx *c, struct as_sess *q,
			const struct pdu_hdr *h)
{
	for (size_t i = 0; i < q->n; i++) {
		struct ask *a = &q->asks[i];
		if (!a->live)
			continue;
		bool names = h->cid == (uint16_t)a->conn->cid;
		/* a reason above 2 is LOGOUT-001's (pdu family) */
		if ((h->logout_reason != 0 && !names) || h->logout_reason > 2)
			continue;
		a->live = false;
		if (h->logout_reason == 2)
			chk_fail(c, "MCS-021", "iscsi.logout.reason",
				 "Logout reason %u answers the logout request "
				 "of frame %llu; it must close the connection "
				 "(1) or the session (0)", h->logout_reason,
				 (unsigned long long)a->where.frame);
		else
			chk_held(c, "MCS-021");
	}
}

/* Deadlines passed at this event; asks of a closed connection end. */
static void deadlines(struct chk_ctx *c, struct as_sess *q)
{
	int64_t now = c->ev ? c->ev->ts_ns : 0;
	for (size_t i = 0; i < q->n; i++) {
		struct ask *a = &q->asks[i];
		if (!a->live)
			continue;
		if (a->timed && now > a->deadline_ns) {
			a->live = false;
			chk_fail(c, "MCS-021", NULL,
				 "no Logout closing connection %u within the "
				 "%lld seconds the Asynchronous Message of "
				 "frame %llu allowed", a->conn->id,
				 (long long)((a->deadline_ns - a->where.ts_ns) /
					     1000000000LL),
				 (unsigned long long)a->where.frame);
		} else if (a->conn->phase == CHK_PHASE_CLOSED) {
			a->live = false;
			chk_unjudged(c, "MCS-021", "connection %u closed without "
				     "a Logout after the logout request of frame "
				     "%llu", a->conn->id,
				     (unsigned long long)a->where.frame);
		}
	}
}

static void as_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct as_sess *q = chk_sstate(c);
	const struct pdu_hdr *h = &p->h;
	deadlines(c, q);
	if (p->opcode == PDU_OP_LOGOUT_REQ) {
		logout_sent(c, q, h);
		return;
	}
	if (p->opcode != PDU_OP_ASYNC_MSG)
		return;
	switch (h->async_event) {
	case 0:
		sense_check(c, p);
		break;
	case 1:
		ask_add(c, q, h);
		break;
	case 2: case 3:
		drop_check(c, h);
		break;
	default:
		break;
	}
}

static void as_on_conn(struct chk_ctx *c)
{
	struct as_sess *q = chk_sstate(c);
	if (q)
		deadlines(c, q);
}

static void as_on_end(struct chk_ctx *c)
{
	if (c->conn)
		return;
	struct as_sess *q = chk_sstate(c);
	for (size_t i = 0; i < q->n; i++)
		if (q->asks[i].live)
			chk_unjudged(c, "MCS-021", "the capture ends before the "
				     "initiator answered the logout request of "
				     "frame %llu",
				     (unsigned long long)q->asks[i].where.frame);
}

const struct chk_family chk_family_async = {
	.name = "async",
	.summary = "Asynchronous Messages: sense data, dropped-connection "
		   "parameters, the Logout after event 1",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct as_sess),
	.on_pdu = as_on_pdu,
	.on_conn = as_on_conn,
	.on_end = as_on_end,
};
