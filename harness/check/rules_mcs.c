/* rules_mcs.c — the mcs family: several connections in one session as a
 * capture shows them. Joining (TSIH echoed), distinct CIDs and connection
 * reinstatement, one CmdSN counter for the session, ExpCmdSN reflecting
 * every connection, a StatSN sequence per connection, task allegiance
 * (responses, data and SNACKs on the command's connection), ITT
 * uniqueness across connections, Logout naming another CID, and what
 * Async events 1, 2 and 3 say about which connection goes.
 *
 * MCS-016 and MCS-022 are partly live rules: a capture shows whether the
 * replaced (or dropped) connection stays silent, not why. MCS-016 is never
 * PASS here. */
#include <stdio.h>
#include <string.h>

#include "harness/check/family.h"
#include "pdu/serial.h"

static const struct chk_rule rules[] = {
	{ "MCS-001", "MUST", "a login with the session's ISID and TSIH and a "
	  "new CID is accepted with that TSIH echoed",
	  "no connection added to a session", 0 },
	{ "MCS-003", "MUST", "a session's live connections have distinct CIDs; "
	  "a reused CID reinstates (the old connection is no longer used)",
	  "no connection added to a session", 0 },
	{ "MCS-005", "MUST", "CmdSN is one counter per session: no CmdSN taken "
	  "twice across connections", "no session with commands on two or "
	  "more connections", CHK_RULE_SESSION },
	{ "MCS-006", "MUST", "ExpCmdSN on any connection reflects commands "
	  "received on all connections", "no target PDU while the session had "
	  "two or more connections", CHK_RULE_SESSION },
	{ "MCS-008", "MUST", "each connection has its own StatSN sequence, "
	  "unaffected by other connections",
	  "no numbered response after traffic on another connection", 0 },
	{ "MCS-009", "MUST", "R2T, Data-In and SCSI Response of a task go on "
	  "the connection of its command (until reassigned)",
	  "no R2T, Data-In or SCSI Response of a command in the capture",
	  CHK_RULE_SESSION },
	{ "MCS-010", "MUST", "Data-Out and SNACK of a task go on its allegiant "
	  "connection", "no Data-Out or task SNACK of a command in the "
	  "capture", CHK_RULE_SESSION },
	{ "MCS-011", "MUST", "the answer to a NOP-Out, Text, TMF or Logout "
	  "Request goes on the request's connection",
	  "no answered NOP-Out, Text, TMF or Logout Request", CHK_RULE_SESSION },
	{ "MCS-012", "MUST", "an ITT in use by an outstanding task is not used "
	  "for another task on any connection", "no new task", 0 },
	{ "MCS-015", "MAY", "a Logout with reason 1 or 2 names its CID; on "
	  "another connection only when that CID's TCP connection is gone",
	  "no Logout with reason 1 or 2", CHK_RULE_SESSION },
	{ "MCS-016", "MUST", "a login with the CID of a live connection "
	  "replaces it: the target sends nothing more on the old one",
	  "no connection reinstatement", CHK_RULE_PARTIAL },
	{ "MCS-020", "MUST", "Async event 1 is sent on the connection it asks "
	  "to log out", "no Async event 1", CHK_RULE_SESSION },
	{ "MCS-022", "MUST", "after Async event 2 only the named connection is "
	  "dropped; event 3 drops them all", "no Async event 2 or 3",
	  CHK_RULE_SESSION },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define RING 256
#define LOW_BUCKETS 1024  /* > RING: a fresh CmdSN's bucket is empty */
#define MAX_EVENTS 8

struct used {
	uint32_t cmdsn, itt;
	uint32_t conn;
	bool valid;
};

struct async_ev {
	uint8_t event;
	int cid;                 /* event 2: Parameter1 */
	struct chk_conn *conn;   /* where it was sent */
	struct chk_where where;
	bool resolved;
	bool broken;
	bool named_dropped;      /* event 2: the named connection closed */
	bool served_after;       /* event 2: another connection carried on */
};

struct mc_sess {
	struct used used[RING];
	size_t used_pos;
	/* how many of used[] have each value of CmdSN % LOW_BUCKETS: most
	 * commands take a CmdSN never used, found so without a scan */
	uint16_t used_by_low[LOW_BUCKETS];
	bool max_sent_known;
	uint32_t max_sent;       /* highest non-immediate CmdSN sent */
	bool floor_known;
	uint32_t floor;          /* highest non-immediate CmdSN answered */
	struct async_ev evts[MAX_EVENTS];
	size_t n_evts;
};

struct mc_conn {
	bool floor_valid;
	uint32_t floor_at_prev;  /* the floor at its previous target PDU */
	bool reused_noted, replaced_noted;
	bool join;               /* logged in with a non-zero TSIH */
	bool join_judged;
	bool named;              /* a Logout on another connection names it */
	bool named_judged;
	struct chk_where named_where;
	uint32_t named_from;
};

static const char *opname(uint8_t op, char buf[24])
{
	return pdu_opcode_name(op, buf);
}

/* ---- numbering across connections --------------------------------------- */

static const struct used *used_find(const struct mc_sess *m, uint32_t cmdsn)
{
	if (!m->used_by_low[cmdsn % LOW_BUCKETS])
		return NULL;
	for (size_t i = 0; i < RING; i++)
		if (m->used[i].valid && m->used[i].cmdsn == cmdsn)
			return &m->used[i];
	return NULL;
}

static void command(struct chk_ctx *c, struct mc_sess *m,
		    const struct pdu_hdr *h)
{
	char op[24];
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	if (h->opcode == PDU_OP_SCSI_CMD && t && t->cmd_seen &&
	    t->opcode == PDU_OP_SCSI_CMD && t->cmdsn == h->cmdsn)
		return; /* a retry, on this or another connection */
	const struct used *u = used_find(m, h->cmdsn);
	if (u && u->conn != c->conn->id)
		chk_fail(c, "MCS-005", "iscsi.cmdsn",
			 "%s ITT 0x%08x on connection %u takes CmdSN %u, already "
			 "taken by ITT 0x%08x on connection %u",
			 opname(h->opcode, op), h->itt, c->conn->id, h->cmdsn,
			 u->itt, u->conn);
	else if (chk_live_conns(c->sess) >= 2)
		chk_held(c, "MCS-005");
	struct used *slot = &m->used[m->used_pos];
	if (slot->valid)
		m->used_by_low[slot->cmdsn % LOW_BUCKETS]--;
	*slot = (struct used){ h->cmdsn, h->itt, c->conn->id, true };
	m->used_by_low[h->cmdsn % LOW_BUCKETS]++;
	m->used_pos = (m->used_pos + 1) % RING;
	if (!m->max_sent_known || serial_gt(h->cmdsn, m->max_sent)) {
		m->max_sent = h->cmdsn;
		m->max_sent_known = true;
	}
}

static void window(struct chk_ctx *c, struct mc_sess *m, struct mc_conn *mc,
		   const struct chk_pdu *p)
{
	const struct pdu_hdr *h = &p->h;
	char op[24];
	if (!chk_has_window(p->opcode) || p->opcode == PDU_OP_LOGIN_RSP ||
	    serial_lt(h->maxcmdsn, h->expcmdsn - 1))
		return;
	if (chk_live_conns(c->sess) >= 2) {
		if (m->max_sent_known && !chk_session_gap(c->sess, EV_DIR_I2T) &&
		    serial_gt(h->expcmdsn, m->max_sent + 1))
			chk_fail(c, "MCS-006", "iscsi.expcmdsn",
				 "%s ITT 0x%08x on connection %u has ExpCmdSN "
				 "%u; the highest CmdSN sent on any connection "
				 "is %u", opname(p->opcode, op), h->itt,
				 c->conn->id, h->expcmdsn, m->max_sent);
		else if (mc->floor_valid &&
			 serial_le(h->expcmdsn, mc->floor_at_prev))
			chk_fail(c, "MCS-006", "iscsi.expcmdsn",
				 "%s ITT 0x%08x on connection %u has ExpCmdSN "
				 "%u, but CmdSN %u was already answered before "
				 "the previous PDU on this connection",
				 opname(p->opcode, op), h->itt, c->conn->id,
				 h->expcmdsn, mc->floor_at_prev);
		else
			chk_held(c, "MCS-006");
	}
	mc->floor_valid = m->floor_known;
	mc->floor_at_prev = m->floor;
}

/* A response answers a non-immediate command: it is received. */
static void answered(struct mc_sess *m, const struct chk_task *t)
{
	if (!t || !t->cmd_seen || t->immediate)
		return;
	if (!m->floor_known || serial_gt(t->cmdsn, m->floor)) {
		m->floor = t->cmdsn;
		m->floor_known = true;
	}
}

static void statsn(struct chk_ctx *c, const struct chk_pdu *p)
{
	const struct chk_conn *cn = c->conn;
	const struct pdu_hdr *h = &p->h;
	char op[24];
	if (!cn->statsn_known || !chk_stream_ok(cn, EV_DIR_T2I) ||
	    (p->opcode == PDU_OP_LOGIN_RSP && h->status_class != 0))
		return;
	uint64_t others = c->sess->numbered - cn->numbered_mark;
	uint32_t want = cn->last_statsn + 1;
	if (!others || serial_lt(h->statsn, want))
		return;
	if (h->statsn == want)
		chk_held(c, "MCS-008");
	else if (h->statsn == want + (uint32_t)others)
		chk_fail(c, "MCS-008", "iscsi.statsn",
			 "%s ITT 0x%08x on connection %u has StatSN %u; its own "
			 "sequence is at %u: the %llu numbered response(s) on "
			 "other connections since were counted in it",
			 opname(p->opcode, op), h->itt, cn->id, h->statsn, want,
			 (unsigned long long)others);
}

/* ---- allegiance ----------------------------------------------------------- */

static void allegiance(struct chk_ctx *c, const char *id,
		       const struct chk_task *t, const struct chk_pdu *p)
{
	char op[24];
	if (!t || !t->cmd_seen || !t->conn)
		return;
	if (t->conn == c->conn)
		chk_held(c, id);
	else
		chk_fail(c, id, NULL,
			 "%s ITT 0x%08x on connection %u (CID %d); the task's "
			 "request (frame %llu) came on connection %u (CID %d)",
			 opname(p->opcode, op), p->h.itt, c->conn->id,
			 c->conn->cid, (unsigned long long)t->frame,
			 t->conn->id, t->conn->cid);
}

static bool new_task(const struct pdu_hdr *h)
{
	switch (h->opcode) {
	case PDU_OP_SCSI_CMD: case PDU_OP_TMF_REQ: case PDU_OP_TEXT_REQ:
	case PDU_OP_LOGOUT_REQ:
		return true;
	case PDU_OP_NOP_OUT:
		return h->itt != PDU_RESERVED_TAG;
	default:
		return false;
	}
}

static void itt_unique(struct chk_ctx *c, const struct pdu_hdr *h)
{
	char op[24], op2[24];
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	if (!t || t->state != CHK_TASK_OPEN || !t->cmd_seen) {
		chk_held(c, "MCS-012");
		return;
	}
	if (h->opcode == PDU_OP_SCSI_CMD && t->opcode == PDU_OP_SCSI_CMD &&
	    t->cmdsn == h->cmdsn)
		return; /* retry */
	if (h->opcode == PDU_OP_TEXT_REQ && t->opcode == PDU_OP_TEXT_REQ)
		return; /* the same Text exchange */
	const struct chk_conn *o = t->conn;
	if (!chk_stream_ok(o, EV_DIR_T2I) || o->phase == CHK_PHASE_CLOSED ||
	    o->logged_out || o->replaced_by) {
		chk_unjudged(c, "MCS-012", "ITT 0x%08x reused; the earlier task's "
			     "end may be missing (its connection %u lost bytes "
			     "or closed)", h->itt, o->id);
		return;
	}
	chk_fail(c, "MCS-012", "iscsi.initiatortasktag",
		 "%s on connection %u uses ITT 0x%08x, still in use by the %s "
		 "of frame %llu on connection %u", opname(h->opcode, op),
		 c->conn->id, h->itt, opname(t->opcode, op2),
		 (unsigned long long)t->frame, o->id);
}

/* ---- logout naming another connection (MCS-015) ------------------------- */

static void logout_cid(struct chk_ctx *c, const struct pdu_hdr *h)
{
	const struct chk_session *s = c->sess;
	if (h->logout_reason != 1 && h->logout_reason != 2)
		return;
	if ((int)h->cid == c->conn->cid) {
		chk_held(c, "MCS-015");
		return;
	}
	struct chk_conn *o = NULL;
	bool all_known = s->leading_login_seen;
	for (size_t i = 0; i < s->n_conns; i++) {
		all_known = all_known && s->conns[i]->login_seen;
		if (s->conns[i]->cid == (int)h->cid && s->conns[i] != c->conn)
			o = s->conns[i];
	}
	if (!o) {
		if (all_known)
			chk_fail(c, "MCS-015", "iscsi.cid",
				 "Logout (reason %u) on connection %u names CID "
				 "%u, which no connection of the session has",
				 h->logout_reason, c->conn->id, h->cid);
		else
			chk_unjudged(c, "MCS-015", "a Logout names CID %u, "
				     "whose connection's login is not in the "
				     "capture", h->cid);
		return;
	}
	if (o->fin[0] || o->fin[1] || o->rst[0] || o->rst[1]) {
		chk_held(c, "MCS-015");
		return;
	}
	struct mc_conn *mo = chk_cstate_of(c, o);
	mo->named = true;
	mo->named_judged = false;
	mo->named_where = chk_here(c);
	mo->named_from = c->conn->id;
}

/* ---- Async events --------------------------------------------------------- */

static void async_event(struct chk_ctx *c, struct mc_sess *m,
			const struct pdu_hdr *h)
{
	if (h->async_event == 1 && c->conn->phase == CHK_PHASE_LOGIN) {
		chk_fail(c, "MCS-020", "iscsi.asyncevent",
			 "Async event 1 (logout requested) sent on connection "
			 "%u, which is still logging in", c->conn->id);
		return;
	}
	if ((h->async_event < 1 || h->async_event > 3) ||
	    m->n_evts >= MAX_EVENTS)
		return;
	m->evts[m->n_evts++] = (struct async_ev){
		.event = h->async_event, .cid = h->param1, .conn = c->conn,
		.where = chk_here(c) };
}

static void logout_answered(struct chk_ctx *c, struct mc_sess *m,
			    const struct chk_pdu *p)
{
	const struct chk_task *t = chk_task_find(c->sess, p->h.itt);
	if (!t || t->opcode != PDU_OP_LOGOUT_REQ || p->h.response != 0)
		return;
	for (size_t i = 0; i < m->n_evts; i++) {
		struct async_ev *e = &m->evts[i];
		if (e->event != 1 || e->resolved)
			continue;
		if (t->logout_reason == 0 || (int)t->logout_cid == e->conn->cid) {
			e->resolved = true;
			chk_held(c, "MCS-020");
		}
	}
}

/* The target closed connection z (FIN or RST from its side). */
static void target_dropped(struct chk_ctx *c, struct mc_sess *m,
			   const struct chk_conn *z)
{
	for (size_t i = 0; i < m->n_evts; i++) {
		struct async_ev *e = &m->evts[i];
		if (e->resolved || e->broken)
			continue;
		if (e->event == 1) {
			if (z == e->conn) {
				e->resolved = true;
				chk_held(c, "MCS-020");
			} else if (!z->logged_out && !e->conn->logged_out &&
				   e->conn->phase != CHK_PHASE_CLOSED) {
				e->broken = true;
				chk_fail_at(c, &e->where, "MCS-020",
					    "iscsi.asyncevent",
					    "Async event 1 on connection %u asked "
					    "for a logout, but the target then "
					    "dropped connection %u (frame %llu)",
					    e->conn->id, z->id,
					    (unsigned long long)z->close_frame);
			}
		} else if (e->event == 2) {
			if (z->cid == e->cid) {
				/* done: what closes later (an event 3, a
				 * logout) is not this event's business */
				e->named_dropped = true;
				e->resolved = true;
				chk_held(c, "MCS-022");
			} else if (!z->logged_out) {
				e->broken = true;
				chk_fail_at(c, &e->where, "MCS-022",
					    "iscsi.parameter1",
					    "Async event 2 named CID %d, but the "
					    "target dropped connection %u (CID "
					    "%d) at frame %llu", e->cid, z->id,
					    z->cid,
					    (unsigned long long)z->close_frame);
			}
		}
	}
}

/* ---- callbacks ------------------------------------------------------------ */

static void login_response(struct chk_ctx *c, struct mc_conn *mc,
			   const struct pdu_hdr *h)
{
	const struct chk_conn *cn = c->conn;
	if (!mc->join || mc->join_judged)
		return;
	if (h->status_class != 0) {
		mc->join_judged = true;
		if (h->status_class == 2 && h->status_detail == 0x0a &&
		    chk_live_conns(c->sess) > 0)
			chk_fail(c, "MCS-001", "iscsi.login.status",
				 "login of CID %d with TSIH 0x%04x refused as "
				 "0x020a \"session does not exist\" while the "
				 "session has live connections", cn->cid,
				 cn->login_tsih);
		else
			chk_unjudged(c, "MCS-001", "the login adding CID %d was "
				     "refused with status 0x%02x%02x", cn->cid,
				     h->status_class, h->status_detail);
		return;
	}
	if (h->tsih != cn->login_tsih) {
		mc->join_judged = true;
		chk_fail(c, "MCS-001", "iscsi.tsih",
			 "Login Response ITT 0x%08x to the login adding CID %d "
			 "has TSIH 0x%04x; it echoes the request's 0x%04x",
			 h->itt, cn->cid, h->tsih, cn->login_tsih);
		return;
	}
	if (h->transit && h->nsg == PDU_STAGE_FULL_FEATURE && !h->cont) {
		mc->join_judged = true;
		chk_held(c, "MCS-001");
	}
}

static void mc_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct mc_sess *m = chk_sstate(c);
	struct mc_conn *mc = chk_cstate(c);
	const struct pdu_hdr *h = &p->h;
	const struct chk_conn *cn = c->conn;
	char op[24];

	if (cn->replaced_by && p->dir == EV_DIR_I2T && !mc->reused_noted) {
		mc->reused_noted = true;
		chk_fail(c, "MCS-003", "iscsi.cid",
			 "%s on connection %u (CID %d) after connection %u "
			 "reinstated that CID: two live connections share it",
			 opname(p->opcode, op), cn->id, cn->cid,
			 cn->replaced_by->id);
	}
	if (cn->replaced_by && p->dir == EV_DIR_T2I && !mc->replaced_noted) {
		mc->replaced_noted = true;
		chk_fail(c, "MCS-016", NULL,
			 "%s on connection %u after connection %u replaced it "
			 "(frame %llu): the old connection was not logged out",
			 opname(p->opcode, op), cn->id, cn->replaced_by->id,
			 (unsigned long long)cn->replaced_by->login_done_frame);
	}
	if (mc->named && !mc->named_judged) {
		mc->named_judged = true;
		chk_fail_at(c, &mc->named_where, "MCS-015", "iscsi.cid",
			    "Logout on connection %u names CID %d, whose "
			    "connection %u was still carrying PDUs (frame %llu)",
			    mc->named_from, cn->cid, cn->id,
			    c->ev ? (unsigned long long)c->ev->frame : 0ull);
	}

	if (p->dir == EV_DIR_I2T) {
		if (new_task(h))
			itt_unique(c, h);
		if (pdu_takes_cmdsn(h))
			command(c, m, h);
		const struct chk_task *t = chk_task_find(c->sess, h->itt);
		if (p->opcode == PDU_OP_DATA_OUT)
			allegiance(c, "MCS-010", t, p);
		else if (p->opcode == PDU_OP_SNACK_REQ &&
			 (h->snack_type == PDU_SNACK_DATA_R2T ||
			  h->snack_type == PDU_SNACK_RDATA))
			allegiance(c, "MCS-010", t, p);
		else if (p->opcode == PDU_OP_LOGOUT_REQ)
			logout_cid(c, h);
		return;
	}

	for (size_t i = 0; i < m->n_evts; i++)
		if (m->evts[i].event == 2 && m->evts[i].conn != cn &&
		    cn->cid != m->evts[i].cid)
			m->evts[i].served_after = true;
	window(c, m, mc, p);
	if (p->numbered)
		statsn(c, p);
	const struct chk_task *t = chk_task_find(c->sess, h->itt);
	switch (p->opcode) {
	case PDU_OP_R2T:
	case PDU_OP_DATA_IN:
	case PDU_OP_SCSI_RSP:
		if (t && t->opcode == PDU_OP_SCSI_CMD)
			allegiance(c, "MCS-009", t, p);
		if (p->opcode == PDU_OP_SCSI_RSP ||
		    (p->opcode == PDU_OP_DATA_IN && h->status_present))
			answered(m, t);
		break;
	case PDU_OP_NOP_IN:
		if (h->itt != PDU_RESERVED_TAG && t &&
		    t->opcode == PDU_OP_NOP_OUT) {
			allegiance(c, "MCS-011", t, p);
			answered(m, t);
		}
		break;
	case PDU_OP_TEXT_RSP:
	case PDU_OP_TMF_RSP:
	case PDU_OP_LOGOUT_RSP:
		if (t && t->opcode == (p->opcode & 0x1f)) {
			allegiance(c, "MCS-011", t, p);
			if (p->opcode != PDU_OP_TEXT_RSP || (h->final && !h->cont))
				answered(m, t);
		}
		if (p->opcode == PDU_OP_LOGOUT_RSP)
			logout_answered(c, m, p);
		break;
	case PDU_OP_ASYNC_MSG:
		async_event(c, m, h);
		break;
	case PDU_OP_LOGIN_RSP:
		login_response(c, mc, h);
		break;
	default:
		break;
	}
}

static void mc_on_conn(struct chk_ctx *c)
{
	const struct event *ev = c->ev;
	if ((ev->kind == EV_CONN_FIN || ev->kind == EV_CONN_RST) &&
	    ev->dir == EV_DIR_T2I)
		target_dropped(c, chk_sstate(c), c->conn);
}

static void mc_on_join(struct chk_ctx *c, const struct chk_join *j)
{
	struct mc_conn *mc = chk_cstate(c);
	if (j->kind == CHK_JOIN_ADD || j->kind == CHK_JOIN_REINSTATE_CONN)
		mc->join = true;
	if (j->kind == CHK_JOIN_ADD)
		chk_held(c, "MCS-003");
}

static void mc_on_nego(struct chk_ctx *c, const struct chk_nego *n)
{
	if (n->kind == CHK_NEGO_LOGIN_OK && c->conn->replaces)
		chk_held(c, "MCS-016");
}

static void mc_on_end(struct chk_ctx *c)
{
	if (c->conn) {
		struct mc_conn *mc = chk_cstate(c);
		if (c->conn->replaced_by && !mc->reused_noted)
			chk_held(c, "MCS-003");
		if (mc->named && !mc->named_judged)
			chk_unjudged(c, "MCS-015", "connection %u, named by a "
				     "Logout on another connection, showed no "
				     "traffic after it and no FIN or RST",
				     c->conn->id);
		return;
	}
	struct mc_sess *m = chk_sstate(c);
	const struct chk_session *s = c->sess;
	for (size_t i = 0; i < m->n_evts; i++) {
		struct async_ev *e = &m->evts[i];
		if (e->resolved || e->broken)
			continue;
		if (e->event == 1) {
			chk_unjudged(c, "MCS-020", "the capture ended before the "
				     "connection asked to log out (frame %llu) "
				     "was logged out or dropped",
				     (unsigned long long)e->where.frame);
		} else if (e->event == 2) {
			if (e->named_dropped || e->served_after)
				chk_held(c, "MCS-022");
			else
				chk_unjudged(c, "MCS-022", "nothing followed "
					     "Async event 2 in the capture");
		} else {
			bool all = true;
			for (size_t k = 0; k < s->n_conns; k++) {
				const struct chk_conn *o = s->conns[k];
				all = all && (o->fin[0] || o->fin[1] ||
					      o->rst[0] || o->rst[1]);
			}
			if (all)
				chk_held(c, "MCS-022");
			else
				chk_unjudged(c, "MCS-022", "the capture ended "
					     "before every connection was "
					     "dropped after Async event 3");
		}
	}
}

const struct chk_family chk_family_mcs = {
	.name = "mcs",
	.summary = "several connections in one session: joining, CIDs, "
		   "session-wide CmdSN, per-connection StatSN, allegiance",
	.rules = rules,
	.n_rules = N_RULES,
	.session_size = sizeof(struct mc_sess),
	.conn_size = sizeof(struct mc_conn),
	.on_pdu = mc_on_pdu,
	.on_conn = mc_on_conn,
	.on_join = mc_on_join,
	.on_nego = mc_on_nego,
	.on_end = mc_on_end,
};
