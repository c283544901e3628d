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

/* A row's name and its length (the look-up compares lengths first). */
#define KEY_NAME(s) .name = s, .name_len = sizeof(s) - 1

const struct pdu_key_def pdu_key_table[PDU_KEY_COUNT] = {
	/* §12: security negotiation */
	[PDU_KEY_ID_AUTH_METHOD] = {
	  KEY_NAME("AuthMethod"), .section = "12.1",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .max_len = 255, .values = auth_values, .scope = CO,
	  .senders = BOTH, .stages = SEC, .flags = PDU_KEY_F_IO | MAND,
	  .rule = "LOGIN-021", .ids = "LOGIN-021 LOGIN-030" },
	[PDU_KEY_ID_KRB_AP_REQ] = {
	  KEY_NAME("KRB_AP_REQ"), .section = "12.1.1",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 49152, .max_len = 65536, .scope = CO, .senders = BY_I,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_KRB_AP_REP] = {
	  KEY_NAME("KRB_AP_REP"), .section = "12.1.1",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 49152, .max_len = 65536, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_SRP_U] = {
	  KEY_NAME("SRP_U"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_TEXT, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = CO, .senders = BY_I, .stages = SEC,
	  .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_TARGET_AUTH] = {
	  KEY_NAME("TargetAuth"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = CO, .senders = BY_I, .stages = SEC,
	  .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_SRP_GROUP] = {
	  KEY_NAME("SRP_GROUP"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .max_len = 255, .scope = CO, .senders = BY_T, .stages = SEC,
	  .flags = PDU_KEY_F_IO, .rule = "LOGIN-021", .ids = "LOGIN-021" },
	[PDU_KEY_ID_SRP_S] = {
	  KEY_NAME("SRP_s"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_SRP_A] = {
	  KEY_NAME("SRP_A"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_I,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_SRP_B] = {
	  KEY_NAME("SRP_B"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_SRP_M] = {
	  KEY_NAME("SRP_M"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_I,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_SRP_HM] = {
	  KEY_NAME("SRP_HM"), .section = "12.1.2",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = 1024, .max_len = 2050, .scope = CO, .senders = BY_T,
	  .stages = SEC, .flags = PDU_KEY_F_IO, .ids = "" },
	[PDU_KEY_ID_CHAP_A] = {
	  KEY_NAME("CHAP_A"), .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .min = 0, .max = 255, .max_len = 255, .values = chap_a_values,
	  .scope = CO, .senders = BY_I, .stages = SEC,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_NUM_ITEMS | MAND,
	  .rule = "LOGIN-030", .ids = "LOGIN-021 LOGIN-030" },
	[PDU_KEY_ID_CHAP_I] = {
	  KEY_NAME("CHAP_I"), .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_DECLARED,
	  .min = 0, .max = 255, .max_len = 255, .scope = CO, .senders = BOTH,
	  .stages = SEC, .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030" },
	[PDU_KEY_ID_CHAP_C] = {
	  KEY_NAME("CHAP_C"), .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = PDU_KV_CHAP_BINARY_MAX, .max_len = 2 + 2 * PDU_KV_CHAP_BINARY_MAX,
	  .scope = CO, .senders = BOTH, .stages = SEC,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030 LOGIN-033" },
	[PDU_KEY_ID_CHAP_N] = {
	  KEY_NAME("CHAP_N"), .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_TEXT, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = CO, .senders = BOTH, .stages = SEC,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030" },
	[PDU_KEY_ID_CHAP_R] = {
	  KEY_NAME("CHAP_R"), .section = "12.1.3",
	  .syntax = PDU_KEY_SYN_BINARY, .result = PDU_KEY_RES_DECLARED,
	  .max = PDU_KV_CHAP_BINARY_MAX, .max_len = 2 + 2 * PDU_KV_CHAP_BINARY_MAX,
	  .scope = CO, .senders = BOTH, .stages = SEC,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-030",
	  .ids = "LOGIN-030 LOGIN-031 LOGIN-032" },

	/* §13: operational keys */
	[PDU_KEY_ID_HEADER_DIGEST] = {
	  KEY_NAME("HeaderDigest"), .section = "13.1",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .dflt = "None", .max_len = 255, .values = digest_values,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-027",
	  .ids = "LOGIN-021 LOGIN-027" },
	[PDU_KEY_ID_DATA_DIGEST] = {
	  KEY_NAME("DataDigest"), .section = "13.1",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .dflt = "None", .max_len = 255, .values = digest_values,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | MAND, .rule = "LOGIN-027",
	  .ids = "LOGIN-021 LOGIN-027" },
	[PDU_KEY_ID_MAX_CONNECTIONS] = {
	  KEY_NAME("MaxConnections"), .section = "13.2",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "1", .min = 1, .max = 65535, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_SEND_TARGETS] = {
	  KEY_NAME("SendTargets"), .section = "13.3",
	  .syntax = PDU_KEY_SYN_SENDTARGETS, .result = PDU_KEY_RES_NONE,
	  .max_len = 255, .scope = SW, .senders = BY_I, .stages = FFP,
	  .flags = MAND, .rule = "TEXT-009", .ids = "TEXT-009 TEXT-010" },
	[PDU_KEY_ID_TARGET_NAME] = {
	  KEY_NAME("TargetName"), .section = "13.4",
	  .syntax = PDU_KEY_SYN_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = PDU_KV_ISCSI_NAME_MAX, .scope = SW, .senders = BOTH,
	  .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_TARGET_FFP | PDU_KEY_F_REPEAT_ST |
		   MAND,
	  .rule = "LOGIN-014", .ids = "LOGIN-014 LOGIN-016 TEXT-009" },
	[PDU_KEY_ID_INITIATOR_NAME] = {
	  KEY_NAME("InitiatorName"), .section = "13.5",
	  .syntax = PDU_KEY_SYN_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = PDU_KV_ISCSI_NAME_MAX, .scope = SW, .senders = BY_I,
	  .stages = LOGIN_STAGES, .flags = PDU_KEY_F_IO | MAND,
	  .rule = "LOGIN-013", .ids = "LOGIN-013 LOGIN-016" },
	[PDU_KEY_ID_TARGET_ALIAS] = {
	  KEY_NAME("TargetAlias"), .section = "13.6",
	  .syntax = PDU_KEY_SYN_LOCAL_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = SW, .senders = BY_T, .stages = ANY_STAGE,
	  .flags = MAND, .rule = "LOGIN-017", .ids = "LOGIN-017" },
	[PDU_KEY_ID_INITIATOR_ALIAS] = {
	  KEY_NAME("InitiatorAlias"), .section = "13.7",
	  .syntax = PDU_KEY_SYN_LOCAL_NAME, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = SW, .senders = BY_I, .stages = ANY_STAGE,
	  .flags = MAND, .rule = "LOGIN-017", .ids = "LOGIN-017" },
	[PDU_KEY_ID_TARGET_ADDRESS] = {
	  KEY_NAME("TargetAddress"), .section = "13.8",
	  .syntax = PDU_KEY_SYN_ADDRESS, .result = PDU_KEY_RES_DECLARED,
	  .max_len = 255, .scope = SW, .senders = BY_T, .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_REPEAT | PDU_KEY_F_REPEAT_ST | MAND,
	  .rule = "LOGIN-034", .ids = "LOGIN-034 TEXT-009" },
	[PDU_KEY_ID_TARGET_PORTAL_GROUP_TAG] = {
	  KEY_NAME("TargetPortalGroupTag"), .section = "13.9",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_DECLARED,
	  .min = 0, .max = 65535, .max_len = 255, .scope = SW,
	  .senders = BY_T, .stages = LOGIN_STAGES,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_BINARY_NUM | MAND,
	  .rule = "LOGIN-015", .ids = "LOGIN-015" },
	[PDU_KEY_ID_INITIAL_R2T] = {
	  KEY_NAME("InitialR2T"), .section = "13.10",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OR,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_IMMEDIATE_DATA] = {
	  KEY_NAME("ImmediateData"), .section = "13.11",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_AND,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH] = {
	  KEY_NAME("MaxRecvDataSegmentLength"), .section = "13.12",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_DECLARED,
	  .dflt = "8192", .min = 512, .max = MAXLEN24, .max_len = 255,
	  .scope = CO, .senders = BOTH, .stages = ANY_STAGE, .flags = MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-028" },
	[PDU_KEY_ID_MAX_BURST_LENGTH] = {
	  KEY_NAME("MaxBurstLength"), .section = "13.13",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "262144", .min = 512, .max = MAXLEN24, .max_len = 255,
	  .scope = SW, .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_FIRST_BURST_LENGTH] = {
	  KEY_NAME("FirstBurstLength"), .section = "13.14",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "65536", .min = 512, .max = MAXLEN24, .max_len = 255,
	  .scope = SW, .senders = BOTH, .stages = OPER,
	  .flags = LO_NORMAL | PDU_KEY_F_IRR_NO_UNSOL, .rule = "LOGIN-028",
	  .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_DEFAULT_TIME2WAIT] = {
	  KEY_NAME("DefaultTime2Wait"), .section = "13.15",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MAX,
	  .dflt = "2", .min = 0, .max = 3600, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = PDU_KEY_F_LO | MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_DEFAULT_TIME2RETAIN] = {
	  KEY_NAME("DefaultTime2Retain"), .section = "13.16",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "20", .min = 0, .max = 3600, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = PDU_KEY_F_LO | MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_MAX_OUTSTANDING_R2T] = {
	  KEY_NAME("MaxOutstandingR2T"), .section = "13.17",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "1", .min = 1, .max = 65535, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_DATA_PDU_IN_ORDER] = {
	  KEY_NAME("DataPDUInOrder"), .section = "13.18",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OR,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_DATA_SEQUENCE_IN_ORDER] = {
	  KEY_NAME("DataSequenceInOrder"), .section = "13.19",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OR,
	  .dflt = "Yes", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = OPER, .flags = LO_NORMAL, .rule = "LOGIN-028",
	  .ids = "LOGIN-023 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_ERROR_RECOVERY_LEVEL] = {
	  KEY_NAME("ErrorRecoveryLevel"), .section = "13.20",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "0", .min = 0, .max = 2, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = PDU_KEY_F_LO | MAND,
	  .rule = "LOGIN-028", .ids = "LOGIN-022 LOGIN-026 LOGIN-028" },
	[PDU_KEY_ID_SESSION_TYPE] = {
	  KEY_NAME("SessionType"), .section = "13.21",
	  .syntax = PDU_KEY_SYN_ENUM, .result = PDU_KEY_RES_DECLARED,
	  .dflt = "Normal", .max_len = 255, .values = session_values,
	  .scope = SW, .senders = BY_I, .stages = LOGIN_STAGES,
	  .flags = PDU_KEY_F_LO | MAND, .ids = "LOGIN-026" },
	[PDU_KEY_ID_X_DASH] = {
	  KEY_NAME("X-"), .section = "13.22",
	  .syntax = PDU_KEY_SYN_ANY, .result = PDU_KEY_RES_NONE,
	  .max_len = 255, .scope = SW, .senders = BOTH, .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_PATTERN, .ids = "LOGIN-020" },
	[PDU_KEY_ID_X_NODE_ARCHITECTURE] = {
	  KEY_NAME("X#NodeArchitecture"), .section = "13.26",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_DECLARED,
	  .dflt = "None", .max_len = 255, .scope = SW, .senders = BOTH,
	  .stages = LOGIN_STAGES,
	  .flags = PDU_KEY_F_LO | PDU_KEY_F_WHOLE_LEN, .rule = "LOGIN-017",
	  .ids = "LOGIN-017 LOGIN-024" },
	[PDU_KEY_ID_X_HASH] = {
	  KEY_NAME("X#"), .section = "13.22",
	  .syntax = PDU_KEY_SYN_ANY, .result = PDU_KEY_RES_NONE,
	  .max_len = 255, .scope = SW, .senders = BOTH, .stages = ANY_STAGE,
	  .flags = PDU_KEY_F_PATTERN, .ids = "LOGIN-020" },
	[PDU_KEY_ID_TASK_REPORTING] = {
	  KEY_NAME("TaskReporting"), .section = "13.23",
	  .syntax = PDU_KEY_SYN_LIST, .result = PDU_KEY_RES_FIRST,
	  .dflt = "RFC3720", .max_len = 255, .values = task_values,
	  .scope = SW, .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-021", .ids = "LOGIN-021 LOGIN-026" },
	[PDU_KEY_ID_ISCSI_PROTOCOL_LEVEL] = {
	  KEY_NAME("iSCSIProtocolLevel"), .section = "13.24",
	  .syntax = PDU_KEY_SYN_NUMBER, .result = PDU_KEY_RES_MIN,
	  .dflt = "1", .min = 0, .max = 31, .max_len = 255, .scope = SW,
	  .senders = BOTH, .stages = OPER, .flags = LO_NORMAL,
	  .rule = "LOGIN-029", .ids = "LOGIN-022 LOGIN-026 LOGIN-029" },

	/* §13.25: RFC 3720 keys RFC 7143 obsoleted; still received (libiscsi
	 * and others send IFMarker=No OFMarker=No) and answered Reject (the
	 * markers also No), never NotUnderstood. */
	[PDU_KEY_ID_OF_MARKER] = {
	  KEY_NAME("OFMarker"), .section = "13.25",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "No", .max_len = 255, .scope = CO, .senders = BOTH,
	  .stages = OPER, .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE,
	  .ids = "LOGIN-019" },
	[PDU_KEY_ID_IF_MARKER] = {
	  KEY_NAME("IFMarker"), .section = "13.25",
	  .syntax = PDU_KEY_SYN_BOOL, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "No", .max_len = 255, .scope = CO, .senders = BOTH,
	  .stages = OPER, .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE,
	  .ids = "LOGIN-019" },
	[PDU_KEY_ID_OF_MARK_INT] = {
	  KEY_NAME("OFMarkInt"), .section = "13.25",
	  .syntax = PDU_KEY_SYN_RANGE, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "2048", .min = 1, .max = 65535, .max_len = 255,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE, .ids = "LOGIN-019" },
	[PDU_KEY_ID_IF_MARK_INT] = {
	  KEY_NAME("IFMarkInt"), .section = "13.25",
	  .syntax = PDU_KEY_SYN_RANGE, .result = PDU_KEY_RES_OBSOLETE,
	  .dflt = "2048", .min = 1, .max = 65535, .max_len = 255,
	  .scope = CO, .senders = BOTH, .stages = OPER,
	  .flags = PDU_KEY_F_IO | PDU_KEY_F_OBSOLETE, .ids = "LOGIN-019" },
};

const size_t pdu_key_count = PDU_KEY_COUNT;

/* The rows whose names are len bytes long, ending with PDU_KEY_COUNT: the
 * look-up compares a name with these alone. Every row but the X- and X#
 * prefix rows is here; test_keys finds each row by its name. */
static const enum pdu_key_id *rows_of_length(size_t len)
{
#define ROWS(...) { __VA_ARGS__, PDU_KEY_COUNT }
	static const enum pdu_key_id len5[] =
		ROWS(PDU_KEY_ID_SRP_U, PDU_KEY_ID_SRP_S, PDU_KEY_ID_SRP_A,
		     PDU_KEY_ID_SRP_B, PDU_KEY_ID_SRP_M);
	static const enum pdu_key_id len6[] =
		ROWS(PDU_KEY_ID_SRP_HM, PDU_KEY_ID_CHAP_A, PDU_KEY_ID_CHAP_I,
		     PDU_KEY_ID_CHAP_C, PDU_KEY_ID_CHAP_N, PDU_KEY_ID_CHAP_R);
	static const enum pdu_key_id len8[] =
		ROWS(PDU_KEY_ID_OF_MARKER, PDU_KEY_ID_IF_MARKER);
	static const enum pdu_key_id len9[] =
		ROWS(PDU_KEY_ID_SRP_GROUP, PDU_KEY_ID_OF_MARK_INT,
		     PDU_KEY_ID_IF_MARK_INT);
	static const enum pdu_key_id len10[] =
		ROWS(PDU_KEY_ID_AUTH_METHOD, PDU_KEY_ID_KRB_AP_REQ,
		     PDU_KEY_ID_KRB_AP_REP, PDU_KEY_ID_TARGET_AUTH,
		     PDU_KEY_ID_DATA_DIGEST, PDU_KEY_ID_TARGET_NAME,
		     PDU_KEY_ID_INITIAL_R2T);
	static const enum pdu_key_id len11[] =
		ROWS(PDU_KEY_ID_SEND_TARGETS, PDU_KEY_ID_TARGET_ALIAS,
		     PDU_KEY_ID_SESSION_TYPE);
	static const enum pdu_key_id len12[] =
		ROWS(PDU_KEY_ID_HEADER_DIGEST);
	static const enum pdu_key_id len13[] =
		ROWS(PDU_KEY_ID_INITIATOR_NAME, PDU_KEY_ID_TARGET_ADDRESS,
		     PDU_KEY_ID_IMMEDIATE_DATA, PDU_KEY_ID_TASK_REPORTING);
	static const enum pdu_key_id len14[] =
		ROWS(PDU_KEY_ID_MAX_CONNECTIONS, PDU_KEY_ID_INITIATOR_ALIAS,
		     PDU_KEY_ID_MAX_BURST_LENGTH, PDU_KEY_ID_DATA_PDU_IN_ORDER);
	static const enum pdu_key_id len16[] =
		ROWS(PDU_KEY_ID_FIRST_BURST_LENGTH,
		     PDU_KEY_ID_DEFAULT_TIME2WAIT);
	static const enum pdu_key_id len17[] =
		ROWS(PDU_KEY_ID_MAX_OUTSTANDING_R2T);
	static const enum pdu_key_id len18[] =
		ROWS(PDU_KEY_ID_DEFAULT_TIME2RETAIN,
		     PDU_KEY_ID_ERROR_RECOVERY_LEVEL,
		     PDU_KEY_ID_X_NODE_ARCHITECTURE,
		     PDU_KEY_ID_ISCSI_PROTOCOL_LEVEL);
	static const enum pdu_key_id len19[] =
		ROWS(PDU_KEY_ID_DATA_SEQUENCE_IN_ORDER);
	static const enum pdu_key_id len20[] =
		ROWS(PDU_KEY_ID_TARGET_PORTAL_GROUP_TAG);
	static const enum pdu_key_id len24[] =
		ROWS(PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH);
	static const enum pdu_key_id none[] = { PDU_KEY_COUNT };
#undef ROWS

	switch (len) {
	case 5: return len5;
	case 6: return len6;
	case 8: return len8;
	case 9: return len9;
	case 10: return len10;
	case 11: return len11;
	case 12: return len12;
	case 13: return len13;
	case 14: return len14;
	case 16: return len16;
	case 17: return len17;
	case 18: return len18;
	case 19: return len19;
	case 20: return len20;
	case 24: return len24;
	default: return none;
	}
}

const struct pdu_key_def *pdu_key_find_exact(const char *name, size_t len)
{
	const enum pdu_key_id *id;

	for (id = rows_of_length(len); *id != PDU_KEY_COUNT; id++) {
		const struct pdu_key_def *d = &pdu_key_table[*id];
		if (d->name_len == len && d->name[0] == name[0] &&
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
	for (i = 0; i < PDU_KEY_COUNT; i++) {
		d = &pdu_key_table[i];
		if ((d->flags & PDU_KEY_F_PATTERN) && len >= d->name_len &&
		    memcmp(d->name, name, d->name_len) == 0)
			return d;
	}
	return NULL;
}

const struct pdu_key_def *pdu_key_find(const char *name)
{
	return name ? pdu_key_find_len(name, strlen(name)) : NULL;
}
