/* scsi_exec.c — running a command: the opcodes the device knows, the LUN
 * check before them, what each moves (scsi_cmd_plan), and the commands
 * that need no medium: TEST UNIT READY, REQUEST SENSE and REPORT LUNS. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define REQUEST_SENSE_DESC 0x01
#define REPORT_LUNS_MIN_ALLOC 16     /* SPC-3; tgtd and LIO refuse less */
#define REPORT_ALL 0x00
#define REPORT_WELL_KNOWN 0x01       /* the device has no well-known LUN */
#define REPORT_ALL_AND_WELL_KNOWN 0x02

struct scsi_op {
	uint8_t cdb_len;   /* 0: not an opcode the device knows */
	bool any_lun;      /* runs on a LUN that is not there too */
	enum scsi_dir dir;
	void (*run)(struct scsi_cmd *c);
};

static void test_unit_ready(struct scsi_cmd *c)
{
	(void)c;   /* a LUN that is there is always ready */
}

/* No deferred errors or unit attentions are kept, so there is nothing to
 * report but NO SENSE, or LOGICAL UNIT NOT SUPPORTED to a LUN that is not
 * there (SPC-4: as parameter data, with GOOD status). */
static void request_sense(struct scsi_cmd *c)
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

static void report_luns(struct scsi_cmd *c)
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

static const struct scsi_op ops[256] = {
	[0x00] = { 6, false, SCSI_DIR_NONE, test_unit_ready },
	[0x03] = { 6, true, SCSI_DIR_READ, request_sense },
	[0x08] = { 6, false, SCSI_DIR_READ, scsi_op_read_write },
	[0x0a] = { 6, false, SCSI_DIR_WRITE, scsi_op_read_write },
	[0x12] = { 6, true, SCSI_DIR_READ, scsi_op_inquiry },
	[0x1a] = { 6, false, SCSI_DIR_READ, scsi_op_mode_sense6 },
	[0x25] = { 10, false, SCSI_DIR_READ, scsi_op_read_capacity10 },
	[0x28] = { 10, false, SCSI_DIR_READ, scsi_op_read_write },
	[0x2a] = { 10, false, SCSI_DIR_WRITE, scsi_op_read_write },
	[0x2e] = { 10, false, SCSI_DIR_WRITE, scsi_op_read_write },
	[0x35] = { 10, false, SCSI_DIR_NONE, scsi_op_sync_cache },
	[0x5a] = { 10, false, SCSI_DIR_READ, scsi_op_mode_sense10 },
	[0x88] = { 16, false, SCSI_DIR_READ, scsi_op_read_write },
	[0x8a] = { 16, false, SCSI_DIR_WRITE, scsi_op_read_write },
	[0x8e] = { 16, false, SCSI_DIR_WRITE, scsi_op_read_write },
	[0x91] = { 16, false, SCSI_DIR_NONE, scsi_op_sync_cache },
	[0x9e] = { 16, false, SCSI_DIR_READ, scsi_op_read_capacity16 },
	[0xa0] = { 12, true, SCSI_DIR_READ, report_luns },
	[0xa8] = { 12, false, SCSI_DIR_READ, scsi_op_read_write },
	[0xaa] = { 12, false, SCSI_DIR_WRITE, scsi_op_read_write },
	[0xae] = { 12, false, SCSI_DIR_WRITE, scsi_op_read_write },
};

/* The opcode's entry, or NULL when it is unknown or the CDB is shorter
 * than the opcode's (the device then calls it an unknown opcode). */
static const struct scsi_op *find_op(const uint8_t *cdb, size_t cdb_len)
{
	if (cdb_len == 0)
		return NULL;
	const struct scsi_op *op = &ops[cdb[0]];
	return op->cdb_len && cdb_len >= op->cdb_len ? op : NULL;
}

/* The allocation length of a command returning data other than blocks. */
static uint32_t allocation_length(const uint8_t *cdb)
{
	switch (cdb[0]) {
	case 0x03: case 0x1a: return cdb[4];              /* REQUEST SENSE, MODE SENSE (6) */
	case 0x12: return scsi_get16(cdb + 3);            /* INQUIRY */
	case 0x25: return 8;                              /* READ CAPACITY (10) */
	case 0x5a: return scsi_get16(cdb + 7);            /* MODE SENSE (10) */
	case 0x9e:                                        /* READ CAPACITY (16) */
		return (cdb[1] & 0x1f) == SCSI_READ_CAPACITY16_ACTION ? scsi_get32(cdb + 10) : 0;
	case 0xa0: return scsi_get32(cdb + 6);            /* REPORT LUNS */
	default: return 0;
	}
}

/* An unknown LUN plans nothing, except for the commands that answer on any
 * LUN (INQUIRY, REQUEST SENSE, REPORT LUNS): their data still goes in. */
struct scsi_plan scsi_cmd_plan(const struct scsi_dev *d, uint64_t lun, const uint8_t *cdb,
			       size_t cdb_len)
{
	struct scsi_plan plan = { SCSI_DIR_NONE, 0 };
	const struct scsi_op *op = find_op(cdb, cdb_len);
	if (!op || (!op->any_lun && scsi_lun_index(d, lun) < 0))
		return plan;
	plan.dir = op->dir;
	struct scsi_rw rw;
	if (scsi_rw_decode(cdb, cdb_len, &rw)) {
		/* an iSCSI transfer length has 32 bits: more cannot move */
		uint64_t bytes = (uint64_t)rw.blocks * SCSI_BLOCK_SIZE;
		plan.length = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
	} else if (op->dir == SCSI_DIR_READ) {
		plan.length = allocation_length(cdb);
	}
	return plan;
}

void scsi_exec(struct scsi_dev *d, uint64_t lun, const uint8_t *cdb, size_t cdb_len,
	       const uint8_t *data_out, size_t out_len, uint8_t *data_in, size_t in_cap,
	       struct scsi_result *r)
{
	r->status = SCSI_GOOD;
	r->sense_len = 0;
	r->data_in_len = 0;
	struct scsi_cmd c = { .dev = d, .cdb = cdb, .cdb_len = cdb_len, .data_out = data_out,
			      .out_len = out_len, .data_in = data_in, .in_cap = in_cap, .r = r };
	int index = scsi_lun_index(d, lun);
	if (index >= 0) {
		c.lun = &d->luns[index];
		c.lun_number = (unsigned)index;
	}
	const struct scsi_op *op = find_op(cdb, cdb_len);
	/* a LUN that is not there is reported before what is wrong with the
	 * command itself, as tgtd and LIO do */
	if (!c.lun && !(op && op->any_lun))
		scsi_fail(&c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LUN_NOT_SUPPORTED);
	else if (!op)
		scsi_fail(&c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
	else
		op->run(&c);
}
