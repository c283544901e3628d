/* fields.h — the field registry: every BHS field named as Wireshark's iSCSI
 * dissector names it in display filters (iscsi.cmdsn, iscsi.statsn,
 * iscsi.initiatortasktag, ...), where it lives for each opcode, and how to
 * get or set it in encoded bytes or in a struct pdu_hdr.
 *
 * This table is the single source of the BHS layout: pdu_hdr_encode() and
 * pdu_hdr_decode() walk it. Scenarios, rules, faults and reports name fields
 * through it, so what a user reads in Wireshark and in the harness is the
 * same thing. Short forms ("cmdsn") are accepted by pdu_field_find().
 */
#ifndef PDU_FIELDS_H
#define PDU_FIELDS_H

#include "pdu.h"

/* One placement of a field: which opcodes, which bytes, which bits. */
struct pdu_field_loc {
	uint64_t opcodes;   /* bit n set: opcode n uses this placement (n < 64) */
	uint8_t offset;     /* first byte in the BHS */
	uint8_t size;       /* bytes: 1, 2, 3, 4, 6, 8 or 16 */
	uint8_t mask;       /* for size 1: which bits (0xff = whole byte) */
};

enum pdu_field_kind {
	PDU_FIELD_UINT,     /* an unsigned number up to 64 bits */
	PDU_FIELD_BOOL,     /* one bit */
	PDU_FIELD_BYTES,    /* an opaque run (ISID, CDB) */
};

#define PDU_FIELD_MAX_LOCS 4

/* The bit of struct pdu_field_loc.opcodes that stands for an opcode. */
#define PDU_OPCODE_BIT(op) (UINT64_C(1) << ((op) & 0x3f))

struct pdu_field {
	const char *name;        /* Wireshark display-filter name */
	const char *short_name;  /* scenario short form: "cmdsn" */
	const char *label;       /* for people: "CmdSN" */
	enum pdu_field_kind kind;
	size_t hdr_offset;       /* offsetof(struct pdu_hdr, member), or SIZE_MAX
				    for raw-only fields such as iscsi.flags */
	size_t hdr_size;         /* sizeof the member */
	struct pdu_field_loc locs[PDU_FIELD_MAX_LOCS];
	size_t n_locs;
};

/* The whole registry, for iteration. */
const struct pdu_field *pdu_fields(size_t *count);
/* By Wireshark name or short form, case-sensitive; NULL if unknown. */
const struct pdu_field *pdu_field_find(const char *name);
/* Where f lives for this opcode, or NULL when the opcode has no such field. */
const struct pdu_field_loc *pdu_field_loc(const struct pdu_field *f,
					  uint8_t opcode);

/* Get/set a numeric or bool field in encoded BHS bytes, per the opcode in
 * byte 0. Return 0, or PDU_E_INVALID when the opcode has no such field or
 * the field is PDU_FIELD_BYTES. Set never refuses a value: it is masked to
 * the field's width (a bool takes value & 1). */
int pdu_field_get_raw(const struct pdu_field *f, const uint8_t bhs[PDU_BHS_LEN],
		      uint64_t *value);
int pdu_field_set_raw(const struct pdu_field *f, uint8_t bhs[PDU_BHS_LEN],
		      uint64_t value);

/* The same on a decoded header (struct members, by the registry), per
 * h->opcode. A raw-only field (hdr_offset SIZE_MAX: iscsi.flags, iscsi.X,
 * iscsi.isid.*, iscsi.login.status) reads what pdu_hdr_encode() would
 * write, and sets the members that share its bits; PDU_E_INVALID when no
 * member does (iscsi.X, a reserved bit, lives only in encoded bytes). */
int pdu_field_get_hdr(const struct pdu_field *f, const struct pdu_hdr *h,
		      uint64_t *value);
int pdu_field_set_hdr(const struct pdu_field *f, struct pdu_hdr *h,
		      uint64_t value);

/* The registry's half of pdu_hdr_encode()/pdu_hdr_decode() (call those):
 * write every member the opcode's layout has into a zeroed bhs, or read
 * them from bhs into a zeroed h. Raw-only fields take no part. */
void pdu_fields_encode(const struct pdu_hdr *h, uint8_t bhs[PDU_BHS_LEN]);
void pdu_fields_decode(const uint8_t bhs[PDU_BHS_LEN], struct pdu_hdr *h);

/* The registry's decoding, compiled once per opcode for a reader that
 * decodes many BHSs (the checker): a plan lists, for each opcode, only the
 * members its layout has, so decoding one BHS does not walk the whole
 * registry. pdu_hdr_plan_init() fills it from the registry (which stays
 * the one description of the layout); the caller owns it. */
#define PDU_HDR_PLAN_MAX_STEPS 32

struct pdu_hdr_plan_step {
	uint16_t hdr_offset;     /* of the member in struct pdu_hdr */
	uint8_t hdr_size;
	uint8_t kind;            /* enum pdu_field_kind */
	uint8_t offset, size;    /* in the BHS */
	uint8_t mask, shift;     /* size 1: the bits, and their lowest */
};

struct pdu_hdr_plan {
	uint8_t n_steps[64];
	struct pdu_hdr_plan_step steps[64][PDU_HDR_PLAN_MAX_STEPS];
};

/* false when an opcode has more members than PDU_HDR_PLAN_MAX_STEPS (a
 * registry grown past the plan: widen it). */
bool pdu_hdr_plan_init(struct pdu_hdr_plan *plan);
/* As pdu_hdr_decode(): h is zeroed, then every member the opcode's layout
 * has is read from bhs. */
void pdu_hdr_decode_planned(const struct pdu_hdr_plan *plan,
			    const uint8_t bhs[PDU_BHS_LEN], struct pdu_hdr *h);

#endif
