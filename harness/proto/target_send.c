/* target_send.c — how the target numbers and sends its PDUs: StatSN per
 * connection (SEQ-009: numbered responses take the next one; SEQ-010: R2T
 * and unsolicited NOP-In carry it without advancing), ExpCmdSN/MaxCmdSN
 * from the session's window (MCS-006), digests as negotiated, and the
 * numbered responses kept for Status SNACK at ERL >= 1 (ERL1-001) until
 * the initiator's ExpStatSN acknowledges them.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/proto/target_internal.h"
#include "pdu/serial.h"

void tgt_window(const struct tgt_sess *s, uint32_t *exp, uint32_t *max)
{
	*exp = s->exp_cmdsn;
	*max = s->exp_cmdsn + s->t->cfg.cmd_window - 1;
}

uint32_t tgt_next_ttt(struct tgt *t)
{
	do  /* at most twice: skips 0xffffffff and then 0 */
		t->next_ttt++;
	while (t->next_ttt == PDU_RESERVED_TAG || t->next_ttt == 0);
	return t->next_ttt;
}

static uint8_t *scratch(struct tgt_conn *c, size_t need)
{
	if (need <= c->scratch_cap)
		return c->scratch;
	size_t cap = c->scratch_cap ? c->scratch_cap : 8192;
	while (cap < need)
		cap *= 2;
	uint8_t *p = realloc(c->scratch, cap);
	if (!p)
		return NULL;
	c->scratch = p;
	c->scratch_cap = cap;
	return p;
}

static void retain(struct tgt_conn *c, uint32_t statsn, const uint8_t *b,
		   size_t len)
{
	struct tgt_retained *r = malloc(sizeof *r + len);
	if (!r) {
		tgt_log(c->t, PROTO_LOG_WARN, c->id,
			"out of memory: StatSN %u not kept for SNACK", statsn);
		return;
	}
	r->next = NULL;
	r->statsn = statsn;
	r->len = len;
	r->dg = c->dg;
	memcpy(r->bytes, b, len);
	*c->retained_tail = r;
	c->retained_tail = &r->next;
}

int tgt_send(struct tgt_conn *c, struct pdu_hdr *h, const uint8_t *data,
	     size_t data_len, enum tgt_sn sn)
{
	if (c->state == TCONN_CLOSING)
		return -1;
	if (sn != TGT_SN_KEEP)
		h->statsn = c->statsn;
	if (sn == TGT_SN_NEW)
		c->statsn++;
	if (c->sess)
		tgt_window(c->sess, &h->expcmdsn, &h->maxcmdsn);
	size_t need = pdu_wire_len(0, data_len, c->dg);
	uint8_t *out = scratch(c, need);
	if (!out) {
		tgt_conn_fail(c, true, "out of memory building a PDU");
		return -1;
	}
	long n = pdu_build(h, NULL, 0, data, data_len, c->dg, true, out, need);
	if (n < 0) {
		tgt_conn_fail(c, true, "a PDU could not be built");
		return -1;
	}
	if (sn == TGT_SN_NEW && c->sess && c->sess->params.error_recovery_level >= 1)
		retain(c, h->statsn, out, (size_t)n);
	return c->t->io.send(c->t->io.ctx, c->id, out, (size_t)n, c->dg);
}

int tgt_send_raw(struct tgt_conn *c, const uint8_t *bytes, size_t len)
{
	if (c->state == TCONN_CLOSING)
		return -1;
	return c->t->io.send(c->t->io.ctx, c->id, bytes, len, c->dg);
}

void tgt_ack_statsn(struct tgt_conn *c, uint32_t expstatsn)
{
	/* SEQ-011: ExpStatSN acknowledges every StatSN below it; one that
	 * runs ahead of what was sent acknowledges nothing new. */
	if (serial_gt(expstatsn, c->statsn))
		return;
	if (serial_gt(expstatsn, c->exp_statsn) || expstatsn == c->statsn)
		c->exp_statsn = expstatsn;
	while (c->retained && serial_lt(c->retained->statsn, expstatsn)) {
		struct tgt_retained *r = c->retained;
		c->retained = r->next;
		free(r);
	}
	if (!c->retained)
		c->retained_tail = &c->retained;
	tgt_tasks_acked(c, expstatsn);
}

void tgt_retained_free(struct tgt_conn *c)
{
	while (c->retained) {
		struct tgt_retained *r = c->retained;
		c->retained = r->next;
		free(r);
	}
	c->retained_tail = &c->retained;
}

void tgt_reject(struct tgt_conn *c, uint8_t reason, const uint8_t *bhs,
		uint32_t datasn)
{
	/* REJECT-002: numbered; the rejected PDU's header is the data. */
	struct pdu_hdr h = {
		.opcode = PDU_OP_REJECT,
		.final = true,
		.reject_reason = reason,
		.itt = PDU_RESERVED_TAG,
		.datasn = datasn,
	};
	c->t->stats.rejects++;
	tgt_log(c->t, PROTO_LOG_INFO, c->id, "Reject reason 0x%02x for opcode 0x%02x",
		reason, bhs[0] & 0x3f);
	tgt_send(c, &h, bhs, PDU_BHS_LEN, TGT_SN_NEW);
}
