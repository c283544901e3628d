/* scsi_prefetch.c — the block commands that only look at a range (SBC-3):
 * PRE-FETCH 10/16, CONDITION MET since every block is at hand (in RAM, or
 * in the page cache after the hint to the kernel), and GET LBA STATUS, one
 * descriptor saying every block from the LBA on is mapped (the logical
 * unit is fully provisioned). */
#include <fcntl.h>

#include "harness/roles/scsi_internal.h"

#define LBA_STATUS_HEADER_LEN 8
#define LBA_STATUS_DESCRIPTOR_LEN 16
#define PROVISIONING_MAPPED 0x0

void scsi_op_prefetch(struct scsi_cmd *c)
{
	uint64_t lba;
	uint32_t count;
	scsi_lba_range(c->cdb, &lba, &count);
	uint64_t blocks = scsi_blocks_or_to_end(c->lun, lba, count);
	if (!scsi_check_range(c, lba, blocks))
		return;
	if (!c->lun->ram)   /* a hint: its failure changes nothing */
		(void)posix_fadvise(c->lun->fd, (off_t)(lba * SCSI_BLOCK_SIZE),
				    (off_t)(blocks * SCSI_BLOCK_SIZE), POSIX_FADV_WILLNEED);
	c->r->status = SCSI_CONDITION_MET;
}

void scsi_op_get_lba_status(struct scsi_cmd *c)
{
	uint64_t lba = scsi_get64(c->cdb + 2);
	if (lba >= c->lun->blocks) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	uint8_t data[LBA_STATUS_HEADER_LEN + LBA_STATUS_DESCRIPTOR_LEN] = { 0 };
	scsi_put32(data, sizeof data - 4);   /* PARAMETER DATA LENGTH */
	uint8_t *d = data + LBA_STATUS_HEADER_LEN;
	uint64_t left = c->lun->blocks - lba;
	scsi_put64(d, lba);
	scsi_put32(d + 8, left > UINT32_MAX ? UINT32_MAX : (uint32_t)left);
	d[12] = PROVISIONING_MAPPED;
	scsi_reply(c, data, sizeof data, scsi_get32(c->cdb + 10));
}
