/* iscsi_workload.c — a real-initiator workload for the peer captures: logs
 * in with libiscsi, writes BLOCKS blocks of a known pattern to the LUN of
 * the URL, reads them back and compares, then logs out. Commands carry up
 * to 1 MiB each, so a capture of a few MB shows Data-Out, R2T and Data-In
 * segmentation. Built at test time by tests/unit/test_peers_capture.c with
 * the system compiler (it needs -liscsi, which test binaries do not link).
 *
 *   iscsi_workload URL BLOCKS [none|crc32c]
 *
 * URL is iscsi://HOST[:PORT]/IQN/LUN; the third argument asks for header
 * digests (CRC32C only; default none). CHAP comes from the URL or from
 * LIBISCSI_CHAP_USERNAME / LIBISCSI_CHAP_PASSWORD. Exits 0 when every block
 * read back equals what was written; otherwise prints why and exits 1
 * (2 for usage errors).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define INITIATOR_NAME "iqn.2024-01.org.iscsi-harness:peers-workload"
#define MAX_XFER_BYTES (1024u * 1024u)

/* The byte at offset i of block lba: varies with both, never all zero
 * (the backing file is sparse, so zeros would read back "correctly"). */
static unsigned char pattern_byte(uint32_t lba, uint32_t i)
{
	return (unsigned char)((lba * 131u + i * 7u + (i >> 9) + 0x5au) & 0xffu);
}

static void fill(unsigned char *buf, uint32_t lba, uint32_t nblocks, uint32_t bs)
{
	for (uint32_t b = 0; b < nblocks; b++)
		for (uint32_t i = 0; i < bs; i++)
			buf[(size_t)b * bs + i] = pattern_byte(lba + b, i);
}

/* Checks the task a sync SCSI call returned: there, and status GOOD.
 * Returns 0, or -1 after printing why (and freeing a task with bad status). */
static int check_task(struct iscsi_context *iscsi, struct scsi_task *task, const char *what,
		      uint32_t lba)
{
	if (!task) {
		fprintf(stderr, "iscsi_workload: %s at LBA %u failed: %s\n", what, (unsigned)lba,
			iscsi_get_error(iscsi));
		return -1;
	}
	if (task->status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "iscsi_workload: %s at LBA %u: SCSI status %d: %s\n", what,
			(unsigned)lba, task->status, iscsi_get_error(iscsi));
		scsi_free_scsi_task(task);
		return -1;
	}
	return 0;
}

static int block_size(struct iscsi_context *iscsi, int lun, uint32_t *bs, uint64_t *nblocks)
{
	struct scsi_task *task = iscsi_readcapacity10_sync(iscsi, lun, 0, 0);
	if (check_task(iscsi, task, "READ CAPACITY(10)", 0) != 0)
		return -1;
	struct scsi_readcapacity10 *rc10 = scsi_datain_unmarshall(task);
	if (!rc10 || rc10->block_size == 0 || rc10->block_size > MAX_XFER_BYTES) {
		fprintf(stderr, "iscsi_workload: READ CAPACITY(10) returned no usable block size\n");
		scsi_free_scsi_task(task);
		return -1;
	}
	*bs = rc10->block_size;
	*nblocks = (uint64_t)rc10->lba + 1;
	scsi_free_scsi_task(task);
	return 0;
}

static int run(struct iscsi_context *iscsi, int lun, uint32_t blocks)
{
	uint32_t bs;
	uint64_t capacity;
	if (block_size(iscsi, lun, &bs, &capacity) != 0)
		return -1;
	if (blocks > capacity) {
		fprintf(stderr, "iscsi_workload: %u blocks asked, the LUN has %llu\n", (unsigned)blocks,
			(unsigned long long)capacity);
		return -1;
	}
	uint32_t per_cmd = MAX_XFER_BYTES / bs;
	unsigned char *buf = malloc((size_t)per_cmd * bs);
	if (!buf) {
		fprintf(stderr, "iscsi_workload: out of memory\n");
		return -1;
	}
	int rc = 0;
	for (uint32_t lba = 0; rc == 0 && lba < blocks; lba += per_cmd) {
		uint32_t n = blocks - lba < per_cmd ? blocks - lba : per_cmd;
		fill(buf, lba, n, bs);
		struct scsi_task *task = iscsi_write10_sync(iscsi, lun, lba, buf, n * bs, (int)bs,
							    0, 0, 0, 0, 0);
		rc = check_task(iscsi, task, "WRITE(10)", lba);
		if (rc == 0)
			scsi_free_scsi_task(task);
	}
	for (uint32_t lba = 0; rc == 0 && lba < blocks; lba += per_cmd) {
		uint32_t n = blocks - lba < per_cmd ? blocks - lba : per_cmd;
		struct scsi_task *task = iscsi_read10_sync(iscsi, lun, lba, n * bs, (int)bs,
							   0, 0, 0, 0, 0);
		rc = check_task(iscsi, task, "READ(10)", lba);
		if (rc != 0)
			break;
		if (task->datain.size != (int)(n * bs)) {
			fprintf(stderr, "iscsi_workload: READ(10) at LBA %u returned %d bytes, wanted %u\n",
				(unsigned)lba, task->datain.size, (unsigned)(n * bs));
			rc = -1;
		}
		for (uint32_t b = 0; rc == 0 && b < n; b++) {
			for (uint32_t i = 0; i < bs; i++) {
				unsigned char got = task->datain.data[(size_t)b * bs + i];
				unsigned char want = pattern_byte(lba + b, i);
				if (got != want) {
					fprintf(stderr,
						"iscsi_workload: mismatch at LBA %u byte %u: read 0x%02x, wrote 0x%02x\n",
						(unsigned)(lba + b), (unsigned)i, got, want);
					rc = -1;
					break;
				}
			}
		}
		scsi_free_scsi_task(task);
	}
	free(buf);
	if (rc == 0)
		printf("iscsi_workload: wrote and read back %u blocks of %u bytes: all equal\n",
		       (unsigned)blocks, (unsigned)bs);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: iscsi_workload URL BLOCKS [none|crc32c]\n");
		return 2;
	}
	char *end;
	unsigned long blocks = strtoul(argv[2], &end, 10);
	if (*end || end == argv[2] || blocks == 0 || blocks > 0x7fffffffUL) {
		fprintf(stderr, "iscsi_workload: BLOCKS must be a positive number, not \"%s\"\n", argv[2]);
		return 2;
	}
	enum iscsi_header_digest digest = ISCSI_HEADER_DIGEST_NONE;
	if (argc == 4 && strcmp(argv[3], "crc32c") == 0) {
		digest = ISCSI_HEADER_DIGEST_CRC32C;
	} else if (argc == 4 && strcmp(argv[3], "none") != 0) {
		fprintf(stderr, "iscsi_workload: the digest is none or crc32c, not \"%s\"\n", argv[3]);
		return 2;
	}

	struct iscsi_context *iscsi = iscsi_create_context(INITIATOR_NAME);
	if (!iscsi) {
		fprintf(stderr, "iscsi_workload: cannot create a libiscsi context\n");
		return 1;
	}
	struct iscsi_url *url = iscsi_parse_full_url(iscsi, argv[1]);
	if (!url) {
		fprintf(stderr, "iscsi_workload: bad URL %s: %s\n", argv[1], iscsi_get_error(iscsi));
		iscsi_destroy_context(iscsi);
		return 2;
	}
	int rc = 1;
	if (iscsi_set_targetname(iscsi, url->target) != 0 ||
	    iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL) != 0 ||
	    iscsi_set_header_digest(iscsi, digest) != 0 ||
	    (url->user[0] && iscsi_set_initiator_username_pwd(iscsi, url->user, url->passwd) != 0)) {
		fprintf(stderr, "iscsi_workload: cannot set up the session: %s\n", iscsi_get_error(iscsi));
		goto out;
	}
	if (iscsi_full_connect_sync(iscsi, url->portal, url->lun) != 0) {
		fprintf(stderr, "iscsi_workload: login to %s failed: %s\n", argv[1], iscsi_get_error(iscsi));
		goto out;
	}
	int wrc = run(iscsi, url->lun, (uint32_t)blocks);
	if (iscsi_logout_sync(iscsi) != 0) {
		fprintf(stderr, "iscsi_workload: logout failed: %s\n", iscsi_get_error(iscsi));
		wrc = -1;
	}
	rc = wrc == 0 ? 0 : 1;
out:
	iscsi_destroy_url(url);
	iscsi_destroy_context(iscsi);
	return rc;
}
