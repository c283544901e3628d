/* target_cmdsn.c — the session-wide CmdSN window (RFC 7143 §4.2.2.1):
 * every connection's non-immediate commands share one ExpCmdSN (MCS-005,
 * MCS-006); a command in the window but ahead of a gap waits until the
 * gap fills, so SCSI sees commands in CmdSN order (SEQ-007, MCS-007); a
 * command outside the window, or a duplicate, is dropped silently
 * (SEQ-004, ERL1-008).
 */
#include <stdlib.h>
#include <string.h>

#include "harness/proto/target_internal.h"
#include "pdu/serial.h"

/* Deliver one held PDU (its CmdSN is ExpCmdSN now). */
static void deliver_held(struct tgt_held *hd)
{
	struct tgt_conn *c = hd->conn;
	if (hd->task) {
		tgt_task_start(hd->task);
		return;
	}
	if (!hd->len)
		return;  /* a held command whose task was aborted (TMF-005) */
	switch (hd->bytes[0] & 0x3f) {
	case PDU_OP_NOP_OUT: tgt_nop_out(c, hd->bytes, hd->len); break;
	case PDU_OP_TEXT_REQ: tgt_text_req(c, hd->bytes, hd->len); break;
	case PDU_OP_LOGOUT_REQ: tgt_logout_req(c, hd->bytes, hd->len); break;
	case PDU_OP_TMF_REQ: tgt_tmf_req(c, hd->bytes, hd->len); break;
	default: break;
	}
}

int tgt_cmdsn_arrived(struct tgt_conn *c, const struct pdu_hdr *h,
		      const uint8_t *bytes, size_t len, struct tgt_task *task)
{
	struct tgt_sess *s = c->sess;
	uint32_t exp, max;
	tgt_window(s, &exp, &max);
	if (h->immediate)
		return 1;
	if (!serial_in_window(h->cmdsn, exp, max)) {
		/* SEQ-004: outside [ExpCmdSN, MaxCmdSN] (a duplicate of a
		 * command already delivered included): drop, no answer. */
		tgt_log(c->t, PROTO_LOG_INFO, c->id,
			"SEQ-004: CmdSN %u outside [%u, %u], opcode 0x%02x dropped",
			h->cmdsn, exp, max, h->opcode);
		return -1;
	}
	if (h->cmdsn == exp) {
		s->exp_cmdsn++;
		return 1;
	}
	/* SEQ-007: ahead of a gap: hold it, lowest CmdSN first. A second
	 * PDU with a CmdSN already held is a duplicate (ERL1-008). */
	struct tgt_held **pp = &s->held;
	while (*pp && serial_lt((*pp)->cmdsn, h->cmdsn))
		pp = &(*pp)->next;
	if (*pp && (*pp)->cmdsn == h->cmdsn) {
		tgt_log(c->t, PROTO_LOG_INFO, c->id,
			"ERL1-008: CmdSN %u already held, duplicate dropped", h->cmdsn);
		return -1;
	}
	size_t keep = task ? 0 : len;
	struct tgt_held *hd = malloc(sizeof *hd + keep);
	if (!hd) {
		tgt_log(c->t, PROTO_LOG_WARN, c->id, "out of memory holding CmdSN %u",
			h->cmdsn);
		return -1;
	}
	hd->conn = c;
	hd->cmdsn = h->cmdsn;
	hd->task = task;
	hd->len = keep;
	if (keep)
		memcpy(hd->bytes, bytes, keep);
	hd->next = *pp;
	*pp = hd;
	tgt_log(c->t, PROTO_LOG_DEBUG, c->id, "CmdSN %u held (ExpCmdSN %u)",
		h->cmdsn, exp);
	return 0;
}

void tgt_cmdsn_drain(struct tgt_sess *s)
{
	/* Bounded: each pass consumes one held PDU. */
	while (s->held && s->held->cmdsn == s->exp_cmdsn) {
		struct tgt_held *hd = s->held;
		s->held = hd->next;
		s->exp_cmdsn++;
		deliver_held(hd);
		free(hd);
		if (s->state != TSESS_FFP)
			return;
	}
}

void tgt_held_drop_conn(struct tgt_sess *s, struct tgt_conn *c)
{
	/* PDUs held from a connection that is gone: they never reached
	 * delivery, so the initiator retries them (ERL2-011). The CmdSN
	 * stays a gap until it does. */
	struct tgt_held **pp = &s->held;
	while (*pp) {
		struct tgt_held *hd = *pp;
		if (hd->conn == c) {
			*pp = hd->next;
			if (hd->task)
				tgt_task_free(hd->task);
			free(hd);
		} else {
			pp = &hd->next;
		}
	}
}

void tgt_cmdsn_skip(struct tgt_sess *s, uint32_t cmdsn)
{
	if (cmdsn == s->exp_cmdsn) {
		s->exp_cmdsn++;
		tgt_cmdsn_drain(s);
		return;
	}
	struct tgt_held **pp = &s->held;
	while (*pp && serial_lt((*pp)->cmdsn, cmdsn))
		pp = &(*pp)->next;
	if (*pp && (*pp)->cmdsn == cmdsn)
		return;
	struct tgt_held *hd = calloc(1, sizeof *hd);
	if (!hd)
		return;
	hd->cmdsn = cmdsn;
	hd->next = *pp;
	*pp = hd;
}

void tgt_held_free(struct tgt_sess *s)
{
	while (s->held) {
		struct tgt_held *hd = s->held;
		s->held = hd->next;
		if (hd->task)
			tgt_task_free(hd->task);
		free(hd);
	}
}
