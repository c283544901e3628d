/* pdu.h — the iSCSI wire format of RFC 7143 §11 (RFC 3720's, unchanged):
 * opcodes, the 48-byte Basic Header Segment of every opcode as one flat
 * struct, AHS, data segment with padding, header and data digests, and
 * framing of a byte buffer into PDUs.
 *
 * Pure functions: no I/O, no clock, no global state. The encoder never
 * refuses a value (a test must be able to send exactly the wrong PDU it
 * needs); whether a PDU is valid is pdu_validate()'s business (validate.h).
 *
 * Layout is table driven: the field registry (fields.h) says where every
 * field of every opcode lives, and pdu_hdr_encode()/pdu_hdr_decode() walk
 * that table, so the registry, the codec and the reports can never disagree.
 */
#ifndef PDU_PDU_H
#define PDU_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDU_BHS_LEN 48
#define PDU_DIGEST_LEN 4
#define PDU_RESERVED_TAG 0xffffffffu
#define PDU_MAX_DSL 0xffffffu         /* DataSegmentLength is 24 bits */
#define PDU_MAX_AHS_LEN (255u * 4u)   /* TotalAHSLength is 8 bits, in words */

/* Opcodes, RFC 7143 §11.2.1.2. */
enum pdu_opcode {
	PDU_OP_NOP_OUT = 0x00,
	PDU_OP_SCSI_CMD = 0x01,
	PDU_OP_TMF_REQ = 0x02,
	PDU_OP_LOGIN_REQ = 0x03,
	PDU_OP_TEXT_REQ = 0x04,
	PDU_OP_DATA_OUT = 0x05,
	PDU_OP_LOGOUT_REQ = 0x06,
	PDU_OP_SNACK_REQ = 0x10,
	PDU_OP_NOP_IN = 0x20,
	PDU_OP_SCSI_RSP = 0x21,
	PDU_OP_TMF_RSP = 0x22,
	PDU_OP_LOGIN_RSP = 0x23,
	PDU_OP_TEXT_RSP = 0x24,
	PDU_OP_DATA_IN = 0x25,
	PDU_OP_LOGOUT_RSP = 0x26,
	PDU_OP_R2T = 0x31,
	PDU_OP_ASYNC_MSG = 0x32,
	PDU_OP_REJECT = 0x3f,
};

/* The 18 opcodes RFC 7143 defines, in the order above (for loops and tests). */
extern const uint8_t pdu_defined_opcodes[18];
#define PDU_N_DEFINED_OPCODES 18

/* AHS types, RFC 7143 §11.2.2.1. */
enum pdu_ahs_type {
	PDU_AHS_EXTENDED_CDB = 1,
	PDU_AHS_BIDI_READ_LEN = 2,
};

/* Login stages (CSG/NSG), RFC 7143 §11.12.3. */
enum pdu_login_stage {
	PDU_STAGE_SECURITY = 0,
	PDU_STAGE_OPERATIONAL = 1,
	PDU_STAGE_FULL_FEATURE = 3,
};

/* SNACK types, RFC 7143 §11.16.1. */
enum pdu_snack_type {
	PDU_SNACK_DATA_R2T = 0,
	PDU_SNACK_STATUS = 1,
	PDU_SNACK_DATA_ACK = 2,
	PDU_SNACK_RDATA = 3,
};

/*
 * Every field of every BHS, one member per meaning. A member is used only by
 * the opcodes whose layout has it (fields.h lists which); the others are
 * ignored on encode and left 0 on decode. One-bit flags are bool; multi-bit
 * fields are masked to their width on encode (that is the wire, not a
 * refusal). Reserved bits are written as 0; to send non-zero reserved bits,
 * set them in the encoded bytes with pdu_field_set_raw() (fields.h).
 */
struct pdu_hdr {
	/* byte 0 */
	uint8_t opcode;        /* low 6 bits */
	bool immediate;        /* I, 0x40 */
	/* byte 1: opcode-specific flags and codes */
	bool final;            /* F, 0x80 (every opcode that has it) */
	bool read;             /* R, SCSI Command */
	bool write;            /* W, SCSI Command */
	uint8_t attr;          /* ATTR (3 bits), SCSI Command */
	bool cont;             /* C, Login and Text */
	bool transit;          /* T, Login */
	uint8_t csg, nsg;      /* Login current / next stage (2 bits each) */
	bool ack;              /* A, Data-In */
	bool status_present;   /* S, Data-In */
	bool bidi_overflow;    /* o, SCSI Response */
	bool bidi_underflow;   /* u, SCSI Response */
	bool overflow;         /* O, SCSI Response and Data-In */
	bool underflow;        /* U, SCSI Response and Data-In */
	uint8_t tmf_function;  /* TMF Request, 7 bits */
	uint8_t logout_reason; /* Logout Request, 7 bits */
	uint8_t snack_type;    /* SNACK Request, 4 bits */
	/* bytes 2-3 */
	uint8_t response;      /* SCSI Response, TMF Response, Logout Response */
	uint8_t status;        /* SCSI status: SCSI Response, Data-In */
	uint8_t version_max;   /* Login Request and Response */
	uint8_t version_min;   /* Login Request */
	uint8_t version_active;/* Login Response */
	uint8_t reject_reason; /* Reject */
	/* bytes 4-7 */
	uint8_t total_ahs_len; /* in 4-byte words */
	uint32_t data_segment_len; /* 24 bits */
	/* bytes 8-15 */
	uint64_t lun;          /* the 8 LUN bytes as a big-endian number */
	uint8_t isid[6];       /* Login */
	uint16_t tsih;         /* Login */
	/* bytes 16-47 */
	uint32_t itt;
	uint32_t ttt;          /* also the SNACK Request's "TTT or SNACK Tag" */
	uint32_t edtl;         /* Expected Data Transfer Length, SCSI Command */
	uint32_t ref_task_tag; /* TMF Request */
	uint16_t cid;          /* Login Request, Logout Request */
	uint32_t snack_tag;    /* SCSI Response (a SNACK Request's SNACK Tag,
				  R-Data included, travels in ttt: one field
				  at byte 20, iscsi.targettransfertag) */
	uint32_t cmdsn;
	uint32_t statsn;
	uint32_t expstatsn;
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint8_t cdb[16];       /* SCSI Command */
	uint32_t ref_cmdsn;    /* TMF Request */
	uint32_t expdatasn;    /* SCSI Response, TMF Request */
	uint32_t datasn;       /* Data-In, Data-Out; DataSN/R2TSN of a Reject */
	uint32_t r2tsn;        /* R2T */
	uint8_t status_class;  /* Login Response */
	uint8_t status_detail; /* Login Response */
	uint8_t async_event;   /* Asynchronous Message */
	uint8_t async_vcode;
	uint16_t param1, param2, param3;
	uint32_t buffer_offset;/* Data-In, Data-Out, R2T */
	uint32_t bidi_residual;/* SCSI Response */
	uint32_t residual;     /* SCSI Response, Data-In */
	uint32_t ddtl;         /* Desired Data Transfer Length, R2T */
	uint16_t time2wait;    /* Logout Response */
	uint16_t time2retain;  /* Logout Response */
	uint32_t begrun;       /* SNACK Request */
	uint32_t runlength;    /* SNACK Request */
};

/* Per-connection digest settings (negotiated at login, RFC 7143 §13.1). */
struct pdu_digests {
	bool header;
	bool data;
};

/* Error codes of this module (negative returns). */
enum pdu_err {
	PDU_OK = 0,
	PDU_E_TRUNCATED = -1,      /* buffer ends before the PDU does */
	PDU_E_TOO_LONG = -2,       /* output buffer too small */
	PDU_E_HEADER_DIGEST = -3,  /* header digest does not verify */
	PDU_E_DATA_DIGEST = -4,    /* data digest does not verify */
	PDU_E_BAD_OPCODE = -5,     /* opcode no side may send */
	PDU_E_AHS = -6,            /* AHS does not fill TotalAHSLength */
	PDU_E_INVALID = -7,        /* bad argument */
};

/* Where and why decoding or framing stopped: the field, its byte offset in
 * the PDU, and a message with expected and actual values. */
struct pdu_error {
	int code;            /* enum pdu_err */
	const char *field;   /* registry name, e.g. "iscsi.dsl" */
	size_t offset;       /* byte offset in the PDU (or buffer) */
	char msg[160];
};

/* A PDU framed inside a buffer: pointers into that buffer, no copies. */
struct pdu_view {
	const uint8_t *bhs;        /* 48 bytes */
	const uint8_t *ahs;        /* total_ahs_len * 4 bytes, or NULL */
	size_t ahs_len;
	const uint8_t *data;       /* data_segment_len bytes, or NULL */
	size_t data_len;
	const uint8_t *pad;        /* 0-3 padding bytes after the data */
	size_t pad_len;
	bool has_header_digest, has_data_digest;
	uint32_t header_digest;    /* as received */
	uint32_t data_digest;
	bool header_digest_ok, data_digest_ok; /* meaningful when present */
	size_t len;                /* bytes the whole PDU occupies */
};

/* ---- BHS ---------------------------------------------------------------- */

/* Write h into out[48] per the layout of h->opcode. Never fails. */
void pdu_hdr_encode(const struct pdu_hdr *h, uint8_t out[PDU_BHS_LEN]);
/* Read in[48] into h per the layout of its opcode. Never fails: an unknown
 * opcode decodes its common fields only (opcode, I, lengths, ITT). */
void pdu_hdr_decode(const uint8_t in[PDU_BHS_LEN], struct pdu_hdr *h);

/* Initiator opcodes are 0x00-0x1f, target opcodes 0x20-0x3f. */
bool pdu_opcode_is_initiator(uint8_t opcode);
/* One of the 18 opcodes RFC 7143 defines. */
bool pdu_opcode_is_defined(uint8_t opcode);

/* The opcodes whose format draws bit 0x80 of byte 1 as a constant 1
 * (RFC 7143 §11; PDU-022): NOP-Out/In, TMF Request/Response, Logout
 * Request/Response, SNACK, SCSI Response, R2T, Async Message, Reject. */
bool pdu_opcode_has_fixed_f(uint8_t opcode);

/* A target PDU that consumes a StatSN on its connection (RFC 7143
 * §4.2.2.2; the catalogue's "numbered response"): SCSI, TMF, Login, Text
 * and Logout Responses, Reject, Asynchronous Message, a Data-In with S=1
 * and a NOP-In answering a ping (valid ITT). */
bool pdu_is_numbered_response(const struct pdu_hdr *h);
/* An initiator PDU that takes a CmdSN of its own (§4.2.2.1): a
 * non-immediate SCSI Command, TMF, Text or Logout Request, or NOP-Out
 * with a valid ITT. */
bool pdu_takes_cmdsn(const struct pdu_hdr *h);

/* ---- whole PDUs --------------------------------------------------------- */

/* Padding after a segment of len bytes (0-3). */
static inline size_t pdu_pad_len(size_t len) { return (4 - (len & 3)) & 3; }

/* Bytes a PDU with this header, AHS and data occupies on the wire. */
size_t pdu_wire_len(size_t ahs_len, size_t data_len, struct pdu_digests dg);

/*
 * Build a whole PDU into out: BHS from h, then ahs (ahs_len bytes, padded to
 * 4), header digest, data padded with zeros, data digest. When fix_lengths
 * is true, TotalAHSLength and DataSegmentLength are set from ahs_len and
 * data_len; when false they are taken from h as they are (to send a lie).
 * Returns the length written, or PDU_E_TOO_LONG if cap is too small, or
 * PDU_E_INVALID for a NULL segment with a non-zero length or, with
 * fix_lengths, a length the field cannot hold (ahs_len > PDU_MAX_AHS_LEN,
 * data_len > PDU_MAX_DSL).
 */
long pdu_build(const struct pdu_hdr *h, const uint8_t *ahs, size_t ahs_len,
	       const uint8_t *data, size_t data_len, struct pdu_digests dg,
	       bool fix_lengths, uint8_t *out, size_t cap);

/*
 * Frame the PDU at the start of buf: how many bytes it occupies given the
 * digests in force. Returns PDU_OK and sets *need, or PDU_E_TRUNCATED with
 * *need = the bytes needed to know more (at least 48).
 */
int pdu_frame_len(const uint8_t *buf, size_t len, struct pdu_digests dg,
		  size_t *need);

/*
 * Frame and check the PDU at the start of buf, filling v. Verifies digests
 * when present (a mismatch returns PDU_E_HEADER_DIGEST or PDU_E_DATA_DIGEST
 * with v filled, so the caller can still see the PDU). On any error err
 * names the field and offset.
 *
 * Errors, first found first: PDU_E_TRUNCATED in the BHS (field: the first
 * field the buffer cuts, offset: the first missing byte), in the AHS
 * (iscsi.totalahslength, offset 48), in the header digest
 * (iscsi.headerdigest32), in data or padding (iscsi.datasegmentlength,
 * offset: start of data), in the data digest (iscsi.datadigest32); then
 * PDU_E_HEADER_DIGEST, PDU_E_AHS (iscsi.ahs.length at the AHS that
 * overruns) and PDU_E_DATA_DIGEST, each with v filled. err may be NULL.
 * The opcode is not judged here (pdu_validate's business).
 */
int pdu_parse(const uint8_t *buf, size_t len, struct pdu_digests dg,
	      struct pdu_view *v, struct pdu_error *err);

/* ---- AHS ---------------------------------------------------------------- */

/* Append one AHS (type, specific byte, payload) to ahs, padded to 4.
 * Returns new total length or PDU_E_TOO_LONG. Never refuses a type. */
long pdu_ahs_append(uint8_t *ahs, size_t used, size_t cap, uint8_t type,
		    uint8_t specific, const uint8_t *payload, size_t payload_len);

/* Iterate the AHS area: *pos is the cursor (start at 0). Returns 1 with the
 * next AHS, 0 at the end, PDU_E_AHS (err filled, offset relative to the AHS
 * area) when one overruns. *type is the whole AHSType byte; *payload points
 * at the AHS-Specific byte and *payload_len is AHSLength, the bytes from
 * there on (so payload[0] is pdu_ahs_append()'s specific byte). */
int pdu_ahs_next(const uint8_t *ahs, size_t ahs_len, size_t *pos,
		 uint8_t *type, const uint8_t **payload, size_t *payload_len,
		 struct pdu_error *err);

/* ---- digests (digest.c, CRC32C through ISA-L) --------------------------- */

/* CRC32C of RFC 7143 §13.1 / RFC 3720 appendix B.4 (final value, not
 * inverted: 32 zero bytes give 0x8a9136aa). */
uint32_t pdu_crc32c(const void *buf, size_t len);
/* Continue a CRC32C over a second buffer: crc = pdu_crc32c_extend(crc, ...). */
uint32_t pdu_crc32c_extend(uint32_t crc, const void *buf, size_t len);
/* Digests travel least significant byte first (RFC 3720 B.4: aa 36 91 8a). */
void pdu_put_digest(uint8_t out[4], uint32_t crc);
uint32_t pdu_get_digest(const uint8_t in[4]);

/* ---- names (names.c): value-to-name tables that never fail ------------- */

/* "SCSI Command", "NOP-In", ...; unknown values print as "opcode 0x%02x"
 * into buf (which must hold 24 bytes) and return buf. */
const char *pdu_opcode_name(uint8_t opcode, char buf[24]);
const char *pdu_strerror(int code);

#endif
