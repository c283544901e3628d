/* scsi_write_same.c — the writes that compute what they write (SBC-3):
 * WRITE SAME 10/16, one block (or zeros with NDOB) written over a range,
 * and ORWRITE (16), the data out ORed into the medium. The logical unit is
 * fully provisioned: UNMAP and ANCHOR are refused (INVALID FIELD IN CDB,
 * as the Logical Block Provisioning support it reports has neither), and
 * with no protection information WRPROTECT/ORPROTECT must be 0. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define PROTECT_SHIFT 5               /* byte 1: WRPROTECT, ORPROTECT */
#define WS_ANCHOR 0x10
#define WS_UNMAP 0x08
#define WS_PBDATA_LBDATA 0x06         /* obsolete in SBC-3: refused */
#define WS16_NDOB 0x01
#define ORWRITE_FUA 0x08
#define CHUNK_BLOCKS 16               /* blocks written per call */

/* Write pattern (one block) to blocks blocks from lba. */
static bool write_repeated(struct scsi_lun *lun, const uint8_t *pattern, uint64_t lba,
			   uint64_t blocks)
{
	uint8_t chunk[CHUNK_BLOCKS * SCSI_BLOCK_SIZE];
	for (size_t i = 0; i < CHUNK_BLOCKS; i++)
		memcpy(chunk + i * SCSI_BLOCK_SIZE, pattern, SCSI_BLOCK_SIZE);
	while (blocks) {
		uint64_t n = blocks < CHUNK_BLOCKS ? blocks : CHUNK_BLOCKS;
		if (!scsi_medium_write(lun, chunk, (size_t)n * SCSI_BLOCK_SIZE,
				       lba * SCSI_BLOCK_SIZE))
			return false;
		lba += n;
		blocks -= n;
	}
	return true;
}

void scsi_op_write_same(struct scsi_cmd *c)
{
	uint8_t flags = c->cdb[1];
	bool ndob = c->cdb[0] == 0x93 && (flags & WS16_NDOB);
	if (flags >> PROTECT_SHIFT || flags & (WS_ANCHOR | WS_UNMAP | WS_PBDATA_LBDATA)) {
		scsi_fail_field(c, 1);
		return;
	}
	uint64_t lba;
	uint32_t count;
	scsi_lba_range(c->cdb, &lba, &count);
	/* 0 blocks: up to the last one (the block limits page has WSNZ 0) */
	uint64_t blocks = scsi_blocks_or_to_end(c->lun, lba, count);
	if (!scsi_check_range(c, lba, blocks))
		return;
	if (!ndob && scsi_data_out_short(c, SCSI_BLOCK_SIZE))
		return;
	static const uint8_t zeros[SCSI_BLOCK_SIZE];
	if (!write_repeated(c->lun, ndob ? zeros : c->data_out, lba, blocks))
		scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
}

void scsi_op_orwrite(struct scsi_cmd *c)
{
	if (c->cdb[1] >> PROTECT_SHIFT) {
		scsi_fail_field(c, 1);
		return;
	}
	uint64_t lba;
	uint32_t blocks;
	scsi_lba_range(c->cdb, &lba, &blocks);
	if (!scsi_check_range(c, lba, blocks))
		return;
	uint64_t need = (uint64_t)blocks * SCSI_BLOCK_SIZE;
	if (scsi_data_out_short(c, need > SIZE_MAX ? SIZE_MAX : (size_t)need))
		return;
	uint8_t block[SCSI_BLOCK_SIZE];
	for (uint32_t i = 0; i < blocks; i++) {
		uint64_t offset = (lba + i) * SCSI_BLOCK_SIZE;
		if (!scsi_medium_read(c->lun, block, sizeof block, offset)) {
			scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
			return;
		}
		for (size_t b = 0; b < sizeof block; b++)
			block[b] |= c->data_out[(size_t)i * SCSI_BLOCK_SIZE + b];
		if (!scsi_medium_write(c->lun, block, sizeof block, offset)) {
			scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
			return;
		}
	}
	if ((c->cdb[1] & ORWRITE_FUA) && !scsi_medium_sync(c->lun))
		scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
}
