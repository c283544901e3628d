/* scsi_exec.c — running a command: the LUN, opcode and reservation checks
 * before it, what it moves (scsi_cmd_plan), and the commands that need no
 * medium: TEST UNIT READY, REQUEST SENSE and REPORT LUNS. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define REQUEST_SENSE_DESC 0x01
#define REPORT_LUNS_MIN_ALLOC 16     /* SPC-3; tgtd and LIO refuse less */
#define REPORT_ALL 0x00
#define REPORT_WELL_KNOWN 0x01       /* the device has no well-known LUN */
#define REPORT_ALL_AND_WELL_KNOWN 0x02

void scsi_op_test_unit_ready(struct scsi_cmd *c)
{
	(void)c;   /* a LUN that is there is always ready */
}

/* No deferred errors or unit attentions are kept, so there is nothing to
 * report but NO SENSE, or LOGICAL UNIT NOT SUPPORTED to a LUN that is not
 * there (SPC-4: as parameter data, with GOOD status). */
void scsi_op_request_sense(struct scsi_cmd *c)
{
	uint8_t key = c->lun ? SCSI_SENSE_NO_SENSE : SCSI_SENSE_ILLEGAL_REQUEST;
	enum scsi_asc asc = c->lun ? SCSI_ASC_NONE : SCSI_ASC_LUN_NOT_SUPPORTED;
	struct scsi_result sense;
	scsi_result_check(&sense, key, (uint8_t)(asc >> 8), (uint8_t)asc);
	size_t alloc = c->cdb[4];
	if (!(c->cdb[1] & REQUEST_SENSE_DESC)) {
		scsi_reply(c, sense.sense, sense.sense_len, alloc);
		return;
	}
	/* descriptor format (SPC-4), with no descriptors */
	uint8_t desc[8] = { 0x72, sense.sense[2], sense.sense[12], sense.sense[13] };
	scsi_reply(c, desc, sizeof desc, alloc);
}

void scsi_op_report_luns(struct scsi_cmd *c)
{
	uint8_t select = c->cdb[2];
	size_t alloc = scsi_get32(c->cdb + 6);
	if (alloc < REPORT_LUNS_MIN_ALLOC) {
		scsi_fail_field(c, 6);
		return;
	}
	if (select != REPORT_ALL && select != REPORT_WELL_KNOWN &&
	    select != REPORT_ALL_AND_WELL_KNOWN) {
		scsi_fail_field(c, 2);
		return;
	}
	uint8_t data[8 + 8 * SCSI_MAX_LUNS] = { 0 };
	size_t count = select == REPORT_WELL_KNOWN ? 0 : c->dev->lun_count;
	scsi_put32(data, (uint32_t)(8 * count));
	/* single level peripheral device addressing, bus 0 */
	for (size_t n = 0; n < count; n++)
		scsi_put64(data + 8 + 8 * n, (uint64_t)n << 48);
	scsi_reply(c, data, 8 + 8 * count, alloc);
}

/* An unknown LUN plans nothing, except for the commands that answer on any
 * LUN (INQUIRY, REQUEST SENSE, REPORT LUNS): their data still goes in. */
struct scsi_plan scsi_cmd_plan(const struct scsi_dev *d, uint64_t lun, const uint8_t *cdb,
			       size_t cdb_len)
{
	struct scsi_plan plan = { SCSI_DIR_NONE, 0 };
	bool known;
	const struct scsi_op *op = scsi_op_find(cdb, cdb_len, &known);
	if (!op || (!op->any_lun && scsi_lun_index(d, lun) < 0))
		return plan;
	plan.dir = op->dir;
	plan.length = op->length(cdb);
	return plan;
}

void scsi_exec(struct scsi_dev *d, uint64_t nexus, uint64_t lun, const uint8_t *cdb,
	       size_t cdb_len, const uint8_t *data_out, size_t out_len, uint8_t *data_in,
	       size_t in_cap, struct scsi_result *r)
{
	r->status = SCSI_GOOD;
	r->sense_len = 0;
	r->data_in_len = 0;
	struct scsi_cmd c = { .dev = d, .nexus = nexus, .cdb = cdb, .cdb_len = cdb_len,
			      .data_out = data_out, .out_len = out_len, .data_in = data_in,
			      .in_cap = in_cap, .r = r };
	int index = scsi_lun_index(d, lun);
	if (index >= 0) {
		c.lun = &d->luns[index];
		c.lun_number = (unsigned)index;
	}
	bool opcode_known;
	const struct scsi_op *op = scsi_op_find(cdb, cdb_len, &opcode_known);
	/* a LUN that is not there is reported before what is wrong with the
	 * command itself, as tgtd and LIO do */
	if (!c.lun && !(op && op->any_lun))
		scsi_fail(&c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LUN_NOT_SUPPORTED);
	else if (!op && opcode_known)   /* a service action it does not know */
		scsi_fail_field(&c, 1);
	else if (!op)
		scsi_fail(&c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
	else if (c.lun && scsi_reservation_conflict(&c, op))
		scsi_conflict(&c);
	else
		op->run(&c);
}
