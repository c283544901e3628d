/* validate.h — checks one iSCSI PDU against every rule of the conformance
 * catalogue (scenarios/CATALOGUE.md) that a single PDU can decide on its
 * own: layout and lengths, opcodes, reserved fields and code values,
 * padding, digests, AHS, and the per-opcode field rules. Rules that need
 * session or connection history (CmdSN windows, DataSN order, ...) belong
 * to the rule engine, not here.
 *
 * Pure: no I/O, no clock, no allocation, no mutable globals. Every
 * violation found is reported, not only the first, into an array the
 * caller provides; each names its catalogue ID, its severity, the field by
 * its registry (Wireshark display-filter) name, the byte offset in the PDU,
 * the value found and a message with expected and actual values.
 *
 * A check that needs a negotiated value the caller does not know (each
 * comes with a "known" flag) is simply not made.
 */
#ifndef PDU_VALIDATE_H
#define PDU_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu.h"

/* Which side sent the PDU, when the caller knows. */
enum pdu_sender {
	PDU_SENDER_UNKNOWN = 0,
	PDU_SENDER_INITIATOR,
	PDU_SENDER_TARGET,
};

/* A negotiated value the checker may or may not know. */
struct pdu_known {
	bool known;
	uint32_t value;
};

/* What the checker knows about the connection the PDU travelled on. A zero
 * initialised struct means: no digests, sender unknown, nothing known. */
struct pdu_validate_ctx {
	struct pdu_digests digests;     /* in force for this PDU */
	enum pdu_sender sender;
	struct pdu_known max_burst_length;   /* MaxBurstLength (session) */
	struct pdu_known max_recv_dsl;       /* MaxRecvDataSegmentLength declared
						by the receiver of this PDU */
	struct pdu_known erl;                /* ErrorRecoveryLevel */
};

/* Severity as the catalogue words the rule. */
enum pdu_severity {
	PDU_SEV_MUST = 0,
	PDU_SEV_SHOULD,
	PDU_SEV_MAY,
};

#define PDU_VIOLATION_MSG_LEN 160

struct pdu_violation {
	const char *id;            /* catalogue ID, e.g. "PDU-003" */
	enum pdu_severity severity;
	const char *field;         /* registry name, e.g. "iscsi.opcode";
				      "iscsi" for the PDU as a whole,
				      "iscsi.reserved" for a reserved area */
	size_t offset;             /* byte offset in the PDU */
	uint64_t actual;           /* the value found */
	char msg[PDU_VIOLATION_MSG_LEN]; /* expected vs actual */
};

/* The caller's output array and what was found. total counts every
 * violation found; count those stored (at most cap); truncated is set when
 * total > cap. */
struct pdu_violations {
	struct pdu_violation *items;
	size_t cap;
	size_t count;
	size_t total;
	bool truncated;
};

static inline void pdu_violations_init(struct pdu_violations *out,
				       struct pdu_violation *items, size_t cap)
{
	out->items = items;
	out->cap = cap;
	out->count = 0;
	out->total = 0;
	out->truncated = false;
}

/*
 * Validate the bytes of exactly one PDU: buf[0..len) is expected to hold one
 * whole PDU framed with ctx->digests (too few or too many bytes is itself a
 * violation, and the header is still checked as far as it goes). Resets out
 * and fills it; returns out->total. ctx may be NULL (nothing known).
 */
size_t pdu_validate_buf(const uint8_t *buf, size_t len,
			const struct pdu_validate_ctx *ctx,
			struct pdu_violations *out);

/*
 * Validate a PDU already framed by pdu_parse(). Digests are taken as the
 * view has them and checked against ctx->digests (a digest in force but
 * absent, or present but not in force, is a violation). A digest the view
 * marks as verified (header_digest_ok, data_digest_ok, which pdu_parse()
 * computed) is not computed again; one it does not is recomputed to say
 * what it should have been. Resets out and fills it; returns out->total.
 * ctx may be NULL: the digests are then taken to be those the view has.
 */
size_t pdu_validate_view(const struct pdu_view *v,
			 const struct pdu_validate_ctx *ctx,
			 struct pdu_violations *out);

/* The catalogue IDs this module can report, in catalogue order. */
const char *const *pdu_validate_rule_ids(size_t *count);

/* Severity of one of those IDs (PDU_SEV_MUST for an ID it does not know). */
enum pdu_severity pdu_validate_rule_severity(const char *id);

/* "MUST", "SHOULD", "MAY". */
const char *pdu_severity_name(enum pdu_severity s);

#endif
