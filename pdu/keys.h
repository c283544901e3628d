/* keys.h — login and text key=value data (RFC 7143 §6, §12, §13).
 *
 *   pdu_kv_*   the text format: a streaming parser for the NUL-terminated
 *              key=value pairs of one negotiation sequence (the data of PDUs
 *              chained by C=1), value decoding (numbers, binary values), the
 *              encoder, splitting a long text into PDU-sized chunks, and the
 *              once-per-login (duplicate) rule.
 *   pdu_key_*  the rules: one const table with a row for every key of
 *              RFC 7143 §12 and §13 (plus the RFC 3720 keys §13.25 made
 *              obsolete), a checker that judges an offer and its answer and
 *              names the catalogue ID a bad one breaks, a responder that
 *              computes the correct answer, and the negotiated session
 *              parameters.
 *
 * Pure: no I/O, no clock, no mutable global state (the table is const). The
 * parser and the helpers that grow allocate with malloc.
 *
 * Errors use struct pdu_error (pdu.h) with the codes of enum pdu_kv_err;
 * pdu_kv_rule() gives the catalogue ID (scenarios/CATALOGUE.md) an error
 * code stands for, and every message starts with that ID when there is one.
 */
#ifndef PDU_KEYS_H
#define PDU_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu.h"

#define PDU_KV_MAX_KEY_LEN 63        /* §6.1 standard-label */
#define PDU_KV_MAX_SIMPLE_VALUE 255  /* §6.1, unless the key says otherwise */
#define PDU_KV_MIN_SEQ 8192          /* §6.1: every receiver takes this much */
#define PDU_KV_DEFAULT_MAX_SEQ 65536 /* §6.1: 64 KB with long auth items */
#define PDU_KV_ISCSI_NAME_MAX 223    /* §4.2.7.1: an iSCSI name's bytes */
#define PDU_KV_CHAP_BINARY_MAX 1024  /* §12.1.3: CHAP_C/CHAP_R bytes */

/* Error codes of this module (negative, apart from enum pdu_err's). */
enum pdu_kv_err {
	PDU_KV_E_NO_EQUALS = -100,      /* a pair without '=' */
	PDU_KV_E_EMPTY_KEY = -101,      /* "=value" */
	PDU_KV_E_KEY_TOO_LONG = -102,   /* key name over 63 bytes */
	PDU_KV_E_KEY_CHAR = -103,       /* key name not a standard-label */
	PDU_KV_E_VALUE_TOO_LONG = -104, /* value (or list item) over its limit */
	PDU_KV_E_NO_FINAL_NUL = -105,   /* sequence ends inside a pair (C=0) */
	PDU_KV_E_EMPTY_PAIR = -106,     /* a 0x00 with no pair before it */
	PDU_KV_E_SEQ_LIMIT = -107,      /* more data than this parser takes */
	PDU_KV_E_DUPLICATE = -108,      /* key declared/negotiated again */
	PDU_KV_E_BAD_VALUE = -109,      /* value outside the key's syntax/range */
	PDU_KV_E_RESERVED = -110,       /* None/Reject/Irrelevant/NotUnderstood
					   where the key does not allow it */
	PDU_KV_E_NOMEM = -111,          /* malloc failed */
	PDU_KV_E_STATE = -112,          /* data fed after the C=0 chunk */
	PDU_KV_E_LEADING_ONLY = -113,   /* LO key on a non-leading connection */
	PDU_KV_E_WRONG_SENDER = -114,   /* this side may not send the key */
	PDU_KV_E_WRONG_STAGE = -115,    /* key not allowed in this stage/phase */
};

/* The catalogue ID an error code stands for ("LOGIN-017", ...), or NULL
 * when no catalogue row covers it (PDU_KV_E_BAD_VALUE depends on the key:
 * use the row's rule). */
const char *pdu_kv_rule(int code);
/* A short name for a code of enum pdu_kv_err or enum pdu_err. */
const char *pdu_kv_strerror(int code);

/* ---- parsing ------------------------------------------------------------ */

struct pdu_key_def;

/* One pair as the parser yields it. key and value are NUL-terminated and
 * point into the parser's buffer: valid until the next pdu_kv_feed(),
 * pdu_kv_reset() or pdu_kv_free(). value is NULL when the pair has no '='. */
struct pdu_kv_pair {
	const char *key;
	const char *value;
	size_t key_len;
	size_t value_len;
	size_t offset;                 /* first byte of the pair in the sequence */
	const struct pdu_key_def *def; /* table row (pdu_key_find), or NULL */
};

/* A streaming parser for one negotiation sequence (a logical text data
 * segment: the data segments of PDUs with C=1 and the final one with C=0).
 * A pair may be split across any number of chunks. */
struct pdu_kv_parser {
	uint8_t *buf;    /* unconsumed bytes (plus one spare byte) */
	size_t cap;
	size_t head;     /* first unconsumed byte */
	size_t tail;     /* end of the data */
	size_t scan;     /* buf[head..scan) holds no 0x00 */
	size_t base;     /* sequence offset of buf[0] */
	size_t fed;      /* bytes fed in this sequence */
	size_t max_seq;  /* limit on fed */
	bool final;      /* the C=0 chunk has been fed */
};

/* max_seq: the most bytes a sequence may have; 0 gives
 * PDU_KV_DEFAULT_MAX_SEQ, smaller values are raised to PDU_KV_MIN_SEQ. */
void pdu_kv_init(struct pdu_kv_parser *p, size_t max_seq);
/* Start a new sequence (keeps the buffer and the limit). */
void pdu_kv_reset(struct pdu_kv_parser *p);
void pdu_kv_free(struct pdu_kv_parser *p);

/* Append one PDU's data segment; more is the PDU's C bit. Returns PDU_OK,
 * PDU_KV_E_SEQ_LIMIT (data not taken), PDU_KV_E_STATE (fed after the final
 * chunk) or PDU_KV_E_NOMEM. */
int pdu_kv_feed(struct pdu_kv_parser *p, const void *data, size_t len,
		bool more, struct pdu_error *err);

/*
 * The next complete pair. Returns 1 with *pair filled; 0 when no complete
 * pair is buffered (more data is needed, or the sequence is done, see
 * pdu_kv_done()); or a negative PDU_KV_E_* for a pair that breaks §6.1. On
 * an error the offending pair (or stray byte) has been consumed, *pair holds
 * what could be read of it (key may be "" and value NULL), err says where
 * (offset in the sequence of the first offending byte) and why, and the next
 * call goes on with the following pair.
 */
int pdu_kv_next(struct pdu_kv_parser *p, struct pdu_kv_pair *pair,
		struct pdu_error *err);

/* The final chunk was fed and every byte was consumed. */
bool pdu_kv_done(const struct pdu_kv_parser *p);
/* Bytes of an unfinished pair waiting for the next chunk. */
size_t pdu_kv_pending(const struct pdu_kv_parser *p);

/* Whether key is a valid key name (§6.1 standard-label, or an X- / X#
 * extension name, or a table key such as iSCSIProtocolLevel). On false, err
 * (when not NULL) names the offending byte, offset relative to the key. */
bool pdu_kv_key_valid(const char *key, size_t len, struct pdu_error *err);

/* ---- the once-per-login rule (LOGIN-024) ------------------------------- */

/* The keys one side has sent so far in a login (or a text negotiation):
 * the table's keys as one bit per row (enum pdu_key_id), any other name
 * (X- and X# extensions, unknown keys) in a list. */
struct pdu_kv_seen {
	uint64_t table_keys;                   /* bit i: pdu_key_table[i] */
	char (*others)[PDU_KV_MAX_KEY_LEN + 1];
	size_t n_others, cap_others;
};

void pdu_kv_seen_init(struct pdu_kv_seen *s);
void pdu_kv_seen_free(struct pdu_kv_seen *s);
/* Forget every key (for the next negotiation), keeping the memory. */
void pdu_kv_seen_clear(struct pdu_kv_seen *s);
/* Record key (sent at offset). Returns PDU_OK, or PDU_KV_E_DUPLICATE when
 * the key was sent before and may not repeat: only keys whose row allows it
 * (TargetAddress) repeat anywhere, and TargetName repeats in a SendTargets
 * answer (sendtargets_answer). PDU_KV_E_NOMEM on allocation failure. */
int pdu_kv_seen_add(struct pdu_kv_seen *s, const char *key, size_t offset,
		    bool sendtargets_answer, struct pdu_error *err);
/* The same for a pair pdu_kv_next() returned (its row is already known). */
int pdu_kv_seen_add_pair(struct pdu_kv_seen *s, const struct pdu_kv_pair *pair,
			 bool sendtargets_answer, struct pdu_error *err);

/* ---- encoding ----------------------------------------------------------- */

/* Append key=value\0 to buf (used bytes already there). Never refuses
 * content. Returns the new length or PDU_E_TOO_LONG. */
long pdu_kv_append(uint8_t *buf, size_t used, size_t cap, const char *key,
		   const char *value);
/* The same with a decimal number as the value. */
long pdu_kv_append_num(uint8_t *buf, size_t used, size_t cap, const char *key,
		       uint64_t value);

/* One PDU's share of a long text: data[offset..offset+len), and more is the
 * C bit that PDU carries. */
struct pdu_kv_chunk {
	size_t offset;
	size_t len;
	bool more;
};

/*
 * Cut len bytes of text into chunks of at most max_chunk bytes (the peer's
 * MaxRecvDataSegmentLength). With whole_pairs, a chunk ends after the last
 * 0x00 that fits when there is one (pairs stay whole unless one is longer
 * than max_chunk); otherwise every chunk but the last is exactly max_chunk
 * bytes. Fills at most n_out chunks and returns how many there are (like
 * snprintf); 0 when max_chunk is 0. Empty text is one empty chunk.
 */
size_t pdu_kv_split(const uint8_t *data, size_t len, size_t max_chunk,
		    bool whole_pairs, struct pdu_kv_chunk *out, size_t n_out);

/* ---- values ------------------------------------------------------------- */

/*
 * A numerical-value (§6.1): a decimal-constant ("0", or 1-9 then digits: no
 * leading zeros) or a hex-constant (0x/0X and at least one hex digit; leading
 * zeros allowed), below 2^64. With binary, a base64-constant (0b/0B) is taken
 * too (a binary-value of at most 64 bits). Returns PDU_OK or
 * PDU_KV_E_BAD_VALUE (err says why; offset is into s).
 */
int pdu_kv_parse_number(const char *s, bool binary, uint64_t *out,
			struct pdu_error *err);
/* A binary-value as bytes: a hex-constant (n digits give (n+1)/2 bytes) or a
 * base64-constant. Returns the byte length, PDU_KV_E_BAD_VALUE, or
 * PDU_E_TOO_LONG when it holds more than cap bytes. out may be NULL to
 * measure (cap is then ignored). */
long pdu_kv_decode_binary(const char *s, uint8_t *out, size_t cap,
			  struct pdu_error *err);
/* Write in[0..n) as "0x..." (lowercase) or "0b..." (padded base64), NUL
 * terminated. Returns the string length or PDU_E_TOO_LONG. */
long pdu_kv_encode_hex(const uint8_t *in, size_t n, char *out, size_t cap);
long pdu_kv_encode_base64(const uint8_t *in, size_t n, char *out, size_t cap);

/* One of the reserved constants None, Reject, Irrelevant, NotUnderstood. */
bool pdu_kv_is_reserved(const char *value);
/* item is one of the comma-separated values of list (exact match). */
bool pdu_kv_list_has(const char *list, const char *item);

/* ---- the key table ------------------------------------------------------ */

/* How a value is written. */
enum pdu_key_syntax {
	PDU_KEY_SYN_ANY,         /* extension keys: not checked */
	PDU_KEY_SYN_LIST,        /* list-of-values */
	PDU_KEY_SYN_NUMBER,      /* numerical-value in [min, max] */
	PDU_KEY_SYN_BOOL,        /* Yes | No */
	PDU_KEY_SYN_ENUM,        /* one of values[] */
	PDU_KEY_SYN_TEXT,        /* text-value */
	PDU_KEY_SYN_NAME,        /* iSCSI-name-value (iqn./eui./naa.) */
	PDU_KEY_SYN_LOCAL_NAME,  /* iSCSI-local-name-value (UTF-8) */
	PDU_KEY_SYN_ADDRESS,     /* domainname[:port][,portal-group-tag] */
	PDU_KEY_SYN_SENDTARGETS, /* All | iSCSI-name-value | empty */
	PDU_KEY_SYN_BINARY,      /* binary-value of 1..max bytes */
	PDU_KEY_SYN_RANGE,       /* numeric-range a~b (RFC 3720 markers) */
};

/* How the outcome follows from offer and answer (§6.2). */
enum pdu_key_result {
	PDU_KEY_RES_NONE,     /* no negotiation (SendTargets, extensions) */
	PDU_KEY_RES_DECLARED, /* declarative: the sender's value stands */
	PDU_KEY_RES_FIRST,    /* list: the first offered value the responder
				 supports, or Reject (§6.2.1) */
	PDU_KEY_RES_MIN,      /* numerical: Minimum (§6.2.2) */
	PDU_KEY_RES_MAX,      /* numerical: Maximum */
	PDU_KEY_RES_AND,      /* Boolean AND */
	PDU_KEY_RES_OR,       /* Boolean OR */
	PDU_KEY_RES_OBSOLETE, /* RFC 3720 key, answered Reject (§13.25) */
};

enum pdu_key_scope {
	PDU_KEY_SCOPE_SESSION,    /* SW */
	PDU_KEY_SCOPE_CONNECTION, /* CO */
};

/* Who may originate (offer or declare) the key. */
#define PDU_KEY_BY_INITIATOR 0x1u
#define PDU_KEY_BY_TARGET 0x2u

/* Where the key may be sent. */
#define PDU_KEY_IN_SECURITY 0x1u    /* login stage 0 */
#define PDU_KEY_IN_OPERATIONAL 0x2u /* login stage 1 */
#define PDU_KEY_IN_FFP 0x4u         /* Text Requests/Responses */

/* Row flags. */
#define PDU_KEY_F_LO 0x0001u          /* leading only (LOGIN-026) */
#define PDU_KEY_F_IO 0x0002u          /* initialize only: login */
#define PDU_KEY_F_IRR_DISCOVERY 0x0004u /* irrelevant when
					     SessionType=Discovery */
#define PDU_KEY_F_IRR_NO_UNSOL 0x0008u  /* irrelevant when InitialR2T=Yes and
					   ImmediateData=No (FirstBurstLength) */
#define PDU_KEY_F_REPEAT 0x0010u      /* may be sent more than once */
#define PDU_KEY_F_REPEAT_ST 0x0020u   /* repeats in a SendTargets answer */
#define PDU_KEY_F_PATTERN 0x0040u     /* row matches a name prefix */
#define PDU_KEY_F_MANDATORY 0x0080u   /* §6.2: used as specified, never
					 answered NotUnderstood */
#define PDU_KEY_F_OBSOLETE 0x0100u    /* RFC 3720 key removed (§13.25) */
#define PDU_KEY_F_TARGET_FFP 0x0200u  /* the target sends it only in FFP */
#define PDU_KEY_F_BINARY_NUM 0x0400u  /* number written as a binary-value */
#define PDU_KEY_F_NUM_ITEMS 0x0800u   /* list items are numbers in [min,max] */
#define PDU_KEY_F_WHOLE_LEN 0x1000u   /* max_len bounds the whole list */

/* The rows of pdu_key_table, in table order: pdu_key_table[id] is the row
 * of key id (PDU_KEY_ID_X_DASH and PDU_KEY_ID_X_HASH are the X- and X#
 * prefix rows). */
enum pdu_key_id {
	/* §12: security negotiation */
	PDU_KEY_ID_AUTH_METHOD,
	PDU_KEY_ID_KRB_AP_REQ,
	PDU_KEY_ID_KRB_AP_REP,
	PDU_KEY_ID_SRP_U,
	PDU_KEY_ID_TARGET_AUTH,
	PDU_KEY_ID_SRP_GROUP,
	PDU_KEY_ID_SRP_S,
	PDU_KEY_ID_SRP_A,
	PDU_KEY_ID_SRP_B,
	PDU_KEY_ID_SRP_M,
	PDU_KEY_ID_SRP_HM,
	PDU_KEY_ID_CHAP_A,
	PDU_KEY_ID_CHAP_I,
	PDU_KEY_ID_CHAP_C,
	PDU_KEY_ID_CHAP_N,
	PDU_KEY_ID_CHAP_R,
	/* §13: operational keys */
	PDU_KEY_ID_HEADER_DIGEST,
	PDU_KEY_ID_DATA_DIGEST,
	PDU_KEY_ID_MAX_CONNECTIONS,
	PDU_KEY_ID_SEND_TARGETS,
	PDU_KEY_ID_TARGET_NAME,
	PDU_KEY_ID_INITIATOR_NAME,
	PDU_KEY_ID_TARGET_ALIAS,
	PDU_KEY_ID_INITIATOR_ALIAS,
	PDU_KEY_ID_TARGET_ADDRESS,
	PDU_KEY_ID_TARGET_PORTAL_GROUP_TAG,
	PDU_KEY_ID_INITIAL_R2T,
	PDU_KEY_ID_IMMEDIATE_DATA,
	PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH,
	PDU_KEY_ID_MAX_BURST_LENGTH,
	PDU_KEY_ID_FIRST_BURST_LENGTH,
	PDU_KEY_ID_DEFAULT_TIME2WAIT,
	PDU_KEY_ID_DEFAULT_TIME2RETAIN,
	PDU_KEY_ID_MAX_OUTSTANDING_R2T,
	PDU_KEY_ID_DATA_PDU_IN_ORDER,
	PDU_KEY_ID_DATA_SEQUENCE_IN_ORDER,
	PDU_KEY_ID_ERROR_RECOVERY_LEVEL,
	PDU_KEY_ID_SESSION_TYPE,
	PDU_KEY_ID_X_DASH,
	PDU_KEY_ID_X_NODE_ARCHITECTURE,
	PDU_KEY_ID_X_HASH,
	PDU_KEY_ID_TASK_REPORTING,
	PDU_KEY_ID_ISCSI_PROTOCOL_LEVEL,
	/* §13.25: obsoleted RFC 3720 keys */
	PDU_KEY_ID_OF_MARKER,
	PDU_KEY_ID_IF_MARKER,
	PDU_KEY_ID_OF_MARK_INT,
	PDU_KEY_ID_IF_MARK_INT,
	PDU_KEY_COUNT
};

struct pdu_key_def {
	const char *name;     /* key name, or the prefix of a PATTERN row */
	size_t name_len;      /* strlen(name) */
	const char *section;  /* RFC 7143 section */
	enum pdu_key_syntax syntax;
	enum pdu_key_result result;
	const char *dflt;     /* default value as sent, NULL if none */
	uint64_t min, max;    /* numbers: range; BINARY: max bytes in max */
	size_t max_len;       /* longest value in bytes (per item for lists) */
	const char *const *values; /* known values (NULL-terminated) or NULL */
	enum pdu_key_scope scope;
	unsigned senders;     /* PDU_KEY_BY_* */
	unsigned stages;      /* PDU_KEY_IN_* */
	unsigned flags;       /* PDU_KEY_F_* */
	const char *rule;     /* catalogue ID a bad value breaks, or NULL */
	const char *ids;      /* catalogue IDs about the key, space separated */
};

extern const struct pdu_key_def pdu_key_table[PDU_KEY_COUNT];
extern const size_t pdu_key_count; /* PDU_KEY_COUNT */

/* The row for name: an exact name, else the X# or X- extension pattern it
 * starts with; NULL for an unknown key. */
const struct pdu_key_def *pdu_key_find(const char *name);

/* def is the row of key id. */
static inline bool pdu_key_is(const struct pdu_key_def *def,
			      enum pdu_key_id id)
{
	return def == &pdu_key_table[id];
}

/* def is a row of one key name (not NULL, not an X- / X# prefix row): the
 * names of two such rows are equal exactly when the rows are. */
static inline bool pdu_key_is_exact(const struct pdu_key_def *def)
{
	return def && !(def->flags & PDU_KEY_F_PATTERN);
}

/* The row's enum pdu_key_id. */
static inline enum pdu_key_id pdu_key_id_of(const struct pdu_key_def *def)
{
	return (enum pdu_key_id)(def - pdu_key_table);
}

/* Whether value is admissible for the key (syntax, range, length, reserved
 * constants). Returns PDU_OK, PDU_KV_E_BAD_VALUE (catalogue ID: def->rule),
 * PDU_KV_E_VALUE_TOO_LONG (LOGIN-017) or PDU_KV_E_RESERVED (LOGIN-019). */
int pdu_key_check_value(const struct pdu_key_def *def, const char *value,
			struct pdu_error *err);

/* Context of a negotiation. */
struct pdu_key_ctx {
	bool discovery;      /* SessionType=Discovery */
	bool no_unsolicited; /* InitialR2T=Yes and ImmediateData=No */
};

/* The key is irrelevant in this context (§13 "Irrelevant when"). */
bool pdu_key_irrelevant(const struct pdu_key_def *def,
			const struct pdu_key_ctx *ctx);

/*
 * May this side originate the key here? stage is PDU_STAGE_SECURITY,
 * PDU_STAGE_OPERATIONAL or PDU_STAGE_FULL_FEATURE (Text negotiation);
 * leading is whether the connection is the session's first. Answers are
 * not originations: check only offers and declarations. Returns PDU_OK,
 * PDU_KV_E_LEADING_ONLY (LOGIN-026), PDU_KV_E_WRONG_SENDER or
 * PDU_KV_E_WRONG_STAGE. Unknown keys (def NULL) pass.
 */
int pdu_key_check_use(const struct pdu_key_def *def, bool by_target,
		      int stage, bool leading, struct pdu_error *err);

/* ---- negotiation -------------------------------------------------------- */

enum pdu_key_status {
	PDU_KEY_AGREED = 0,         /* outcome in value/num */
	PDU_KEY_REJECTED = 1,       /* answered Reject: the key keeps its
				       current (or default) value */
	PDU_KEY_IRRELEVANT = 2,     /* answered Irrelevant */
	PDU_KEY_NOT_UNDERSTOOD = 3, /* answered NotUnderstood */
	PDU_KEY_VIOLATION = -1,     /* rule, culprit and msg say what broke */
};

enum pdu_key_culprit {
	PDU_KEY_NOBODY = 0,
	PDU_KEY_OFFERER,
	PDU_KEY_ANSWERER,
};

struct pdu_key_outcome {
	int status;                    /* enum pdu_key_status */
	enum pdu_key_culprit culprit;  /* who broke the rule */
	const char *rule;              /* catalogue ID broken, or NULL */
	const char *also;              /* a second ID the case touches, or NULL */
	uint64_t num;                  /* numeric outcome; Yes = 1, No = 0 */
	bool value_truncated;          /* value holds the first 255 bytes */
	char value[PDU_KV_MAX_SIMPLE_VALUE + 1]; /* outcome as text */
	char msg[200];
};

/*
 * Judge one negotiation. offer is the value the originator sent (the
 * declared value for a declarative key); answer is the responder's value,
 * or NULL when it sent none. def NULL means an unknown key. Returns
 * out->status (PDU_E_INVALID for a NULL offer or out).
 *
 * Rules checked: reserved constants only where allowed (LOGIN-019: never
 * offered; None only as a list item; NotUnderstood never for a §13/§12 key
 * used as specified nor for an obsoleted key), list answers are one value
 * from the offer (LOGIN-021), numerical answers within the range and the
 * Minimum/Maximum function (LOGIN-022, with the key's own rule LOGIN-028 /
 * LOGIN-029 for its range), Boolean answers per AND/OR (LOGIN-023), Reject
 * only for an inadmissible offer of a simple value (§6.2.2), the obsoleted
 * keys answered Reject (or No for the markers, §13.25). A declarative key's
 * answer, when there is one, is checked as the responder's own declaration
 * and the outcome is the offer.
 */
int pdu_key_negotiate(const struct pdu_key_def *def, const char *offer,
		      const char *answer, struct pdu_key_outcome *out);

/* What pdu_key_respond() produced. */
enum pdu_key_answer {
	PDU_KEY_ANSWER_NONE = 0,     /* nothing to send (declarative key) */
	PDU_KEY_ANSWER_REQUIRED = 1, /* send key=out */
	PDU_KEY_ANSWER_OPTIONAL = 2, /* out is the outcome; sending it is
					allowed but not needed (§6.2.2) */
};

/*
 * The answer a correct responder sends to offer. own is the responder's own
 * value: for a list key, the comma-separated values it supports (NULL: the
 * row's known values); for a numerical key, its limit or wish (NULL: the
 * default); for a Boolean key, its wish (NULL: the default). ctx may be
 * NULL (a normal session). Unknown and extension keys get NotUnderstood,
 * obsoleted keys Reject, keys irrelevant in ctx Irrelevant, inadmissible
 * offers Reject. Returns enum pdu_key_answer, PDU_E_TOO_LONG, or
 * PDU_E_INVALID (NULL offer, or own not a valid value).
 */
int pdu_key_respond(const struct pdu_key_def *def, const char *offer,
		    const char *own, const struct pdu_key_ctx *ctx, char *out,
		    size_t cap);

/* ---- negotiated session parameters ------------------------------------ */

enum pdu_task_reporting {
	PDU_TASK_REPORTING_RFC3720 = 0,
	PDU_TASK_REPORTING_RESPONSE_FENCE,
	PDU_TASK_REPORTING_FAST_ABORT,
};

/* The operational values in force for a session and one of its
 * connections. */
struct pdu_key_params {
	struct pdu_digests digests;       /* this connection */
	uint32_t max_connections;
	bool initial_r2t;
	bool immediate_data;
	uint32_t mrdsl_initiator;  /* declared by the initiator: bounds the
				      data segments the target sends */
	uint32_t mrdsl_target;     /* declared by the target: bounds what the
				      initiator sends */
	uint32_t max_burst_length;
	uint32_t first_burst_length;
	uint32_t default_time2wait;
	uint32_t default_time2retain;
	uint32_t max_outstanding_r2t;
	bool data_pdu_in_order;
	bool data_sequence_in_order;
	uint8_t error_recovery_level;
	bool discovery;            /* SessionType=Discovery */
	uint8_t protocol_level;    /* iSCSIProtocolLevel */
	enum pdu_task_reporting task_reporting;
	int32_t tpgt;              /* TargetPortalGroupTag, -1 until declared */
};

/* Every field at its default, taken from the table. */
void pdu_key_params_init(struct pdu_key_params *p);
/*
 * Apply one negotiated outcome (or declaration) key=value. declared_by_target
 * says which side declared a declarative key (it picks the direction of
 * MaxRecvDataSegmentLength). Returns 1 when a field changed, 0 when the key
 * is not a session parameter or value is a reserved constant (nothing
 * changes), or a negative PDU_KV_E_* when value is not a valid outcome.
 */
int pdu_key_params_apply(struct pdu_key_params *p, const char *key,
			 const char *value, bool declared_by_target,
			 struct pdu_error *err);
/* The same for the key of row def (NULL for an unknown key). */
int pdu_key_params_apply_def(struct pdu_key_params *p,
			     const struct pdu_key_def *def, const char *value,
			     bool declared_by_target, struct pdu_error *err);
/* Cross-key rules on the result: FirstBurstLength <= MaxBurstLength
 * (LOGIN-028) unless FirstBurstLength is irrelevant (InitialR2T=Yes and
 * ImmediateData=No). Returns PDU_OK or PDU_KV_E_BAD_VALUE. */
int pdu_key_params_check(const struct pdu_key_params *p,
			 struct pdu_error *err);

#endif
