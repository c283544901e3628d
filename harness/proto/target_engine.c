/* target_engine.c — the target engine's life and its connections: the
 * proto_engine_ops a carrier calls (a connection opened, a PDU framed, a
 * connection closed), the login phase through login_target.c with the
 * session bindings it asks for (new session, session reinstatement
 * ERL0-002, a connection joining MCS-001/002/004, connection
 * reinstatement MCS-016/017), and the dispatch of Full Feature Phase PDUs
 * to the other target_*.c files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/target_internal.h"
#include "pdu/serial.h"

void tgt_log(struct tgt *t, enum proto_log_level level, uint32_t conn,
	     const char *fmt, ...)
{
	if (!t->io.log)
		return;
	va_list ap;
	va_start(ap, fmt);
	t->io.log(t->io.ctx, level, conn, fmt, ap);
	va_end(ap);
}

struct tgt_conn *tgt_conn_find(struct tgt *t, uint32_t id)
{
	for (struct tgt_conn *c = t->conns; c; c = c->next_all)
		if (c->id == id)
			return c;
	return NULL;
}

static void cancel_timers(struct tgt_conn *c)
{
	struct tgt *t = c->t;
	if (c->login_timer)
		t->io.timer_cancel(t->io.ctx, c->login_timer);
	if (c->nop_timer)
		t->io.timer_cancel(t->io.ctx, c->nop_timer);
	if (c->logout_deadline_timer)
		t->io.timer_cancel(t->io.ctx, c->logout_deadline_timer);
	c->login_timer = c->nop_timer = c->logout_deadline_timer = 0;
}

void tgt_conn_fail(struct tgt_conn *c, bool reset, const char *why)
{
	if (c->state == TCONN_CLOSING)
		return;
	struct tgt_sess *s = c->sess;
	tgt_log(c->t, PROTO_LOG_INFO, c->id, "connection closes (%s)", why);
	c->state = TCONN_CLOSING;
	cancel_timers(c);
	if (s && c->joining) {
		c->joining = false;
		if (--s->joining == 0 && s->n_conns == 0 && s->state == TSESS_FAILED &&
		    !s->retain_timer)
			tgt_sess_free(s);   /* nothing else keeps it */
	}
	if (s) {
		/* ERL 2: a failure keeps the tasks for reassignment */
		tgt_sess_conn_gone(c, true);
		if (s->login_conn == c) {
			s->login_conn = NULL;
			if (s->state == TSESS_LOGIN)
				tgt_sess_free(s);
		}
	}
	c->t->io.close(c->t->io.ctx, c->id, reset);
}

/* ---- session binding (login_target's callbacks) ------------------------- */

static struct tgt_sess *sess_by_tsih(struct tgt *t, uint16_t tsih)
{
	for (struct tgt_sess *s = t->sessions; s; s = s->next)
		if (s->tsih == tsih && s->state != TSESS_LOGIN)
			return s;
	return NULL;
}

static uint16_t new_tsih(struct tgt *t)
{
	for (unsigned i = 0; i < 65536u; i++) {
		uint16_t v = t->next_tsih++;
		if (v && !sess_by_tsih(t, v)) {
			bool in_login = false;
			for (struct tgt_sess *s = t->sessions; s; s = s->next)
				in_login |= s->tsih == v;
			if (!in_login)
				return v;
		}
	}
	return 0;
}

static void bind_new_session(struct tgt_conn *c, const struct login_identity *id,
			     struct login_bind *out)
{
	struct tgt *t = c->t;
	if (!id->discovery) {
		/* ERL0-002: the same initiator and ISID with TSIH 0
		 * reinstates: the old session ends at once. */
		for (struct tgt_sess *s = t->sessions, *next; s; s = next) {
			next = s->next;
			if (!s->discovery && s->state != TSESS_LOGIN &&
			    !memcmp(s->isid, id->isid, 6) &&
			    !strcmp(s->initiator_name, id->initiator_name))
				tgt_sess_close(s, "ERL0-002: session reinstatement");
		}
	}
	struct tgt_sess *s = calloc(1, sizeof *s);
	uint16_t tsih = new_tsih(t);
	if (!s || !tsih) {
		free(s);
		out->status = 0x0302;   /* out of resources */
		return;
	}
	s->t = t;
	s->state = TSESS_LOGIN;
	s->tsih = tsih;
	s->nexus = ++t->next_nexus;
	memcpy(s->isid, id->isid, 6);
	snprintf(s->initiator_name, sizeof s->initiator_name, "%s", id->initiator_name);
	s->discovery = id->discovery;
	s->login_conn = c;
	s->next = t->sessions;
	t->sessions = s;
	t->stats.sessions_now++;
	c->sess = s;
	out->tsih = tsih;
	out->leading = true;
}

static void bind_join(struct tgt_conn *c, const struct login_identity *id,
		      struct login_bind *out)
{
	struct tgt *t = c->t;
	struct tgt_sess *s = sess_by_tsih(t, id->tsih);
	if (!s || s->discovery || memcmp(s->isid, id->isid, 6) ||
	    strcmp(s->initiator_name, id->initiator_name)) {
		out->status = 0x020a;   /* MCS-002: session does not exist */
		return;
	}
	bool erl2 = s->params.error_recovery_level >= 2;
	/* counted first: the session must outlive the connection this login
	 * may replace */
	c->sess = s;
	c->joining = true;
	s->joining++;
	struct tgt_conn *old = NULL;
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i]->cid == id->cid)
			old = s->conns[i];
	if (old) {
		/* MCS-016: the CID of a live connection: that one is logged
		 * out implicitly (LOGOUT-009: as reason 2 at ERL 2, ERL2-019,
		 * else reason 1, MCS-018). */
		tgt_sess_conn_gone(old, erl2);
		tgt_conn_fail(old, false, "MCS-016: connection reinstatement");
	} else if (s->n_conns >= s->params.max_connections) {
		/* MCS-004, with MCS-017's exception: at ERL 2 a connection
		 * may come to take over a failed one's tasks */
		bool orphans = false;
		for (size_t b = 0; b < TGT_TASK_BUCKETS && !orphans; b++)
			for (struct tgt_task *k = s->buckets[b]; k; k = k->next_hash)
				orphans |= k->orphaned;
		if (!(erl2 && orphans)) {
			out->status = 0x0206;
			return;   /* the failed login releases c->joining */
		}
	}
	out->tsih = s->tsih;
	out->leading = false;
	out->session_params = &s->params;
}

static void login_bind_cb(void *ctx, const struct login_identity *id,
			  struct login_bind *out)
{
	struct tgt_conn *c = ctx;
	memset(out, 0, sizeof *out);
	if (id->tsih == 0 || id->discovery)
		bind_new_session(c, id, out);
	else
		bind_join(c, id, out);
}

static void login_window_cb(void *ctx, uint32_t req_cmdsn, uint32_t *exp,
			    uint32_t *max)
{
	struct tgt_conn *c = ctx;
	struct tgt_sess *s = c->sess;
	if (s && s->state == TSESS_LOGIN && s->login_conn == c)
		s->exp_cmdsn = req_cmdsn;   /* the leading login sets it */
	if (s && (s->state != TSESS_LOGIN || s->login_conn == c)) {
		tgt_window(s, exp, max);
		return;
	}
	*exp = req_cmdsn;
	*max = req_cmdsn + c->t->cfg.cmd_window - 1;
}

static void login_rand_cb(void *ctx, uint8_t *buf, size_t n)
{
	struct tgt_conn *c = ctx;
	struct tgt *t = c->t;
	if (t->cfg.rand_bytes) {
		t->cfg.rand_bytes(t->cfg.rand_ctx, buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++)   /* deterministic, for tests */
		buf[i] = (uint8_t)(0x5a + 31 * i + c->id);
}

/* ---- connections ---------------------------------------------------------- */

static void login_timeout(void *arg, uint64_t id)
{
	struct tgt_conn *c = arg;
	(void)id;
	c->login_timer = 0;
	if (c->state == TCONN_LOGIN)
		tgt_conn_fail(c, true, "login not completed in time");
}

static void on_opened(void *engine, uint32_t conn, const struct ev_endpoints *ep)
{
	struct tgt *t = engine;
	(void)ep;
	struct tgt_conn *c = calloc(1, sizeof *c);
	if (!c) {
		t->io.close(t->io.ctx, conn, true);
		return;
	}
	c->t = t;
	c->id = conn;
	c->state = TCONN_LOGIN;
	c->nop_ttt = PDU_RESERVED_TAG;
	c->retained_tail = &c->retained;
	c->login_cfg = t->cfg.login;
	c->login_cfg.bind = login_bind_cb;
	c->login_cfg.window = login_window_cb;
	c->login_cfg.ctx = c;
	c->login_cfg.rand_bytes = login_rand_cb;
	/* A random first StatSN, but below 2^24: libiscsi 1.19 compares the
	 * first StatSN it sees with 0 in serial arithmetic and ignores one
	 * more than 2^31 away, and then acknowledges StatSN 1 for ever
	 * (SEQ-011 fails on its side). */
	uint32_t statsn = 0;
	login_rand_cb(c, (uint8_t *)&statsn, sizeof statsn);
	statsn = (statsn & 0xffffffu) + 1;
	c->login = login_target_create(&c->login_cfg, statsn);
	if (!c->login) {
		free(c);
		t->io.close(t->io.ctx, conn, true);
		return;
	}
	c->next_all = t->conns;
	t->conns = c;
	t->stats.conns_now++;
	c->login_timer = t->io.timer_set(t->io.ctx, t->cfg.login_timeout_ms,
					 login_timeout, c);
}

static void login_done(struct tgt_conn *c)
{
	struct tgt *t = c->t;
	struct tgt_sess *s = c->sess;
	if (c->joining) {
		c->joining = false;
		s->joining--;
	}
	const struct pdu_key_params *p = login_target_params(c->login);
	const struct login_identity *id = login_target_identity(c->login);
	c->params = *p;
	c->dg = p->digests;
	c->cid = id->cid;
	c->statsn = login_target_next_statsn(c->login);
	c->exp_statsn = c->statsn;
	c->state = TCONN_FFP;
	t->io.set_rx_digests(t->io.ctx, c->id, c->dg);
	if (c->login_timer) {
		t->io.timer_cancel(t->io.ctx, c->login_timer);
		c->login_timer = 0;
	}
	if (s->state == TSESS_LOGIN) {
		s->params = *p;
		s->state = TSESS_FFP;
		s->login_conn = NULL;
		t->stats.sessions_opened++;
		tgt_log(t, PROTO_LOG_INFO, c->id,
			"session TSIH %u opened by %s (%s), ERL %u, MaxConnections %u",
			s->tsih, s->initiator_name, s->discovery ? "discovery" : "normal",
			p->error_recovery_level, p->max_connections);
	} else if (s->state == TSESS_FAILED) {
		/* ERL2-020: a new connection resumes the session */
		if (s->retain_timer)
			t->io.timer_cancel(t->io.ctx, s->retain_timer);
		s->retain_timer = 0;
		s->state = TSESS_FFP;
	}
	if (s->n_conns == TGT_MAX_SESSION_CONNS) {
		tgt_conn_fail(c, true, "too many connections in one session");
		return;
	}
	s->conns[s->n_conns++] = c;
	t->stats.conns_logged_in++;
	tgt_log(t, PROTO_LOG_INFO, c->id, "CID %u in Full Feature Phase, session TSIH %u (%zu connection%s)",
		c->cid, s->tsih, s->n_conns, s->n_conns == 1 ? "" : "s");
	c->text = text_target_create(&c->login_cfg, s->discovery, &c->params);
	tgt_nop_schedule(c);
}

static void login_pdu(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	struct tgt *t = c->t;
	uint8_t out[8192 + 2 * PDU_BHS_LEN];
	size_t out_len = 0;
	int step = login_target_rx(c->login, bytes, len, out, sizeof out, &out_len);
	if (out_len)
		t->io.send(t->io.ctx, c->id, out, out_len, (struct pdu_digests){0});
	switch (step) {
	case LOGIN_CONTINUE:
		return;
	case LOGIN_DONE:
		if (c->sess)
			login_done(c);
		else
			tgt_conn_fail(c, false, "login done without a session");
		return;
	case LOGIN_FAILED:
	case LOGIN_PROTOCOL:
	default:
		t->stats.logins_failed++;
		tgt_log(t, PROTO_LOG_WARN, c->id, "login failed: %s",
			login_target_error(c->login));
		tgt_conn_fail(c, false, "login failed");
		return;
	}
}

/* A request that takes a CmdSN: now, later, or never (target_cmdsn.c). */
static void ordered(struct tgt_conn *c, const struct pdu_hdr *h,
		    const uint8_t *bytes, size_t len,
		    void (*handle)(struct tgt_conn *, const uint8_t *, size_t))
{
	int rc = tgt_cmdsn_arrived(c, h, bytes, len, NULL);
	if (rc <= 0)
		return;
	struct tgt_sess *s = c->sess;
	handle(c, bytes, len);
	if (c->sess == s && s && s->state == TSESS_FFP)
		tgt_cmdsn_drain(s);
}

static void ffp_pdu(struct tgt_conn *c, const uint8_t *bytes, size_t len,
		    int parse_rc)
{
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	struct tgt_sess *s = c->sess;
	if (parse_rc == PDU_E_HEADER_DIGEST) {
		/* ERL0-008: never acted on. At ERL 0 the connection goes
		 * (session recovery); at ERL >= 1 it is discarded and the
		 * initiator recovers through the gap (as LIO). */
		if (s->params.error_recovery_level == 0)
			tgt_conn_fail(c, true, "ERL0-008: header digest error at ERL 0");
		else
			tgt_log(c->t, PROTO_LOG_WARN, c->id,
				"ERL0-008: PDU with a bad header digest discarded");
		return;
	}
	uint8_t op = h.opcode;
	tgt_ack_statsn(c, h.expstatsn);
	if (h.data_segment_len > c->params.mrdsl_target) {
		/* SEQ-018: more than this target said it takes; nothing in
		 * it is acted on (a Data-Out's task ends with CHECK CONDITION
		 * when its sequence ends short) */
		tgt_log(c->t, PROTO_LOG_WARN, c->id,
			"SEQ-018: DataSegmentLength %u over the target's "
			"MaxRecvDataSegmentLength %u, opcode 0x%02x rejected",
			h.data_segment_len, c->params.mrdsl_target, op);
		tgt_reject(c, 0x04, bytes, 0);
		return;
	}
	if (parse_rc == PDU_E_DATA_DIGEST && op != PDU_OP_SCSI_CMD &&
	    op != PDU_OP_DATA_OUT) {
		tgt_reject(c, 0x02, bytes, 0);   /* ERL1-002, ERL1-005 */
		if (s->params.error_recovery_level == 0)
			tgt_conn_fail(c, true, "data digest error at ERL 0");
		return;
	}
	switch (op) {
	case PDU_OP_SCSI_CMD:
		tgt_scsi_command(c, bytes, len, parse_rc);
		return;
	case PDU_OP_DATA_OUT:
		tgt_data_out(c, bytes, len, parse_rc);
		return;
	case PDU_OP_NOP_OUT:
		if (h.itt == PDU_RESERVED_TAG)
			tgt_nop_out(c, bytes, len);   /* no CmdSN (SEQ-024) */
		else
			ordered(c, &h, bytes, len, tgt_nop_out);
		return;
	case PDU_OP_TEXT_REQ:
		ordered(c, &h, bytes, len, tgt_text_req);
		return;
	case PDU_OP_LOGOUT_REQ:
		ordered(c, &h, bytes, len, tgt_logout_req);
		return;
	case PDU_OP_TMF_REQ:
		ordered(c, &h, bytes, len, tgt_tmf_req);
		return;
	case PDU_OP_SNACK_REQ:
		tgt_snack(c, bytes, len);
		return;
	case PDU_OP_LOGIN_REQ:
		tgt_reject(c, 0x04, bytes, 0);   /* protocol error, as LIO */
		return;
	default:
		tgt_reject(c, 0x05, bytes, 0);   /* command not supported */
		return;
	}
}

static void on_pdu(void *engine, uint32_t conn, const uint8_t *bytes, size_t len,
		   struct pdu_digests dg, int parse_rc)
{
	struct tgt *t = engine;
	(void)dg;
	struct tgt_conn *c = tgt_conn_find(t, conn);
	if (!c || c->state == TCONN_CLOSING || len < PDU_BHS_LEN)
		return;
	if (c->state == TCONN_LOGIN) {
		login_pdu(c, bytes, len);
		return;
	}
	if (!c->sess) {
		tgt_conn_fail(c, true, "no session");
		return;
	}
	ffp_pdu(c, bytes, len, parse_rc);
}

static void conn_free(struct tgt_conn *c)
{
	struct tgt *t = c->t;
	struct tgt_conn **pp = &t->conns;
	while (*pp && *pp != c)
		pp = &(*pp)->next_all;
	if (*pp)
		*pp = c->next_all;
	cancel_timers(c);
	tgt_retained_free(c);
	login_target_free(c->login);
	text_target_free(c->text);
	free(c->scratch);
	t->stats.conns_now--;
	free(c);
}

static void on_closed(void *engine, uint32_t conn, enum proto_close_why why)
{
	struct tgt *t = engine;
	struct tgt_conn *c = tgt_conn_find(t, conn);
	if (!c)
		return;
	if (c->state != TCONN_CLOSING) {
		static const char *const whys[] = {
			[PROTO_CLOSED_FIN] = "the initiator closed it",
			[PROTO_CLOSED_RST] = "the initiator reset it",
			[PROTO_CLOSED_ERROR] = "a socket error",
			[PROTO_CLOSED_LOCAL] = "closed here",
		};
		tgt_conn_fail(c, false, whys[why]);
	}
	conn_free(c);
}

/* ---- the engine ------------------------------------------------------------ */

struct tgt *tgt_create(const struct tgt_cfg *cfg, struct proto_io io)
{
	struct tgt *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (!t->cfg.cmd_window)
		t->cfg.cmd_window = 128;
	if (!t->cfg.nop_timeout_ms)
		t->cfg.nop_timeout_ms = 15000;
	if (!t->cfg.login_timeout_ms)
		t->cfg.login_timeout_ms = 15000;
	t->io = io;
	t->next_tsih = 1;
	t->next_ttt = 0x1000;
	return t;
}

void tgt_free(struct tgt *t)
{
	if (!t)
		return;
	while (t->sessions)
		tgt_sess_free(t->sessions);
	while (t->conns)
		conn_free(t->conns);
	tgt_sess_reap_all(t);
	free(t);
}

void tgt_set_io(struct tgt *t, struct proto_io io)
{
	t->io = io;
}

struct proto_engine_ops tgt_engine_ops(struct tgt *t)
{
	return (struct proto_engine_ops){
		.engine = t,
		.opened = on_opened,
		.pdu = on_pdu,
		.closed = on_closed,
	};
}

void tgt_get_stats(const struct tgt *t, struct tgt_stats *out)
{
	*out = t->stats;
}
