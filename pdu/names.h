/* names.h — value-to-name tables for the codes iSCSI PDUs carry (RFC 7143
 * §11), for reports and logs. None of them fails: a value the table does
 * not know prints as, e.g., "reject reason 0x2a" into the caller's buffer,
 * which is returned. pdu_opcode_name() and pdu_strerror() are in pdu.h. */
#ifndef PDU_NAMES_H
#define PDU_NAMES_H

#include <stdint.h>

#include "pdu.h"

/* Room every name function needs in buf. */
#define PDU_NAME_LEN 24

/* Login Status-Class and Status-Detail, §11.13.5 (0x0206 "too many
 * connections"). */
const char *pdu_login_status_name(uint8_t status_class, uint8_t status_detail,
				  char buf[PDU_NAME_LEN]);
/* Status-Class alone: "success", "redirection", "initiator error",
 * "target error". */
const char *pdu_login_class_name(uint8_t status_class, char buf[PDU_NAME_LEN]);
/* CSG/NSG, §11.12.3. */
const char *pdu_login_stage_name(uint8_t stage, char buf[PDU_NAME_LEN]);
/* Reject Reason, §11.17.1. */
const char *pdu_reject_reason_name(uint8_t reason, char buf[PDU_NAME_LEN]);
/* TMF Request Function, §11.5.1 (and RFC 7144's 9-12). */
const char *pdu_tmf_function_name(uint8_t function, char buf[PDU_NAME_LEN]);
/* TMF Response, §11.6.1. */
const char *pdu_tmf_response_name(uint8_t response, char buf[PDU_NAME_LEN]);
/* SNACK Type, §11.16.1. */
const char *pdu_snack_type_name(uint8_t type, char buf[PDU_NAME_LEN]);
/* AsyncEvent, §11.9.1. */
const char *pdu_async_event_name(uint8_t event, char buf[PDU_NAME_LEN]);
/* Logout Reason Code, §11.14.1, and Logout Response, §11.15.1. */
const char *pdu_logout_reason_name(uint8_t reason, char buf[PDU_NAME_LEN]);
const char *pdu_logout_response_name(uint8_t response, char buf[PDU_NAME_LEN]);
/* SCSI Response byte of a SCSI Response PDU, §11.4.3. */
const char *pdu_scsi_response_name(uint8_t response, char buf[PDU_NAME_LEN]);
/* SCSI status (SAM), §11.4.2: "GOOD", "CHECK CONDITION", ... */
const char *pdu_scsi_status_name(uint8_t status, char buf[PDU_NAME_LEN]);
/* AHSType, §11.2.2.1 (the code in the low 6 bits). */
const char *pdu_ahs_type_name(uint8_t type, char buf[PDU_NAME_LEN]);

#endif
