/* scsi_opcodes.c — the commands the device implements: for each, its CDB
 * length, what a reservation holds back, the data it moves and its
 * handler, and its CDB usage data; and REPORT SUPPORTED OPERATION CODES
 * (MAINTENANCE IN, SPC-4), which reports exactly this table. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define RSOC_RCTD 0x80               /* byte 2: return command timeouts descriptors */
#define RSOC_OPTIONS 0x07            /* byte 2: reporting options */
#define RSOC_ALL 0                   /* every command */
#define RSOC_OPCODE 1                /* one opcode without service actions */
#define RSOC_OPCODE_ACTION 2         /* one opcode and service action */
#define RSOC_SERVACTV 0x01           /* descriptor byte 5 */
#define RSOC_CTDP 0x02               /* descriptor byte 5: timeouts follow */
#define RSOC_ONE_CTDP 0x80           /* one-command byte 1: timeouts follow */
#define RSOC_SUPPORTED 0x03          /* one-command SUPPORT: as the standard says */
#define RSOC_NOT_SUPPORTED 0x01      /* one-command SUPPORT: not supported */
#define RSOC_DESCRIPTOR_LEN 8
#define RSOC_TIMEOUTS_LEN 12         /* descriptor length 0x0a and its two bytes */

/* ---- the bytes each command moves ---- */

static uint32_t blocks_to_bytes(uint64_t blocks)
{
	/* an iSCSI transfer length has 32 bits: more cannot move */
	uint64_t bytes = blocks * SCSI_BLOCK_SIZE;
	return bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

static uint32_t nothing(const uint8_t *cdb)
{
	(void)cdb;
	return 0;
}

static uint32_t alloc_byte4(const uint8_t *cdb) { return cdb[4]; }
static uint32_t alloc_16_at3(const uint8_t *cdb) { return scsi_get16(cdb + 3); }
static uint32_t alloc_16_at7(const uint8_t *cdb) { return scsi_get16(cdb + 7); }
static uint32_t alloc_32_at6(const uint8_t *cdb) { return scsi_get32(cdb + 6); }
static uint32_t alloc_32_at10(const uint8_t *cdb) { return scsi_get32(cdb + 10); }
static uint32_t read_capacity10_data(const uint8_t *cdb) { (void)cdb; return 8; }
/* PERSISTENT RESERVE OUT: the parameter list length */
static uint32_t list_32_at5(const uint8_t *cdb) { return scsi_get32(cdb + 5); }

static uint32_t lba_range_bytes(const uint8_t *cdb)
{
	uint64_t lba;
	uint32_t blocks;
	scsi_lba_range(cdb, &lba, &blocks);
	return blocks_to_bytes(blocks);
}

/* VERIFY: BYTCHK 01b sends every block, 11b one block for all. */
static uint32_t verify_data(const uint8_t *cdb)
{
	switch ((cdb[1] >> 1) & 0x03) {
	case 0x01: return lba_range_bytes(cdb);
	case 0x03: return SCSI_BLOCK_SIZE;
	default: return 0;
	}
}

/* COMPARE AND WRITE: the blocks to compare, then those to write. */
static uint32_t compare_and_write_data(const uint8_t *cdb)
{
	return 2u * cdb[13] * SCSI_BLOCK_SIZE;
}

/* WRITE SAME: one block, none with NDOB (16 only). */
static uint32_t write_same_data(const uint8_t *cdb)
{
	return cdb[0] == 0x93 && (cdb[1] & 0x01) ? 0 : SCSI_BLOCK_SIZE;
}

/* ---- CDB usage data: the bits of each CDB the device looks at ---- */

#define FF4 0xff, 0xff, 0xff, 0xff
#define FF8 FF4, FF4
#define RW10(op, b1) (const uint8_t[]){ op, b1, FF4, 0, 0xff, 0xff, 0 }
#define RW12(op, b1) (const uint8_t[]){ op, b1, FF4, FF4, 0, 0 }
#define RW16(op, b1) (const uint8_t[]){ op, b1, FF8, FF4, 0, 0 }
#define DPO_FUA 0x18
#define DPO_BYTCHK 0x12               /* WRITE AND VERIFY */
#define DPO_BYTCHK2 0x16              /* VERIFY: both BYTCHK bits */
#define IMMED 0x02

#define OP(code, len, lun, acc, d, len_fn, fn, ...) \
	{ .opcode = code, .cdb_len = len, .any_lun = lun, .access = acc, .dir = d, \
	  .length = len_fn, .run = fn, .usage = __VA_ARGS__ }
#define SA_OP(code, sa, len, acc, d, len_fn, fn, ...) \
	{ .opcode = code, .has_service_action = true, .service_action = sa, \
	  .cdb_len = len, .access = acc, .dir = d, .length = len_fn, .run = fn, \
	  .usage = __VA_ARGS__ }

#define NONE SCSI_DIR_NONE
#define IN SCSI_DIR_READ
#define OUT SCSI_DIR_WRITE
#define ALWAYS SCSI_ACCESS_ALWAYS
#define INFO SCSI_ACCESS_INFO
#define READ SCSI_ACCESS_READ
#define WRITE SCSI_ACCESS_WRITE
#define RESERVE SCSI_ACCESS_RESERVE
#define PR SCSI_ACCESS_PR

static const struct scsi_op ops[] = {
	OP(0x00, 6, false, INFO, NONE, nothing, scsi_op_test_unit_ready,
	   (const uint8_t[]){ 0x00, 0, 0, 0, 0, 0 }),
	OP(0x03, 6, true, ALWAYS, IN, alloc_byte4, scsi_op_request_sense,
	   (const uint8_t[]){ 0x03, 0x01, 0, 0, 0xff, 0 }),
	OP(0x08, 6, false, READ, IN, scsi_rw_transfer_length, scsi_op_read_write,
	   (const uint8_t[]){ 0x08, 0x1f, 0xff, 0xff, 0xff, 0 }),
	OP(0x0a, 6, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   (const uint8_t[]){ 0x0a, 0x1f, 0xff, 0xff, 0xff, 0 }),
	OP(0x12, 6, true, ALWAYS, IN, alloc_16_at3, scsi_op_inquiry,
	   (const uint8_t[]){ 0x12, 0x01, 0xff, 0xff, 0xff, 0 }),
	OP(0x16, 6, false, RESERVE, NONE, nothing, scsi_op_reserve6,
	   (const uint8_t[]){ 0x16, 0, 0, 0, 0, 0 }),
	OP(0x17, 6, false, RESERVE, NONE, nothing, scsi_op_release6,
	   (const uint8_t[]){ 0x17, 0, 0, 0, 0, 0 }),
	OP(0x1a, 6, false, READ, IN, alloc_byte4, scsi_op_mode_sense6,
	   (const uint8_t[]){ 0x1a, 0x08, 0xff, 0xff, 0xff, 0 }),
	OP(0x25, 10, false, INFO, IN, read_capacity10_data, scsi_op_read_capacity10,
	   (const uint8_t[]){ 0x25, 0, FF4, 0, 0, 0x01, 0 }),
	OP(0x28, 10, false, READ, IN, scsi_rw_transfer_length, scsi_op_read_write,
	   RW10(0x28, DPO_FUA)),
	OP(0x2a, 10, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   RW10(0x2a, DPO_FUA)),
	OP(0x2e, 10, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   RW10(0x2e, DPO_BYTCHK)),
	OP(0x2f, 10, false, READ, OUT, verify_data, scsi_op_verify, RW10(0x2f, DPO_BYTCHK2)),
	OP(0x34, 10, false, READ, NONE, nothing, scsi_op_prefetch, RW10(0x34, IMMED)),
	OP(0x35, 10, false, WRITE, NONE, nothing, scsi_op_sync_cache, RW10(0x35, IMMED)),
	OP(0x41, 10, false, WRITE, OUT, write_same_data, scsi_op_write_same, RW10(0x41, 0)),
	OP(0x5a, 10, false, READ, IN, alloc_16_at7, scsi_op_mode_sense10,
	   (const uint8_t[]){ 0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0 }),
	SA_OP(0x5e, 0x00, 10, PR, IN, alloc_16_at7, scsi_op_pr_in,
	      (const uint8_t[]){ 0x5e, 0x00, 0, 0, 0, 0, 0, 0xff, 0xff, 0 }),
	SA_OP(0x5e, 0x01, 10, PR, IN, alloc_16_at7, scsi_op_pr_in,
	      (const uint8_t[]){ 0x5e, 0x01, 0, 0, 0, 0, 0, 0xff, 0xff, 0 }),
	SA_OP(0x5e, 0x02, 10, PR, IN, alloc_16_at7, scsi_op_pr_in,
	      (const uint8_t[]){ 0x5e, 0x02, 0, 0, 0, 0, 0, 0xff, 0xff, 0 }),
	/* REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT,
	 * REGISTER AND IGNORE EXISTING KEY: scope and type in byte 2 */
	SA_OP(0x5f, 0x00, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x00, 0, 0, 0, FF4, 0 }),
	SA_OP(0x5f, 0x01, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x01, 0xff, 0, 0, FF4, 0 }),
	SA_OP(0x5f, 0x02, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x02, 0xff, 0, 0, FF4, 0 }),
	SA_OP(0x5f, 0x03, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x03, 0, 0, 0, FF4, 0 }),
	SA_OP(0x5f, 0x04, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x04, 0xff, 0, 0, FF4, 0 }),
	SA_OP(0x5f, 0x05, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x05, 0xff, 0, 0, FF4, 0 }),
	SA_OP(0x5f, 0x06, 10, PR, OUT, list_32_at5, scsi_op_pr_out,
	      (const uint8_t[]){ 0x5f, 0x06, 0, 0, 0, FF4, 0 }),
	OP(0x88, 16, false, READ, IN, scsi_rw_transfer_length, scsi_op_read_write,
	   RW16(0x88, DPO_FUA)),
	OP(0x89, 16, false, WRITE, OUT, compare_and_write_data, scsi_op_compare_and_write,
	   (const uint8_t[]){ 0x89, DPO_FUA, FF8, 0, 0, 0, 0xff, 0, 0 }),
	OP(0x8a, 16, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   RW16(0x8a, DPO_FUA)),
	OP(0x8b, 16, false, WRITE, OUT, lba_range_bytes, scsi_op_orwrite, RW16(0x8b, DPO_FUA)),
	OP(0x8e, 16, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   RW16(0x8e, DPO_BYTCHK)),
	OP(0x8f, 16, false, READ, OUT, verify_data, scsi_op_verify, RW16(0x8f, DPO_BYTCHK2)),
	OP(0x90, 16, false, READ, NONE, nothing, scsi_op_prefetch, RW16(0x90, IMMED)),
	OP(0x91, 16, false, WRITE, NONE, nothing, scsi_op_sync_cache, RW16(0x91, IMMED)),
	/* WRITE SAME (16): NDOB */
	OP(0x93, 16, false, WRITE, OUT, write_same_data, scsi_op_write_same, RW16(0x93, 0x01)),
	SA_OP(0x9e, SCSI_READ_CAPACITY16_ACTION, 16, INFO, IN, alloc_32_at10,
	      scsi_op_read_capacity16,
	      (const uint8_t[]){ 0x9e, SCSI_READ_CAPACITY16_ACTION, FF8, FF4, 0x01, 0 }),
	SA_OP(0x9e, SCSI_GET_LBA_STATUS_ACTION, 16, READ, IN, alloc_32_at10,
	      scsi_op_get_lba_status,
	      (const uint8_t[]){ 0x9e, SCSI_GET_LBA_STATUS_ACTION, FF8, FF4, 0, 0 }),
	OP(0xa0, 12, true, ALWAYS, IN, alloc_32_at6, scsi_op_report_luns,
	   (const uint8_t[]){ 0xa0, 0, 0xff, 0, 0, 0, FF4, 0, 0 }),
	SA_OP(0xa3, SCSI_REPORT_OPCODES_ACTION, 12, INFO, IN, alloc_32_at6,
	      scsi_op_report_opcodes,
	      (const uint8_t[]){ 0xa3, SCSI_REPORT_OPCODES_ACTION, RSOC_RCTD | RSOC_OPTIONS,
				 0xff, 0xff, 0xff, FF4, 0, 0 }),
	OP(0xa8, 12, false, READ, IN, scsi_rw_transfer_length, scsi_op_read_write,
	   RW12(0xa8, DPO_FUA)),
	OP(0xaa, 12, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   RW12(0xaa, DPO_FUA)),
	OP(0xae, 12, false, WRITE, OUT, scsi_rw_transfer_length, scsi_op_read_write,
	   RW12(0xae, DPO_BYTCHK)),
	OP(0xaf, 12, false, READ, OUT, verify_data, scsi_op_verify, RW12(0xaf, DPO_BYTCHK2)),
};

#define OP_COUNT (sizeof ops / sizeof ops[0])

/* The entry of opcode (and service action, for an opcode that has them),
 * or NULL; *opcode_known: the opcode is in the table. */
static const struct scsi_op *lookup(uint8_t opcode, uint8_t service_action, bool *opcode_known)
{
	*opcode_known = false;
	for (size_t i = 0; i < OP_COUNT; i++) {
		if (ops[i].opcode != opcode)
			continue;
		*opcode_known = true;
		if (!ops[i].has_service_action || ops[i].service_action == service_action)
			return &ops[i];
	}
	return NULL;
}

static bool has_service_actions(uint8_t opcode)
{
	for (size_t i = 0; i < OP_COUNT; i++)
		if (ops[i].opcode == opcode && ops[i].has_service_action)
			return true;
	return false;
}

const struct scsi_op *scsi_op_find(const uint8_t *cdb, size_t cdb_len, bool *opcode_known)
{
	*opcode_known = false;
	if (cdb_len < 2)   /* no command is shorter than 6 bytes */
		return NULL;
	const struct scsi_op *op = lookup(cdb[0], cdb[1] & 0x1f, opcode_known);
	if (op && cdb_len < op->cdb_len) {
		*opcode_known = false;
		return NULL;
	}
	return op;
}

/* ---- REPORT SUPPORTED OPERATION CODES ---- */

/* The command timeouts descriptor: no nominal or recommended timeout. */
static size_t timeouts(uint8_t *p)
{
	memset(p, 0, RSOC_TIMEOUTS_LEN);
	scsi_put16(p, RSOC_TIMEOUTS_LEN - 2);
	return RSOC_TIMEOUTS_LEN;
}

static void report_all(struct scsi_cmd *c, bool rctd, size_t alloc)
{
	uint8_t data[4 + OP_COUNT * (RSOC_DESCRIPTOR_LEN + RSOC_TIMEOUTS_LEN)];
	size_t len = 4;
	for (size_t i = 0; i < OP_COUNT; i++) {
		uint8_t *p = data + len;
		memset(p, 0, RSOC_DESCRIPTOR_LEN);
		p[0] = ops[i].opcode;
		scsi_put16(p + 2, ops[i].service_action);
		p[5] = (uint8_t)((ops[i].has_service_action ? RSOC_SERVACTV : 0) |
				 (rctd ? RSOC_CTDP : 0));
		scsi_put16(p + 6, ops[i].cdb_len);
		len += RSOC_DESCRIPTOR_LEN;
		if (rctd)
			len += timeouts(data + len);
	}
	scsi_put32(data, (uint32_t)(len - 4));
	scsi_reply(c, data, len, alloc);
}

/* One command: supported with its usage data, or not supported. */
static void report_one(struct scsi_cmd *c, const struct scsi_op *op, bool rctd, size_t alloc)
{
	uint8_t data[4 + 16 + RSOC_TIMEOUTS_LEN] = { 0 };
	size_t len = 4;
	if (!op) {
		data[1] = RSOC_NOT_SUPPORTED;
		scsi_reply(c, data, len, alloc);
		return;
	}
	data[1] = (uint8_t)(RSOC_SUPPORTED | (rctd ? RSOC_ONE_CTDP : 0));
	scsi_put16(data + 2, op->cdb_len);
	memcpy(data + len, op->usage, op->cdb_len);
	len += op->cdb_len;
	if (rctd)
		len += timeouts(data + len);
	scsi_reply(c, data, len, alloc);
}

void scsi_op_report_opcodes(struct scsi_cmd *c)
{
	bool rctd = c->cdb[2] & RSOC_RCTD;
	uint8_t options = c->cdb[2] & RSOC_OPTIONS, opcode = c->cdb[3];
	uint16_t action = scsi_get16(c->cdb + 4);
	size_t alloc = scsi_get32(c->cdb + 6);
	if (c->cdb[2] & ~(RSOC_RCTD | RSOC_OPTIONS)) {
		scsi_fail_field(c, 2);
		return;
	}
	if (options == RSOC_ALL) {
		report_all(c, rctd, alloc);
		return;
	}
	if (options != RSOC_OPCODE && options != RSOC_OPCODE_ACTION) {
		scsi_fail_field(c, 2);
		return;
	}
	bool known;
	const struct scsi_op *op = lookup(opcode, (uint8_t)action, &known);
	/* option 1 names an opcode without service actions, option 2 one
	 * with them (SPC-4): the other kind is an invalid field */
	if (known && (options == RSOC_OPCODE) == has_service_actions(opcode)) {
		scsi_fail_field(c, 2);
		return;
	}
	if (options == RSOC_OPCODE_ACTION && action > 0x1f)
		op = NULL;   /* service actions have 5 bits */
	report_one(c, op, rctd, alloc);
}
