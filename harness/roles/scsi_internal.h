/* scsi_internal.h — what the SCSI device's files (scsi_*.c) share: the
 * device and LUN structures, the command being executed, big-endian field
 * access, the sense codes, and each command's handler. Not for the iSCSI
 * layer: it uses scsi_dev.h. */
#ifndef HARNESS_ROLES_SCSI_INTERNAL_H
#define HARNESS_ROLES_SCSI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/roles/scsi_dev.h"

#define SCSI_VENDOR "ISCSIHAR"           /* T10 vendor identification, 8 chars */
#define SCSI_PRODUCT "EMBEDDED DISK   "  /* product identification, 16 chars */
#define SCSI_REVISION "0001"             /* product revision level, 4 chars */
#define SCSI_SERIAL_MAX 32               /* device serial characters kept */
#define SCSI_READ_CAPACITY16_ACTION 0x10 /* of SERVICE ACTION IN (16), 0x9e */

/* Additional sense codes (ASC << 8 | ASCQ), from the SPC-4 table. */
enum scsi_asc {
	SCSI_ASC_NONE = 0x0000,
	SCSI_ASC_WRITE_ERROR = 0x0c00,
	SCSI_ASC_INVALID_FIELD_IN_COMMAND_IU = 0x0e03,
	SCSI_ASC_UNRECOVERED_READ_ERROR = 0x1100,
	SCSI_ASC_INVALID_OPCODE = 0x2000,
	SCSI_ASC_LBA_OUT_OF_RANGE = 0x2100,
	SCSI_ASC_INVALID_FIELD_IN_CDB = 0x2400,
	SCSI_ASC_LUN_NOT_SUPPORTED = 0x2500,
	SCSI_ASC_SAVING_PARAMS_NOT_SUPPORTED = 0x3900,
};

struct scsi_lun {
	uint64_t blocks;   /* capacity in SCSI_BLOCK_SIZE blocks */
	uint8_t *ram;      /* the data of a RAM LUN; NULL for a file LUN */
	int fd;            /* the backing file of a file LUN; -1 for RAM */
};

struct scsi_dev {
	char serial[SCSI_SERIAL_MAX + 1];
	size_t lun_count;
	struct scsi_lun luns[SCSI_MAX_LUNS];
};

/* One command on its way through scsi_exec. */
struct scsi_cmd {
	struct scsi_dev *dev;
	struct scsi_lun *lun;      /* NULL when the LUN addressed is not there */
	unsigned lun_number;       /* the LUN addressed (when lun is not NULL) */
	const uint8_t *cdb;
	size_t cdb_len;            /* at least the opcode's CDB length */
	const uint8_t *data_out;
	size_t out_len;
	uint8_t *data_in;
	size_t in_cap;
	struct scsi_result *r;
};

/* ---- big-endian fields ---- */

static inline uint16_t scsi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t scsi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t scsi_get64(const uint8_t *p)
{
	return (uint64_t)scsi_get32(p) << 32 | scsi_get32(p + 4);
}

static inline void scsi_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void scsi_put32(uint8_t *p, uint32_t v)
{
	scsi_put16(p, (uint16_t)(v >> 16));
	scsi_put16(p + 2, (uint16_t)v);
}

static inline void scsi_put64(uint8_t *p, uint64_t v)
{
	scsi_put32(p, (uint32_t)(v >> 32));
	scsi_put32(p + 4, (uint32_t)v);
}

/* The index in d->luns of the LUN the 8-byte LUN field addresses (single
 * level peripheral or flat space addressing), or -1 when it is not there
 * (scsi_dev.c). */
int scsi_lun_index(const struct scsi_dev *d, uint64_t lun);

/* ---- results (scsi_sense.c) ---- */

/* CHECK CONDITION with key and asc (an enum scsi_asc). */
void scsi_fail(struct scsi_cmd *c, uint8_t key, enum scsi_asc asc);
/* ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at the CDB byte at fault
 * (the sense-key specific field pointer of SPC-4). */
void scsi_fail_field(struct scsi_cmd *c, uint16_t cdb_byte);
/* Return data (len bytes) as data in: at most alloc (the CDB's allocation
 * length) and in_cap bytes of it. */
void scsi_reply(struct scsi_cmd *c, const uint8_t *data, size_t len, size_t alloc);

/* ---- command handlers: each runs one opcode on c ---- */

void scsi_op_inquiry(struct scsi_cmd *c);        /* scsi_inquiry.c */
void scsi_op_mode_sense6(struct scsi_cmd *c);    /* scsi_mode.c */
void scsi_op_mode_sense10(struct scsi_cmd *c);
void scsi_op_read_write(struct scsi_cmd *c);     /* scsi_rw.c */
void scsi_op_sync_cache(struct scsi_cmd *c);
void scsi_op_read_capacity10(struct scsi_cmd *c);
void scsi_op_read_capacity16(struct scsi_cmd *c);

/* ---- READ and WRITE CDBs (scsi_rw.c) ---- */

struct scsi_rw {
	bool write;
	uint64_t lba;
	uint32_t blocks;
};

/* Decode a READ or WRITE (6, 10, 12, 16, WRITE AND VERIFY) CDB of cdb_len
 * bytes; false when cdb is none of these or too short. */
bool scsi_rw_decode(const uint8_t *cdb, size_t cdb_len, struct scsi_rw *rw);

#endif
