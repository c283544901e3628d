/* text_target.h — the target's side of Text Requests in Full Feature Phase
 * (RFC 7143 §11.10-11.11, §6.2, Appendix C) on one connection: SendTargets
 * (discovery and normal sessions), the few keys Full Feature Phase allows
 * (MaxRecvDataSegmentLength declared, InitiatorAlias), Reject for keys it
 * does not (login-only and leading-only keys), NotUnderstood for unknown
 * ones, and long texts in both directions with C=1 and a Target Transfer
 * Tag. Pure: one Text Request in, one Text Response out.
 *
 * The caller (the session layer) supplies each response's StatSN,
 * ExpCmdSN and MaxCmdSN and advances the connection's StatSN by one for
 * every TEXT_REPLY (a Text Response is a numbered response).
 */
#ifndef HARNESS_PROTO_TEXT_TARGET_H
#define HARNESS_PROTO_TEXT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/proto/login_target.h"
#include "pdu/keys.h"

enum text_step {
	TEXT_REPLY = 0,  /* a Text Response to send */
	TEXT_REJECT = 1, /* nothing written: not a Text Request, or one that
			    breaks the sequence rules; the session layer
			    answers with a Reject (text_target_error says
			    why, naming the catalogue ID) */
};

struct text_target;

/* cfg: the target (name, address, portal group tag, MaxRecvDataSegmentLength);
 * params: what the login negotiated (copied). */
struct text_target *text_target_create(const struct login_target_cfg *cfg,
				       bool discovery,
				       const struct pdu_key_params *params);
void text_target_free(struct text_target *tt);

/*
 * One PDU received in Full Feature Phase that the session layer routes
 * here (bytes: the whole PDU without digests). Writes the Text Response
 * into out (cap bytes; data segments are cut to the initiator's
 * MaxRecvDataSegmentLength and to cap) and its length into *out_len (0
 * for TEXT_REJECT). Returns enum text_step.
 */
int text_target_rx(struct text_target *tt, const uint8_t *pdu, size_t len,
		   uint32_t statsn, uint32_t expcmdsn, uint32_t maxcmdsn,
		   uint8_t *out, size_t cap, size_t *out_len);

/* The parameters in force: the login's, changed by the Text negotiations
 * that completed (TEXT-011: a failed or abandoned one changes nothing). */
const struct pdu_key_params *text_target_params(const struct text_target *tt);
/* Why the last PDU was refused ("" if it was not). */
const char *text_target_error(const struct text_target *tt);

#endif
