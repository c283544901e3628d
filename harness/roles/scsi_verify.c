/* scsi_verify.c — the commands that compare the medium with data out
 * (SBC-3): VERIFY 10/12/16 — with BYTCHK 00b a range check (the medium,
 * RAM or a file, has nothing else to verify), with 01b every block
 * compared with the data out, with 11b each block compared with the one
 * block sent — and COMPARE AND WRITE, which writes its second half of data
 * out when the first matches. A difference is MISCOMPARE with the offset
 * of its first byte in the data out as INFORMATION. No protection
 * information: VRPROTECT and WRPROTECT must be 0. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define VERIFY_PROTECT_SHIFT 5        /* byte 1: VRPROTECT */
#define BYTCHK_NONE 0x0
#define BYTCHK_EACH 0x1               /* one block of data out per block */
#define BYTCHK_RESERVED 0x2
#define BYTCHK_ONE_FOR_ALL 0x3        /* one block of data out for every block */
#define CAW_FUA 0x08

/* The VPD block limits page's MAXIMUM COMPARE AND WRITE LENGTH. */
const uint8_t scsi_max_compare_and_write = 255;

/* Compare blocks from lba with the data out (the same block for each when
 * one_for_all); fail the command at the first difference, and say whether
 * all matched. */
static bool compare(struct scsi_cmd *c, uint64_t lba, uint32_t blocks, bool one_for_all)
{
	uint8_t medium[SCSI_BLOCK_SIZE];
	for (uint32_t i = 0; i < blocks; i++) {
		if (!scsi_medium_read(c->lun, medium, sizeof medium,
				      (lba + i) * SCSI_BLOCK_SIZE)) {
			scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
			return false;
		}
		size_t at = one_for_all ? 0 : (size_t)i * SCSI_BLOCK_SIZE;
		const uint8_t *sent = c->data_out + at;
		if (!memcmp(medium, sent, sizeof medium))
			continue;
		size_t byte = 0;
		while (medium[byte] == sent[byte])
			byte++;
		scsi_fail_info(c, SCSI_SENSE_MISCOMPARE, SCSI_ASC_MISCOMPARE_DURING_VERIFY,
			       (uint32_t)(at + byte));
		return false;
	}
	return true;
}

void scsi_op_verify(struct scsi_cmd *c)
{
	unsigned bytchk = (c->cdb[1] >> 1) & 0x03u;
	if (c->cdb[1] >> VERIFY_PROTECT_SHIFT || bytchk == BYTCHK_RESERVED) {
		scsi_fail_field(c, 1);
		return;
	}
	uint64_t lba;
	uint32_t blocks;
	scsi_lba_range(c->cdb, &lba, &blocks);
	if (!scsi_check_range(c, lba, blocks))
		return;
	if (bytchk == BYTCHK_NONE || blocks == 0)
		return;
	bool one_for_all = bytchk == BYTCHK_ONE_FOR_ALL;
	uint64_t need = one_for_all ? SCSI_BLOCK_SIZE : (uint64_t)blocks * SCSI_BLOCK_SIZE;
	if (scsi_data_out_short(c, need > SIZE_MAX ? SIZE_MAX : (size_t)need))
		return;
	compare(c, lba, blocks, one_for_all);
}

void scsi_op_compare_and_write(struct scsi_cmd *c)
{
	uint64_t lba = scsi_get64(c->cdb + 2);
	uint8_t blocks = c->cdb[13];
	if (c->cdb[1] >> VERIFY_PROTECT_SHIFT) {
		scsi_fail_field(c, 1);
		return;
	}
	if (blocks > scsi_max_compare_and_write) {
		scsi_fail_field(c, 13);
		return;
	}
	if (!scsi_check_range(c, lba, blocks))
		return;
	/* the data out must be the blocks to compare and those to write,
	 * no more and no less: a count that disagrees with it (as 256
	 * blocks wrapped to 0 in the 8-bit field) is refused */
	size_t half = (size_t)blocks * SCSI_BLOCK_SIZE;
	if (c->out_len != 2 * half) {
		scsi_fail_field(c, 13);
		return;
	}
	if (blocks == 0 || !compare(c, lba, blocks, false))
		return;
	if (!scsi_medium_write(c->lun, c->data_out + half, half, lba * SCSI_BLOCK_SIZE) ||
	    ((c->cdb[1] & CAW_FUA) && !scsi_medium_sync(c->lun)))
		scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
}
