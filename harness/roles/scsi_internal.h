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
#define SCSI_GET_LBA_STATUS_ACTION 0x12  /* of SERVICE ACTION IN (16), 0x9e */
#define SCSI_REPORT_OPCODES_ACTION 0x0c  /* of MAINTENANCE IN, 0xa3 */
#define SCSI_PR_MAX_REGISTRANTS 16       /* persistent registrations a LUN keeps */

/* Additional sense codes (ASC << 8 | ASCQ), from the SPC-4 table. */
enum scsi_asc {
	SCSI_ASC_NONE = 0x0000,
	SCSI_ASC_WRITE_ERROR = 0x0c00,
	SCSI_ASC_INVALID_FIELD_IN_COMMAND_IU = 0x0e03,
	SCSI_ASC_UNRECOVERED_READ_ERROR = 0x1100,
	SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR = 0x1a00,
	SCSI_ASC_MISCOMPARE_DURING_VERIFY = 0x1d00,
	SCSI_ASC_INVALID_OPCODE = 0x2000,
	SCSI_ASC_LBA_OUT_OF_RANGE = 0x2100,
	SCSI_ASC_INVALID_FIELD_IN_CDB = 0x2400,
	SCSI_ASC_LUN_NOT_SUPPORTED = 0x2500,
	SCSI_ASC_INVALID_FIELD_IN_PARAMETER_LIST = 0x2600,
	SCSI_ASC_INVALID_RELEASE_OF_PR = 0x2604,
	SCSI_ASC_SAVING_PARAMS_NOT_SUPPORTED = 0x3900,
	SCSI_ASC_INSUFFICIENT_REGISTRATION_RESOURCES = 0x5504,
};

/* Persistent reservation types (SPC-4). */
enum scsi_pr_type {
	SCSI_PR_WRITE_EXCLUSIVE = 0x1,
	SCSI_PR_EXCLUSIVE_ACCESS = 0x3,
	SCSI_PR_WRITE_EXCLUSIVE_REGISTRANTS = 0x5,
	SCSI_PR_EXCLUSIVE_ACCESS_REGISTRANTS = 0x6,
	SCSI_PR_WRITE_EXCLUSIVE_ALL = 0x7,
	SCSI_PR_EXCLUSIVE_ACCESS_ALL = 0x8,
};

/* A persistent reservation key registered by an I_T nexus. */
struct scsi_pr_registration {
	uint64_t nexus;
	uint64_t key;
};

/* The reservations of a LUN: one of RESERVE(6) (SPC-2) or a persistent
 * one (SPC-4), and the persistent registrations. */
struct scsi_reservations {
	bool reserved6;             /* RESERVE(6) held by reserve6_nexus */
	uint64_t reserve6_nexus;
	uint32_t pr_generation;     /* PRGENERATION */
	size_t registrant_count;
	struct scsi_pr_registration registrants[SCSI_PR_MAX_REGISTRANTS];
	bool pr_held;               /* a persistent reservation of pr_type */
	uint8_t pr_type;
	uint64_t pr_holder;         /* its nexus (unused for all-registrants types) */
};

struct scsi_lun {
	uint64_t blocks;   /* capacity in SCSI_BLOCK_SIZE blocks */
	uint8_t *ram;      /* the data of a RAM LUN; NULL for a file LUN */
	int fd;            /* the backing file of a file LUN; -1 for RAM */
	struct scsi_reservations res;
};

struct scsi_dev {
	char serial[SCSI_SERIAL_MAX + 1];
	size_t lun_count;
	struct scsi_lun luns[SCSI_MAX_LUNS];
};

/* One command on its way through scsi_exec. */
struct scsi_cmd {
	struct scsi_dev *dev;
	uint64_t nexus;            /* the I_T nexus it came through */
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

/* ---- opcodes (scsi_opcodes.c) ---- */

/* What a reservation held by another I_T nexus holds back (SPC-4 and
 * SBC-3 tables of commands allowed under each reservation). */
enum scsi_access {
	SCSI_ACCESS_ALWAYS,   /* INQUIRY, REQUEST SENSE, REPORT LUNS */
	SCSI_ACCESS_INFO,     /* allowed under persistent reservations only */
	SCSI_ACCESS_READ,     /* reads the medium: conflicts with exclusive access */
	SCSI_ACCESS_WRITE,    /* writes it: conflicts with every type */
	SCSI_ACCESS_RESERVE,  /* RESERVE(6)/RELEASE(6): their own rules */
	SCSI_ACCESS_PR,       /* PERSISTENT RESERVE IN/OUT: their own rules */
};

/* One command the device knows: an opcode, or an opcode's service action. */
struct scsi_op {
	uint8_t opcode;
	bool has_service_action;
	uint8_t service_action;    /* CDB byte 1, bits 4-0 */
	uint8_t cdb_len;
	bool any_lun;              /* runs on a LUN that is not there too */
	enum scsi_access access;
	enum scsi_dir dir;
	/* bytes it moves, from its CDB: the transfer or allocation length */
	uint32_t (*length)(const uint8_t *cdb);
	void (*run)(struct scsi_cmd *c);
	const uint8_t *usage;      /* CDB usage data (SPC-4), cdb_len bytes */
};

/* The command cdb names (its opcode, and its service action when the
 * opcode has them), or NULL; *opcode_known tells whether the opcode alone
 * is one the device knows. A CDB shorter than its command's is unknown. */
const struct scsi_op *scsi_op_find(const uint8_t *cdb, size_t cdb_len, bool *opcode_known);

/* ---- reservations (scsi_reserve.c) ---- */

/* The command may not run: a reservation of another nexus holds it back
 * (RESERVATION CONFLICT). */
bool scsi_reservation_conflict(const struct scsi_cmd *c, const struct scsi_op *op);
/* Every registrant holds a reservation of type (the "all registrants"
 * types). */
bool scsi_pr_all_registrants(uint8_t type);
/* The key nexus registered on lun, or NULL. */
struct scsi_pr_registration *scsi_pr_registration_of(struct scsi_lun *lun, uint64_t nexus);

/* ---- results (scsi_sense.c) ---- */

/* CHECK CONDITION with key and asc (an enum scsi_asc). */
void scsi_fail(struct scsi_cmd *c, uint8_t key, enum scsi_asc asc);
/* ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at the CDB byte at fault
 * (the sense-key specific field pointer of SPC-4). */
void scsi_fail_field(struct scsi_cmd *c, uint16_t cdb_byte);
/* CHECK CONDITION with key and asc and the INFORMATION field (VALID). */
void scsi_fail_info(struct scsi_cmd *c, uint8_t key, enum scsi_asc asc, uint32_t info);
/* RESERVATION CONFLICT status, no sense. */
void scsi_conflict(struct scsi_cmd *c);
/* The command's data out is shorter than need bytes: fail it (ILLEGAL
 * REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT) and return true. */
bool scsi_data_out_short(struct scsi_cmd *c, size_t need);
/* Return data (len bytes) as data in: at most alloc (the CDB's allocation
 * length) and in_cap bytes of it. */
void scsi_reply(struct scsi_cmd *c, const uint8_t *data, size_t len, size_t alloc);

/* ---- command handlers: each runs one opcode on c ---- */

void scsi_op_test_unit_ready(struct scsi_cmd *c); /* scsi_exec.c */
void scsi_op_request_sense(struct scsi_cmd *c);
void scsi_op_report_luns(struct scsi_cmd *c);
void scsi_op_report_opcodes(struct scsi_cmd *c); /* scsi_opcodes.c */
void scsi_op_inquiry(struct scsi_cmd *c);        /* scsi_inquiry.c */
void scsi_op_mode_sense6(struct scsi_cmd *c);    /* scsi_mode.c */
void scsi_op_mode_sense10(struct scsi_cmd *c);
void scsi_op_read_write(struct scsi_cmd *c);     /* scsi_rw.c */
void scsi_op_sync_cache(struct scsi_cmd *c);
void scsi_op_read_capacity10(struct scsi_cmd *c);
void scsi_op_read_capacity16(struct scsi_cmd *c);
void scsi_op_verify(struct scsi_cmd *c);         /* scsi_verify.c */
void scsi_op_compare_and_write(struct scsi_cmd *c);
extern const uint8_t scsi_max_compare_and_write;  /* blocks, for VPD 0xb0 */
void scsi_op_prefetch(struct scsi_cmd *c);       /* scsi_prefetch.c */
void scsi_op_get_lba_status(struct scsi_cmd *c);
void scsi_op_write_same(struct scsi_cmd *c);     /* scsi_write_same.c */
void scsi_op_orwrite(struct scsi_cmd *c);
void scsi_op_reserve6(struct scsi_cmd *c);       /* scsi_reserve.c */
void scsi_op_release6(struct scsi_cmd *c);
void scsi_op_pr_in(struct scsi_cmd *c);          /* scsi_pr.c */
void scsi_op_pr_out(struct scsi_cmd *c);

/* ---- the medium (scsi_rw.c) ---- */

/* The LBA and NUMBER OF LOGICAL BLOCKS fields of a 10-, 12- or 16-byte
 * block command (its opcode's group tells the CDB size; SBC-3 keeps them
 * at the same place in every command of a size). */
void scsi_lba_range(const uint8_t *cdb, uint64_t *lba, uint32_t *blocks);
/* lba and blocks lie within the LUN; else c fails with LBA OUT OF RANGE
 * and false is returned. */
bool scsi_check_range(struct scsi_cmd *c, uint64_t lba, uint64_t blocks);
/* A block count where 0 means "up to the last block" (PRE-FETCH, WRITE
 * SAME, SYNCHRONIZE CACHE). */
uint64_t scsi_blocks_or_to_end(const struct scsi_lun *lun, uint64_t lba, uint64_t count);
/* Bytes [offset, offset+len) of the LUN to or from buf; false when the
 * backing file fails. */
bool scsi_medium_read(const struct scsi_lun *lun, uint8_t *buf, size_t len, uint64_t offset);
bool scsi_medium_write(struct scsi_lun *lun, const uint8_t *buf, size_t len, uint64_t offset);
/* Flush a file LUN's writes to its file (nothing for RAM); false on error. */
bool scsi_medium_sync(const struct scsi_lun *lun);

/* ---- READ and WRITE CDBs (scsi_rw.c) ---- */

struct scsi_rw {
	bool write;
	uint64_t lba;
	uint32_t blocks;
};

/* Decode a READ or WRITE (6, 10, 12, 16, WRITE AND VERIFY) CDB of cdb_len
 * bytes; false when cdb is none of these or too short. */
bool scsi_rw_decode(const uint8_t *cdb, size_t cdb_len, struct scsi_rw *rw);
/* The bytes a READ or WRITE CDB moves (at most UINT32_MAX). */
uint32_t scsi_rw_transfer_length(const uint8_t *cdb);

#endif
