/* names.c — value-to-name tables for opcodes and the codes iSCSI PDUs
 * carry (RFC 7143 §11, values as in scenarios/CATALOGUE.md "Numbers the
 * harness needs"), and pdu_strerror(). Unknown values are printed into the
 * caller's buffer, so no lookup ever fails. */
#include <stddef.h>
#include <stdio.h>

#include "names.h"

struct name {
	unsigned value;
	const char *text;
};

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

static const char *lookup(const struct name *table, size_t n, unsigned value)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].value == value)
			return table[i].text;
	}
	return NULL;
}

/* The table's name for value, else "<what> 0x<value>" in buf. */
static const char *name_or_hex(const struct name *table, size_t n,
			       unsigned value, const char *what, int digits,
			       char buf[PDU_NAME_LEN])
{
	const char *text = lookup(table, n, value);
	if (text)
		return text;
	snprintf(buf, PDU_NAME_LEN, "%s 0x%0*x", what, digits, value);
	return buf;
}

static const struct name opcodes[] = {
	{ PDU_OP_NOP_OUT, "NOP-Out" },
	{ PDU_OP_SCSI_CMD, "SCSI Command" },
	{ PDU_OP_TMF_REQ, "TMF Request" },
	{ PDU_OP_LOGIN_REQ, "Login Request" },
	{ PDU_OP_TEXT_REQ, "Text Request" },
	{ PDU_OP_DATA_OUT, "SCSI Data-Out" },
	{ PDU_OP_LOGOUT_REQ, "Logout Request" },
	{ PDU_OP_SNACK_REQ, "SNACK Request" },
	{ PDU_OP_NOP_IN, "NOP-In" },
	{ PDU_OP_SCSI_RSP, "SCSI Response" },
	{ PDU_OP_TMF_RSP, "TMF Response" },
	{ PDU_OP_LOGIN_RSP, "Login Response" },
	{ PDU_OP_TEXT_RSP, "Text Response" },
	{ PDU_OP_DATA_IN, "SCSI Data-In" },
	{ PDU_OP_LOGOUT_RSP, "Logout Response" },
	{ PDU_OP_R2T, "R2T" },
	{ PDU_OP_ASYNC_MSG, "Asynchronous Message" },
	{ PDU_OP_REJECT, "Reject" },
};

static bool is_vendor_opcode(uint8_t opcode)
{
	return (opcode >= 0x1c && opcode <= 0x1e) ||
	       (opcode >= 0x3c && opcode <= 0x3e);
}

const char *pdu_opcode_name(uint8_t opcode, char buf[24])
{
	const char *text = lookup(opcodes, COUNT(opcodes), opcode);
	if (text)
		return text;
	snprintf(buf, 24, "%s 0x%02x",
		 is_vendor_opcode(opcode) ? "vendor opcode" : "opcode",
		 (unsigned)opcode);
	return buf;
}

static const struct name login_statuses[] = {
	{ 0x0000, "success" },
	{ 0x0101, "target moved temporarily" },
	{ 0x0102, "target moved permanently" },
	{ 0x0200, "initiator error (miscellaneous)" },
	{ 0x0201, "authentication failure" },
	{ 0x0202, "authorization failure" },
	{ 0x0203, "not found" },
	{ 0x0204, "target removed" },
	{ 0x0205, "unsupported version" },
	{ 0x0206, "too many connections" },
	{ 0x0207, "missing parameter" },
	{ 0x0208, "can't include in session" },
	{ 0x0209, "session type not supported" },
	{ 0x020a, "session does not exist" },
	{ 0x020b, "invalid request during login" },
	{ 0x0300, "target error (miscellaneous)" },
	{ 0x0301, "service unavailable" },
	{ 0x0302, "out of resources" },
};

const char *pdu_login_status_name(uint8_t status_class, uint8_t status_detail,
				  char buf[PDU_NAME_LEN])
{
	unsigned status = (unsigned)status_class << 8 | status_detail;
	return name_or_hex(login_statuses, COUNT(login_statuses), status,
			   "login status", 4, buf);
}

static const struct name login_classes[] = {
	{ 0, "success" },
	{ 1, "redirection" },
	{ 2, "initiator error" },
	{ 3, "target error" },
};

const char *pdu_login_class_name(uint8_t status_class, char buf[PDU_NAME_LEN])
{
	return name_or_hex(login_classes, COUNT(login_classes), status_class,
			   "status class", 2, buf);
}

static const struct name login_stages[] = {
	{ PDU_STAGE_SECURITY, "SecurityNegotiation" },
	{ PDU_STAGE_OPERATIONAL, "LoginOperationalNegotiation" },
	{ PDU_STAGE_FULL_FEATURE, "FullFeaturePhase" },
};

const char *pdu_login_stage_name(uint8_t stage, char buf[PDU_NAME_LEN])
{
	return name_or_hex(login_stages, COUNT(login_stages), stage,
			   "login stage", 1, buf);
}

static const struct name reject_reasons[] = {
	{ 0x01, "reserved" },
	{ 0x02, "data (payload) digest error" },
	{ 0x03, "SNACK reject" },
	{ 0x04, "protocol error" },
	{ 0x05, "command not supported" },
	{ 0x06, "immediate command reject" },
	{ 0x07, "task in progress" },
	{ 0x08, "invalid data ack" },
	{ 0x09, "invalid PDU field" },
	{ 0x0a, "long op reject" },
	{ 0x0b, "deprecated (was negotiation reset)" },
	{ 0x0c, "waiting for logout" },
};

const char *pdu_reject_reason_name(uint8_t reason, char buf[PDU_NAME_LEN])
{
	return name_or_hex(reject_reasons, COUNT(reject_reasons), reason,
			   "reject reason", 2, buf);
}

static const struct name tmf_functions[] = {
	{ 1, "ABORT TASK" },
	{ 2, "ABORT TASK SET" },
	{ 3, "CLEAR ACA" },
	{ 4, "CLEAR TASK SET" },
	{ 5, "LOGICAL UNIT RESET" },
	{ 6, "TARGET WARM RESET" },
	{ 7, "TARGET COLD RESET" },
	{ 8, "TASK REASSIGN" },
	{ 9, "QUERY TASK" },               /* RFC 7144 */
	{ 10, "QUERY TASK SET" },          /* RFC 7144 */
	{ 11, "I_T NEXUS RESET" },         /* RFC 7144 */
	{ 12, "QUERY ASYNCHRONOUS EVENT" },       /* RFC 7144 */
};

const char *pdu_tmf_function_name(uint8_t function, char buf[PDU_NAME_LEN])
{
	return name_or_hex(tmf_functions, COUNT(tmf_functions), function,
			   "TMF function", 2, buf);
}

static const struct name tmf_responses[] = {
	{ 0, "function complete" },
	{ 1, "task does not exist" },
	{ 2, "LUN does not exist" },
	{ 3, "task still allegiant" },
	{ 4, "task allegiance reassignment not supported" },
	{ 5, "task management function not supported" },
	{ 6, "function authorization failed" },
	{ 7, "function succeeded" },       /* RFC 7144 */
	{ 255, "function rejected" },
};

const char *pdu_tmf_response_name(uint8_t response, char buf[PDU_NAME_LEN])
{
	return name_or_hex(tmf_responses, COUNT(tmf_responses), response,
			   "TMF response", 2, buf);
}

static const struct name snack_types[] = {
	{ PDU_SNACK_DATA_R2T, "Data/R2T SNACK" },
	{ PDU_SNACK_STATUS, "Status SNACK" },
	{ PDU_SNACK_DATA_ACK, "DataACK" },
	{ PDU_SNACK_RDATA, "R-Data SNACK" },
};

const char *pdu_snack_type_name(uint8_t type, char buf[PDU_NAME_LEN])
{
	return name_or_hex(snack_types, COUNT(snack_types), type, "SNACK type",
			   2, buf);
}

static const struct name async_events[] = {
	{ 0, "SCSI asynchronous event" },
	{ 1, "target requests logout" },
	{ 2, "target will drop a connection" },
	{ 3, "target will drop all connections" },
	{ 4, "target requests negotiation" },
	{ 255, "vendor specific" },
};

const char *pdu_async_event_name(uint8_t event, char buf[PDU_NAME_LEN])
{
	return name_or_hex(async_events, COUNT(async_events), event,
			   "async event", 2, buf);
}

static const struct name logout_reasons[] = {
	{ 0, "close the session" },
	{ 1, "close the connection" },
	{ 2, "remove the connection for recovery" },
};

const char *pdu_logout_reason_name(uint8_t reason, char buf[PDU_NAME_LEN])
{
	return name_or_hex(logout_reasons, COUNT(logout_reasons), reason,
			   "logout reason", 2, buf);
}

static const struct name logout_responses[] = {
	{ 0, "closed successfully" },
	{ 1, "CID not found" },
	{ 2, "connection recovery not supported" },
	{ 3, "cleanup failed" },
};

const char *pdu_logout_response_name(uint8_t response, char buf[PDU_NAME_LEN])
{
	return name_or_hex(logout_responses, COUNT(logout_responses), response,
			   "logout response", 2, buf);
}

static const struct name scsi_responses[] = {
	{ 0x00, "command completed at target" },
	{ 0x01, "target failure" },
};

const char *pdu_scsi_response_name(uint8_t response, char buf[PDU_NAME_LEN])
{
	if (response >= 0x80) {
		snprintf(buf, PDU_NAME_LEN, "vendor response 0x%02x",
			 (unsigned)response);
		return buf;
	}
	return name_or_hex(scsi_responses, COUNT(scsi_responses), response,
			   "SCSI response", 2, buf);
}

static const struct name scsi_statuses[] = {
	{ 0x00, "GOOD" },
	{ 0x02, "CHECK CONDITION" },
	{ 0x04, "CONDITION MET" },
	{ 0x08, "BUSY" },
	{ 0x10, "INTERMEDIATE" },
	{ 0x14, "INTERMEDIATE-CONDITION MET" },
	{ 0x18, "RESERVATION CONFLICT" },
	{ 0x22, "COMMAND TERMINATED" },
	{ 0x28, "TASK SET FULL" },
	{ 0x30, "ACA ACTIVE" },
	{ 0x40, "TASK ABORTED" },
};

const char *pdu_scsi_status_name(uint8_t status, char buf[PDU_NAME_LEN])
{
	return name_or_hex(scsi_statuses, COUNT(scsi_statuses), status,
			   "SCSI status", 2, buf);
}

static const struct name ahs_types[] = {
	{ PDU_AHS_EXTENDED_CDB, "Extended CDB" },
	{ PDU_AHS_BIDI_READ_LEN, "Bidi Read Length" },
};

const char *pdu_ahs_type_name(uint8_t type, char buf[PDU_NAME_LEN])
{
	return name_or_hex(ahs_types, COUNT(ahs_types), type & 0x3fu,
			   "AHS type", 2, buf);
}

const char *pdu_strerror(int code)
{
	switch (code) {
	case PDU_OK: return "no error";
	case PDU_E_TRUNCATED: return "buffer ends before the PDU does";
	case PDU_E_TOO_LONG: return "output buffer too small";
	case PDU_E_HEADER_DIGEST: return "header digest does not verify";
	case PDU_E_DATA_DIGEST: return "data digest does not verify";
	case PDU_E_BAD_OPCODE: return "opcode no side may send";
	case PDU_E_AHS: return "AHS does not fill TotalAHSLength";
	case PDU_E_INVALID: return "invalid argument";
	default: return "unknown PDU error code";
	}
}
