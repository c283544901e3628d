/* scsi_sense.c — a command's outcome: CHECK CONDITION with fixed-format
 * sense data (SPC-4), RESERVATION CONFLICT, or data in cut to the
 * allocation length. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define SENSE_FIXED_CURRENT 0x70
#define SENSE_VALID 0x80         /* the INFORMATION field is valid */
#define SENSE_FIXED_LEN 18
#define SENSE_ADDITIONAL_LEN (SENSE_FIXED_LEN - 8)
#define SENSE_SKSV 0x80          /* sense-key specific field valid */
#define SENSE_FIELD_IN_CDB 0x40  /* C/D: the field pointer points into the CDB */

void scsi_result_check(struct scsi_result *r, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(r->sense, 0, sizeof r->sense);
	r->status = SCSI_CHECK_CONDITION;
	r->sense[0] = SENSE_FIXED_CURRENT;
	r->sense[2] = key & 0x0f;
	r->sense[7] = SENSE_ADDITIONAL_LEN;
	r->sense[12] = asc;
	r->sense[13] = ascq;
	r->sense_len = SENSE_FIXED_LEN;
	r->data_in_len = 0;
}

void scsi_fail(struct scsi_cmd *c, uint8_t key, enum scsi_asc asc)
{
	scsi_result_check(c->r, key, (uint8_t)(asc >> 8), (uint8_t)asc);
}

void scsi_fail_field(struct scsi_cmd *c, uint16_t cdb_byte)
{
	scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	c->r->sense[15] = SENSE_SKSV | SENSE_FIELD_IN_CDB;
	scsi_put16(&c->r->sense[16], cdb_byte);
}

void scsi_fail_info(struct scsi_cmd *c, uint8_t key, enum scsi_asc asc, uint32_t info)
{
	scsi_fail(c, key, asc);
	c->r->sense[0] |= SENSE_VALID;
	scsi_put32(&c->r->sense[3], info);
}

void scsi_conflict(struct scsi_cmd *c)
{
	c->r->status = SCSI_RESERVATION_CONFLICT;
	c->r->sense_len = 0;
	c->r->data_in_len = 0;
}

bool scsi_data_out_short(struct scsi_cmd *c, size_t need)
{
	if (c->out_len >= need)
		return false;
	scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_COMMAND_IU);
	return true;
}

void scsi_reply(struct scsi_cmd *c, const uint8_t *data, size_t len, size_t alloc)
{
	size_t n = len < alloc ? len : alloc;
	if (n > c->in_cap)
		n = c->in_cap;
	if (n)
		memcpy(c->data_in, data, n);
	c->r->data_in_len = n;
}
