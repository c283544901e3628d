/* keys_table.c — the const table with a row for every key of RFC 7143 §12
 * and §13 (plus the RFC 3720 keys §13.25 made obsolete): syntax, result
 * function, default, range, length limit, scope, senders, stages, flags and
 * catalogue IDs; and the look-up of a key name in it, exact names before
 * the X- and X# prefix rows. See keys.h. */
#include <string.h>

#include "keys_internal.h"

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

const struct pdu_key_def *pdu_key_find_exact(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < pdu_key_count; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		/* the first byte first: most names differ there, no strlen() */
		if (len && d->name[0] == name[0] &&
		    !(d->flags & PDU_KEY_F_PATTERN) && strlen(d->name) == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

const struct pdu_key_def *pdu_key_find_len(const char *name, size_t len)
{
	const struct pdu_key_def *d = pdu_key_find_exact(name, len);
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
	return name ? pdu_key_find_len(name, strlen(name)) : NULL;
}
