/* scsi_rw.c — the block commands of SBC-3: READ and WRITE 6/10/12/16,
 * WRITE AND VERIFY 10/12/16, SYNCHRONIZE CACHE 10/16 and READ CAPACITY
 * 10/16. Data moves straight between the caller's buffers and the LUN's
 * RAM or file: nothing is allocated per command. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "harness/roles/scsi_internal.h"

#define CDB_FUA 0x08                  /* byte 1: force unit access */
#define CDB_PROTECT_SHIFT 5           /* byte 1: RDPROTECT / WRPROTECT */
#define READ_CAPACITY_PMI 0x01
#define READ_CAPACITY10_LEN 8
#define READ_CAPACITY16_LEN 32

bool scsi_rw_decode(const uint8_t *cdb, size_t cdb_len, struct scsi_rw *rw)
{
	if (cdb_len < 1)
		return false;
	switch (cdb[0]) {
	case 0x08: case 0x0a:   /* READ (6), WRITE (6) */
		if (cdb_len < 6)
			return false;
		rw->lba = (uint32_t)(cdb[1] & 0x1f) << 16 | scsi_get16(cdb + 2);
		rw->blocks = cdb[4] ? cdb[4] : 256;   /* SBC-3: 0 means 256 */
		break;
	case 0x28: case 0x2a: case 0x2e:   /* READ, WRITE, WRITE AND VERIFY (10) */
		if (cdb_len < 10)
			return false;
		rw->lba = scsi_get32(cdb + 2);
		rw->blocks = scsi_get16(cdb + 7);
		break;
	case 0xa8: case 0xaa: case 0xae:   /* ... (12) */
		if (cdb_len < 12)
			return false;
		rw->lba = scsi_get32(cdb + 2);
		rw->blocks = scsi_get32(cdb + 6);
		break;
	case 0x88: case 0x8a: case 0x8e:   /* ... (16) */
		if (cdb_len < 16)
			return false;
		rw->lba = scsi_get64(cdb + 2);
		rw->blocks = scsi_get32(cdb + 10);
		break;
	default:
		return false;
	}
	/* every WRITE opcode has bit 1 set, no READ has */
	rw->write = (cdb[0] & 0x02) != 0;
	return true;
}

void scsi_lba_range(const uint8_t *cdb, uint64_t *lba, uint32_t *blocks)
{
	switch (cdb[0] >> 5) {
	case 4:   /* 16-byte CDBs */
		*lba = scsi_get64(cdb + 2);
		*blocks = scsi_get32(cdb + 10);
		break;
	case 5:   /* 12-byte CDBs */
		*lba = scsi_get32(cdb + 2);
		*blocks = scsi_get32(cdb + 6);
		break;
	default:  /* 10-byte CDBs */
		*lba = scsi_get32(cdb + 2);
		*blocks = scsi_get16(cdb + 7);
		break;
	}
}

bool scsi_check_range(struct scsi_cmd *c, uint64_t lba, uint64_t blocks)
{
	if (lba <= c->lun->blocks && blocks <= c->lun->blocks - lba)
		return true;
	scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	return false;
}

uint64_t scsi_blocks_or_to_end(const struct scsi_lun *lun, uint64_t lba, uint64_t count)
{
	if (count)
		return count;
	/* 0 blocks: up to the last one (one past the end stays out of range) */
	return lba <= lun->blocks ? lun->blocks - lba : 1;
}

static bool pread_all(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;   /* an error, or the file shrank under us */
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return true;
}

static bool pwrite_all(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return true;
}

bool scsi_medium_read(const struct scsi_lun *lun, uint8_t *buf, size_t len, uint64_t offset)
{
	if (!lun->ram)
		return pread_all(lun->fd, buf, len, offset);
	if (len)   /* buf may be NULL when nothing is read */
		memcpy(buf, lun->ram + offset, len);
	return true;
}

bool scsi_medium_write(struct scsi_lun *lun, const uint8_t *buf, size_t len, uint64_t offset)
{
	if (!lun->ram)
		return pwrite_all(lun->fd, buf, len, offset);
	if (len)   /* buf may be NULL when nothing is written */
		memcpy(lun->ram + offset, buf, len);
	return true;
}

bool scsi_medium_sync(const struct scsi_lun *lun)
{
	return lun->ram || fdatasync(lun->fd) == 0;
}

uint32_t scsi_rw_transfer_length(const uint8_t *cdb)
{
	struct scsi_rw rw;
	/* the table calls it for READ and WRITE opcodes only, whole CDBs */
	scsi_rw_decode(cdb, 16, &rw);
	/* an iSCSI transfer length has 32 bits: more cannot move */
	uint64_t bytes = (uint64_t)rw.blocks * SCSI_BLOCK_SIZE;
	return bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

static void do_read(struct scsi_cmd *c, uint64_t offset, uint64_t bytes)
{
	size_t n = bytes < c->in_cap ? (size_t)bytes : c->in_cap;
	if (!scsi_medium_read(c->lun, c->data_in, n, offset)) {
		scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
		return;
	}
	c->r->data_in_len = n;
}

/* Write the whole blocks of data out the initiator sent, at most bytes.
 * When it sent fewer than the CDB asks for, tgtd (bs_rdwr.c) writes what
 * it got and answers GOOD, leaving the residual to iSCSI, and libiscsi's
 * iscsi-test-cu (Write10.Residuals) expects exactly that, with the blocks
 * beyond untouched; so does this device. A trailing part of a block it
 * cannot write: it answers as LIO does (target_cmd_size_check) to any
 * WRITE whose expected length differs from its CDB's, ILLEGAL REQUEST,
 * INVALID FIELD IN COMMAND INFORMATION UNIT, which iscsi-test-cu accepts
 * there. */
static void do_write(struct scsi_cmd *c, uint64_t offset, uint64_t bytes, bool sync)
{
	bool short_data = c->out_len < bytes;
	size_t n = short_data ? c->out_len - c->out_len % SCSI_BLOCK_SIZE : (size_t)bytes;
	if (!scsi_medium_write(c->lun, c->data_out, n, offset) ||
	    (sync && !scsi_medium_sync(c->lun))) {
		scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
		return;
	}
	if (short_data && c->out_len % SCSI_BLOCK_SIZE)
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_COMMAND_IU);
}

void scsi_op_read_write(struct scsi_cmd *c)
{
	struct scsi_rw rw;
	scsi_rw_decode(c->cdb, c->cdb_len, &rw);
	bool six = c->cdb[0] < 0x20;
	/* no protection information: RDPROTECT and WRPROTECT must be 0 */
	if (!six && c->cdb[1] >> CDB_PROTECT_SHIFT) {
		scsi_fail_field(c, 1);
		return;
	}
	if (!scsi_check_range(c, rw.lba, rw.blocks))
		return;
	uint64_t offset = rw.lba * SCSI_BLOCK_SIZE, bytes = (uint64_t)rw.blocks * SCSI_BLOCK_SIZE;
	if (!rw.write) {
		do_read(c, offset, bytes);
		return;
	}
	/* WRITE AND VERIFY (opcode low nibble 0xe) verifies against the
	 * medium, so its data must reach it, as FUA's does */
	bool sync = (c->cdb[0] & 0x0f) == 0x0e || (!six && (c->cdb[1] & CDB_FUA));
	do_write(c, offset, bytes, sync);
}

void scsi_op_sync_cache(struct scsi_cmd *c)
{
	bool sixteen = c->cdb[0] == 0x91;
	uint64_t lba = sixteen ? scsi_get64(c->cdb + 2) : scsi_get32(c->cdb + 2);
	uint64_t blocks = scsi_blocks_or_to_end(c->lun, lba, sixteen ?
						scsi_get32(c->cdb + 10) :
						scsi_get16(c->cdb + 7));
	if (!scsi_check_range(c, lba, blocks))
		return;
	/* IMMED may be set: answering after the flush is allowed too */
	if (!scsi_medium_sync(c->lun))
		scsi_fail(c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
}

/* SBC-3: an LBA other than 0 needs the PMI bit. */
static bool lba_without_pmi(const uint8_t *lba_field, size_t lba_len, uint8_t pmi_byte)
{
	if (pmi_byte & READ_CAPACITY_PMI)
		return false;
	for (size_t i = 0; i < lba_len; i++)
		if (lba_field[i])
			return true;
	return false;
}

void scsi_op_read_capacity10(struct scsi_cmd *c)
{
	if (lba_without_pmi(c->cdb + 2, 4, c->cdb[8])) {
		scsi_fail_field(c, 2);
		return;
	}
	uint64_t last = c->lun->blocks - 1;
	uint8_t data[READ_CAPACITY10_LEN];
	/* too large for 32 bits: the initiator must ask READ CAPACITY (16) */
	scsi_put32(data, last > 0xfffffffe ? 0xffffffff : (uint32_t)last);
	scsi_put32(data + 4, SCSI_BLOCK_SIZE);
	scsi_reply(c, data, sizeof data, sizeof data);
}

void scsi_op_read_capacity16(struct scsi_cmd *c)
{
	if (lba_without_pmi(c->cdb + 2, 8, c->cdb[14])) {
		scsi_fail_field(c, 2);
		return;
	}
	uint8_t data[READ_CAPACITY16_LEN] = { 0 };
	scsi_put64(data, c->lun->blocks - 1);
	scsi_put32(data + 8, SCSI_BLOCK_SIZE);
	/* bytes 12-15: no protection, one logical block per physical block,
	 * no logical block provisioning */
	scsi_reply(c, data, sizeof data, scsi_get32(c->cdb + 10));
}
