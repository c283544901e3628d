/* scsi_mode.c — MODE SENSE (6) and (10) (SPC-4): the mode
 * parameter header, a short or long block descriptor, and the caching
 * (0x08) and control (0x0a) pages, alone or all (0x3f). Nothing is
 * changeable and nothing can be saved. */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define MODE_DBD 0x08             /* byte 1: disable block descriptors */
#define MODE_LLBAA 0x10           /* byte 1 of MODE SENSE (10): long LBA */
#define PC_CHANGEABLE 1
#define PC_SAVED 3
#define PAGE_CACHING 0x08
#define PAGE_CONTROL 0x0a
#define PAGE_ALL 0x3f
#define SUBPAGE_ALL 0xff
#define DEVICE_DPOFUA 0x10        /* device-specific parameter: FUA honoured */
#define CACHING_WCE 0x04
#define CONTROL_QAM_UNRESTRICTED 0x10
#define CACHING_LEN 20
#define CONTROL_LEN 12
#define SHORT_DESCRIPTOR_LEN 8
#define LONG_DESCRIPTOR_LEN 16

/* The caching page: a file LUN writes back through the page cache (so an
 * initiator sends SYNCHRONIZE CACHE); a RAM LUN has no cache to flush. */
static size_t caching_page(uint8_t *p, const struct scsi_lun *lun, bool changeable)
{
	memset(p, 0, CACHING_LEN);
	p[0] = PAGE_CACHING;
	p[1] = CACHING_LEN - 2;
	if (!changeable && !lun->ram)
		p[2] = CACHING_WCE;
	return CACHING_LEN;
}

/* The control page: fixed-format sense, unrestricted reordering, no busy
 * timeout limit. */
static size_t control_page(uint8_t *p, bool changeable)
{
	memset(p, 0, CONTROL_LEN);
	p[0] = PAGE_CONTROL;
	p[1] = CONTROL_LEN - 2;
	if (!changeable) {
		p[3] = CONTROL_QAM_UNRESTRICTED;
		scsi_put16(p + 8, 0xffff);
	}
	return CONTROL_LEN;
}

static size_t block_descriptor(uint8_t *p, const struct scsi_lun *lun, bool long_lba)
{
	if (long_lba) {
		memset(p, 0, LONG_DESCRIPTOR_LEN);
		scsi_put64(p, lun->blocks);
		scsi_put32(p + 12, SCSI_BLOCK_SIZE);
		return LONG_DESCRIPTOR_LEN;
	}
	/* more blocks than 32 bits count: 0xffffffff (SBC-3) */
	scsi_put32(p, lun->blocks > 0xffffffffu ? 0xffffffffu : (uint32_t)lun->blocks);
	scsi_put32(p + 4, SCSI_BLOCK_SIZE);   /* byte 4 is reserved: 0 */
	return SHORT_DESCRIPTOR_LEN;
}

static void mode_sense(struct scsi_cmd *c, bool ten, bool long_lba, size_t alloc)
{
	bool dbd = c->cdb[1] & MODE_DBD;
	unsigned pc = c->cdb[2] >> 6, page = c->cdb[2] & 0x3fu, subpage = c->cdb[3];
	if (page != PAGE_CACHING && page != PAGE_CONTROL && page != PAGE_ALL) {
		scsi_fail_field(c, 2);
		return;
	}
	if (subpage != 0 && subpage != SUBPAGE_ALL) {
		scsi_fail_field(c, 3);
		return;
	}
	if (pc == PC_SAVED) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_SAVING_PARAMS_NOT_SUPPORTED);
		return;
	}
	bool changeable = pc == PC_CHANGEABLE;
	uint8_t data[8 + LONG_DESCRIPTOR_LEN + CACHING_LEN + CONTROL_LEN] = { 0 };
	size_t header = ten ? 8 : 4, len = header, descriptor = 0;
	if (!dbd)
		descriptor = block_descriptor(data + len, c->lun, long_lba);
	len += descriptor;
	if (page == PAGE_CACHING || page == PAGE_ALL)
		len += caching_page(data + len, c->lun, changeable);
	if (page == PAGE_CONTROL || page == PAGE_ALL)
		len += control_page(data + len, changeable);
	/* medium type 0; write protect off */
	if (ten) {
		scsi_put16(data, (uint16_t)(len - 2));
		data[3] = DEVICE_DPOFUA;
		data[4] = long_lba && descriptor ? 0x01 : 0x00;   /* LONGLBA */
		scsi_put16(data + 6, (uint16_t)descriptor);
	} else {
		data[0] = (uint8_t)(len - 1);
		data[2] = DEVICE_DPOFUA;
		data[3] = (uint8_t)descriptor;
	}
	scsi_reply(c, data, len, alloc);
}

void scsi_op_mode_sense6(struct scsi_cmd *c)
{
	mode_sense(c, false, false, c->cdb[4]);
}

void scsi_op_mode_sense10(struct scsi_cmd *c)
{
	mode_sense(c, true, c->cdb[1] & MODE_LLBAA, scsi_get16(c->cdb + 7));
}
