/* target_role.c — glue between the target engine and the SCSI device:
 * plan and execute CDBs from an I_T nexus, say which LUNs exist, and pass
 * on nexus losses and LUN resets (they release reservations). */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/roles/target_role.h"

static struct tgt_plan plan(void *ctx, uint64_t lun, const uint8_t *cdb,
			    size_t cdb_len)
{
	struct scsi_plan p = scsi_cmd_plan(ctx, lun, cdb, cdb_len);
	struct tgt_plan out = { .length = p.length };
	out.dir = p.dir == SCSI_DIR_READ ? TGT_DIR_READ :
		p.dir == SCSI_DIR_WRITE ? TGT_DIR_WRITE : TGT_DIR_NONE;
	return out;
}

static void exec(void *ctx, uint64_t nexus, uint64_t lun, const uint8_t *cdb,
		 size_t cdb_len, const uint8_t *data_out, size_t out_len,
		 uint8_t *data_in, size_t in_cap, struct tgt_result *r)
{
	struct scsi_result sr;
	scsi_exec(ctx, nexus, lun, cdb, cdb_len, data_out, out_len, data_in, in_cap, &sr);
	r->status = sr.status;
	r->sense_len = sr.sense_len < sizeof r->sense ? sr.sense_len : sizeof r->sense;
	memcpy(r->sense, sr.sense, r->sense_len);
	r->data_in_len = sr.data_in_len;
}

static bool lun_exists(void *ctx, uint64_t lun)
{
	/* single-level addressing: LUN n is n << 48 */
	uint64_t n = (lun >> 48) & 0x3fff;
	return (lun & 0xffffffffffffull) == 0 && n < scsi_dev_lun_count(ctx);
}

static void nexus_gone(void *ctx, uint64_t nexus)
{
	scsi_nexus_gone(ctx, nexus);
}

static void lun_reset(void *ctx, uint64_t lun, bool all)
{
	scsi_lun_reset(ctx, lun, all);
}

struct tgt_backend target_role_backend(struct scsi_dev *d)
{
	return (struct tgt_backend){
		.ctx = d,
		.plan = plan,
		.exec = exec,
		.lun_exists = lun_exists,
		.nexus_gone = nexus_gone,
		.lun_reset = lun_reset,
	};
}

void target_role_rand(void *ctx, uint8_t *buf, size_t n)
{
	(void)ctx;
	if (RAND_bytes(buf, (int)n) != 1) {
		/* predictable CHAP challenges would be worse than stopping */
		fprintf(stderr, "iscsi-harness target: no random bytes from OpenSSL\n");
		abort();
	}
}
