/* target_ctl.c — the target's answers to the non-SCSI requests: NOP-Out
 * (SEQ-025) and its own NOP-In pings (SEQ-028, ERL1-024), Text Requests
 * (through text_target.c), Logout (LOGOUT-*), task management (TMF-*,
 * ERL2-003/004) and Asynchronous Messages sent on demand (ASYNC-*,
 * MCS-020, MCS-022). Each answer goes on the connection that carried the
 * request (MCS-011).
 */
#include <stdlib.h>
#include <string.h>

#include "harness/proto/target_internal.h"
#include "pdu/serial.h"

/* ---- NOP ------------------------------------------------------------------ */

static void nop_tick(void *arg, uint64_t id);

void tgt_nop_schedule(struct tgt_conn *c)
{
	struct tgt *t = c->t;
	if (!t->cfg.nop_interval_ms || c->state != TCONN_FFP)
		return;
	if (c->nop_timer)
		t->io.timer_cancel(t->io.ctx, c->nop_timer);
	uint32_t ms = c->nop_ttt != PDU_RESERVED_TAG ? t->cfg.nop_timeout_ms :
		t->cfg.nop_interval_ms;
	c->nop_timer = t->io.timer_set(t->io.ctx, ms, nop_tick, c);
}

static void nop_tick(void *arg, uint64_t id)
{
	struct tgt_conn *c = arg;
	(void)id;
	c->nop_timer = 0;
	if (c->state != TCONN_FFP)
		return;
	if (c->nop_ttt != PDU_RESERVED_TAG) {
		/* ERL1-024: an unanswered ping is a connection failure */
		tgt_conn_fail(c, true, "ERL1-024: NOP-In ping not answered");
		return;
	}
	/* SEQ-028: ITT reserved, no data, a valid TTT with a valid LUN;
	 * SEQ-010: carries the next StatSN without taking it. */
	c->nop_ttt = tgt_next_ttt(c->t);
	struct pdu_hdr h = {
		.opcode = PDU_OP_NOP_IN,
		.final = true,
		.itt = PDU_RESERVED_TAG,
		.ttt = c->nop_ttt,
		.lun = 0,
	};
	tgt_send(c, &h, NULL, 0, TGT_SN_NEXT);
	tgt_nop_schedule(c);
}

void tgt_nop_out(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	if (h.itt == PDU_RESERVED_TAG) {
		/* SEQ-026: the answer to a ping of ours */
		if (h.ttt != PDU_RESERVED_TAG && h.ttt == c->nop_ttt) {
			c->nop_ttt = PDU_RESERVED_TAG;
			tgt_nop_schedule(c);
		}
		return;
	}
	/* SEQ-025: same ITT, TTT reserved, the ping data echoed up to the
	 * initiator's MaxRecvDataSegmentLength. */
	struct pdu_view v;
	pdu_parse(bytes, len, c->dg, &v, NULL);
	size_t n = v.data_len;
	if (n > c->params.mrdsl_initiator)
		n = c->params.mrdsl_initiator;
	struct pdu_hdr r = {
		.opcode = PDU_OP_NOP_IN,
		.final = true,
		.lun = h.lun,
		.itt = h.itt,
		.ttt = PDU_RESERVED_TAG,
	};
	tgt_send(c, &r, n ? v.data : NULL, n, TGT_SN_NEW);
}

/* ---- Text ------------------------------------------------------------------ */

void tgt_text_req(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	/* text_target.c takes the PDU without digests and answers one Text
	 * Response; numbering and digests are this connection's. */
	struct pdu_view v;
	pdu_parse(bytes, len, c->dg, &v, NULL);
	size_t plain_len = PDU_BHS_LEN + v.data_len + pdu_pad_len(v.data_len);
	size_t cap = PDU_BHS_LEN + c->params.mrdsl_initiator + 4;
	uint8_t *plain = malloc(plain_len), *out = malloc(cap);
	if (!plain || !out) {
		free(plain);
		free(out);
		tgt_conn_fail(c, true, "out of memory for a Text Request");
		return;
	}
	memcpy(plain, bytes, PDU_BHS_LEN);
	memset(plain + PDU_BHS_LEN, 0, plain_len - PDU_BHS_LEN);
	if (v.data_len)
		memcpy(plain + PDU_BHS_LEN, v.data, v.data_len);
	uint32_t exp, max;
	tgt_window(c->sess, &exp, &max);
	size_t out_len = 0;
	int step = text_target_rx(c->text, plain, plain_len, c->statsn, exp, max,
				  out, cap, &out_len);
	if (step == TEXT_REPLY && out_len >= PDU_BHS_LEN) {
		struct pdu_hdr h;
		pdu_hdr_decode(out, &h);
		size_t dlen = h.data_segment_len;
		if (PDU_BHS_LEN + dlen > out_len)
			dlen = out_len - PDU_BHS_LEN;
		tgt_send(c, &h, dlen ? out + PDU_BHS_LEN : NULL, dlen, TGT_SN_NEW);
		/* TEXT-011: what a completed negotiation changed */
		c->params.mrdsl_initiator = text_target_params(c->text)->mrdsl_initiator;
	} else {
		tgt_log(c->t, PROTO_LOG_WARN, c->id, "Text Request refused: %s",
			text_target_error(c->text));
		tgt_reject(c, 0x04, bytes, 0);
	}
	free(plain);
	free(out);
}

/* ---- Logout ---------------------------------------------------------------- */

static struct tgt_conn *conn_by_cid(struct tgt_sess *s, uint16_t cid)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i]->cid == cid)
			return s->conns[i];
	return NULL;
}

static bool cid_has_orphans(struct tgt_sess *s, uint16_t cid)
{
	for (size_t b = 0; b < TGT_TASK_BUCKETS; b++)
		for (struct tgt_task *k = s->buckets[b]; k; k = k->next_hash)
			if (k->orphaned && k->cid == cid)
				return true;
	return false;
}

void tgt_logout_req(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	(void)len;
	struct tgt_sess *s = c->sess;
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	struct pdu_hdr r = {
		.opcode = PDU_OP_LOGOUT_RSP,
		.final = true,
		.itt = h.itt,   /* LOGOUT-010 */
	};
	bool close_self = false, close_session = false;
	struct tgt_conn *other = NULL;
	switch (h.logout_reason) {
	case 0:   /* close the session (LOGOUT-004) */
		close_session = true;
		r.response = 0;
		break;
	case 1: { /* close the connection named by CID */
		struct tgt_conn *k = conn_by_cid(s, h.cid);
		if (!k) {
			r.response = 1;   /* LOGOUT-005: CID not found */
		} else if (k == c) {
			close_self = true;
		} else {
			other = k;
		}
		break;
	}
	case 2: { /* remove the connection for recovery */
		if (s->params.error_recovery_level < 2) {
			r.response = 2;   /* LOGOUT-006 */
			break;
		}
		struct tgt_conn *k = conn_by_cid(s, h.cid);
		if (!k && !cid_has_orphans(s, h.cid)) {
			r.response = 1;
			break;
		}
		/* ERL2-011: its tasks wait for reassignment; LOGOUT-008:
		 * Time2Wait / Time2Retain say for how long. */
		r.time2wait = (uint16_t)s->params.default_time2wait;
		r.time2retain = (uint16_t)s->params.default_time2retain;
		if (k == c)
			close_self = true;
		else if (k)
			tgt_conn_fail(k, false, "logged out for recovery (reason 2)");
		break;
	}
	default:
		tgt_reject(c, 0x09, bytes, 0);  /* LOGOUT-001 */
		return;
	}
	if (other) {
		/* LOGOUT-004: the named connection's tasks end with it */
		tgt_sess_conn_gone(other, false);
		tgt_conn_fail(other, false, "logged out by another connection");
	}
	tgt_log(c->t, PROTO_LOG_INFO, c->id, "logout reason %u CID %u: response %u",
		h.logout_reason, h.cid, r.response);
	if (r.response != 0) {
		tgt_send(c, &r, NULL, 0, TGT_SN_NEW);
		return;
	}
	if (close_session) {
		tgt_send(c, &r, NULL, 0, TGT_SN_NEW);
		tgt_sess_close(s, "logout (close the session)");
		return;
	}
	if (close_self) {
		/* LOGOUT-007: the response, then FIN */
		bool recovery = h.logout_reason == 2;
		tgt_send(c, &r, NULL, 0, TGT_SN_NEW);
		tgt_sess_conn_gone(c, recovery);
		tgt_conn_fail(c, false, "logged out");
		return;
	}
	tgt_send(c, &r, NULL, 0, TGT_SN_NEW);
}

/* ---- task management ------------------------------------------------------- */

enum {
	TMF_ABORT_TASK = 1, TMF_ABORT_TASK_SET = 2, TMF_CLEAR_ACA = 3,
	TMF_CLEAR_TASK_SET = 4, TMF_LUN_RESET = 5, TMF_TARGET_WARM_RESET = 6,
	TMF_TARGET_COLD_RESET = 7, TMF_TASK_REASSIGN = 8,
};
enum {
	TMF_RSP_COMPLETE = 0, TMF_RSP_NO_TASK = 1, TMF_RSP_NO_LUN = 2,
	TMF_RSP_NOT_SUPPORTED = 5, TMF_RSP_REJECTED = 255,
	TMF_RSP_REASSIGN_UNSUPPORTED = 4,
};

static size_t abort_everywhere(struct tgt *t, bool all_luns, uint64_t lun)
{
	size_t n = 0;
	for (struct tgt_sess *s = t->sessions; s; s = s->next)
		if (!s->discovery)
			n += tgt_tasks_abort(s, all_luns, lun);
	return n;
}

static uint8_t abort_task(struct tgt_conn *c, const struct pdu_hdr *h)
{
	struct tgt_sess *s = c->sess;
	struct tgt_task *task = tgt_task_find(s, h->ref_task_tag);
	if (task) {
		tgt_log(c->t, PROTO_LOG_INFO, c->id, "ABORT TASK ITT 0x%08x",
			h->ref_task_tag);
		tgt_tasks_abort_one(task);
		return TMF_RSP_COMPLETE;
	}
	/* TMF-005: an unknown task whose RefCmdSN is in the window and
	 * below the TMF's own CmdSN was lost on the way: done, and its
	 * CmdSN counts as received. */
	uint32_t exp, max;
	tgt_window(s, &exp, &max);
	if (serial_in_window(h->ref_cmdsn, exp, max) &&
	    serial_lt(h->ref_cmdsn, h->cmdsn)) {
		tgt_cmdsn_skip(s, h->ref_cmdsn);
		return TMF_RSP_COMPLETE;
	}
	return TMF_RSP_NO_TASK;
}

void tgt_tmf_req(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	(void)len;
	struct tgt *t = c->t;
	struct pdu_hdr h;
	pdu_hdr_decode(bytes, &h);
	struct pdu_hdr r = {
		.opcode = PDU_OP_TMF_RSP,
		.final = true,
		.itt = h.itt,   /* TMF-006 */
	};
	struct tgt_task *reassigned = NULL;
	const struct tgt_backend *be = &t->cfg.backend;
	switch (h.tmf_function) {
	case TMF_ABORT_TASK:
		r.response = abort_task(c, &h);
		break;
	case TMF_ABORT_TASK_SET:
	case TMF_CLEAR_TASK_SET:
		if (be->lun_exists && !be->lun_exists(be->ctx, h.lun)) {
			r.response = TMF_RSP_NO_LUN;
			break;
		}
		tgt_tasks_abort(c->sess, false, h.lun);
		r.response = TMF_RSP_COMPLETE;
		break;
	case TMF_LUN_RESET:
		if (be->lun_exists && !be->lun_exists(be->ctx, h.lun)) {
			r.response = TMF_RSP_NO_LUN;
			break;
		}
		abort_everywhere(t, false, h.lun);
		if (be->lun_reset)
			be->lun_reset(be->ctx, h.lun, false);
		r.response = TMF_RSP_COMPLETE;
		break;
	case TMF_TARGET_WARM_RESET:
	case TMF_TARGET_COLD_RESET:
		abort_everywhere(t, true, 0);   /* TMF-011 */
		if (be->lun_reset)
			be->lun_reset(be->ctx, 0, true);
		r.response = TMF_RSP_COMPLETE;
		break;
	case TMF_TASK_REASSIGN:
		if (c->sess->params.error_recovery_level < 2)
			r.response = TMF_RSP_REASSIGN_UNSUPPORTED; /* ERL2-004 */
		else
			r.response = tgt_task_reassign(c, h.ref_task_tag, &reassigned);
		break;
	case TMF_CLEAR_ACA:
	case 9: case 10: case 11: case 12:   /* RFC 7144 functions */
		r.response = TMF_RSP_NOT_SUPPORTED;   /* TMF-001 */
		break;
	default:
		r.response = TMF_RSP_REJECTED;
		break;
	}
	tgt_log(t, PROTO_LOG_INFO, c->id, "TMF function %u: response %u",
		h.tmf_function, r.response);
	tgt_send(c, &r, NULL, 0, TGT_SN_NEW);
	if (reassigned)
		tgt_task_resume(reassigned, h.expdatasn);  /* ERL2-006: after */
	if (h.tmf_function == TMF_TARGET_COLD_RESET && r.response == 0) {
		/* TMF-009: every connection to every initiator closes */
		for (struct tgt_sess *s = t->sessions, *next; s; s = next) {
			next = s->next;
			tgt_sess_close(s, "TARGET COLD RESET");
		}
	}
}

/* ---- Asynchronous Messages on demand ---------------------------------------- */

static void logout_deadline(void *arg, uint64_t id)
{
	struct tgt_conn *c = arg;
	(void)id;
	c->logout_deadline_timer = 0;
	/* ASYNC-003: not logged out in Parameter3 seconds: event 2, and
	 * the connection goes */
	tgt_log(c->t, PROTO_LOG_INFO, c->id,
		"ASYNC-003: no logout after Async event 1: dropping the connection");
	tgt_async_event(c->t, c->id, 2, 0);
}

int tgt_async_event(struct tgt *t, uint32_t conn, uint8_t event,
		    uint16_t seconds)
{
	struct tgt_conn *c = tgt_conn_find(t, conn);
	if (!c || c->state != TCONN_FFP || !c->sess)
		return -1;
	struct tgt_sess *s = c->sess;
	/* ASYNC-001: numbered; ASYNC-004/005: the parameters per event */
	struct pdu_hdr h = {
		.opcode = PDU_OP_ASYNC_MSG,
		.final = true,
		.itt = PDU_RESERVED_TAG,
		.async_event = event,
	};
	switch (event) {
	case 1:
		h.param3 = seconds;
		if (!c->logout_deadline_timer)
			c->logout_deadline_timer = t->io.timer_set(
				t->io.ctx, 1000 * (int64_t)seconds, logout_deadline, c);
		break;
	case 2:
		h.param1 = c->cid;
		/* fall through */
	case 3:
		h.param2 = (uint16_t)s->params.default_time2wait;
		h.param3 = (uint16_t)s->params.default_time2retain;
		break;
	default:
		return -1;
	}
	tgt_log(t, PROTO_LOG_INFO, c->id, "Asynchronous Message event %u", event);
	tgt_send(c, &h, NULL, 0, TGT_SN_NEW);
	if (event == 2) {
		/* MCS-022: only this connection goes */
		tgt_sess_conn_gone(c, true);
		tgt_conn_fail(c, false, "Async event 2 (connection dropped)");
	} else if (event == 3) {
		tgt_sess_close(s, "Async event 3 (session dropped)");
	}
	return 0;
}
