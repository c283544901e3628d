/* keys.c — login and text key=value data (RFC 7143 §6, §12, §13): the
 * streaming parser, value decoding, the encoder, the table of every key with
 * its negotiation rules, the offer/answer checker, the responder and the
 * negotiated session parameters. See keys.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

/* ---- errors ------------------------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
#define KV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KV_PRINTF(a, b)
#endif

static void seterr(struct pdu_error *err, int code, const char *field,
		   size_t offset, const char *fmt, ...) KV_PRINTF(5, 6);

static void seterr(struct pdu_error *err, int code, const char *field,
		   size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	err->field = field;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* A key or value made fit for a message: at most 40 bytes, non-printable
 * bytes as '?', "..." when cut. */
#define SHOW_MAX 40
static const char *show(const char *s, size_t len, char out[SHOW_MAX + 4])
{
	size_t n = len > SHOW_MAX ? SHOW_MAX : len;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > SHOW_MAX) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

const char *pdu_kv_rule(int code)
{
	switch (code) {
	case PDU_KV_E_NO_EQUALS:
	case PDU_KV_E_EMPTY_KEY:
	case PDU_KV_E_KEY_TOO_LONG:
	case PDU_KV_E_KEY_CHAR:
	case PDU_KV_E_VALUE_TOO_LONG:
	case PDU_KV_E_NO_FINAL_NUL:
	case PDU_KV_E_EMPTY_PAIR:
		return "LOGIN-017";
	case PDU_KV_E_DUPLICATE:
		return "LOGIN-024";
	case PDU_KV_E_RESERVED:
		return "LOGIN-019";
	case PDU_KV_E_LEADING_ONLY:
		return "LOGIN-026";
	default:
		return NULL;
	}
}

const char *pdu_kv_strerror(int code)
{
	switch (code) {
	case PDU_OK: return "ok";
	case PDU_E_TRUNCATED: return "truncated";
	case PDU_E_TOO_LONG: return "output buffer too small";
	case PDU_E_HEADER_DIGEST: return "header digest mismatch";
	case PDU_E_DATA_DIGEST: return "data digest mismatch";
	case PDU_E_BAD_OPCODE: return "bad opcode";
	case PDU_E_AHS: return "bad AHS";
	case PDU_E_INVALID: return "invalid argument";
	case PDU_KV_E_NO_EQUALS: return "key=value pair without '='";
	case PDU_KV_E_EMPTY_KEY: return "empty key name";
	case PDU_KV_E_KEY_TOO_LONG: return "key name longer than 63 bytes";
	case PDU_KV_E_KEY_CHAR: return "key name not a standard-label";
	case PDU_KV_E_VALUE_TOO_LONG: return "value too long";
	case PDU_KV_E_NO_FINAL_NUL: return "sequence ends inside a pair";
	case PDU_KV_E_EMPTY_PAIR: return "0x00 without a pair";
	case PDU_KV_E_SEQ_LIMIT: return "sequence longer than the parser takes";
	case PDU_KV_E_DUPLICATE: return "key sent twice";
	case PDU_KV_E_BAD_VALUE: return "value not admissible for the key";
	case PDU_KV_E_RESERVED: return "reserved constant misused";
	case PDU_KV_E_NOMEM: return "out of memory";
	case PDU_KV_E_STATE: return "data after the final chunk";
	case PDU_KV_E_LEADING_ONLY: return "leading-only key on another connection";
	case PDU_KV_E_WRONG_SENDER: return "key not sent by this side";
	case PDU_KV_E_WRONG_STAGE: return "key not allowed in this stage";
	default: return "unknown error";
	}
}

/* ---- the key table ------------------------------------------------------ */

static const char *const digest_values[] = { "CRC32C", "None", NULL };
static const char *const auth_values[] = { "CHAP", "SRP", "KRB5", "None",
					   NULL };
static const char *const chap_a_values[] = { "5", NULL };
static const char *const session_values[] = { "Discovery", "Normal", NULL };
static const char *const task_values[] = { "RFC3720", "ResponseFence",
					   "FastAbort", NULL };

#define BOTH (PDU_KEY_BY_INITIATOR | PDU_KEY_BY_TARGET)
#define BY_I PDU_KEY_BY_INITIATOR
#define BY_T PDU_KEY_BY_TARGET
#define SEC PDU_KEY_IN_SECURITY
#define OPER PDU_KEY_IN_OPERATIONAL
#define FFP PDU_KEY_IN_FFP
#define LOGIN_STAGES (SEC | OPER)
#define ANY_STAGE (SEC | OPER | FFP)
#define MAND PDU_KEY_F_MANDATORY
#define SW PDU_KEY_SCOPE_SESSION
#define CO PDU_KEY_SCOPE_CONNECTION
#define MAXLEN24 16777215u

/* Operational keys negotiated on the leading connection of a normal
 * session (§13.2, §13.10-13.20, §13.23-13.24). */
#define LO_NORMAL (PDU_KEY_F_LO | PDU_KEY_F_IRR_DISCOVERY | MAND)

const struct pdu_key_def pdu_key_table[] = {
	/* §12: security negotiation */
	{ .name = "AuthMethod", .section = "12.1",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .max_len = 255, .values = auth_values, .scope = CO,
	  .senders = BOTH, .stages = SEC, .flags = PDU_KEY_F_IO | MAND,
	  .rule = "LOGIN-021", .ids = "LOGIN-021 LOGIN-030" },
	{ .name = "KRB_AP_REQ", .section = "12.1.1",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 49152, .max_len = 65536, .scope = CO, .senders = BY_I,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "KRB_AP_REP", .section = "12.1.1",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 49152, .max_len = 65536, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "SRP_U", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_TEXT, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = CO, .senders = BY_I, .stages = SEC,
	  .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "TargetAuth", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = CO, .senders = BY_I, .stages = SEC,
	  .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "SRP_GROUP", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .max_len = 255, .scope = CO, .senders = BY_T, .stages = SEC,
	  .flags = PDU_KEY_F_IO, .rule = "LOGIN-021", .ids = "LOGIN-021" },
	{ .name = "SRP_s", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "SRP_A", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_I,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "SRP_B", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "SRP_M", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_I,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "SRP_HM", .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	{ .name = "CHAP_A", .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .min = 0, .max = 255, .max_len = 255, .values = chap_a_values,
	  .scope = CO, .senders = BY_I, .stages = SEC,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_NUM_ITEMS | MAND,
	  .rule = "LOGIN-030", .ids = "LOGIN-021 LOGIN-030" },
	{ .name = "CHAP_I", .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_DECLARED,
	  .min = 0, .max = 255, .max_len = 255, .scope = CO, .senders = BOTH,
	  .stages = SEC, .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030" },
	{ .name = "CHAP_C", .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = PDU_KV_CHAP_BINARY_MAX, .max_len = 2 + 2 * PDU_KV_CHAP_BINARY_MAX,
	  .scope = CO, .senders = BOTH, .stages = SEC,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030 LOGIN-033" },
	{ .name = "CHAP_N", .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_TEXT, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = CO, .senders = BOTH, .stages = SEC,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030" },
	{ .name = "CHAP_R", .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = PDU_KV_CHAP_BINARY_MAX, .max_len = 2 + 2 * PDU_KV_CHAP_BINARY_MAX,
	  .scope = CO, .senders = BOTH, .stages = SEC,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030 LOGIN-031 LOGIN-032" },

	/* §13: operational keys */
	{ .name = "HeaderDigest", .section = "13.1",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .dflt = "None", .max_len = 255, .values = digest_values,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-027",
	  .ids = "LOGIN-021 LOGIN-027" },
	{ .name = "DataDigest", .section = "13.1",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .dflt = "None", .max_len = 255, .values = digest_values,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-027",
	  .ids = "LOGIN-021 LOGIN-027" },
	{ .name = "MaxConnections", .section = "13.2",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "1", .min = 1, .max = 65535, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "SendTargets", .section = "13.3",
	  .syntax = PDU_KEY_SYN_SENDTARGETS, .result = PDU_KEY_RES_NONE,
	  .max_len = 255, .scope = SW, .senders = BY_I, .stages = FFP,
	  .flags = MAND, .rule = "TEXT-009", .ids = "TEXT-009 TEXT-010" },
	{ .name = "TargetName", .section = "13.4",
	  .syntax = PDU_KEY_SYN_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = PDU_KV_ISCSI_NAME_MAX, .scope = SW, .senders = BOTH,
	  .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_TARGET_FFP | PDU_KEY_F_REPEAT_ST |
		   MAND,
	  .rule = "LOGIN-014", .ids = "LOGIN-014 LOGIN-016 TEXT-009" },
	{ .name = "InitiatorName", .section = "13.5",
	  .syntax = PDU_KEY_SYN_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = PDU_KV_ISCSI_NAME_MAX, .scope = SW, .senders = BY_I,
	  .stages = LOGIN_STAGES, .flags = PDU_KEY_F_IO | MAND,
	  .rule = "LOGIN-013", .ids = "LOGIN-013 LOGIN-016" },
	{ .name = "TargetAlias", .section = "13.6",
	  .syntax = PDU_KEY_SYN_LOCAL_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = SW, .senders = BY_T, .stages = ANY_STAGE,
	  .flags = MAND, .rule = "LOGIN-017", .ids = "LOGIN-017" },
	{ .name = "InitiatorAlias", .section = "13.7",
	  .syntax = PDU_KEY_SYN_LOCAL_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = SW, .senders = BY_I, .stages = ANY_STAGE,
	  .flags = MAND, .rule = "LOGIN-017", .ids = "LOGIN-017" },
	{ .name = "TargetAddress", .section = "13.8",
	  .syntax = PDU_KEY_SYN_ADDRESS, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = SW, .senders = BY_T, .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_REPEAT | PDU_KEY_F_REPEAT_ST | MAND,
	  .rule = "LOGIN-034", .ids = "LOGIN-034 TEXT-009" },
	{ .name = "TargetPortalGroupTag", .section = "13.9",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_DECLARED,
	  .min = 0, .max = 65535, .max_len = 255, .scope = SW,
	  .senders = BY_T, .stages = LOGIN_STAGES,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_BINARY_NUM | MAND,
	  .rule = "LOGIN-015", .ids = "LOGIN-015" },
	{ .name = "InitialR2T", .section = "13.10",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OR,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	{ .name = "ImmediateData", .section = "13.11",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_AND,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	{ .name = "MaxRecvDataSegmentLength", .section = "13.12",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_DECLARED,
	  .dflt = "8192", .min = 512, .max = MAXLEN24, .max_len = 255,
	  .scope = CO, .senders = BOTH, .stages = ANY_STAGE, .flags = MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-028" },
	{ .name = "MaxBurstLength", .section = "13.13",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "262144", .min = 512, .max = MAXLEN24, .max_len = 255,
	  .scope = SW, .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "FirstBurstLength", .section = "13.14",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "65536", .min = 512, .max = MAXLEN24, .max_len = 255,
	  .scope = SW, .senders = BOTH, .stages = OPER,
	  .flags = LO_NORMAL | PDU_KEY_F_IRR_NO_UNSOL, .rule = "LOGIN-028",
	  .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "DefaultTime2Wait", .section = "13.15",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MAX,
	  .dflt = "2", .min = 0, .max = 3600, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = PDU_KEY_F_LO | MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "DefaultTime2Retain", .section = "13.16",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "20", .min = 0, .max = 3600, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = PDU_KEY_F_LO | MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "MaxOutstandingR2T", .section = "13.17",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "1", .min = 1, .max = 65535, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "DataPDUInOrder", .section = "13.18",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OR,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	{ .name = "DataSequenceInOrder", .section = "13.19",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OR,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	{ .name = "ErrorRecoveryLevel", .section = "13.20",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "0", .min = 0, .max = 2, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = PDU_KEY_F_LO | MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	{ .name = "SessionType", .section = "13.21",
	  .syntax = PDU_KEY_SYN_ENUM, .result = PDU_KEY_RES_DECLARED,
	  .dflt = "Normal", .max_len = 255, .values = session_values,
	  .scope = SW, .senders = BY_I, .stages = LOGIN_STAGES,
	  .flags = PDU_KEY_F_LO | MAND, .ids = "LOGIN-026" },
	{ .name = "X-", .section = "13.22",
	  .syntax = PDU_KEY_SYN_ANY, .result = PDU_KEY_RES_NONE,
	  .max_len = 255, .scope = SW, .senders = BOTH, .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_PATTERN, .ids = "LOGIN-020" },
	{ .name = "X#NodeArchitecture", .section = "13.26",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_DECLARED,
	  .dflt = "None", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = LOGIN_STAGES,
	  .flags = PDU_KEY_F_LO | PDU_KEY_F_WHOLE_LEN, .rule = "LOGIN-017",
	  .ids = "LOGIN-017 LOGIN-024" },
	{ .name = "X#", .section = "13.22",
	  .syntax = PDU_KEY_SYN_ANY, .result = PDU_KEY_RES_NONE,
	  .max_len = 255, .scope = SW, .senders = BOTH, .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_PATTERN, .ids = "LOGIN-020" },
	{ .name = "TaskReporting", .section = "13.23",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .dflt = "RFC3720", .max_len = 255, .values = task_values,
	  .scope = SW, .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-021", .ids = "LOGIN-021 LOGIN-026" },
	{ .name = "iSCSIProtocolLevel", .section = "13.24",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "1", .min = 0, .max = 31, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-029", .ids = "LOGIN-022 LOGIN-026 LOGIN-029" },

	/* §13.25: RFC 3720 keys RFC 7143 obsoleted; still received (libiscsi
	 * and others send IFMarker=No OFMarker=No) and answered Reject (the
	 * markers also No), never NotUnderstood. */
	{ .name = "OFMarker", .section = "13.25",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "No", .max_len = 255, .scope = CO, .senders = BOTH,
	  .stages = OPER, .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE,
	  .ids = "LOGIN-019" },
	{ .name = "IFMarker", .section = "13.25",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "No", .max_len = 255, .scope = CO, .senders = BOTH,
	  .stages = OPER, .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE,
	  .ids = "LOGIN-019" },
	{ .name = "OFMarkInt", .section = "13.25",
	  .syntax = PDU_KEY_SYN_RANGE, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "2048", .min = 1, .max = 65535, .max_len = 255,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE, .ids = "LOGIN-019" },
	{ .name = "IFMarkInt", .section = "13.25",
	  .syntax = PDU_KEY_SYN_RANGE, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "2048", .min = 1, .max = 65535, .max_len = 255,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE, .ids = "LOGIN-019" },
};

const size_t pdu_key_count = sizeof(pdu_key_table) / sizeof(pdu_key_table[0]);

static const struct pdu_key_def *find_exact(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < pdu_key_count; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		if (!(d->flags & PDU_KEY_F_PATTERN) && strlen(d->name) == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

static const struct pdu_key_def *find_len(const char *name, size_t len)
{
	const struct pdu_key_def *d = find_exact(name, len);
	size_t i;

	if (d)
		return d;
	for (i = 0; i < pdu_key_count; i++) {
		d = &pdu_key_table[i];
		if (!(d->flags & PDU_KEY_F_PATTERN))
			continue;
		size_t plen = strlen(d->name);
		if (len >= plen && memcmp(d->name, name, plen) == 0)
			return d;
	}
	return NULL;
}

const struct pdu_key_def *pdu_key_find(const char *name)
{
	return name ? find_len(name, strlen(name)) : NULL;
}

/* ---- key names ---------------------------------------------------------- */

static bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alnum(int c)
{
	return is_upper(c) || is_lower(c) || is_digit(c);
}

static bool label_char(int c)
{
	return is_alnum(c) || c == '.' || c == '-' || c == '+' || c == '@' ||
	       c == '_';
}

bool pdu_kv_key_valid(const char *key, size_t len, struct pdu_error *err)
{
	char sh[SHOW_MAX + 4];
	size_t i;

	if (len == 0) {
		seterr(err, PDU_KV_E_EMPTY_KEY, "kv.key", 0,
		       "LOGIN-017: empty key name");
		return false;
	}
	if (len > PDU_KV_MAX_KEY_LEN) {
		seterr(err, PDU_KV_E_KEY_TOO_LONG, "kv.key", PDU_KV_MAX_KEY_LEN,
		       "LOGIN-017: key \"%s\" is %zu bytes, more than %d",
		       show(key, len, sh), len, PDU_KV_MAX_KEY_LEN);
		return false;
	}
	/* X#name: public extension keys (§13.22). */
	bool public_ext = len >= 2 && key[0] == 'X' && key[1] == '#';
	for (i = 0; i < len; i++) {
		int c = (unsigned char)key[i];
		if (label_char(c) || (i == 1 && public_ext))
			continue;
		seterr(err, PDU_KV_E_KEY_CHAR, "kv.key", i,
		       "LOGIN-017: key \"%s\" has byte 0x%02x at %zu, not a "
		       "letter, digit or one of . - + @ _",
		       show(key, len, sh), (unsigned)c, i);
		return false;
	}
	/* A standard-label begins with a capital letter; the RFC's own
	 * iSCSIProtocolLevel does not, so table keys are taken as named. */
	if (!is_upper((unsigned char)key[0]) && !find_exact(key, len)) {
		seterr(err, PDU_KV_E_KEY_CHAR, "kv.key", 0,
		       "LOGIN-017: key \"%s\" does not begin with a capital "
		       "letter", show(key, len, sh));
		return false;
	}
	return true;
}

/* ---- parser ------------------------------------------------------------- */

void pdu_kv_init(struct pdu_kv_parser *p, size_t max_seq)
{
	memset(p, 0, sizeof(*p));
	if (max_seq == 0)
		max_seq = PDU_KV_DEFAULT_MAX_SEQ;
	if (max_seq < PDU_KV_MIN_SEQ)
		max_seq = PDU_KV_MIN_SEQ;
	p->max_seq = max_seq;
}

void pdu_kv_reset(struct pdu_kv_parser *p)
{
	p->head = p->tail = p->scan = 0;
	p->base = p->fed = 0;
	p->final = false;
}

void pdu_kv_free(struct pdu_kv_parser *p)
{
	free(p->buf);
	p->buf = NULL;
	p->cap = 0;
	pdu_kv_reset(p);
}

int pdu_kv_feed(struct pdu_kv_parser *p, const void *data, size_t len,
		bool more, struct pdu_error *err)
{
	if (p->final) {
		seterr(err, PDU_KV_E_STATE, "kv.sequence", p->fed,
		       "data fed after the sequence's final (C=0) chunk");
		return PDU_KV_E_STATE;
	}
	if (len > p->max_seq - p->fed) {
		seterr(err, PDU_KV_E_SEQ_LIMIT, "kv.sequence", p->fed,
		       "sequence would hold %zu bytes, this parser takes %zu",
		       p->fed + len, p->max_seq);
		return PDU_KV_E_SEQ_LIMIT;
	}
	if (p->head > 0) {
		memmove(p->buf, p->buf + p->head, p->tail - p->head);
		p->base += p->head;
		p->tail -= p->head;
		p->scan -= p->head;
		p->head = 0;
	}
	size_t need = p->tail + len + 1;
	if (need > p->cap) {
		size_t ncap = p->cap ? p->cap : 256;
		while (ncap < need)
			ncap *= 2;
		uint8_t *nb = realloc(p->buf, ncap);
		if (!nb) {
			seterr(err, PDU_KV_E_NOMEM, "kv.sequence", p->fed,
			       "out of memory for %zu bytes", ncap);
			return PDU_KV_E_NOMEM;
		}
		p->buf = nb;
		p->cap = ncap;
	}
	if (len)
		memcpy(p->buf + p->tail, data, len);
	p->tail += len;
	p->fed += len;
	p->final = !more;
	return PDU_OK;
}

bool pdu_kv_done(const struct pdu_kv_parser *p)
{
	return p->final && p->head == p->tail;
}

size_t pdu_kv_pending(const struct pdu_kv_parser *p)
{
	return p->tail - p->head;
}

/* Values longer than this break LOGIN-017 for the key (per list item where
 * the key takes a list; unknown keys are treated as lists, since an
 * extension key may be one). Returns the offset in value of the first byte
 * over the limit, or (size_t)-1. */
static bool over_item(const struct pdu_key_def *def)
{
	return !def || def->syntax == PDU_KEY_SYN_ANY ||
	       (def->syntax == PDU_KEY_SYN_LIST &&
		!(def->flags & PDU_KEY_F_WHOLE_LEN));
}

static size_t value_overrun(const struct pdu_key_def *def, const char *value,
			    size_t len, size_t *limit)
{
	bool per_item = over_item(def);
	size_t lim = def ? def->max_len : PDU_KV_MAX_SIMPLE_VALUE;
	size_t start = 0, i;

	*limit = lim;
	if (!per_item)
		return len > lim ? lim : (size_t)-1;
	for (i = 0; i <= len; i++) {
		if (i == len || value[i] == ',') {
			if (i - start > lim)
				return start + lim;
			start = i + 1;
		}
	}
	return (size_t)-1;
}

/* Split one pair s[0..len) (s[len] is 0) found at offset off. */
static int take_pair(char *s, size_t len, size_t off, struct pdu_kv_pair *pair,
		     struct pdu_error *err)
{
	char sh[SHOW_MAX + 4];
	char *eq = memchr(s, '=', len);

	pair->key = s;
	pair->offset = off;
	if (!eq) {
		pair->key_len = len;
		seterr(err, PDU_KV_E_NO_EQUALS, "kv.pair", off,
		       "LOGIN-017: pair \"%s\" at %zu has no '='",
		       show(s, len, sh), off);
		return PDU_KV_E_NO_EQUALS;
	}
	*eq = '\0';
	pair->key_len = (size_t)(eq - s);
	pair->value = eq + 1;
	pair->value_len = len - pair->key_len - 1;
	if (pair->key_len <= PDU_KV_MAX_KEY_LEN)
		pair->def = find_len(s, pair->key_len);

	struct pdu_error e;
	if (!pdu_kv_key_valid(s, pair->key_len, &e)) {
		seterr(err, e.code, "kv.key", off + e.offset, "%s (pair at %zu)",
		       e.msg, off);
		return e.code;
	}
	size_t limit;
	size_t over = value_overrun(pair->def, pair->value, pair->value_len,
				    &limit);
	if (over != (size_t)-1) {
		seterr(err, PDU_KV_E_VALUE_TOO_LONG, "kv.value",
		       off + pair->key_len + 1 + over,
		       "LOGIN-017: key \"%s\": value of %zu bytes has more "
		       "than %zu in one %s (pair at %zu)",
		       show(s, pair->key_len, sh), pair->value_len, limit,
		       over_item(pair->def) ? "list item" : "value", off);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	return 1;
}

int pdu_kv_next(struct pdu_kv_parser *p, struct pdu_kv_pair *pair,
		struct pdu_error *err)
{
	char sh[SHOW_MAX + 4];

	memset(pair, 0, sizeof(*pair));
	pair->key = "";
	if (p->head == p->tail)
		return 0;

	uint8_t *nul = memchr(p->buf + p->scan, 0, p->tail - p->scan);
	size_t off = p->base + p->head;
	if (!nul) {
		p->scan = p->tail;
		if (!p->final)
			return 0;
		/* The sequence ends inside a pair: read what there is. */
		size_t len = p->tail - p->head;
		char *s = (char *)p->buf + p->head;
		p->buf[p->tail] = 0;
		p->head = p->scan = p->tail;
		char *eq = memchr(s, '=', len);
		pair->key = s;
		pair->key_len = len;
		pair->offset = off;
		if (eq) {
			*eq = '\0';
			pair->key_len = (size_t)(eq - s);
			pair->value = eq + 1;
			pair->value_len = len - pair->key_len - 1;
			if (pair->key_len <= PDU_KV_MAX_KEY_LEN)
				pair->def = find_len(s, pair->key_len);
		}
		seterr(err, PDU_KV_E_NO_FINAL_NUL, "kv.pair", p->base + p->tail,
		       "LOGIN-017: sequence ends after %zu bytes inside pair "
		       "\"%s\" (at %zu) with no final 0x00",
		       p->base + p->tail, show(s, pair->key_len, sh), off);
		return PDU_KV_E_NO_FINAL_NUL;
	}

	size_t end = (size_t)(nul - p->buf);
	size_t len = end - p->head;
	char *s = (char *)p->buf + p->head;
	p->head = p->scan = end + 1;
	if (len == 0) {
		pair->offset = off;
		seterr(err, PDU_KV_E_EMPTY_PAIR, "kv.pair", off,
		       "LOGIN-017: 0x00 at %zu ends no key=value pair (one "
		       "0x00 per pair)", off);
		return PDU_KV_E_EMPTY_PAIR;
	}
	return take_pair(s, len, off, pair, err);
}

/* ---- the once-per-login rule -------------------------------------------- */

void pdu_kv_seen_init(struct pdu_kv_seen *s)
{
	memset(s, 0, sizeof(*s));
}

void pdu_kv_seen_free(struct pdu_kv_seen *s)
{
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

int pdu_kv_seen_add(struct pdu_kv_seen *s, const char *key, size_t offset,
		    bool sendtargets_answer, struct pdu_error *err)
{
	char sh[SHOW_MAX + 4];
	size_t len = strlen(key), i;
	const struct pdu_key_def *def = pdu_key_find(key);

	if (def && (def->flags & PDU_KEY_F_REPEAT))
		return PDU_OK;
	if (def && (def->flags & PDU_KEY_F_REPEAT_ST) && sendtargets_answer)
		return PDU_OK;
	if (len > PDU_KV_MAX_KEY_LEN)
		return PDU_OK; /* not a key name; the parser reports it */
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->keys[i], key) == 0) {
			seterr(err, PDU_KV_E_DUPLICATE, "kv.key", offset,
			       "LOGIN-024: key \"%s\" at %zu was already sent "
			       "and may not be declared or negotiated again",
			       show(key, len, sh), offset);
			return PDU_KV_E_DUPLICATE;
		}
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		void *nk = realloc(s->keys, ncap * sizeof(*s->keys));
		if (!nk) {
			seterr(err, PDU_KV_E_NOMEM, "kv.key", offset,
			       "out of memory");
			return PDU_KV_E_NOMEM;
		}
		s->keys = nk;
		s->cap = ncap;
	}
	memcpy(s->keys[s->n], key, len + 1);
	s->n++;
	return PDU_OK;
}

/* ---- encoding ----------------------------------------------------------- */

long pdu_kv_append(uint8_t *buf, size_t used, size_t cap, const char *key,
		   const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);

	if (used > cap || kl + vl + 2 > cap - used)
		return PDU_E_TOO_LONG;
	memcpy(buf + used, key, kl);
	buf[used + kl] = '=';
	memcpy(buf + used + kl + 1, value, vl);
	buf[used + kl + 1 + vl] = 0;
	return (long)(used + kl + vl + 2);
}

long pdu_kv_append_num(uint8_t *buf, size_t used, size_t cap, const char *key,
		       uint64_t value)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, value);
	return pdu_kv_append(buf, used, cap, key, num);
}

size_t pdu_kv_split(const uint8_t *data, size_t len, size_t max_chunk,
		    bool whole_pairs, struct pdu_kv_chunk *out, size_t n_out)
{
	size_t n = 0, pos = 0;

	if (max_chunk == 0)
		return 0;
	do {
		size_t take = len - pos;
		if (take > max_chunk) {
			take = max_chunk;
			if (whole_pairs && data) {
				size_t i;
				for (i = max_chunk; i > 0; i--) {
					if (data[pos + i - 1] == 0) {
						take = i;
						break;
					}
				}
			}
		}
		if (n < n_out) {
			out[n].offset = pos;
			out[n].len = take;
			out[n].more = pos + take < len;
		}
		n++;
		pos += take;
	} while (pos < len);
	return n;
}

/* ---- values ------------------------------------------------------------- */

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int b64val(int c)
{
	if (is_upper(c))
		return c - 'A';
	if (is_lower(c))
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode the base64 text after "0b" (s points at it). */
static long decode_b64(const char *s, uint8_t *out, size_t cap,
		       struct pdu_error *err)
{
	size_t len = strlen(s), pad = 0, m, i;

	while (pad < len && s[len - 1 - pad] == '=')
		pad++;
	m = len - pad;
	if (m == 0) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2,
		       "base64-constant has no digits");
		return PDU_KV_E_BAD_VALUE;
	}
	if (pad > 2 || (pad && len % 4 != 0) || m % 4 == 1) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2 + m,
		       "base64-constant of %zu characters with %zu '=' is not "
		       "a whole number of bytes", m, pad);
		return PDU_KV_E_BAD_VALUE;
	}
	size_t bytes = m / 4 * 3 + (m % 4 == 2 ? 1 : m % 4 == 3 ? 2 : 0);
	if (out && bytes > cap)
		return PDU_E_TOO_LONG;
	uint32_t acc = 0;
	size_t bits = 0, o = 0;
	for (i = 0; i < m; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2 + i,
			       "byte 0x%02x at %zu is not a base64 digit",
			       (unsigned)(unsigned char)s[i], 2 + i);
			return PDU_KV_E_BAD_VALUE;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out && o < bytes)
				out[o] = (uint8_t)(acc >> bits);
			o++;
			acc &= (1u << bits) - 1;
		}
	}
	return (long)bytes;
}

long pdu_kv_decode_binary(const char *s, uint8_t *out, size_t cap,
			  struct pdu_error *err)
{
	size_t n, i;

	if (!s || s[0] != '0' || !s[1] ||
	    !strchr("xXbB", s[1])) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
		       "not a hex-constant (0x) or base64-constant (0b)");
		return PDU_KV_E_BAD_VALUE;
	}
	if (s[1] == 'b' || s[1] == 'B')
		return decode_b64(s + 2, out, cap, err);
	n = strlen(s + 2);
	if (n == 0) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2,
		       "hex-constant has no digits");
		return PDU_KV_E_BAD_VALUE;
	}
	for (i = 0; i < n; i++) {
		if (hexval((unsigned char)s[2 + i]) < 0) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2 + i,
			       "byte 0x%02x at %zu is not a hex digit",
			       (unsigned)(unsigned char)s[2 + i], 2 + i);
			return PDU_KV_E_BAD_VALUE;
		}
	}
	size_t bytes = (n + 1) / 2;
	if (out) {
		if (bytes > cap)
			return PDU_E_TOO_LONG;
		/* An odd digit count puts a lone nibble in the first byte. */
		size_t d = 0, o = 0;
		if (n % 2) {
			out[o++] = (uint8_t)hexval((unsigned char)s[2]);
			d = 1;
		}
		for (; d < n; d += 2)
			out[o++] = (uint8_t)(hexval((unsigned char)s[2 + d]) << 4 |
					     hexval((unsigned char)s[3 + d]));
	}
	return (long)bytes;
}

long pdu_kv_encode_hex(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (n > (SIZE_MAX - 3) / 2 || cap < 2 * n + 3)
		return PDU_E_TOO_LONG;
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < n; i++) {
		out[2 + 2 * i] = digits[in[i] >> 4];
		out[3 + 2 * i] = digits[in[i] & 15];
	}
	out[2 + 2 * n] = '\0';
	return (long)(2 + 2 * n);
}

long pdu_kv_encode_base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t groups = (n + 2) / 3, i, o = 2;

	if (groups > (SIZE_MAX - 3) / 4 || cap < 4 * groups + 3)
		return PDU_E_TOO_LONG;
	out[0] = '0';
	out[1] = 'b';
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		out[o++] = digits[(v >> 18) & 63];
		out[o++] = digits[(v >> 12) & 63];
		out[o++] = left > 1 ? digits[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? digits[v & 63] : '=';
	}
	out[o] = '\0';
	return (long)o;
}

int pdu_kv_parse_number(const char *s, bool binary, uint64_t *out,
			struct pdu_error *err)
{
	uint64_t v = 0;
	size_t i;

	if (!s || !*s) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
		       "empty where a number is due");
		return PDU_KV_E_BAD_VALUE;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		unsigned sig = 0;
		if (!s[2]) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2,
			       "hex-constant has no digits");
			return PDU_KV_E_BAD_VALUE;
		}
		for (i = 2; s[i]; i++) {
			int d = hexval((unsigned char)s[i]);
			if (d < 0) {
				seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", i,
				       "byte 0x%02x at %zu is not a hex digit",
				       (unsigned)(unsigned char)s[i], i);
				return PDU_KV_E_BAD_VALUE;
			}
			if (sig == 0 && d == 0)
				continue;
			if (sig == 16) {
				seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", i,
				       "hex-constant is 2^64 or more");
				return PDU_KV_E_BAD_VALUE;
			}
			v = v << 4 | (uint64_t)d;
			sig++;
		}
		*out = v;
		return PDU_OK;
	}
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		uint8_t bytes[96];
		if (!binary) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			       "a base64-constant is not a numerical-value");
			return PDU_KV_E_BAD_VALUE;
		}
		long n = pdu_kv_decode_binary(s, bytes, sizeof(bytes), err);
		if (n == PDU_E_TOO_LONG) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			       "base64-constant is 2^64 or more");
			return PDU_KV_E_BAD_VALUE;
		}
		if (n < 0)
			return (int)n;
		for (i = 0; i < (size_t)n; i++) {
			if (v >> 56) {
				seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
				       "base64-constant is 2^64 or more");
				return PDU_KV_E_BAD_VALUE;
			}
			v = v << 8 | bytes[i];
		}
		*out = v;
		return PDU_OK;
	}
	if (!is_digit((unsigned char)s[0])) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
		       "not a number (decimal or 0x hex)");
		return PDU_KV_E_BAD_VALUE;
	}
	if (s[0] == '0' && s[1]) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
		       "decimal-constant with a leading zero");
		return PDU_KV_E_BAD_VALUE;
	}
	for (i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];
		if (!is_digit(c)) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", i,
			       "byte 0x%02x at %zu is not a decimal digit",
			       (unsigned)c, i);
			return PDU_KV_E_BAD_VALUE;
		}
		unsigned d = (unsigned)(c - '0');
		if (v > (UINT64_MAX - d) / 10) {
			seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", i,
			       "decimal-constant is 2^64 or more");
			return PDU_KV_E_BAD_VALUE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return PDU_OK;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Reject, Irrelevant or NotUnderstood: answers only, never values. */
static bool is_answer_constant(const char *v)
{
	return streq(v, "Reject") || streq(v, "Irrelevant") ||
	       streq(v, "NotUnderstood");
}

bool pdu_kv_is_reserved(const char *value)
{
	return streq(value, "None") || is_answer_constant(value);
}

bool pdu_kv_list_has(const char *list, const char *item)
{
	size_t il, start = 0, i;

	if (!list || !item)
		return false;
	il = strlen(item);
	for (i = 0;; i++) {
		if (list[i] == ',' || list[i] == '\0') {
			if (i - start == il && memcmp(list + start, item, il) == 0)
				return true;
			if (list[i] == '\0')
				return false;
			start = i + 1;
		}
	}
}

/* ---- value checks ------------------------------------------------------- */

/* Every message of a value error starts with the rule, then the key. */
static void value_err(struct pdu_error *err, int code, const char *rule,
		      const struct pdu_key_def *def, const char *value,
		      size_t off, const char *why)
{
	char sh[SHOW_MAX + 4];

	seterr(err, code, "kv.value", off, "%s%s%s=%s: %s (§%s)",
	       rule ? rule : "", rule ? ": " : "", def->name,
	       show(value, strlen(value), sh), why, def->section);
}

static int check_number(const struct pdu_key_def *def, const char *s,
			uint64_t *v, struct pdu_error *err)
{
	struct pdu_error e;
	char why[96];

	if (pdu_kv_parse_number(s, (def->flags & PDU_KEY_F_BINARY_NUM) != 0, v,
				&e) != PDU_OK) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, s, e.offset,
			  e.msg);
		return PDU_KV_E_BAD_VALUE;
	}
	if (*v < def->min || *v > def->max) {
		snprintf(why, sizeof(why), "%" PRIu64 " is outside %" PRIu64
			 "..%" PRIu64, *v, def->min, def->max);
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, s, 0, why);
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

static int check_list(const struct pdu_key_def *def, const char *value,
		      struct pdu_error *err)
{
	size_t len = strlen(value), start = 0, i;
	char item[PDU_KV_MAX_SIMPLE_VALUE + 1];
	char why[96];

	if (len == 0) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "empty list-of-values");
		return PDU_KV_E_BAD_VALUE;
	}
	if ((def->flags & PDU_KEY_F_WHOLE_LEN) && len > def->max_len) {
		snprintf(why, sizeof(why), "%zu bytes, more than %zu", len,
			 def->max_len);
		value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def, value,
			  def->max_len, why);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && value[i] != ',')
			continue;
		size_t il = i - start;
		if (il == 0) {
			value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def,
				  value, start, "empty item in the list");
			return PDU_KV_E_BAD_VALUE;
		}
		if (!(def->flags & PDU_KEY_F_WHOLE_LEN) && il > def->max_len) {
			snprintf(why, sizeof(why),
				 "item at %zu is %zu bytes, more than %zu",
				 start, il, def->max_len);
			value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017",
				  def, value, start + def->max_len, why);
			return PDU_KV_E_VALUE_TOO_LONG;
		}
		if (il < sizeof(item)) {
			memcpy(item, value + start, il);
			item[il] = '\0';
			if (is_answer_constant(item)) {
				value_err(err, PDU_KV_E_RESERVED, "LOGIN-019",
					  def, value, start,
					  "Reject, Irrelevant and "
					  "NotUnderstood are answers, not "
					  "list items (§6.2)");
				return PDU_KV_E_RESERVED;
			}
			uint64_t v;
			if ((def->flags & PDU_KEY_F_NUM_ITEMS) &&
			    check_number(def, item, &v, err) != PDU_OK) {
				if (err)
					err->offset += start;
				return PDU_KV_E_BAD_VALUE;
			}
		}
		start = i + 1;
	}
	return PDU_OK;
}

static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n, i;
		uint32_t cp;
		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

static int check_name(const struct pdu_key_def *def, const char *value,
		      struct pdu_error *err)
{
	size_t len = strlen(value), i;
	char why[96];

	if (len == 0) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "empty iSCSI name");
		return PDU_KV_E_BAD_VALUE;
	}
	if (len > PDU_KV_ISCSI_NAME_MAX) {
		snprintf(why, sizeof(why),
			 "iSCSI name of %zu bytes, more than %d (§4.2.7.1)",
			 len, PDU_KV_ISCSI_NAME_MAX);
		value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def, value,
			  PDU_KV_ISCSI_NAME_MAX, why);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	if (strncmp(value, "iqn.", 4) != 0 && strncmp(value, "eui.", 4) != 0 &&
	    strncmp(value, "naa.", 4) != 0) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "an iSCSI name starts with iqn., eui. or naa.");
		return PDU_KV_E_BAD_VALUE;
	}
	for (i = 0; i < len; i++) {
		int c = (unsigned char)value[i];
		if (c >= 0x80 || is_alnum(c) || c == '-' || c == '.' ||
		    c == ':')
			continue;
		snprintf(why, sizeof(why),
			 "byte 0x%02x at %zu is not allowed in an iSCSI name",
			 (unsigned)c, i);
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, i,
			  why);
		return PDU_KV_E_BAD_VALUE;
	}
	if (!valid_utf8((const unsigned char *)value)) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "not valid UTF-8");
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

/* A decimal or hex number of at most 65535 in s[0..len). */
static bool short_number(const char *s, size_t len)
{
	char tmp[24];
	uint64_t v;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return pdu_kv_parse_number(tmp, false, &v, NULL) == PDU_OK &&
	       v <= 65535;
}

/* domainname[:port][,portal-group-tag]; an IPv6 literal in brackets. */
static int check_address(const struct pdu_key_def *def, const char *value,
			 struct pdu_error *err)
{
	const char *p = value, *host_end;
	size_t i;

	if (!*value) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "empty address");
		return PDU_KV_E_BAD_VALUE;
	}
	if (strlen(value) > def->max_len) {
		value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def, value,
			  def->max_len, "longer than 255 bytes");
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	if (*p == '[') {
		host_end = strchr(p, ']');
		if (!host_end || host_end == p + 1) {
			value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def,
				  value, 0, "unterminated or empty [IPv6]");
			return PDU_KV_E_BAD_VALUE;
		}
		for (i = 1; p + i < host_end; i++) {
			int c = (unsigned char)p[i];
			if (hexval(c) < 0 && c != ':' && c != '.' && c != '%' &&
			    !is_alnum(c)) {
				value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					  def, value, i,
					  "bad byte in the IPv6 literal");
				return PDU_KV_E_BAD_VALUE;
			}
		}
		p = host_end + 1;
	} else {
		for (i = 0; p[i] && p[i] != ':' && p[i] != ','; i++) {
			int c = (unsigned char)p[i];
			if (!is_alnum(c) && c != '.' && c != '-' && c != '_') {
				value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					  def, value, i,
					  "bad byte in the domain name or "
					  "address");
				return PDU_KV_E_BAD_VALUE;
			}
		}
		if (i == 0) {
			value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def,
				  value, 0, "no domain name or address");
			return PDU_KV_E_BAD_VALUE;
		}
		p += i;
	}
	if (*p == ':') {
		const char *q = p + 1;
		size_t n = strcspn(q, ",");
		if (!short_number(q, n)) {
			value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def,
				  value, (size_t)(q - value),
				  "port is not a number up to 65535");
			return PDU_KV_E_BAD_VALUE;
		}
		p = q + n;
	}
	if (*p == ',') {
		const char *q = p + 1;
		if (!short_number(q, strlen(q))) {
			value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def,
				  value, (size_t)(q - value),
				  "portal group tag is not a number up to "
				  "65535");
			return PDU_KV_E_BAD_VALUE;
		}
		p = q + strlen(q);
	}
	if (*p) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
			  (size_t)(p - value), "junk after the address");
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

static int check_binary(const struct pdu_key_def *def, const char *value,
			struct pdu_error *err)
{
	struct pdu_error e;
	char why[96];

	if (strlen(value) > def->max_len) {
		snprintf(why, sizeof(why), "%zu characters, more than %zu",
			 strlen(value), def->max_len);
		value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def, value,
			  def->max_len, why);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	long n = pdu_kv_decode_binary(value, NULL, 0, &e);
	if (n < 0) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
			  e.offset, e.msg);
		return PDU_KV_E_BAD_VALUE;
	}
	if (n == 0 || (uint64_t)n > def->max) {
		snprintf(why, sizeof(why), "binary value of %ld bytes, not "
			 "1..%" PRIu64, n, def->max);
		value_err(err, n == 0 ? PDU_KV_E_BAD_VALUE
				      : PDU_KV_E_VALUE_TOO_LONG,
			  n == 0 ? def->rule : "LOGIN-017", def, value, 0, why);
		return n == 0 ? PDU_KV_E_BAD_VALUE : PDU_KV_E_VALUE_TOO_LONG;
	}
	return PDU_OK;
}

static int check_range(const struct pdu_key_def *def, const char *value,
		       struct pdu_error *err)
{
	const char *tilde = strchr(value, '~');
	uint64_t a, b;
	char lo[24];

	if (!tilde)
		return check_number(def, value, &a, err);
	size_t n = (size_t)(tilde - value);
	if (n == 0 || n >= sizeof(lo)) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "not a numeric-range a~b");
		return PDU_KV_E_BAD_VALUE;
	}
	memcpy(lo, value, n);
	lo[n] = '\0';
	if (check_number(def, lo, &a, err) != PDU_OK ||
	    check_number(def, tilde + 1, &b, err) != PDU_OK)
		return PDU_KV_E_BAD_VALUE;
	if (b < a) {
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, n,
			  "the right end of the range is below the left");
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

int pdu_key_check_value(const struct pdu_key_def *def, const char *value,
			struct pdu_error *err)
{
	char why[96];
	uint64_t v;
	size_t i;

	if (!def)
		return PDU_OK;
	if (!value) {
		seterr(err, PDU_E_INVALID, "kv.value", 0, "no value");
		return PDU_E_INVALID;
	}
	if (def->syntax == PDU_KEY_SYN_ANY)
		return PDU_OK;
	if (is_answer_constant(value)) {
		value_err(err, PDU_KV_E_RESERVED, "LOGIN-019", def, value, 0,
			  "a reserved answer, never an offered or declared "
			  "value (§6.2)");
		return PDU_KV_E_RESERVED;
	}
	if (streq(value, "None") &&
	    (def->syntax == PDU_KEY_SYN_NUMBER || def->syntax == PDU_KEY_SYN_BOOL ||
	     def->syntax == PDU_KEY_SYN_ENUM || def->syntax == PDU_KEY_SYN_RANGE ||
	     def->syntax == PDU_KEY_SYN_BINARY ||
	     def->syntax == PDU_KEY_SYN_ADDRESS)) {
		value_err(err, PDU_KV_E_RESERVED, "LOGIN-019", def, value, 0,
			  "None is a list item, not a value of this key (§6.2)");
		return PDU_KV_E_RESERVED;
	}
	switch (def->syntax) {
	case PDU_KEY_SYN_LIST:
		return check_list(def, value, err);
	case PDU_KEY_SYN_NUMBER:
		return check_number(def, value, &v, err);
	case PDU_KEY_SYN_BOOL:
		if (streq(value, "Yes") || streq(value, "No"))
			return PDU_OK;
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "a boolean-value is Yes or No");
		return PDU_KV_E_BAD_VALUE;
	case PDU_KEY_SYN_ENUM:
		for (i = 0; def->values[i]; i++)
			if (streq(value, def->values[i]))
				return PDU_OK;
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "not one of the key's values");
		return PDU_KV_E_BAD_VALUE;
	case PDU_KEY_SYN_TEXT:
	case PDU_KEY_SYN_LOCAL_NAME:
		if (strlen(value) > def->max_len) {
			snprintf(why, sizeof(why), "%zu bytes, more than %zu",
				 strlen(value), def->max_len);
			value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017",
				  def, value, def->max_len, why);
			return PDU_KV_E_VALUE_TOO_LONG;
		}
		if (def->syntax == PDU_KEY_SYN_LOCAL_NAME &&
		    !valid_utf8((const unsigned char *)value)) {
			value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def,
				  value, 0, "not valid UTF-8");
			return PDU_KV_E_BAD_VALUE;
		}
		return PDU_OK;
	case PDU_KEY_SYN_NAME:
		return check_name(def, value, err);
	case PDU_KEY_SYN_ADDRESS:
		return check_address(def, value, err);
	case PDU_KEY_SYN_SENDTARGETS:
		if (!*value || streq(value, "All"))
			return PDU_OK;
		return check_name(def, value, err);
	case PDU_KEY_SYN_BINARY:
		return check_binary(def, value, err);
	case PDU_KEY_SYN_RANGE:
		return check_range(def, value, err);
	case PDU_KEY_SYN_ANY:
		break;
	}
	return PDU_OK;
}

bool pdu_key_irrelevant(const struct pdu_key_def *def,
			const struct pdu_key_ctx *ctx)
{
	if (!def || !ctx)
		return false;
	return ((def->flags & PDU_KEY_F_IRR_DISCOVERY) && ctx->discovery) ||
	       ((def->flags & PDU_KEY_F_IRR_NO_UNSOL) && ctx->no_unsolicited);
}

int pdu_key_check_use(const struct pdu_key_def *def, bool by_target,
		      int stage, bool leading, struct pdu_error *err)
{
	static const char *const stage_names[] = {
		"SecurityNegotiation", "LoginOperationalNegotiation", "",
		"Full Feature Phase"
	};
	unsigned where;

	if (!def)
		return PDU_OK;
	switch (stage) {
	case PDU_STAGE_SECURITY: where = PDU_KEY_IN_SECURITY; break;
	case PDU_STAGE_OPERATIONAL: where = PDU_KEY_IN_OPERATIONAL; break;
	case PDU_STAGE_FULL_FEATURE: where = PDU_KEY_IN_FFP; break;
	default:
		seterr(err, PDU_E_INVALID, "kv.use", 0, "stage %d", stage);
		return PDU_E_INVALID;
	}
	if (!(def->senders &
	      (by_target ? PDU_KEY_BY_TARGET : PDU_KEY_BY_INITIATOR))) {
		seterr(err, PDU_KV_E_WRONG_SENDER, "kv.use", 0,
		       "%s is sent only by the %s (§%s)", def->name,
		       by_target ? "initiator" : "target", def->section);
		return PDU_KV_E_WRONG_SENDER;
	}
	bool ok = (def->stages & where) != 0;
	if (def->flags & PDU_KEY_F_TARGET_FFP)
		ok = ok && (by_target ? where == PDU_KEY_IN_FFP
				      : where != PDU_KEY_IN_FFP);
	if (!ok) {
		seterr(err, PDU_KV_E_WRONG_STAGE, "kv.use", 0,
		       "%s may not be sent by the %s in %s (§%s)", def->name,
		       by_target ? "target" : "initiator", stage_names[stage],
		       def->section);
		return PDU_KV_E_WRONG_STAGE;
	}
	if ((def->flags & PDU_KEY_F_LO) && !leading) {
		seterr(err, PDU_KV_E_LEADING_ONLY, "kv.use", 0,
		       "LOGIN-026: %s is leading-only and may not be sent on "
		       "a connection added to the session (§%s)",
		       def->name, def->section);
		return PDU_KV_E_LEADING_ONLY;
	}
	return PDU_OK;
}

/* ---- negotiation -------------------------------------------------------- */

static int violate(struct pdu_key_outcome *out, enum pdu_key_culprit who,
		   const char *rule, const char *also, const char *fmt, ...)
	KV_PRINTF(5, 6);

static int violate(struct pdu_key_outcome *out, enum pdu_key_culprit who,
		   const char *rule, const char *also, const char *fmt, ...)
{
	va_list ap;

	out->status = PDU_KEY_VIOLATION;
	out->culprit = who;
	out->rule = rule;
	out->also = (also && rule && strcmp(also, rule) == 0) ? NULL : also;
	va_start(ap, fmt);
	vsnprintf(out->msg, sizeof(out->msg), fmt, ap);
	va_end(ap);
	return PDU_KEY_VIOLATION;
}

/* A violation found by pdu_key_check_value(): its message, led by rule
 * instead of the rule the check named. */
static int violate_value(struct pdu_key_outcome *out,
			 enum pdu_key_culprit who, const char *rule,
			 const char *also, const struct pdu_error *e)
{
	const char *m = e->msg, *p = m;

	while ((*p >= 'A' && *p <= 'Z') || *p == '-' || (*p >= '0' && *p <= '9'))
		p++;
	if (p > m && p[0] == ':' && p[1] == ' ')
		m = p + 2;
	return violate(out, who, rule, also, "%s%s%s [%s]", rule ? rule : "",
		       rule ? ": " : "", m,
		       who == PDU_KEY_OFFERER ? "offer" : "answer");
}

static int settle(struct pdu_key_outcome *out, int status, const char *value)
{
	size_t n = value ? strlen(value) : 0;

	out->status = status;
	if (n > PDU_KV_MAX_SIMPLE_VALUE) {
		n = PDU_KV_MAX_SIMPLE_VALUE;
		out->value_truncated = true;
	}
	if (n)
		memcpy(out->value, value, n);
	out->value[n] = '\0';
	return status;
}

/* Agreed on value: also its number (Yes = 1) where the key has one. */
static int agree(const struct pdu_key_def *def, struct pdu_key_outcome *out,
		 const char *value)
{
	uint64_t v = 0;

	if (def && def->syntax == PDU_KEY_SYN_NUMBER &&
	    pdu_kv_parse_number(value, (def->flags & PDU_KEY_F_BINARY_NUM) != 0,
				&v, NULL) == PDU_OK)
		out->num = v;
	else if (def && def->syntax == PDU_KEY_SYN_BOOL)
		out->num = streq(value, "Yes");
	return settle(out, PDU_KEY_AGREED, value);
}

static const char *value_rule(const struct pdu_key_def *def, int rc)
{
	if (rc == PDU_KV_E_RESERVED)
		return "LOGIN-019";
	if (rc == PDU_KV_E_VALUE_TOO_LONG)
		return "LOGIN-017";
	return def->rule;
}

static const char *function_rule(const struct pdu_key_def *def)
{
	switch (def->result) {
	case PDU_KEY_RES_FIRST: return "LOGIN-021";
	case PDU_KEY_RES_MIN:
	case PDU_KEY_RES_MAX: return "LOGIN-022";
	case PDU_KEY_RES_AND:
	case PDU_KEY_RES_OR: return "LOGIN-023";
	default: return NULL;
	}
}

/* The answer of a key nobody can judge (unknown, extension, SendTargets). */
static int loose_answer(const struct pdu_key_def *def, const char *offer,
			const char *answer, struct pdu_key_outcome *out)
{
	if (!answer)
		return agree(def, out, offer);
	if (streq(answer, "NotUnderstood"))
		return settle(out, PDU_KEY_NOT_UNDERSTOOD, NULL);
	if (streq(answer, "Irrelevant"))
		return settle(out, PDU_KEY_IRRELEVANT, NULL);
	if (streq(answer, "Reject"))
		return settle(out, PDU_KEY_REJECTED, NULL);
	return agree(def, out, answer);
}

int pdu_key_negotiate(const struct pdu_key_def *def, const char *offer,
		      const char *answer, struct pdu_key_outcome *out)
{
	char so[SHOW_MAX + 4], sa[SHOW_MAX + 4];
	struct pdu_error e;
	const char *name;
	uint64_t o, a;
	int rc;

	if (!out)
		return PDU_E_INVALID;
	memset(out, 0, sizeof(*out));
	if (!offer) {
		out->status = PDU_E_INVALID;
		snprintf(out->msg, sizeof(out->msg), "no offer");
		return PDU_E_INVALID;
	}
	name = def ? def->name : "key";
	show(offer, strlen(offer), so);
	if (answer)
		show(answer, strlen(answer), sa);

	if (is_answer_constant(offer))
		return violate(out, PDU_KEY_OFFERER, "LOGIN-019", NULL,
			       "LOGIN-019: %s=%s offered: Reject, Irrelevant "
			       "and NotUnderstood are answers only (§6.2)",
			       name, so);
	if (!def || (def->flags & PDU_KEY_F_PATTERN))
		return loose_answer(def, offer, answer, out);

	rc = pdu_key_check_value(def, offer, &e);
	if (rc != PDU_OK)
		return violate_value(out, PDU_KEY_OFFERER, value_rule(def, rc),
				     NULL, &e);
	if (def->result == PDU_KEY_RES_NONE)
		return loose_answer(def, offer, answer, out);

	if (!answer) {
		switch (def->result) {
		case PDU_KEY_RES_DECLARED:
			return agree(def, out, offer);
		case PDU_KEY_RES_AND:
			if (streq(offer, "No"))
				return agree(def, out, "No");
			break;
		case PDU_KEY_RES_OR:
			if (streq(offer, "Yes"))
				return agree(def, out, "Yes");
			break;
		case PDU_KEY_RES_OBSOLETE:
			if (def->syntax == PDU_KEY_SYN_BOOL &&
			    streq(offer, "No"))
				return agree(def, out, "No");
			return violate(out, PDU_KEY_ANSWERER, NULL, NULL,
				       "%s=%s got no answer: an obsoleted key "
				       "is answered Reject (§13.25)",
				       name, so);
		default:
			break;
		}
		return violate(out, PDU_KEY_ANSWERER, function_rule(def),
			       def->rule,
			       "%s: %s=%s got no answer; the responder must "
			       "answer it (§6.2)",
			       function_rule(def), name, so);
	}

	if (streq(answer, "NotUnderstood")) {
		if (def->flags & PDU_KEY_F_OBSOLETE)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-019", NULL,
				       "LOGIN-019: %s answered NotUnderstood; "
				       "an obsoleted key is answered Reject "
				       "(§13.25)", name);
		if (def->flags & PDU_KEY_F_MANDATORY)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-019",
				       "LOGIN-020",
				       "LOGIN-019: %s answered NotUnderstood; "
				       "RFC 7143 keys used as specified must "
				       "be understood (§6.2)", name);
		return settle(out, PDU_KEY_NOT_UNDERSTOOD, NULL);
	}
	if (streq(answer, "Irrelevant")) {
		if (def->result == PDU_KEY_RES_OBSOLETE &&
		    def->syntax == PDU_KEY_SYN_RANGE)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-019", NULL,
				       "LOGIN-019: %s answered Irrelevant; it "
				       "must be answered Reject (§13.25)",
				       name);
		return settle(out, PDU_KEY_IRRELEVANT, NULL);
	}
	if (streq(answer, "Reject")) {
		if (def->result == PDU_KEY_RES_MIN ||
		    def->result == PDU_KEY_RES_MAX ||
		    def->result == PDU_KEY_RES_AND ||
		    def->result == PDU_KEY_RES_OR)
			return violate(out, PDU_KEY_ANSWERER,
				       function_rule(def), def->rule,
				       "%s: %s=%s answered Reject; an "
				       "admissible simple value must be "
				       "answered with an admissible value "
				       "(§6.2.2)",
				       function_rule(def), name, so);
		return settle(out, PDU_KEY_REJECTED, NULL);
	}

	switch (def->result) {
	case PDU_KEY_RES_FIRST:
		if (streq(answer, "None") && !pdu_kv_list_has(offer, "None"))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-021",
				       "LOGIN-019",
				       "LOGIN-021: %s answered None, which "
				       "was not offered in %s (§6.2.1)",
				       name, so);
		if (strchr(answer, ','))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-021",
				       def->rule,
				       "LOGIN-021: %s answered with a list "
				       "(%s); the answer is one offered value "
				       "(§6.2.1)", name, sa);
		if (!pdu_kv_list_has(offer, answer))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-021",
				       def->rule,
				       "LOGIN-021: %s answered %s, which is "
				       "not in the offer %s (§6.2.1)",
				       name, sa, so);
		return agree(def, out, answer);

	case PDU_KEY_RES_MIN:
	case PDU_KEY_RES_MAX:
		rc = pdu_key_check_value(def, answer, &e);
		if (rc != PDU_OK)
			return violate_value(out, PDU_KEY_ANSWERER,
					     value_rule(def, rc),
					     rc == PDU_KV_E_BAD_VALUE
						     ? "LOGIN-022"
						     : NULL,
					     &e);
		pdu_kv_parse_number(offer, false, &o, NULL);
		pdu_kv_parse_number(answer, false, &a, NULL);
		if (def->result == PDU_KEY_RES_MIN && a > o)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-022",
				       def->rule,
				       "LOGIN-022: %s=%s answered %s; the "
				       "result function is Minimum, so the "
				       "answer is at most the offer (§%s)",
				       name, so, sa, def->section);
		if (def->result == PDU_KEY_RES_MAX && a < o)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-022",
				       def->rule,
				       "LOGIN-022: %s=%s answered %s; the "
				       "result function is Maximum, so the "
				       "answer is at least the offer (§%s)",
				       name, so, sa, def->section);
		return agree(def, out, answer);

	case PDU_KEY_RES_AND:
	case PDU_KEY_RES_OR:
		rc = pdu_key_check_value(def, answer, &e);
		if (rc != PDU_OK)
			return violate_value(out, PDU_KEY_ANSWERER,
					     rc == PDU_KV_E_BAD_VALUE
						     ? "LOGIN-023"
						     : value_rule(def, rc),
					     def->rule, &e);
		if (def->result == PDU_KEY_RES_AND && streq(offer, "No") &&
		    streq(answer, "Yes"))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-023",
				       def->rule,
				       "LOGIN-023: %s=No answered Yes; the "
				       "function is AND, so the outcome is No "
				       "(§%s)", name, def->section);
		if (def->result == PDU_KEY_RES_OR && streq(offer, "Yes") &&
		    streq(answer, "No"))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-023",
				       def->rule,
				       "LOGIN-023: %s=Yes answered No; the "
				       "function is OR, so the outcome is Yes "
				       "(§%s)", name, def->section);
		return agree(def, out, answer);

	case PDU_KEY_RES_DECLARED:
		/* The responder's own declaration of the same key. */
		rc = pdu_key_check_value(def, answer, &e);
		if (rc != PDU_OK)
			return violate_value(out, PDU_KEY_ANSWERER,
					     value_rule(def, rc), NULL, &e);
		return agree(def, out, offer);

	case PDU_KEY_RES_OBSOLETE:
		if (def->syntax == PDU_KEY_SYN_BOOL && streq(answer, "No"))
			return agree(def, out, "No");
		return violate(out, PDU_KEY_ANSWERER, NULL, NULL,
			       "%s answered %s; an obsoleted key is answered "
			       "Reject%s (§13.25)",
			       name, sa,
			       def->syntax == PDU_KEY_SYN_BOOL ? " or No" : "");

	case PDU_KEY_RES_NONE:
		break;
	}
	return loose_answer(def, offer, answer, out);
}

static int put_answer(char *out, size_t cap, const char *s, int kind)
{
	size_t n = strlen(s);

	if (n + 1 > cap)
		return PDU_E_TOO_LONG;
	memcpy(out, s, n + 1);
	return kind;
}

/* The first item of offer that supported (a list; when NULL, the row's
 * known values, or any value for a key without known values) contains. */
static bool first_supported(const struct pdu_key_def *def, const char *offer,
			    const char *supported, char *item, size_t isz)
{
	size_t start = 0, i, k;

	for (i = 0;; i++) {
		if (offer[i] != ',' && offer[i] != '\0')
			continue;
		size_t il = i - start;
		if (il > 0 && il < isz) {
			memcpy(item, offer + start, il);
			item[il] = '\0';
			if (supported) {
				if (pdu_kv_list_has(supported, item))
					return true;
			} else if (def->values) {
				for (k = 0; def->values[k]; k++)
					if (streq(item, def->values[k]))
						return true;
			} else {
				return true;
			}
		}
		if (offer[i] == '\0')
			return false;
		start = i + 1;
	}
}

int pdu_key_respond(const struct pdu_key_def *def, const char *offer,
		    const char *own, const struct pdu_key_ctx *ctx, char *out,
		    size_t cap)
{
	char item[PDU_KV_MAX_SIMPLE_VALUE + 1];
	char num[24];
	uint64_t o, w;

	if (!out || cap == 0)
		return PDU_E_TOO_LONG;
	out[0] = '\0';
	if (!offer)
		return PDU_E_INVALID;
	if (!def || (def->flags & PDU_KEY_F_PATTERN))
		return put_answer(out, cap, "NotUnderstood",
				  PDU_KEY_ANSWER_REQUIRED);
	if (def->result == PDU_KEY_RES_NONE ||
	    def->result == PDU_KEY_RES_DECLARED)
		return PDU_KEY_ANSWER_NONE;
	if (def->result == PDU_KEY_RES_OBSOLETE)
		return put_answer(out, cap, "Reject", PDU_KEY_ANSWER_REQUIRED);
	if (pdu_key_irrelevant(def, ctx))
		return put_answer(out, cap, "Irrelevant",
				  PDU_KEY_ANSWER_REQUIRED);
	if (pdu_key_check_value(def, offer, NULL) != PDU_OK)
		return put_answer(out, cap, "Reject", PDU_KEY_ANSWER_REQUIRED);

	switch (def->result) {
	case PDU_KEY_RES_FIRST:
		if (first_supported(def, offer, own, item, sizeof(item)))
			return put_answer(out, cap, item,
					  PDU_KEY_ANSWER_REQUIRED);
		return put_answer(out, cap, "Reject", PDU_KEY_ANSWER_REQUIRED);
	case PDU_KEY_RES_MIN:
	case PDU_KEY_RES_MAX:
		if (pdu_kv_parse_number(own ? own : def->dflt, false, &w,
					NULL) != PDU_OK)
			return PDU_E_INVALID;
		pdu_kv_parse_number(offer, false, &o, NULL);
		if (w < def->min)
			w = def->min;
		if (w > def->max)
			w = def->max;
		if (def->result == PDU_KEY_RES_MIN)
			w = w < o ? w : o;
		else
			w = w > o ? w : o;
		snprintf(num, sizeof(num), "%" PRIu64, w);
		return put_answer(out, cap, num, PDU_KEY_ANSWER_REQUIRED);
	case PDU_KEY_RES_AND:
	case PDU_KEY_RES_OR: {
		const char *wish = own ? own : def->dflt;
		if (!streq(wish, "Yes") && !streq(wish, "No"))
			return PDU_E_INVALID;
		if (def->result == PDU_KEY_RES_AND && streq(offer, "No"))
			return put_answer(out, cap, "No",
					  PDU_KEY_ANSWER_OPTIONAL);
		if (def->result == PDU_KEY_RES_OR && streq(offer, "Yes"))
			return put_answer(out, cap, "Yes",
					  PDU_KEY_ANSWER_OPTIONAL);
		return put_answer(out, cap, wish, PDU_KEY_ANSWER_REQUIRED);
	}
	default:
		break;
	}
	return PDU_KEY_ANSWER_NONE;
}

/* ---- negotiated session parameters ------------------------------------- */

enum field_kind { FK_U32, FK_U8, FK_BOOL };

static const struct {
	const char *key;
	enum field_kind kind;
	size_t off;
} param_fields[] = {
#define PF(key, kind, field) \
	{ key, kind, offsetof(struct pdu_key_params, field) }
	PF("MaxConnections", FK_U32, max_connections),
	PF("InitialR2T", FK_BOOL, initial_r2t),
	PF("ImmediateData", FK_BOOL, immediate_data),
	PF("MaxBurstLength", FK_U32, max_burst_length),
	PF("FirstBurstLength", FK_U32, first_burst_length),
	PF("DefaultTime2Wait", FK_U32, default_time2wait),
	PF("DefaultTime2Retain", FK_U32, default_time2retain),
	PF("MaxOutstandingR2T", FK_U32, max_outstanding_r2t),
	PF("DataPDUInOrder", FK_BOOL, data_pdu_in_order),
	PF("DataSequenceInOrder", FK_BOOL, data_sequence_in_order),
	PF("ErrorRecoveryLevel", FK_U8, error_recovery_level),
	PF("iSCSIProtocolLevel", FK_U8, protocol_level),
#undef PF
};

int pdu_key_params_apply(struct pdu_key_params *p, const char *key,
			 const char *value, bool declared_by_target,
			 struct pdu_error *err)
{
	const struct pdu_key_def *def;
	char *base = (char *)p;
	uint64_t v = 0;
	size_t i;
	int rc;

	if (!p || !key || !value) {
		seterr(err, PDU_E_INVALID, "kv.value", 0, "missing argument");
		return PDU_E_INVALID;
	}
	def = pdu_key_find(key);
	if (!def || (def->flags & PDU_KEY_F_PATTERN) || is_answer_constant(value))
		return 0;

	if (streq(key, "HeaderDigest") || streq(key, "DataDigest")) {
		bool *f = streq(key, "HeaderDigest") ? &p->digests.header
						    : &p->digests.data;
		if (!streq(value, "CRC32C") && !streq(value, "None")) {
			value_err(err, PDU_KV_E_BAD_VALUE, "LOGIN-027", def,
				  value, 0, "the outcome is CRC32C or None");
			return PDU_KV_E_BAD_VALUE;
		}
		*f = streq(value, "CRC32C");
		return 1;
	}
	if (streq(key, "TaskReporting")) {
		for (i = 0; task_values[i]; i++) {
			if (streq(value, task_values[i])) {
				p->task_reporting = (enum pdu_task_reporting)i;
				return 1;
			}
		}
		value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value, 0,
			  "the outcome is RFC3720, ResponseFence or FastAbort");
		return PDU_KV_E_BAD_VALUE;
	}

	bool is_mrdsl = streq(key, "MaxRecvDataSegmentLength");
	bool is_tpgt = streq(key, "TargetPortalGroupTag");
	bool is_type = streq(key, "SessionType");
	size_t fi = sizeof(param_fields) / sizeof(param_fields[0]);
	for (i = 0; i < fi; i++)
		if (streq(key, param_fields[i].key))
			break;
	if (i == fi && !is_mrdsl && !is_tpgt && !is_type)
		return 0;

	rc = pdu_key_check_value(def, value, err);
	if (rc != PDU_OK)
		return rc;
	if (is_type) {
		p->discovery = streq(value, "Discovery");
		return 1;
	}
	if (def->syntax == PDU_KEY_SYN_NUMBER)
		pdu_kv_parse_number(value, (def->flags & PDU_KEY_F_BINARY_NUM) != 0,
				    &v, NULL);
	if (is_mrdsl) {
		if (declared_by_target)
			p->mrdsl_target = (uint32_t)v;
		else
			p->mrdsl_initiator = (uint32_t)v;
		return 1;
	}
	if (is_tpgt) {
		p->tpgt = (int32_t)v;
		return 1;
	}
	switch (param_fields[i].kind) {
	case FK_U32:
		*(uint32_t *)(void *)(base + param_fields[i].off) = (uint32_t)v;
		break;
	case FK_U8:
		*(uint8_t *)(base + param_fields[i].off) = (uint8_t)v;
		break;
	case FK_BOOL:
		*(bool *)(void *)(base + param_fields[i].off) =
			streq(value, "Yes");
		break;
	}
	return 1;
}

void pdu_key_params_init(struct pdu_key_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->tpgt = -1;
	for (i = 0; i < pdu_key_count; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		if (!d->dflt || (d->flags & PDU_KEY_F_OBSOLETE))
			continue;
		pdu_key_params_apply(p, d->name, d->dflt, false, NULL);
		if (streq(d->name, "MaxRecvDataSegmentLength"))
			pdu_key_params_apply(p, d->name, d->dflt, true, NULL);
	}
}

int pdu_key_params_check(const struct pdu_key_params *p,
			 struct pdu_error *err)
{
	if (!p->discovery && p->first_burst_length > p->max_burst_length) {
		seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
		       "LOGIN-028: FirstBurstLength %" PRIu32 " exceeds "
		       "MaxBurstLength %" PRIu32 " (§13.14)",
		       p->first_burst_length, p->max_burst_length);
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}
