/* target_recovery.c — recovery at the negotiated ErrorRecoveryLevel.
 * ERL 0: a connection's end ends its tasks (ERL0-012, MCS-018) and the
 * last connection's end ends the session (ERL0-005). ERL 1: SNACK —
 * Status, Data/R2T, DataACK and R-Data (ERL1-001) — answered from what
 * was kept (ERL1-010, ERL1-011, ERL1-012, ERL1-019, ERL1-021). ERL 2: a
 * failed or recovery-logged-out connection's tasks wait Time2Wait +
 * Time2Retain for a TASK REASSIGN on another or a new connection
 * (ERL2-003, ERL2-008, ERL2-009, ERL2-014, ERL2-015, ERL2-020), then end.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/proto/target_internal.h"
#include "pdu/serial.h"

/* ---- SNACK ---------------------------------------------------------------- */

static int resend_status(struct tgt_conn *c, uint32_t beg, uint32_t run)
{
	/* RunLength 0: every unacknowledged response from BegRun on
	 * (ERL1-021). A StatSN never sent or already acknowledged: Reject
	 * 0x04 (ERL1-012). */
	if (serial_ge(beg, c->statsn) || (c->retained && serial_lt(beg, c->retained->statsn)) ||
	    (!c->retained))
		return -1;
	uint32_t end = run ? beg + run : c->statsn;
	if (serial_gt(end, c->statsn))
		return -1;
	for (struct tgt_retained *r = c->retained; r; r = r->next) {
		if (serial_lt(r->statsn, beg) || serial_ge(r->statsn, end))
			continue;
		/* ERL1-011: the original, with the current ExpCmdSN and
		 * MaxCmdSN */
		struct pdu_hdr h;
		struct pdu_view v;
		pdu_hdr_decode(r->bytes, &h);
		pdu_parse(r->bytes, r->len, r->dg, &v, NULL);
		tgt_send(c, &h, v.data, v.data_len, TGT_SN_KEEP);
	}
	return 0;
}

static int resend_data_r2t(struct tgt_conn *c, const struct pdu_hdr *h)
{
	struct tgt_task *task = tgt_task_find(c->sess, h->itt);
	if (!task || task->conn != c)
		return -1;
	if (task->read) {
		if (!task->data_in_len || serial_ge(h->begrun, task->datasn))
			return -1;   /* ERL1-012: never sent */
		tgt_task_resend_data(task, h->begrun, h->runlength);
		return 0;
	}
	if (task->write && serial_lt(h->begrun, task->r2tsn)) {
		tgt_task_resend_r2t(task, h->begrun, h->runlength);
		return 0;
	}
	return -1;
}

void tgt_snack(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	(void)len;
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	c->t->stats.snacks++;
	if (c->sess->params.error_recovery_level == 0) {
		/* ERL0-006: a SNACK at ERL 0 may be discarded silently */
		tgt_log(c->t, PROTO_LOG_INFO, c->id,
			"ERL0-006: SNACK type %u at ErrorRecoveryLevel 0 discarded",
			h.snack_type);
		return;
	}
	int rc = -1;
	switch (h.snack_type) {
	case PDU_SNACK_STATUS:
		rc = resend_status(c, h.begrun, h.runlength);
		break;
	case PDU_SNACK_DATA_R2T:
		rc = resend_data_r2t(c, &h);
		break;
	case PDU_SNACK_DATA_ACK: {
		/* the TTT names the task whose Data-In had A=1 */
		struct tgt_sess *s = c->sess;
		for (size_t b = 0; b < TGT_TASK_BUCKETS && rc < 0; b++)
			for (struct tgt_task *k = s->buckets[b]; k; k = k->next_hash)
				if (k->conn == c && k->read && k->ack_ttt == h.ttt &&
				    h.ttt != PDU_RESERVED_TAG) {
					k->acked_datasn = h.begrun;
					rc = 0;
					break;
				}
		break;
	}
	case PDU_SNACK_RDATA: {
		/* ERL1-019: data again from the last DataACK'd DataSN, and
		 * the SNACK Tag on the status (ERL1-020) */
		struct tgt_task *task = tgt_task_find(c->sess, h.itt);
		if (task && task->conn == c && task->read && task->data_in_len) {
			task->snack_tag = h.ttt;
			task->status_sent = false;
			tgt_task_resend_data(task, task->acked_datasn, 0);
			rc = 0;
		}
		break;
	}
	default:
		break;
	}
	if (rc < 0) {
		struct tgt_task *task = tgt_task_find(c->sess, h.itt);
		/* REJECT-003: DataSN/R2TSN = the next one the target would
		 * send, for a Data/R2T SNACK */
		uint32_t next = 0;
		if (task && h.snack_type == PDU_SNACK_DATA_R2T)
			next = task->read ? task->datasn : task->r2tsn;
		tgt_reject(c, 0x04, bytes, next);
	}
}

/* ---- connection and session failure ---------------------------------------- */

static void sess_reap(void *arg, uint64_t id);

static void orphan_expired(void *arg, uint64_t id)
{
	struct tgt_task *task = arg;
	(void)id;
	task->orphan_deadline_timer = 0;
	/* ERL2-015: not reassigned in Time2Wait + Time2Retain: it ends */
	tgt_log(task->sess->t, PROTO_LOG_INFO, 0,
		"ERL2-015: task ITT 0x%08x not reassigned in time, terminated",
		task->itt);
	struct tgt_sess *s = task->sess;
	tgt_tasks_abort_one(task);
	if (s->state == TSESS_FAILED && s->n_tasks == 0)
		tgt_sess_free(s);
}

static void session_expired(void *arg, uint64_t id)
{
	struct tgt_sess *s = arg;
	(void)id;
	s->retain_timer = 0;
	tgt_log(s->t, PROTO_LOG_INFO, 0,
		"ERL0-005: session TSIH %u timed out with no connection", s->tsih);
	tgt_sess_free(s);
}

void tgt_sess_conn_gone(struct tgt_conn *c, bool for_recovery)
{
	struct tgt_sess *s = c->sess;
	size_t i = 0;
	while (s && i < s->n_conns && s->conns[i] != c)
		i++;
	if (!s || i == s->n_conns)
		return;
	s->conns[i] = s->conns[--s->n_conns];
	tgt_held_drop_conn(s, c);
	struct tgt *t = c->t;
	bool erl2 = s->params.error_recovery_level >= 2 && for_recovery;
	uint64_t keep_ms = 1000ull * (s->params.default_time2wait +
				      s->params.default_time2retain);
	for (size_t b = 0; b < TGT_TASK_BUCKETS; b++) {
		struct tgt_task *k = s->buckets[b];
		while (k) {
			struct tgt_task *next = k->next_hash;
			if (k->conn == c) {
				if (erl2 && !k->immediate && keep_ms) {
					/* ERL2-014: kept for reassignment */
					k->conn = NULL;
					k->orphaned = true;
					k->orphan_deadline_timer = t->io.timer_set(
						t->io.ctx, (int64_t)keep_ms, orphan_expired, k);
				} else {
					/* ERL0-012, MCS-014, MCS-018 */
					tgt_tasks_abort_one(k);
				}
			}
			k = next;
		}
	}
	tgt_log(t, PROTO_LOG_INFO, c->id, "CID %u left session TSIH %u (%zu left%s)",
		c->cid, s->tsih, s->n_conns, erl2 ? ", tasks kept for reassignment" : "");
	if (s->n_conns)
		return;
	s->state = TSESS_FAILED;
	if (erl2 && s->n_tasks && keep_ms) {
		/* ERL2-020: the session outlives its last connection */
		s->retain_timer = t->io.timer_set(t->io.ctx, (int64_t)keep_ms,
						  session_expired, s);
		return;
	}
	if (s->joining)
		return;   /* a login on its way (reinstating this connection)
			     takes it over */
	tgt_sess_free(s);
}

void tgt_sess_close(struct tgt_sess *s, const char *why)
{
	struct tgt *t = s->t;
	tgt_log(t, PROTO_LOG_INFO, 0, "session TSIH %u closes: %s", s->tsih, why);
	tgt_held_free(s);
	tgt_tasks_abort(s, true, 0);
	while (s->n_conns) {
		struct tgt_conn *c = s->conns[--s->n_conns];
		c->sess = NULL;
		tgt_conn_fail(c, false, why);
	}
	tgt_sess_free(s);
}

void tgt_sess_free(struct tgt_sess *s)
{
	struct tgt *t = s->t;
	if (s->state == TSESS_DEAD)
		return;
	for (struct tgt_conn *c = t->conns; c; c = c->next_all)
		if (c->sess == s) {
			c->sess = NULL;
			if (c->state != TCONN_CLOSING)
				tgt_conn_fail(c, false, "its session ended");
		}
	tgt_held_free(s);
	tgt_tasks_abort(s, true, 0);
	if (s->retain_timer)
		t->io.timer_cancel(t->io.ctx, s->retain_timer);
	s->retain_timer = 0;
	if (t->cfg.backend.nexus_gone && !s->discovery)
		t->cfg.backend.nexus_gone(t->cfg.backend.ctx, s->nexus);
	struct tgt_sess **pp = &t->sessions;
	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp)
		*pp = s->next;
	t->stats.sessions_closed++;
	t->stats.sessions_now--;
	s->state = TSESS_DEAD;
	s->n_conns = 0;
	s->next = t->dead;
	t->dead = s;
	s->reap_timer = t->io.timer_set(t->io.ctx, 0, sess_reap, s);
}

static void unlink_dead(struct tgt_sess *s)
{
	struct tgt_sess **pp = &s->t->dead;
	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp)
		*pp = s->next;
}

static void sess_reap(void *arg, uint64_t id)
{
	struct tgt_sess *s = arg;
	(void)id;
	unlink_dead(s);
	free(s);
}

void tgt_sess_reap_all(struct tgt *t)
{
	while (t->dead) {
		struct tgt_sess *s = t->dead;
		t->io.timer_cancel(t->io.ctx, s->reap_timer);
		unlink_dead(s);
		free(s);
	}
}

/* ---- ERL 2: task reassignment ---------------------------------------------- */

uint8_t tgt_task_reassign(struct tgt_conn *c, uint32_t itt,
			  struct tgt_task **out)
{
	struct tgt_task *task = tgt_task_find(c->sess, itt);
	if (!task)
		return 1;           /* task does not exist */
	if (!task->orphaned)
		return 3;           /* ERL2-003: still allegiant */
	if (task->orphan_deadline_timer) {
		c->t->io.timer_cancel(c->t->io.ctx, task->orphan_deadline_timer);
		task->orphan_deadline_timer = 0;
	}
	task->orphaned = false;
	task->conn = c;
	task->cid = c->cid;
	task->snack_tag = 0;        /* ERL2-010 */
	c->t->stats.reassigned++;
	*out = task;
	return 0;
}

void tgt_task_resume(struct tgt_task *task, uint32_t expdatasn)
{
	switch (task->state) {
	case TTASK_QUEUED:
		return;             /* it starts in CmdSN order */
	case TTASK_DATA_OUT:
		tgt_task_solicit_missing(task, false);   /* ERL2-009 */
		return;
	case TTASK_DONE:
		task->status_sent = false;
		if (task->read && task->data_in_len)
			/* ERL2-008: Data-In from ExpDataSN (0: unchanged,
			 * i.e. from the start), then status */
			tgt_task_resend_data(task, expdatasn, 0);
		else
			tgt_task_send_status(task);
		return;
	}
}
