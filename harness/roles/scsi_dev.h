/* scsi_dev.h — the target's SCSI block device model: LUNs backed by RAM or a
 * file, and the commands a real initiator needs (SPC-4 / SBC-3): INQUIRY
 * (standard, VPD 0x00, 0x80, 0x83), TEST UNIT READY, READ CAPACITY 10/16,
 * READ and WRITE 6/10/12/16, WRITE AND VERIFY, VERIFY, PRE-FETCH, WRITE
 * SAME, ORWRITE, COMPARE AND WRITE, GET LBA STATUS, REPORT LUNS, REPORT SUPPORTED OPERATION
 * CODES, MODE SENSE 6/10, REQUEST SENSE, SYNCHRONIZE CACHE 10/16,
 * RESERVE(6)/RELEASE(6) and PERSISTENT RESERVE IN/OUT (reservations held
 * by an I_T nexus), and CHECK CONDITION with the right sense for anything
 * else or out of range.
 *
 * Knows nothing of iSCSI: a command is a CDB, a LUN, an expected transfer
 * length and data; the result is a status, sense data and data in. The
 * iSCSI layer (roles/target*.c) asks scsi_cmd_plan() how much data a
 * command moves in which direction before it collects Data-Out or sends
 * Data-In.
 */
#ifndef HARNESS_ROLES_SCSI_DEV_H
#define HARNESS_ROLES_SCSI_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCSI_MAX_LUNS 64
#define SCSI_BLOCK_SIZE 512u

/* SCSI status (SAM-5). */
enum scsi_status {
	SCSI_GOOD = 0x00,
	SCSI_CHECK_CONDITION = 0x02,
	SCSI_CONDITION_MET = 0x04,
	SCSI_BUSY = 0x08,
	SCSI_RESERVATION_CONFLICT = 0x18,
	SCSI_TASK_SET_FULL = 0x28,
	SCSI_TASK_ABORTED = 0x40,
};

struct scsi_dev;

/* A device with no LUN yet; serial names it in VPD 0x80/0x83 (NULL: a
 * default). Returns NULL when out of memory. */
struct scsi_dev *scsi_dev_create(const char *serial);
void scsi_dev_free(struct scsi_dev *d);

/* Add the next LUN (0, 1, ...): bytes of RAM (a multiple of the block
 * size), or a file opened read-write (its size, rounded down to a block,
 * is the capacity). Return the LUN number, or -1 with err filled. */
int scsi_dev_add_ram(struct scsi_dev *d, uint64_t bytes, char *err, size_t errlen);
int scsi_dev_add_file(struct scsi_dev *d, const char *path, char *err, size_t errlen);
size_t scsi_dev_lun_count(const struct scsi_dev *d);

/* "64M", "1G", "4096", "512K": a size in bytes; 0 when s is not one. */
uint64_t scsi_parse_size(const char *s);

enum scsi_dir { SCSI_DIR_NONE, SCSI_DIR_READ, SCSI_DIR_WRITE };

/* What a command will move, judged from its CDB alone. */
struct scsi_plan {
	enum scsi_dir dir;
	uint32_t length;     /* bytes the CDB asks to move (the allocation
				length for commands returning data) */
};

/* Plan lun/cdb: the data out of a write (VERIFY with BYTCHK, WRITE SAME,
 * COMPARE AND WRITE and PERSISTENT RESERVE OUT's parameter list too) or
 * the data in of a read. An unknown opcode or service action plans
 * SCSI_DIR_NONE, and so does any command on a missing LUN except INQUIRY,
 * REQUEST SENSE and REPORT LUNS (they answer on any LUN). */
struct scsi_plan scsi_cmd_plan(const struct scsi_dev *d, uint64_t lun,
			       const uint8_t *cdb, size_t cdb_len);

/* The outcome of a command. */
struct scsi_result {
	uint8_t status;          /* enum scsi_status */
	uint8_t sense[32];       /* fixed-format sense data (0x70) */
	size_t sense_len;        /* 0 unless CHECK CONDITION */
	size_t data_in_len;      /* bytes written to data_in */
};

/* Sense keys (SPC-4) the device reports. */
enum scsi_sense_key {
	SCSI_SENSE_NO_SENSE = 0x0,
	SCSI_SENSE_MEDIUM_ERROR = 0x3,
	SCSI_SENSE_ILLEGAL_REQUEST = 0x5,
	SCSI_SENSE_MISCOMPARE = 0xe,
};

/* Make r a CHECK CONDITION with fixed-format sense (response code 0x70,
 * 18 bytes) carrying key, asc and ascq; r's data in is dropped. For the
 * iSCSI layer too, when it fails a command before the device sees it. */
void scsi_result_check(struct scsi_result *r, uint8_t key, uint8_t asc, uint8_t ascq);

/*
 * Execute one command from the I_T nexus nexus (any number naming the
 * initiator's session: reservations are held by it). lun is the 8-byte LUN field as a big-endian number
 * (single-level addressing: LUN n is n << 48). For a write, data_out holds
 * the data the initiator sent (out_len bytes, which may be less than the
 * CDB asks: the whole blocks that came are written and the answer is GOOD,
 * as tgtd does and libiscsi's Write10Residuals expects, or ILLEGAL
 * REQUEST 0x0e/0x03 when a partial block is left over, as LIO; or more:
 * the excess is ignored; COMPARE AND WRITE alone wants exactly its blocks,
 * INVALID FIELD IN CDB otherwise). For a read or a command returning data,
 * up to in_cap bytes go to data_in (in_cap is the transfer length the
 * initiator expects; the device returns min(in_cap, what the command
 * yields)). Never fails as a function: errors are CHECK CONDITION with
 * sense (ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE, LBA OUT OF
 * RANGE, INVALID FIELD IN CDB, LOGICAL UNIT NOT SUPPORTED; MISCOMPARE;
 * MEDIUM ERROR when the backing file fails), RESERVATION CONFLICT when
 * another nexus's reservation forbids the command, or CONDITION MET
 * (PRE-FETCH).
 */
void scsi_exec(struct scsi_dev *d, uint64_t nexus, uint64_t lun, const uint8_t *cdb,
	       size_t cdb_len, const uint8_t *data_out, size_t out_len,
	       uint8_t *data_in, size_t in_cap, struct scsi_result *r);

/* I_T nexus loss: the RESERVE(6) reservations nexus holds go; its
 * persistent reservations and registrations stay (SPC-4). */
void scsi_nexus_gone(struct scsi_dev *d, uint64_t nexus);

/* LOGICAL UNIT RESET of lun (the 8-byte LUN field), or of every LUN when
 * all (TARGET RESET): RESERVE(6) reservations go, persistent ones stay. */
void scsi_lun_reset(struct scsi_dev *d, uint64_t lun, bool all);

/* For the fast path of READ: the RAM behind lun's bytes
 * [offset, offset+len), or NULL when the LUN is file backed or the range
 * is out of bounds. */
const uint8_t *scsi_dev_ram(const struct scsi_dev *d, uint64_t lun,
			    uint64_t offset, uint64_t len);

#endif
