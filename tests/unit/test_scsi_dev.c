/* test_scsi_dev.c — the embedded target's SCSI block device
 * (harness/roles/scsi_dev.h): sizes, LUNs and their addressing, every
 * command with the exact bytes it returns (standard INQUIRY, VPD pages,
 * READ CAPACITY, REPORT LUNS, MODE SENSE, REQUEST SENSE, REPORT SUPPORTED
 * OPERATION CODES, GET LBA STATUS, PERSISTENT RESERVE IN), write-then-read
 * on RAM and file LUNs, VERIFY, PRE-FETCH, WRITE SAME, ORWRITE and COMPARE
 * AND WRITE, reservations (RESERVE(6) and persistent, each type) between
 * I_T nexuses, each error with its sense key, ASC and ASCQ, the
 * allocation length cutting data short, the plan of each command, the RAM
 * fast path, and a backing file failing under the device (MEDIUM ERROR).
 * File LUNs live in a fresh directory under $HARNESS_SCRATCH (else /tmp). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness/roles/scsi_dev.h"
#include "tests/support/scratch.h"

#define LUN(n) ((uint64_t)(n) << 48)
#define RAM_BYTES (1024u * 1024u)
#define RAM_BLOCKS (RAM_BYTES / SCSI_BLOCK_SIZE)
#define SERIAL "SER1"
#define IN_CAP (256u * SCSI_BLOCK_SIZE)

static char scratch_dir[512];
static struct scsi_dev *dev;        /* SERIAL, LUN 0: RAM_BYTES of RAM */
static struct scsi_result res;
static uint64_t nexus = 1;          /* the I_T nexus run() sends from */
static uint8_t in[IN_CAP];
static uint8_t out[IN_CAP];

/* ---- fixtures and helpers ------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	return scratch_make_dir("scsi_dev", scratch_dir, sizeof scratch_dir);
}

static int group_teardown(void **state)
{
	(void)state;
	return rmdir(scratch_dir);
}

static int dev_setup(void **state)
{
	(void)state;
	char err[128];
	nexus = 1;
	dev = scsi_dev_create(SERIAL);
	if (!dev || scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err) != 0)
		return -1;
	return 0;
}

static int dev_teardown(void **state)
{
	(void)state;
	scsi_dev_free(dev);
	dev = NULL;
	return 0;
}

/* A file of bytes bytes in the scratch directory; its path in path. */
static void make_file(const char *name, uint64_t bytes, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", scratch_dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
}

static void run_io(uint64_t lun, const uint8_t *cdb, size_t cdb_len, const uint8_t *data,
		   size_t data_len, size_t in_cap)
{
	memset(&res, 0xcc, sizeof res);
	memset(in, 0xee, sizeof in);   /* so bytes not returned show */
	scsi_exec(dev, nexus, lun, cdb, cdb_len, data, data_len, in, in_cap, &res);
}

/* cdb to lun, no data out, up to IN_CAP bytes in */
static void run(uint64_t lun, const uint8_t *cdb, size_t cdb_len)
{
	run_io(lun, cdb, cdb_len, NULL, 0, IN_CAP);
}

static void assert_good(size_t data_in_len)
{
	assert_int_equal(res.status, SCSI_GOOD);
	assert_int_equal(res.sense_len, 0);
	assert_int_equal(res.data_in_len, data_in_len);
}

static void assert_sense(uint8_t key, uint8_t asc, uint8_t ascq)
{
	assert_int_equal(res.status, SCSI_CHECK_CONDITION);
	assert_int_equal(res.sense_len, 18);
	assert_int_equal(res.sense[0], 0x70);
	assert_int_equal(res.sense[2], key);
	assert_int_equal(res.sense[7], 10);
	assert_int_equal(res.sense[12], asc);
	assert_int_equal(res.sense[13], ascq);
	assert_int_equal(res.data_in_len, 0);
}

/* INVALID FIELD IN CDB with the field pointer at byte */
static void assert_invalid_field(uint16_t byte)
{
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0x00);
	assert_int_equal(res.sense[15], 0xc0);
	assert_int_equal(res.sense[16] << 8 | res.sense[17], byte);
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A READ or WRITE CDB of opcode op into cdb (room for its length, which
 * follows the opcode group); returns that length. */
static size_t rw_cdb(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t blocks)
{
	static const size_t group_len[8] = { 6, 10, 10, 0, 16, 12, 0, 0 };
	size_t len = group_len[op >> 5];
	memset(cdb, 0, len);
	cdb[0] = op;
	switch (len) {
	case 6:
		put_be(cdb + 1, lba, 3);
		cdb[4] = (uint8_t)blocks;
		break;
	case 10:
		put_be(cdb + 2, lba, 4);
		put_be(cdb + 7, blocks, 2);
		break;
	case 12:
		put_be(cdb + 2, lba, 4);
		put_be(cdb + 6, blocks, 4);
		break;
	default:
		put_be(cdb + 2, lba, 8);
		put_be(cdb + 10, blocks, 4);
		break;
	}
	return len;
}

static void read_blocks(uint64_t lun, uint8_t op, uint64_t lba, uint32_t blocks)
{
	uint8_t cdb[16];
	size_t n = rw_cdb(cdb, op, lba, blocks);
	run(lun, cdb, n);
}

static void write_blocks(uint64_t lun, uint8_t op, uint64_t lba, uint32_t blocks,
			 const uint8_t *data, size_t len)
{
	uint8_t cdb[16];
	size_t n = rw_cdb(cdb, op, lba, blocks);
	run_io(lun, cdb, n, data, len, 0);
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 9));
}

/* ---- sizes and LUNs -------------------------------------------------- */

static void test_parse_size(void **state)
{
	(void)state;
	static const struct { const char *s; uint64_t bytes; } table[] = {
		{ "4096", 4096 }, { "512K", 512ull << 10 }, { "64M", 64ull << 20 },
		{ "1G", 1ull << 30 }, { "2T", 2ull << 40 }, { "1k", 1024 }, { "3g", 3ull << 30 },
		{ "18446744073709551615", UINT64_MAX },
		{ "16777215T", 16777215ull << 40 },
		/* not sizes */
		{ "", 0 }, { "0", 0 }, { "0M", 0 }, { "M", 0 }, { "-1", 0 }, { " 1", 0 },
		{ "1 ", 0 }, { "1MB", 0 }, { "1X", 0 }, { "1.5G", 0 }, { "0x10", 0 },
		{ "18446744073709551616", 0 }, { "16777216T", 0 }, { "99999999999999999999", 0 },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (scsi_parse_size(table[i].s) != table[i].bytes)
			fail_msg("scsi_parse_size(\"%s\") = %llu, want %llu", table[i].s,
				 (unsigned long long)scsi_parse_size(table[i].s),
				 (unsigned long long)table[i].bytes);
	}
	assert_int_equal(scsi_parse_size(NULL), 0);
}

static void test_add_luns(void **state)
{
	(void)state;
	char err[128], path[600];
	struct scsi_dev *d = scsi_dev_create(NULL);
	assert_non_null(d);
	assert_int_equal(scsi_dev_lun_count(d), 0);
	err[0] = 0;
	assert_int_equal(scsi_dev_add_ram(d, 0, err, sizeof err), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(scsi_dev_add_ram(d, 1000, err, sizeof err), -1);
	snprintf(path, sizeof path, "%s/absent", scratch_dir);
	err[0] = 0;
	assert_int_equal(scsi_dev_add_file(d, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "absent"));
	make_file("tiny", 511, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(d, path, err, sizeof err), -1);
	unlink(path);
	for (int i = 0; i < SCSI_MAX_LUNS; i++)
		assert_int_equal(scsi_dev_add_ram(d, SCSI_BLOCK_SIZE, err, sizeof err), i);
	assert_int_equal(scsi_dev_lun_count(d), SCSI_MAX_LUNS);
	err[0] = 0;
	assert_int_equal(scsi_dev_add_ram(d, SCSI_BLOCK_SIZE, err, sizeof err), -1);
	assert_true(strlen(err) > 0);
	scsi_dev_free(d);
	scsi_dev_free(NULL);
}

/* A file of 1000 bytes is one block; the size rounds down. */
static void test_file_size_rounds_down(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("odd", 3 * SCSI_BLOCK_SIZE + 100, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	uint8_t cdb[10] = { 0x25 };
	run(LUN(1), cdb, sizeof cdb);
	assert_good(8);
	assert_int_equal(get_be(in, 4), 2);
	unlink(path);
}

static void test_lun_addressing(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err), 1);
	uint8_t tur[6] = { 0 };
	static const struct { uint64_t lun; bool there; } table[] = {
		{ LUN(0), true }, { LUN(1), true }, { LUN(2), false },
		{ 0x4000000000000000ull, true },    /* flat space LUN 0 */
		{ 0x4001000000000000ull, true },    /* flat space LUN 1 */
		{ 0x4101000000000000ull, false },   /* flat space LUN 257 */
		{ 0x0101000000000000ull, false },   /* peripheral, bus 1 */
		{ 0x0001000100000000ull, false },   /* a second level */
		{ 0x0000000000000001ull, false },
		{ 0x8001000000000000ull, false },   /* logical unit addressing */
		{ 0xc101000000000000ull, false },   /* extended */
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		run(table[i].lun, tur, sizeof tur);
		if (table[i].there)
			assert_good(0);
		else
			assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x25, 0x00);
	}
}

/* ---- commands on a LUN that is not there ----------------------------- */

static void test_missing_lun(void **state)
{
	(void)state;
	uint8_t tur[6] = { 0 }, unknown[16] = { 0xff };
	run(LUN(7), tur, sizeof tur);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x25, 0x00);
	read_blocks(LUN(7), 0x28, 0, 1);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x25, 0x00);
	/* the LUN is reported before the opcode */
	run(LUN(7), unknown, sizeof unknown);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x25, 0x00);

	/* INQUIRY: peripheral qualifier 011b, device type 0x1f */
	uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	run(LUN(7), inq, sizeof inq);
	assert_good(36);
	assert_int_equal(in[0], 0x7f);
	assert_memory_equal(in + 8, "ISCSIHAR", 8);
	/* but no VPD page for it */
	uint8_t vpd[6] = { 0x12, 1, 0x00, 0, 255, 0 };
	run(LUN(7), vpd, sizeof vpd);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x25, 0x00);

	/* REQUEST SENSE: GOOD, the sense data says the LUN is not there */
	uint8_t rs[6] = { 0x03, 0, 0, 0, 252, 0 };
	run(LUN(7), rs, sizeof rs);
	assert_good(18);
	assert_int_equal(in[0], 0x70);
	assert_int_equal(in[2], SCSI_SENSE_ILLEGAL_REQUEST);
	assert_int_equal(in[7], 10);
	assert_int_equal(in[12], 0x25);
	assert_int_equal(in[13], 0x00);

	/* REPORT LUNS answers on any LUN */
	uint8_t rl[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
	run(LUN(7), rl, sizeof rl);
	assert_good(16);
	assert_int_equal(get_be(in, 4), 8);
}

/* ---- INQUIRY --------------------------------------------------------- */

static void test_inquiry_standard(void **state)
{
	(void)state;
	uint8_t want[66] = { 0x00, 0x00, 0x06, 0x12, 61, 0x00, 0x00, 0x02 };
	memcpy(want + 8, "ISCSIHAREMBEDDED DISK   0001", 28);
	static const uint8_t versions[8] = { 0x00, 0xa0, 0x09, 0x60, 0x04, 0x60, 0x04, 0xc0 };
	memcpy(want + 58, versions, sizeof versions);
	uint8_t cdb[6] = { 0x12, 0, 0, 0x01, 0x00, 0 };   /* allocation length 256 */
	run(LUN(0), cdb, sizeof cdb);
	assert_good(sizeof want);
	assert_memory_equal(in, want, sizeof want);

	/* cut to the allocation length, and to what the initiator expects */
	cdb[3] = 0;
	cdb[4] = 5;
	run(LUN(0), cdb, sizeof cdb);
	assert_good(5);
	assert_memory_equal(in, want, 5);
	assert_int_equal(in[5], 0xee);
	cdb[4] = 96;
	run_io(LUN(0), cdb, sizeof cdb, NULL, 0, 36);
	assert_good(36);
	cdb[4] = 0;
	run(LUN(0), cdb, sizeof cdb);
	assert_good(0);
}

static void inquiry_vpd(uint64_t lun, uint8_t page, uint16_t alloc)
{
	uint8_t cdb[6] = { 0x12, 0x01, page, (uint8_t)(alloc >> 8), (uint8_t)alloc, 0 };
	run(lun, cdb, sizeof cdb);
}

static void test_vpd_supported_pages(void **state)
{
	(void)state;
	static const uint8_t want[] = { 0x00, 0x00, 0x00, 0x05, 0x00, 0x80, 0x83, 0xb0, 0xb1 };
	inquiry_vpd(LUN(0), 0x00, 255);
	assert_good(sizeof want);
	assert_memory_equal(in, want, sizeof want);
	inquiry_vpd(LUN(0), 0x00, 6);
	assert_good(6);
	assert_memory_equal(in, want, 6);
}

static void test_vpd_unit_serial(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err), 1);
	static const uint8_t want0[] = { 0x00, 0x80, 0x00, 0x06, 'S', 'E', 'R', '1', '-', '0' };
	static const uint8_t want1[] = { 0x00, 0x80, 0x00, 0x06, 'S', 'E', 'R', '1', '-', '1' };
	inquiry_vpd(LUN(0), 0x80, 255);
	assert_good(sizeof want0);
	assert_memory_equal(in, want0, sizeof want0);
	inquiry_vpd(LUN(1), 0x80, 255);
	assert_good(sizeof want1);
	assert_memory_equal(in, want1, sizeof want1);

	/* no serial: a default one; characters outside ASCII graphics become '_' */
	struct scsi_dev *d = scsi_dev_create("a b\tc");
	assert_int_equal(scsi_dev_add_ram(d, RAM_BYTES, err, sizeof err), 0);
	uint8_t cdb[6] = { 0x12, 0x01, 0x80, 0, 255, 0 };
	scsi_exec(d, 1, LUN(0), cdb, sizeof cdb, NULL, 0, in, IN_CAP, &res);
	assert_good(4 + 7);
	assert_memory_equal(in + 4, "a_b_c-0", 7);
	scsi_dev_free(d);
	d = scsi_dev_create(NULL);
	assert_int_equal(scsi_dev_add_ram(d, RAM_BYTES, err, sizeof err), 0);
	scsi_exec(d, 1, LUN(0), cdb, sizeof cdb, NULL, 0, in, IN_CAP, &res);
	assert_good(4 + 15);
	assert_memory_equal(in + 4, "iscsi-harness-0", 15);
	scsi_dev_free(d);
}

static uint64_t naa_of(struct scsi_dev *d, uint64_t lun)
{
	uint8_t cdb[6] = { 0x12, 0x01, 0x83, 0, 255, 0 };
	scsi_exec(d, 1, lun, cdb, sizeof cdb, NULL, 0, in, IN_CAP, &res);
	assert_int_equal(res.status, SCSI_GOOD);
	return get_be(in + 4 + 18 + 4, 8);
}

static void test_vpd_device_identification(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err), 1);
	inquiry_vpd(LUN(0), 0x83, 255);
	assert_good(4 + 18 + 12);
	static const uint8_t head[] = {
		0x00, 0x83, 0x00, 30,
		0x02, 0x01, 0x00, 14, 'I', 'S', 'C', 'S', 'I', 'H', 'A', 'R',
		'S', 'E', 'R', '1', '-', '0',
		0x01, 0x03, 0x00, 0x08,
	};
	assert_memory_equal(in, head, sizeof head);
	uint64_t naa0 = get_be(in + sizeof head, 8);
	assert_int_equal(naa0 >> 60, 3);   /* NAA locally assigned */
	assert_int_equal(naa0 & 0xff, 0);

	uint64_t naa1 = naa_of(dev, LUN(1));
	assert_int_equal(naa1 & 0xff, 1);
	assert_true(naa1 != naa0);
	assert_int_equal(naa1 >> 8, naa0 >> 8);
	/* the same serial names the same way; another serial otherwise */
	struct scsi_dev *same = scsi_dev_create(SERIAL), *other = scsi_dev_create("SER2");
	assert_int_equal(scsi_dev_add_ram(same, RAM_BYTES, err, sizeof err), 0);
	assert_int_equal(scsi_dev_add_ram(other, RAM_BYTES, err, sizeof err), 0);
	assert_int_equal(naa_of(same, LUN(0)), naa0);
	assert_true(naa_of(other, LUN(0)) != naa0);
	scsi_dev_free(same);
	scsi_dev_free(other);

	/* cut short */
	inquiry_vpd(LUN(0), 0x83, 10);
	assert_good(10);
	assert_memory_equal(in, head, 10);
}

static void test_vpd_block_pages(void **state)
{
	(void)state;
	char err[128], path[600];
	inquiry_vpd(LUN(0), 0xb0, 255);
	assert_good(64);
	assert_int_equal(in[1], 0xb0);
	assert_int_equal(get_be(in + 2, 2), 0x3c);
	/* every field 0 but MAXIMUM COMPARE AND WRITE LENGTH: 255 blocks */
	for (size_t i = 4; i < 64; i++)
		assert_int_equal(in[i], i == 5 ? 255 : 0);
	inquiry_vpd(LUN(0), 0xb1, 255);
	assert_good(64);
	assert_int_equal(in[1], 0xb1);
	assert_int_equal(get_be(in + 2, 2), 0x3c);
	assert_int_equal(get_be(in + 4, 2), 1);   /* RAM: non-rotating */
	make_file("b1", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	inquiry_vpd(LUN(1), 0xb1, 255);
	assert_good(64);
	assert_int_equal(get_be(in + 4, 2), 0);   /* file: not reported */
	unlink(path);
}

static void test_inquiry_errors(void **state)
{
	(void)state;
	uint8_t page_without_evpd[6] = { 0x12, 0x00, 0x80, 0, 255, 0 };
	run(LUN(0), page_without_evpd, sizeof page_without_evpd);
	assert_invalid_field(2);
	inquiry_vpd(LUN(0), 0x99, 255);
	assert_invalid_field(2);
	inquiry_vpd(LUN(0), 0x86, 255);
	assert_invalid_field(2);
	uint8_t cmddt[6] = { 0x12, 0x02, 0x00, 0, 255, 0 };
	run(LUN(0), cmddt, sizeof cmddt);
	assert_invalid_field(1);
}

/* ---- TEST UNIT READY, READ CAPACITY ----------------------------------- */

static void test_test_unit_ready(void **state)
{
	(void)state;
	uint8_t cdb[6] = { 0 };
	run(LUN(0), cdb, sizeof cdb);
	assert_good(0);
}

static void test_read_capacity(void **state)
{
	(void)state;
	uint8_t rc10[10] = { 0x25 };
	static const uint8_t want10[8] = { 0x00, 0x00, 0x07, 0xff, 0x00, 0x00, 0x02, 0x00 };
	run(LUN(0), rc10, sizeof rc10);
	assert_good(8);
	assert_memory_equal(in, want10, 8);
	run_io(LUN(0), rc10, sizeof rc10, NULL, 0, 4);
	assert_good(4);

	uint8_t rc16[16] = { 0x9e, 0x10 };
	rc16[13] = 32;
	uint8_t want16[32] = { 0, 0, 0, 0, 0, 0, 0x07, 0xff, 0x00, 0x00, 0x02, 0x00 };
	run(LUN(0), rc16, sizeof rc16);
	assert_good(32);
	assert_memory_equal(in, want16, 32);
	rc16[13] = 12;
	run(LUN(0), rc16, sizeof rc16);
	assert_good(12);
	assert_memory_equal(in, want16, 12);
	rc16[13] = 0;
	run(LUN(0), rc16, sizeof rc16);
	assert_good(0);
}

static void test_read_capacity_errors(void **state)
{
	(void)state;
	uint8_t rc10[10] = { 0x25, 0, 0, 0, 0, 1 };   /* an LBA without PMI */
	run(LUN(0), rc10, sizeof rc10);
	assert_invalid_field(2);
	rc10[8] = 0x01;   /* with PMI */
	run(LUN(0), rc10, sizeof rc10);
	assert_good(8);
	assert_int_equal(get_be(in, 4), RAM_BLOCKS - 1);

	uint8_t rc16[16] = { 0x9e, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32 };
	run(LUN(0), rc16, sizeof rc16);
	assert_invalid_field(1);
	rc16[1] = 0x10;
	rc16[9] = 1;
	run(LUN(0), rc16, sizeof rc16);
	assert_invalid_field(2);
}

/* A sparse file of 2^32 + 1 blocks: READ CAPACITY (10) cannot say it. */
static void test_capacity_beyond_32_bits(void **state)
{
	(void)state;
	char err[128], path[600];
	snprintf(path, sizeof path, "%s/huge", scratch_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	uint64_t blocks = (1ull << 32) + 1;
	if (ftruncate(fd, (off_t)(blocks * SCSI_BLOCK_SIZE)) != 0) {
		close(fd);
		unlink(path);
		skip();
	}
	close(fd);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	uint8_t rc10[10] = { 0x25 };
	run(LUN(1), rc10, sizeof rc10);
	assert_good(8);
	assert_int_equal(get_be(in, 4), 0xffffffffu);
	uint8_t rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32 };
	run(LUN(1), rc16, sizeof rc16);
	assert_good(32);
	assert_int_equal(get_be(in, 8), blocks - 1);
	/* the short block descriptor saturates too */
	uint8_t ms6[6] = { 0x1a, 0, 0x08, 0, 255, 0 };
	run(LUN(1), ms6, sizeof ms6);
	assert_good(4 + 8 + 20);
	assert_int_equal(get_be(in + 4, 4), 0xffffffffu);
	/* the last block is there; one past it is not */
	read_blocks(LUN(1), 0x88, blocks - 1, 1);
	assert_good(SCSI_BLOCK_SIZE);
	read_blocks(LUN(1), 0x88, blocks - 1, 2);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	unlink(path);
}

/* ---- READ and WRITE --------------------------------------------------- */

/* Each READ/WRITE pair round trips on lun, and the RAM fast path agrees. */
static void round_trips(uint64_t lun, uint64_t blocks_on_lun)
{
	static const struct { uint8_t write, read; } pairs[] = {
		{ 0x0a, 0x08 }, { 0x2a, 0x28 }, { 0xaa, 0xa8 }, { 0x8a, 0x88 },
		{ 0x2e, 0x28 }, { 0xae, 0xa8 }, { 0x8e, 0x88 },
	};
	for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		uint64_t lba = 3 + 40 * i;
		uint32_t blocks = 1 + 5 * i;
		size_t bytes = blocks * SCSI_BLOCK_SIZE;
		fill(out, bytes, i);
		write_blocks(lun, pairs[i].write, lba, blocks, out, bytes);
		assert_good(0);
		read_blocks(lun, pairs[i].read, lba, blocks);
		assert_good(bytes);
		assert_memory_equal(in, out, bytes);
		const uint8_t *ram = scsi_dev_ram(dev, lun, lba * SCSI_BLOCK_SIZE, bytes);
		if (ram)
			assert_memory_equal(ram, out, bytes);
	}
	/* the last block, written and read back with the 16-byte CDBs */
	fill(out, SCSI_BLOCK_SIZE, 99);
	write_blocks(lun, 0x8a, blocks_on_lun - 1, 1, out, SCSI_BLOCK_SIZE);
	assert_good(0);
	read_blocks(lun, 0x88, blocks_on_lun - 1, 1);
	assert_good(SCSI_BLOCK_SIZE);
	assert_memory_equal(in, out, SCSI_BLOCK_SIZE);
}

static void test_ram_round_trips(void **state)
{
	(void)state;
	round_trips(LUN(0), RAM_BLOCKS);
}

/* READ (6) and WRITE (6) with transfer length 0 move 256 blocks. */
static void test_six_byte_zero_means_256(void **state)
{
	(void)state;
	size_t bytes = 256 * SCSI_BLOCK_SIZE;
	fill(out, bytes, 5);
	write_blocks(LUN(0), 0x0a, 10, 0, out, bytes);
	assert_good(0);
	read_blocks(LUN(0), 0x08, 10, 0);
	assert_good(bytes);
	assert_memory_equal(in, out, bytes);
	/* and the 21-bit LBA of READ (6) reaches the top of its range */
	uint8_t cdb[6] = { 0x08, 0x1f, 0xff, 0xff, 1, 0 };
	run(LUN(0), cdb, sizeof cdb);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
}

static void test_zero_length_transfers(void **state)
{
	(void)state;
	static const uint8_t ops[] = { 0x28, 0x2a, 0xa8, 0xaa, 0x88, 0x8a };
	for (size_t i = 0; i < sizeof ops; i++) {
		uint8_t cdb[16];
		size_t n = rw_cdb(cdb, ops[i], 5, 0);
		run(LUN(0), cdb, n);
		assert_good(0);
		/* at the capacity itself nothing moves: still fine */
		n = rw_cdb(cdb, ops[i], RAM_BLOCKS, 0);
		run(LUN(0), cdb, n);
		assert_good(0);
		/* one beyond it is out of range (libiscsi's Read10.0blocks) */
		n = rw_cdb(cdb, ops[i], RAM_BLOCKS + 1, 0);
		run(LUN(0), cdb, n);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	}
}

static void test_lba_out_of_range(void **state)
{
	(void)state;
	static const uint8_t ops[] = { 0x08, 0x0a, 0x28, 0x2a, 0x2e, 0xa8, 0xaa, 0x88, 0x8a };
	for (size_t i = 0; i < sizeof ops; i++) {
		uint8_t cdb[16];
		bool write = ops[i] & 0x02;
		/* the last block: fine; the last block and one more: not */
		size_t n = rw_cdb(cdb, ops[i], RAM_BLOCKS - 1, 1);
		run_io(LUN(0), cdb, n, out, write ? SCSI_BLOCK_SIZE : 0, IN_CAP);
		assert_good(write ? 0 : SCSI_BLOCK_SIZE);
		n = rw_cdb(cdb, ops[i], RAM_BLOCKS - 1, 2);
		run_io(LUN(0), cdb, n, out, write ? 2 * SCSI_BLOCK_SIZE : 0, IN_CAP);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
		n = rw_cdb(cdb, ops[i], RAM_BLOCKS, 1);
		run_io(LUN(0), cdb, n, out, write ? SCSI_BLOCK_SIZE : 0, IN_CAP);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	}
	/* LBA + length wrapping past 2^64 is out of range, not block 0 */
	read_blocks(LUN(0), 0x88, UINT64_MAX, 2);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	read_blocks(LUN(0), 0xa8, 0xffffffffu, 0xffffffffu);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	/* nothing was written by the failed writes */
	read_blocks(LUN(0), 0x28, 0, 1);
	assert_good(SCSI_BLOCK_SIZE);
	for (size_t i = 0; i < SCSI_BLOCK_SIZE; i++)
		assert_int_equal(in[i], 0);
}

/* A read returns what the initiator expects, at most. */
static void test_read_cut_to_expected_length(void **state)
{
	(void)state;
	fill(out, 4 * SCSI_BLOCK_SIZE, 1);
	write_blocks(LUN(0), 0x2a, 0, 4, out, 4 * SCSI_BLOCK_SIZE);
	assert_good(0);
	uint8_t cdb[10];
	rw_cdb(cdb, 0x28, 0, 4);
	run_io(LUN(0), cdb, sizeof cdb, NULL, 0, 1000);
	assert_good(1000);
	assert_memory_equal(in, out, 1000);
	assert_int_equal(in[1000], 0xee);
}

/* Less data than the CDB asks: the whole blocks are written and the
 * command is GOOD (tgtd; libiscsi's Write10.Residuals), a part of a block
 * is not written and CHECK CONDITION says INVALID FIELD IN COMMAND IU;
 * more than the CDB asks: the excess is ignored. */
static void test_short_and_long_write(void **state)
{
	(void)state;
	fill(out, 3 * SCSI_BLOCK_SIZE, 2);
	write_blocks(LUN(0), 0x2a, 8, 2, out, SCSI_BLOCK_SIZE);
	assert_good(0);
	read_blocks(LUN(0), 0x28, 8, 2);
	assert_good(2 * SCSI_BLOCK_SIZE);
	assert_memory_equal(in, out, SCSI_BLOCK_SIZE);
	for (size_t i = SCSI_BLOCK_SIZE; i < 2 * SCSI_BLOCK_SIZE; i++)
		assert_int_equal(in[i], 0);

	write_blocks(LUN(0), 0x2a, 12, 2, out, SCSI_BLOCK_SIZE + 100);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
	read_blocks(LUN(0), 0x28, 12, 2);
	assert_good(2 * SCSI_BLOCK_SIZE);
	assert_memory_equal(in, out, SCSI_BLOCK_SIZE);
	for (size_t i = SCSI_BLOCK_SIZE; i < 2 * SCSI_BLOCK_SIZE; i++)
		assert_int_equal(in[i], 0);

	write_blocks(LUN(0), 0x2a, 16, 1, out, 200);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
	write_blocks(LUN(0), 0x2a, 16, 1, NULL, 0);
	assert_good(0);
	read_blocks(LUN(0), 0x28, 16, 1);
	for (size_t i = 0; i < SCSI_BLOCK_SIZE; i++)
		assert_int_equal(in[i], 0);

	write_blocks(LUN(0), 0x2a, 20, 2, out, 3 * SCSI_BLOCK_SIZE);
	assert_good(0);
	read_blocks(LUN(0), 0x28, 20, 3);
	assert_good(3 * SCSI_BLOCK_SIZE);
	assert_memory_equal(in, out, 2 * SCSI_BLOCK_SIZE);
	for (size_t i = 2 * SCSI_BLOCK_SIZE; i < 3 * SCSI_BLOCK_SIZE; i++)
		assert_int_equal(in[i], 0);
}

/* Protection information is not supported: RDPROTECT / WRPROTECT != 0. */
static void test_protect_fields_refused(void **state)
{
	(void)state;
	static const uint8_t ops[] = { 0x28, 0x2a, 0xa8, 0xaa, 0x88, 0x8a, 0x2e };
	for (size_t i = 0; i < sizeof ops; i++) {
		uint8_t cdb[16];
		size_t n = rw_cdb(cdb, ops[i], 0, 1);
		cdb[1] = 0x20;
		run_io(LUN(0), cdb, n, out, SCSI_BLOCK_SIZE, IN_CAP);
		assert_invalid_field(1);
	}
	/* FUA and DPO are fine */
	uint8_t cdb[10];
	rw_cdb(cdb, 0x2a, 0, 1);
	cdb[1] = 0x18;
	run_io(LUN(0), cdb, sizeof cdb, out, SCSI_BLOCK_SIZE, 0);
	assert_good(0);
}

/* ---- file LUNs -------------------------------------------------------- */

static void test_file_round_trips(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("disk", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	assert_null(scsi_dev_ram(dev, LUN(1), 0, SCSI_BLOCK_SIZE));
	round_trips(LUN(1), RAM_BLOCKS);

	/* FUA, then the bytes are in the file itself */
	fill(out, 2 * SCSI_BLOCK_SIZE, 7);
	uint8_t cdb[10];
	rw_cdb(cdb, 0x2a, 100, 2);
	cdb[1] = 0x08;
	run_io(LUN(1), cdb, sizeof cdb, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_good(0);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	uint8_t back[2 * SCSI_BLOCK_SIZE];
	assert_int_equal(pread(fd, back, sizeof back, 100 * SCSI_BLOCK_SIZE), sizeof back);
	close(fd);
	assert_memory_equal(back, out, sizeof back);

	uint8_t sync10[10] = { 0x35 }, sync16[16] = { 0x91, 0x02 };   /* IMMED */
	run(LUN(1), sync10, sizeof sync10);
	assert_good(0);
	run(LUN(1), sync16, sizeof sync16);
	assert_good(0);
	unlink(path);
}

static void test_synchronize_cache(void **state)
{
	(void)state;
	uint8_t s10[10] = { 0x35 };
	run(LUN(0), s10, sizeof s10);
	assert_good(0);
	/* the last block; then one past it */
	put_be(s10 + 2, RAM_BLOCKS - 1, 4);
	put_be(s10 + 7, 1, 2);
	run(LUN(0), s10, sizeof s10);
	assert_good(0);
	put_be(s10 + 7, 2, 2);
	run(LUN(0), s10, sizeof s10);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	/* 0 blocks: up to the end, from anywhere up to the capacity */
	uint8_t s16[16] = { 0x91 };
	put_be(s16 + 2, RAM_BLOCKS, 8);
	run(LUN(0), s16, sizeof s16);
	assert_good(0);
	put_be(s16 + 2, RAM_BLOCKS + 1, 8);
	run(LUN(0), s16, sizeof s16);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
}

/* The file shrinks under the device: a read finds nothing, MEDIUM ERROR. */
static void test_file_read_failure(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("shrinks", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	assert_int_equal(truncate(path, 4 * SCSI_BLOCK_SIZE), 0);
	read_blocks(LUN(1), 0x28, 0, 4);
	assert_good(4 * SCSI_BLOCK_SIZE);
	read_blocks(LUN(1), 0x28, 3, 2);
	assert_sense(SCSI_SENSE_MEDIUM_ERROR, 0x11, 0x00);
	read_blocks(LUN(1), 0x28, 100, 1);
	assert_sense(SCSI_SENSE_MEDIUM_ERROR, 0x11, 0x00);
	unlink(path);
}

/* Writing past RLIMIT_FSIZE fails (EFBIG): MEDIUM ERROR, WRITE ERROR. */
static void test_file_write_failure(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("limited", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	struct rlimit old, limit;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	limit = old;
	limit.rlim_cur = 8 * SCSI_BLOCK_SIZE;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
	fill(out, SCSI_BLOCK_SIZE, 3);
	write_blocks(LUN(1), 0x2a, 0, 1, out, SCSI_BLOCK_SIZE);
	struct scsi_result below = res;
	write_blocks(LUN(1), 0x2a, 8, 1, out, SCSI_BLOCK_SIZE);
	/* restore before any assertion writes to a file */
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(below.status, SCSI_GOOD);
	assert_sense(SCSI_SENSE_MEDIUM_ERROR, 0x0c, 0x00);
	unlink(path);
}

/* ---- REPORT LUNS ------------------------------------------------------ */

static void report_luns(uint8_t select, uint32_t alloc)
{
	uint8_t cdb[12] = { 0xa0, 0, select };
	put_be(cdb + 6, alloc, 4);
	run(LUN(0), cdb, sizeof cdb);
}

static void test_report_luns(void **state)
{
	(void)state;
	char err[128];
	static const uint8_t one[] = { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	report_luns(0x00, 4096);
	assert_good(sizeof one);
	assert_memory_equal(in, one, sizeof one);

	assert_int_equal(scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err), 1);
	assert_int_equal(scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err), 2);
	static const uint8_t three[] = {
		0, 0, 0, 24, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 1, 0, 0, 0, 0, 0, 0,
		0, 2, 0, 0, 0, 0, 0, 0,
	};
	report_luns(0x00, 4096);
	assert_good(sizeof three);
	assert_memory_equal(in, three, sizeof three);
	report_luns(0x02, 4096);
	assert_good(sizeof three);
	assert_memory_equal(in, three, sizeof three);
	/* no well-known LUNs */
	report_luns(0x01, 4096);
	assert_good(8);
	assert_memory_equal(in, "\0\0\0\0\0\0\0\0", 8);
	/* cut short: the list length still counts every LUN */
	report_luns(0x00, 16);
	assert_good(16);
	assert_memory_equal(in, three, 16);
	run_io(LUN(0), (const uint8_t[12]){ 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, 12, NULL, 0, 20);
	assert_good(20);
}

static void test_report_luns_errors(void **state)
{
	(void)state;
	report_luns(0x00, 15);
	assert_invalid_field(6);
	report_luns(0x00, 0);
	assert_invalid_field(6);
	report_luns(0x03, 4096);
	assert_invalid_field(2);
	report_luns(0x10, 4096);
	assert_invalid_field(2);
}

/* ---- MODE SENSE ------------------------------------------------------- */

static void mode_sense6(uint8_t flags, uint8_t pc_page, uint8_t subpage, uint8_t alloc)
{
	uint8_t cdb[6] = { 0x1a, flags, pc_page, subpage, alloc, 0 };
	run(LUN(0), cdb, sizeof cdb);
}

static void mode_sense10(uint8_t flags, uint8_t pc_page, uint16_t alloc)
{
	uint8_t cdb[10] = { 0x5a, flags, pc_page };
	put_be(cdb + 7, alloc, 2);
	run(LUN(0), cdb, sizeof cdb);
}

static const uint8_t caching_ram[20] = { 0x08, 0x12 };
static const uint8_t control[12] = { 0x0a, 0x0a, 0x00, 0x10, 0, 0, 0, 0, 0xff, 0xff, 0, 0 };

static void test_mode_sense6(void **state)
{
	(void)state;
	/* all pages: header, block descriptor, caching, control */
	static const uint8_t head[12] = { 43, 0x00, 0x10, 8, 0x00, 0x00, 0x08, 0x00,
					   0x00, 0x00, 0x02, 0x00 };
	mode_sense6(0, 0x3f, 0, 255);
	assert_good(44);
	assert_memory_equal(in, head, sizeof head);
	assert_memory_equal(in + 12, caching_ram, 20);
	assert_memory_equal(in + 32, control, 12);
	/* all pages and subpages: the same */
	mode_sense6(0, 0x3f, 0xff, 255);
	assert_good(44);
	/* DBD: no block descriptor */
	mode_sense6(0x08, 0x08, 0, 255);
	assert_good(24);
	static const uint8_t head_dbd[4] = { 23, 0x00, 0x10, 0 };
	assert_memory_equal(in, head_dbd, 4);
	assert_memory_equal(in + 4, caching_ram, 20);
	mode_sense6(0x08, 0x0a, 0, 255);
	assert_good(16);
	assert_int_equal(in[0], 15);
	assert_memory_equal(in + 4, control, 12);
	/* changeable values: nothing */
	mode_sense6(0x08, 0x40 | 0x0a, 0, 255);
	assert_good(16);
	static const uint8_t control_mask[12] = { 0x0a, 0x0a };
	assert_memory_equal(in + 4, control_mask, 12);
	/* default values: as current */
	mode_sense6(0x08, 0x80 | 0x0a, 0, 255);
	assert_good(16);
	assert_memory_equal(in + 4, control, 12);
	/* cut short: the mode data length still counts everything */
	mode_sense6(0, 0x3f, 0, 4);
	assert_good(4);
	assert_int_equal(in[0], 43);
}

static void test_mode_sense10(void **state)
{
	(void)state;
	static const uint8_t head[16] = { 0, 46, 0x00, 0x10, 0, 0, 0, 8,
					   0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00 };
	mode_sense10(0, 0x3f, 512);
	assert_good(48);
	assert_memory_equal(in, head, sizeof head);
	assert_memory_equal(in + 16, caching_ram, 20);
	assert_memory_equal(in + 36, control, 12);
	/* LLBAA: a long block descriptor */
	static const uint8_t head_long[24] = { 0, 54, 0x00, 0x10, 0x01, 0, 0, 16,
						0, 0, 0, 0, 0, 0, 0x08, 0x00,
						0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00 };
	mode_sense10(0x10, 0x3f, 512);
	assert_good(56);
	assert_memory_equal(in, head_long, sizeof head_long);
	/* LLBAA and DBD: no descriptor, LONGLBA clear */
	mode_sense10(0x18, 0x08, 512);
	assert_good(28);
	static const uint8_t head_dbd[8] = { 0, 26, 0x00, 0x10, 0, 0, 0, 0 };
	assert_memory_equal(in, head_dbd, 8);
	mode_sense10(0, 0x3f, 10);
	assert_good(10);
	assert_memory_equal(in, head, 10);
}

/* A file LUN caches writes: WCE is set. */
static void test_mode_sense_file_caching(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("wce", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	uint8_t cdb[6] = { 0x1a, 0x08, 0x08, 0, 255, 0 };
	run(LUN(1), cdb, sizeof cdb);
	assert_good(24);
	assert_int_equal(in[4 + 2], 0x04);
	cdb[2] = 0x48;   /* changeable: WCE is not */
	run(LUN(1), cdb, sizeof cdb);
	assert_good(24);
	assert_int_equal(in[4 + 2], 0x00);
	unlink(path);
}

static void test_mode_sense_errors(void **state)
{
	(void)state;
	mode_sense6(0, 0x1c, 0, 255);   /* informational exceptions: not here */
	assert_invalid_field(2);
	mode_sense6(0, 0x00, 0, 255);
	assert_invalid_field(2);
	mode_sense10(0, 0x01, 255);
	assert_invalid_field(2);
	mode_sense6(0, 0x0a, 0x01, 255);
	assert_invalid_field(3);
	mode_sense6(0, 0xc0 | 0x3f, 0, 255);   /* saved values */
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x39, 0x00);
}

/* ---- REQUEST SENSE, unknown opcodes, results --------------------------- */

static void test_request_sense(void **state)
{
	(void)state;
	static const uint8_t fixed[18] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };
	uint8_t cdb[6] = { 0x03, 0, 0, 0, 252, 0 };
	run(LUN(0), cdb, sizeof cdb);
	assert_good(18);
	assert_memory_equal(in, fixed, 18);
	cdb[4] = 8;
	run(LUN(0), cdb, sizeof cdb);
	assert_good(8);
	assert_memory_equal(in, fixed, 8);
	/* descriptor format */
	static const uint8_t desc[8] = { 0x72 };
	cdb[1] = 0x01;
	cdb[4] = 252;
	run(LUN(0), cdb, sizeof cdb);
	assert_good(8);
	assert_memory_equal(in, desc, 8);
}

static void test_unknown_opcodes(void **state)
{
	(void)state;
	static const uint8_t unknown[] = { 0x01, 0x04, 0x15, 0x1b, 0x42, 0x55,
					   0x7f, 0x83, 0x8c, 0xc0, 0xff };
	for (size_t i = 0; i < sizeof unknown; i++) {
		uint8_t cdb[16] = { unknown[i] };
		run(LUN(0), cdb, sizeof cdb);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0x00);
	}
	/* a CDB shorter than its opcode's, or none */
	uint8_t read10[10];
	rw_cdb(read10, 0x28, 0, 1);
	run(LUN(0), read10, 6);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0x00);
	run(LUN(0), read10, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0x00);
}

static void test_result_check(void **state)
{
	(void)state;
	struct scsi_result r = { .status = SCSI_GOOD, .data_in_len = 99 };
	memset(r.sense, 0xaa, sizeof r.sense);
	scsi_result_check(&r, SCSI_SENSE_MEDIUM_ERROR, 0x11, 0x04);
	uint8_t want[32] = { 0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x04 };
	assert_int_equal(r.status, SCSI_CHECK_CONDITION);
	assert_int_equal(r.sense_len, 18);
	assert_int_equal(r.data_in_len, 0);
	assert_memory_equal(r.sense, want, sizeof want);
}

/* ---- REPORT SUPPORTED OPERATION CODES ---------------------------------- */

static void report_opcodes(uint8_t options, uint8_t opcode, uint16_t action, uint32_t alloc)
{
	uint8_t cdb[12] = { 0xa3, 0x0c, options, opcode };
	put_be(cdb + 4, action, 2);
	put_be(cdb + 6, alloc, 4);
	run(LUN(0), cdb, sizeof cdb);
}

/* The command a descriptor names, with every other CDB byte 0, is one the
 * device knows: it does not answer INVALID COMMAND OPERATION CODE. */
static bool runs(uint8_t opcode, uint8_t action, bool has_action, size_t cdb_len)
{
	uint8_t cdb[16] = { opcode, has_action ? action : 0 };
	run(LUN(0), cdb, cdb_len);
	bool checked = res.status == SCSI_CHECK_CONDITION;
	bool unknown_opcode = checked && res.sense[12] == 0x20;
	bool unknown_action = has_action && checked && res.sense[12] == 0x24 &&
			      get_be(res.sense + 16, 2) == 1;
	return !unknown_opcode && !unknown_action;
}

static void test_report_opcodes_all(void **state)
{
	(void)state;
	report_opcodes(0x00, 0, 0, 65535);
	size_t len = (size_t)get_be(in, 4);
	assert_int_equal(len % 8, 0);
	assert_good(4 + len);
	static uint8_t listed[256];
	memset(listed, 0, sizeof listed);
	uint8_t all[4 + 8 * 64];
	assert_true(len <= sizeof all - 4);
	memcpy(all, in, 4 + len);
	size_t count = len / 8;
	/* the first: TEST UNIT READY, no service action, 6 bytes */
	static const uint8_t tur[8] = { 0x00, 0, 0, 0, 0, 0x00, 0, 6 };
	assert_memory_equal(all + 4, tur, 8);
	bool saw_pr_in_reservation = false;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *d = all + 4 + 8 * i;
		bool servactv = d[5] & 0x01;
		assert_int_equal(d[5] & ~0x01, 0);            /* no CTDP without RCTD */
		if (!servactv)
			assert_int_equal(get_be(d + 2, 2), 0);    /* SERVACTV 0: action 0 */
		if (d[0] == 0x5e && d[3] == 0x01) {
			static const uint8_t want[8] = { 0x5e, 0, 0x00, 0x01, 0, 0x01, 0, 10 };
			assert_memory_equal(d, want, 8);
			saw_pr_in_reservation = true;
		}
		size_t cdb_len = (size_t)get_be(d + 6, 2);
		/* the one-command form agrees: its usage data starts with the
		 * opcode (and service action) and has the CDB's length */
		report_opcodes(servactv ? 0x02 : 0x01, d[0], d[3], 65535);
		assert_good(4 + cdb_len);
		assert_int_equal(in[1], 0x03);
		assert_int_equal(get_be(in + 2, 2), cdb_len);
		assert_int_equal(in[4], d[0]);
		if (servactv)
			assert_int_equal(in[5] & 0x1f, d[3]);
		if (!runs(d[0], d[3], servactv, cdb_len))
			fail_msg("listed opcode 0x%02x/0x%02x is not implemented", d[0], d[3]);
		listed[d[0]] = 1;
	}
	assert_true(saw_pr_in_reservation);
	/* and every opcode not listed is unknown */
	for (unsigned op = 0; op < 256; op++) {
		if (listed[op])
			continue;
		uint8_t cdb[16] = { (uint8_t)op };
		run(LUN(0), cdb, sizeof cdb);
		if (res.status != SCSI_CHECK_CONDITION || res.sense[12] != 0x20)
			fail_msg("opcode 0x%02x runs but is not listed", op);
	}
	/* cut to the allocation length */
	report_opcodes(0x00, 0, 0, 10);
	assert_good(10);
	assert_memory_equal(in, all, 10);
}

static void test_report_opcodes_timeouts(void **state)
{
	(void)state;
	report_opcodes(0x80, 0, 0, 65535);
	size_t len = (size_t)get_be(in, 4);
	assert_int_equal(len % 20, 0);
	assert_good(4 + len);
	static const uint8_t tur[20] = { 0x00, 0, 0, 0, 0, 0x02, 0, 6,
					 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(in + 4, tur, 20);
	for (size_t i = 0; i < len / 20; i++) {
		const uint8_t *d = in + 4 + 20 * i;
		assert_true(d[5] & 0x02);                      /* CTDP */
		assert_int_equal(get_be(d + 8, 2), 0x0a);      /* timeouts descriptor length */
	}
}

static void test_report_opcodes_one(void **state)
{
	(void)state;
	/* option 1: READ (10), with its CDB usage data: DPO and FUA */
	report_opcodes(0x01, 0x28, 0, 65535);
	static const uint8_t read10[14] = { 0, 0x03, 0, 10, 0x28, 0x18, 0xff, 0xff, 0xff, 0xff,
					    0, 0xff, 0xff, 0 };
	assert_good(sizeof read10);
	assert_memory_equal(in, read10, sizeof read10);
	/* with RCTD: CTDP and the timeouts descriptor */
	report_opcodes(0x81, 0x28, 0, 65535);
	assert_good(sizeof read10 + 12);
	assert_int_equal(in[1], 0x83);
	assert_memory_equal(in + 2, read10 + 2, sizeof read10 - 2);
	static const uint8_t timeouts[12] = { 0, 0x0a };
	assert_memory_equal(in + sizeof read10, timeouts, sizeof timeouts);
	/* WRITE (16), WRITE AND VERIFY (12), VERIFY (16): DPO/FUA, DPO/BYTCHK */
	report_opcodes(0x01, 0x8a, 0, 65535);
	assert_good(4 + 16);
	assert_int_equal(in[5], 0x18);
	report_opcodes(0x01, 0xae, 0, 65535);
	assert_good(4 + 12);
	assert_int_equal(in[5], 0x12);
	report_opcodes(0x01, 0x8f, 0, 65535);
	assert_int_equal(in[5], 0x16);
	/* not supported: SUPPORT 001b, no usage data */
	report_opcodes(0x01, 0x42, 0, 65535);
	static const uint8_t unsupported[4] = { 0, 0x01, 0, 0 };
	assert_good(4);
	assert_memory_equal(in, unsupported, 4);
	/* option 2: READ CAPACITY (16), service action 0x10 */
	report_opcodes(0x02, 0x9e, 0x10, 65535);
	static const uint8_t rc16[20] = { 0, 0x03, 0, 16, 0x9e, 0x10, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0 };
	assert_good(sizeof rc16);
	assert_memory_equal(in, rc16, sizeof rc16);
	report_opcodes(0x02, 0x9e, 0x11, 65535);
	assert_good(4);
	assert_memory_equal(in, unsupported, 4);
	report_opcodes(0x02, 0x5f, 0x100, 65535);      /* beyond 5 bits */
	assert_good(4);
	assert_memory_equal(in, unsupported, 4);
	/* the wrong option for the opcode's kind, and options 3-7 */
	report_opcodes(0x01, 0x9e, 0, 65535);
	assert_invalid_field(2);
	report_opcodes(0x02, 0x28, 0, 65535);
	assert_invalid_field(2);
	report_opcodes(0x03, 0x28, 0, 65535);
	assert_invalid_field(2);
	report_opcodes(0x40, 0, 0, 65535);              /* a reserved bit */
	assert_invalid_field(2);
	/* cut to the allocation length */
	report_opcodes(0x01, 0x28, 0, 5);
	assert_good(5);
	/* a service action of MAINTENANCE IN the device does not know */
	uint8_t cdb[12] = { 0xa3, 0x05 };
	run(LUN(0), cdb, sizeof cdb);
	assert_invalid_field(1);
}

/* ---- VERIFY -------------------------------------------------------------- */

static void verify(uint8_t op, uint8_t flags, uint64_t lba, uint32_t blocks,
		   const uint8_t *data, size_t len)
{
	uint8_t cdb[16];
	size_t n = rw_cdb(cdb, op, lba, blocks);
	cdb[1] = flags;
	run_io(LUN(0), cdb, n, data, len, 0);
}

/* MISCOMPARE with VALID and INFORMATION: info */
static void assert_miscompare(uint32_t info)
{
	uint8_t want[18] = { 0xf0, 0, 0x0e, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x1d, 0x00 };
	put_be(want + 3, info, 4);
	assert_int_equal(res.status, SCSI_CHECK_CONDITION);
	assert_int_equal(res.sense_len, 18);
	assert_memory_equal(res.sense, want, sizeof want);
	assert_int_equal(res.data_in_len, 0);
}

static void test_verify_range(void **state)
{
	(void)state;
	static const uint8_t ops[] = { 0x2f, 0xaf, 0x8f };
	for (size_t i = 0; i < sizeof ops; i++) {
		verify(ops[i], 0, 0, 8, NULL, 0);
		assert_good(0);
		verify(ops[i], 0x10, RAM_BLOCKS - 8, 8, NULL, 0);   /* DPO */
		assert_good(0);
		verify(ops[i], 0, RAM_BLOCKS, 0, NULL, 0);
		assert_good(0);
		verify(ops[i], 0, RAM_BLOCKS - 7, 8, NULL, 0);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
		verify(ops[i], 0, RAM_BLOCKS + 1, 0, NULL, 0);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
		verify(ops[i], 0x20, 0, 1, NULL, 0);                /* VRPROTECT */
		assert_invalid_field(1);
		verify(ops[i], 0x04, 0, 1, out, SCSI_BLOCK_SIZE);   /* BYTCHK 10b */
		assert_invalid_field(1);
	}
	verify(0x8f, 0, UINT64_MAX, 1, NULL, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
}

static void test_verify_compare(void **state)
{
	(void)state;
	fill(out, 4 * SCSI_BLOCK_SIZE, 9);
	write_blocks(LUN(0), 0x2a, 10, 4, out, 4 * SCSI_BLOCK_SIZE);
	assert_good(0);
	static const uint8_t ops[] = { 0x2f, 0xaf, 0x8f };
	for (size_t i = 0; i < sizeof ops; i++) {
		/* BYTCHK 01b: the same data */
		verify(ops[i], 0x02, 10, 4, out, 4 * SCSI_BLOCK_SIZE);
		assert_good(0);
		/* one byte differs in the second block */
		out[SCSI_BLOCK_SIZE + 7] ^= 0x58;
		verify(ops[i], 0x02, 10, 4, out, 4 * SCSI_BLOCK_SIZE);
		assert_miscompare(SCSI_BLOCK_SIZE + 7);
		out[SCSI_BLOCK_SIZE + 7] ^= 0x58;
		/* less data than the blocks */
		verify(ops[i], 0x02, 10, 4, out, 3 * SCSI_BLOCK_SIZE);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
	}
	/* BYTCHK 11b: one block for all */
	memset(out, 0x5a, SCSI_BLOCK_SIZE);
	memset(out + SCSI_BLOCK_SIZE, 0x5a, 3 * SCSI_BLOCK_SIZE);
	write_blocks(LUN(0), 0x2a, 20, 3, out, 3 * SCSI_BLOCK_SIZE);
	verify(0x2f, 0x06, 20, 3, out, SCSI_BLOCK_SIZE);
	assert_good(0);
	uint8_t block[SCSI_BLOCK_SIZE];
	memset(block, 0x5a, sizeof block);
	block[100] = 0;
	write_blocks(LUN(0), 0x2a, 22, 1, block, sizeof block);
	verify(0x2f, 0x06, 20, 3, out, SCSI_BLOCK_SIZE);
	assert_miscompare(100);
	verify(0x2f, 0x06, 20, 3, out, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
	/* no blocks: nothing to compare */
	verify(0x2f, 0x02, 20, 0, NULL, 0);
	assert_good(0);
}

static void test_verify_file_lun(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("verify", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	fill(out, 2 * SCSI_BLOCK_SIZE, 3);
	write_blocks(LUN(1), 0x2a, 5, 2, out, 2 * SCSI_BLOCK_SIZE);
	assert_good(0);
	uint8_t cdb[10] = { 0x2f, 0x02, 0, 0, 0, 5, 0, 0, 2, 0 };
	run_io(LUN(1), cdb, sizeof cdb, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_good(0);
	out[2 * SCSI_BLOCK_SIZE - 1] ^= 1;
	run_io(LUN(1), cdb, sizeof cdb, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_miscompare(2 * SCSI_BLOCK_SIZE - 1);
	unlink(path);
}

/* ---- PRE-FETCH and GET LBA STATUS ----------------------------------------- */

static void test_prefetch(void **state)
{
	(void)state;
	char err[128], path[600];
	make_file("prefetch", RAM_BYTES, path, sizeof path);
	assert_int_equal(scsi_dev_add_file(dev, path, err, sizeof err), 1);
	for (uint64_t lun = 0; lun < 2; lun++) {
		static const uint8_t ops[] = { 0x34, 0x90 };
		for (size_t i = 0; i < sizeof ops; i++) {
			uint8_t cdb[16];
			size_t n = rw_cdb(cdb, ops[i], RAM_BLOCKS - 4, 4);
			run(LUN(lun), cdb, n);
			assert_int_equal(res.status, SCSI_CONDITION_MET);
			assert_int_equal(res.sense_len, 0);
			assert_int_equal(res.data_in_len, 0);
			cdb[1] = 0x02;   /* IMMED */
			run(LUN(lun), cdb, n);
			assert_int_equal(res.status, SCSI_CONDITION_MET);
			n = rw_cdb(cdb, ops[i], 3, 0);   /* 0: to the last block */
			run(LUN(lun), cdb, n);
			assert_int_equal(res.status, SCSI_CONDITION_MET);
			n = rw_cdb(cdb, ops[i], RAM_BLOCKS - 4, 5);
			run(LUN(lun), cdb, n);
			assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
			n = rw_cdb(cdb, ops[i], RAM_BLOCKS + 1, 0);
			run(LUN(lun), cdb, n);
			assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
		}
	}
	unlink(path);
}

static void get_lba_status(uint64_t lba, uint32_t alloc)
{
	uint8_t cdb[16] = { 0x9e, 0x12 };
	put_be(cdb + 2, lba, 8);
	put_be(cdb + 10, alloc, 4);
	run(LUN(0), cdb, sizeof cdb);
}

static void test_get_lba_status(void **state)
{
	(void)state;
	get_lba_status(5, 64);
	uint8_t want[24] = { 0, 0, 0, 20, 0, 0, 0, 0 };
	put_be(want + 8, 5, 8);
	put_be(want + 16, RAM_BLOCKS - 5, 4);   /* mapped (0) to the end */
	assert_good(sizeof want);
	assert_memory_equal(in, want, sizeof want);
	get_lba_status(RAM_BLOCKS - 1, 16);
	assert_good(16);
	assert_int_equal(get_be(in + 8, 8), RAM_BLOCKS - 1);
	get_lba_status(RAM_BLOCKS, 64);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	get_lba_status(UINT64_MAX, 64);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
}

/* ---- WRITE SAME, ORWRITE, COMPARE AND WRITE ----------------------------- */

static void write_same(uint8_t op, uint8_t flags, uint64_t lba, uint32_t blocks,
		       const uint8_t *data, size_t len)
{
	uint8_t cdb[16];
	size_t n = rw_cdb(cdb, op, lba, blocks);
	cdb[1] = flags;
	run_io(LUN(0), cdb, n, data, len, 0);
}

/* blocks from lba all hold pattern (one block) */
static void assert_blocks(uint64_t lba, uint32_t blocks, const uint8_t *pattern)
{
	for (uint32_t i = 0; i < blocks; i++) {
		read_blocks(LUN(0), 0x88, lba + i, 1);
		assert_good(SCSI_BLOCK_SIZE);
		assert_memory_equal(in, pattern, SCSI_BLOCK_SIZE);
	}
}

static void test_write_same(void **state)
{
	(void)state;
	uint8_t pattern[SCSI_BLOCK_SIZE], zeros[SCSI_BLOCK_SIZE] = { 0 };
	static const uint8_t ops[] = { 0x41, 0x93 };
	for (size_t i = 0; i < sizeof ops; i++) {
		fill(pattern, sizeof pattern, (unsigned)i + 1);
		write_same(ops[i], 0, 7, 3, pattern, sizeof pattern);
		assert_good(0);
		assert_blocks(7, 3, pattern);
		/* 0 blocks: from the LBA to the last block */
		write_same(ops[i], 0, RAM_BLOCKS - 2, 0, pattern, sizeof pattern);
		assert_good(0);
		assert_blocks(RAM_BLOCKS - 2, 2, pattern);
		write_same(ops[i], 0, RAM_BLOCKS + 1, 0, pattern, sizeof pattern);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
		write_same(ops[i], 0, RAM_BLOCKS - 1, 2, pattern, sizeof pattern);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
		/* fully provisioned: no UNMAP, no ANCHOR; no WRPROTECT, no
		 * LBDATA or PBDATA */
		static const uint8_t refused[] = { 0x08, 0x10, 0x18, 0x20, 0x02, 0x04 };
		for (size_t f = 0; f < sizeof refused; f++) {
			write_same(ops[i], refused[f], 7, 1, zeros, sizeof zeros);
			assert_invalid_field(1);
		}
		assert_blocks(7, 1, pattern);
		write_same(ops[i], 0, 7, 1, pattern, 100);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
	}
	/* NDOB (16 only): zeros, no data out */
	write_same(0x93, 0x01, 7, 3, NULL, 0);
	assert_good(0);
	assert_blocks(7, 3, zeros);
}

static void test_orwrite(void **state)
{
	(void)state;
	memset(out, 0x0f, 2 * SCSI_BLOCK_SIZE);
	write_blocks(LUN(0), 0x2a, 30, 2, out, 2 * SCSI_BLOCK_SIZE);
	uint8_t cdb[16];
	size_t n = rw_cdb(cdb, 0x8b, 30, 2);
	memset(out, 0x30, 2 * SCSI_BLOCK_SIZE);
	run_io(LUN(0), cdb, n, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_good(0);
	uint8_t ored[SCSI_BLOCK_SIZE];
	memset(ored, 0x3f, sizeof ored);
	assert_blocks(30, 2, ored);
	cdb[1] = 0x18;   /* DPO, FUA */
	run_io(LUN(0), cdb, n, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_good(0);
	cdb[1] = 0x20;   /* ORPROTECT */
	run_io(LUN(0), cdb, n, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_invalid_field(1);
	n = rw_cdb(cdb, 0x8b, 30, 0);
	run(LUN(0), cdb, n);
	assert_good(0);
	n = rw_cdb(cdb, 0x8b, RAM_BLOCKS - 1, 2);
	run_io(LUN(0), cdb, n, out, 2 * SCSI_BLOCK_SIZE, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
	n = rw_cdb(cdb, 0x8b, 30, 2);
	run_io(LUN(0), cdb, n, out, SCSI_BLOCK_SIZE, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
}

static void compare_and_write(uint8_t flags, uint64_t lba, uint8_t blocks,
			      const uint8_t *data, size_t len)
{
	uint8_t cdb[16] = { 0x89, flags };
	put_be(cdb + 2, lba, 8);
	cdb[13] = blocks;
	run_io(LUN(0), cdb, sizeof cdb, data, len, 0);
}

static void test_compare_and_write(void **state)
{
	(void)state;
	size_t half = 2 * SCSI_BLOCK_SIZE;
	memset(out, 'A', half);
	write_blocks(LUN(0), 0x2a, 40, 2, out, half);
	memset(out + half, 'B', half);
	compare_and_write(0x18, 40, 2, out, 2 * half);
	assert_good(0);
	uint8_t b[SCSI_BLOCK_SIZE];
	memset(b, 'B', sizeof b);
	assert_blocks(40, 2, b);
	/* the medium holds B now: comparing with A fails at byte 0, and
	 * nothing is written */
	memset(out + half, 'C', half);
	compare_and_write(0, 40, 2, out, 2 * half);
	assert_miscompare(0);
	assert_blocks(40, 2, b);
	memset(out, 'B', half);
	out[SCSI_BLOCK_SIZE + 3] = 'x';
	compare_and_write(0, 40, 2, out, 2 * half);
	assert_miscompare(SCSI_BLOCK_SIZE + 3);
	/* the block count must match the data out: 256 blocks wrap to 0 */
	compare_and_write(0, 40, 0, out, 2 * half);
	assert_invalid_field(13);
	compare_and_write(0, 40, 2, out, half);
	assert_invalid_field(13);
	compare_and_write(0, 40, 0, NULL, 0);
	assert_good(0);
	compare_and_write(0x20, 40, 2, out, 2 * half);   /* WRPROTECT */
	assert_invalid_field(1);
	compare_and_write(0, RAM_BLOCKS - 1, 2, out, 2 * half);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
}

/* ---- RESERVE(6) and RELEASE(6) ------------------------------------------- */

#define NEXUS_A 0x1001
#define NEXUS_B 0x2002

static void simple(uint64_t from, uint64_t lun, uint8_t opcode)
{
	uint8_t cdb[6] = { opcode };
	nexus = from;
	run(lun, cdb, sizeof cdb);
}

static void assert_conflict(void)
{
	assert_int_equal(res.status, SCSI_RESERVATION_CONFLICT);
	assert_int_equal(res.sense_len, 0);
	assert_int_equal(res.data_in_len, 0);
}

/* A one-block READ (10) or WRITE (10) from a nexus. */
static void read_from(uint64_t from)
{
	nexus = from;
	read_blocks(LUN(0), 0x28, 0, 1);
}

static void write_from(uint64_t from)
{
	nexus = from;
	memset(out, 0, SCSI_BLOCK_SIZE);
	write_blocks(LUN(0), 0x2a, 0, 1, out, SCSI_BLOCK_SIZE);
}

static void test_reserve6(void **state)
{
	(void)state;
	simple(NEXUS_A, LUN(0), 0x16);
	assert_good(0);
	simple(NEXUS_A, LUN(0), 0x16);            /* again: still the holder's */
	assert_good(0);
	read_from(NEXUS_A);
	assert_good(SCSI_BLOCK_SIZE);
	/* another nexus: everything conflicts but INQUIRY, REQUEST SENSE,
	 * REPORT LUNS and a RELEASE(6) that releases nothing */
	read_from(NEXUS_B);
	assert_conflict();
	write_from(NEXUS_B);
	assert_conflict();
	simple(NEXUS_B, LUN(0), 0x00);
	assert_conflict();
	simple(NEXUS_B, LUN(0), 0x16);
	assert_conflict();
	uint8_t rc10[10] = { 0x25 };
	run(LUN(0), rc10, sizeof rc10);
	assert_conflict();
	uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
	run(LUN(0), inquiry, sizeof inquiry);
	assert_good(36);
	uint8_t request_sense[6] = { 0x03, 0, 0, 0, 18, 0 };
	run(LUN(0), request_sense, sizeof request_sense);
	assert_good(18);
	uint8_t report_luns[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	run(LUN(0), report_luns, sizeof report_luns);
	assert_good(16);
	simple(NEXUS_B, LUN(0), 0x17);
	assert_good(0);
	read_from(NEXUS_B);
	assert_conflict();
	/* persistent reservation commands conflict, the holder's too */
	uint8_t prin[10] = { 0x5e, 0x00, 0, 0, 0, 0, 0, 0, 8, 0 };
	nexus = NEXUS_A;
	run(LUN(0), prin, sizeof prin);
	assert_conflict();
	/* the holder releases */
	simple(NEXUS_A, LUN(0), 0x17);
	assert_good(0);
	read_from(NEXUS_B);
	assert_good(SCSI_BLOCK_SIZE);
	simple(NEXUS_B, LUN(0), 0x16);
	assert_good(0);
	simple(NEXUS_B, LUN(0), 0x17);
	assert_good(0);
}

static void test_reserve6_released_by_loss_and_reset(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(scsi_dev_add_ram(dev, RAM_BYTES, err, sizeof err), 1);
	/* I_T nexus loss: another nexus's loss changes nothing */
	simple(NEXUS_A, LUN(0), 0x16);
	scsi_nexus_gone(dev, NEXUS_B);
	simple(NEXUS_B, LUN(0), 0x00);
	assert_conflict();
	scsi_nexus_gone(dev, NEXUS_A);
	simple(NEXUS_B, LUN(0), 0x00);
	assert_good(0);
	/* LOGICAL UNIT RESET: that LUN only */
	simple(NEXUS_A, LUN(0), 0x16);
	simple(NEXUS_A, LUN(1), 0x16);
	scsi_lun_reset(dev, LUN(1), false);
	simple(NEXUS_B, LUN(0), 0x00);
	assert_conflict();
	simple(NEXUS_B, LUN(1), 0x00);
	assert_good(0);
	/* TARGET RESET: every LUN */
	simple(NEXUS_A, LUN(1), 0x16);
	scsi_lun_reset(dev, 0, true);
	simple(NEXUS_B, LUN(0), 0x00);
	assert_good(0);
	simple(NEXUS_B, LUN(1), 0x00);
	assert_good(0);
	/* a LUN that is not there: nothing happens */
	simple(NEXUS_A, LUN(0), 0x16);
	scsi_lun_reset(dev, LUN(9), false);
	simple(NEXUS_B, LUN(0), 0x00);
	assert_conflict();
}

/* ---- PERSISTENT RESERVE IN and OUT --------------------------------------- */

#define KEY_A 0xa1a2a3a4a5a6a7a8ull
#define KEY_B 0xb1b2b3b4b5b6b7b8ull

static void pr_in(uint64_t from, uint8_t action, uint16_t alloc)
{
	uint8_t cdb[10] = { 0x5e, action };
	put_be(cdb + 7, alloc, 2);
	nexus = from;
	run(LUN(0), cdb, sizeof cdb);
}

/* PERSISTENT RESERVE OUT with the 24-byte parameter list, its byte 20
 * flags; scope_type is CDB byte 2. */
static void pr_out_flags(uint64_t from, uint8_t action, uint8_t scope_type, uint64_t key,
			 uint64_t action_key, uint8_t flags)
{
	uint8_t cdb[10] = { 0x5f, action, scope_type, 0, 0, 0, 0, 0, 24, 0 };
	uint8_t list[24] = { 0 };
	put_be(list, key, 8);
	put_be(list + 8, action_key, 8);
	list[20] = flags;
	nexus = from;
	run_io(LUN(0), cdb, sizeof cdb, list, sizeof list, 0);
}

static void pr_out(uint64_t from, uint8_t action, uint8_t type, uint64_t key,
		   uint64_t action_key)
{
	pr_out_flags(from, action, type, key, action_key, 0);
}

enum { REGISTER = 0, RESERVE = 1, RELEASE = 2, CLEAR = 3, PREEMPT = 4,
       PREEMPT_AND_ABORT = 5, REGISTER_AND_IGNORE = 6 };

/* READ KEYS: generation and the keys, exactly */
static void assert_keys(uint32_t generation, const uint64_t *keys, size_t n)
{
	pr_in(NEXUS_A, 0x00, 1024);
	uint8_t want[8 + 8 * 4];
	put_be(want, generation, 4);
	put_be(want + 4, 8 * n, 4);
	for (size_t i = 0; i < n; i++)
		put_be(want + 8 + 8 * i, keys[i], 8);
	assert_good(8 + 8 * n);
	assert_memory_equal(in, want, 8 + 8 * n);
}

/* READ RESERVATION: held with key and type, or not held (type 0) */
static void assert_reservation(uint64_t key, uint8_t type)
{
	pr_in(NEXUS_A, 0x01, 1024);
	assert_int_equal(res.status, SCSI_GOOD);
	if (!type) {
		assert_int_equal(res.data_in_len, 8);
		assert_int_equal(get_be(in + 4, 4), 0);
		return;
	}
	uint8_t want[24] = { 0 };
	put_be(want, get_be(in, 4), 4);
	put_be(want + 4, 16, 4);
	put_be(want + 8, key, 8);
	want[21] = type;
	assert_good(sizeof want);
	assert_memory_equal(in, want, sizeof want);
}

static void test_pr_register(void **state)
{
	(void)state;
	assert_keys(0, NULL, 0);
	assert_reservation(0, 0);
	/* unregistered with a key, or registered with the wrong one */
	pr_out(NEXUS_A, REGISTER, 0, KEY_B, KEY_A);
	assert_conflict();
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	assert_good(0);
	assert_keys(1, (const uint64_t[]){ KEY_A }, 1);
	pr_out(NEXUS_A, REGISTER, 0, KEY_B, KEY_B);
	assert_conflict();
	pr_out(NEXUS_B, REGISTER, 0, 0, KEY_B);
	assert_good(0);
	assert_keys(2, (const uint64_t[]){ KEY_A, KEY_B }, 2);
	/* a new key for A; REGISTER AND IGNORE EXISTING KEY needs none */
	pr_out(NEXUS_A, REGISTER, 0, KEY_A, 0x77);
	assert_good(0);
	pr_out(NEXUS_A, REGISTER_AND_IGNORE, 0, 0x1234, KEY_A);
	assert_good(0);
	assert_keys(4, (const uint64_t[]){ KEY_A, KEY_B }, 2);
	/* unregistering, and a SARK of 0 from an unregistered nexus */
	pr_out(NEXUS_B, REGISTER, 0, KEY_B, 0);
	assert_good(0);
	assert_keys(5, (const uint64_t[]){ KEY_A }, 1);
	pr_out(NEXUS_B, REGISTER, 0, 0, 0);
	assert_good(0);
	assert_keys(5, (const uint64_t[]){ KEY_A }, 1);
	/* registrations outlive the I_T nexus */
	scsi_nexus_gone(dev, NEXUS_A);
	assert_keys(5, (const uint64_t[]){ KEY_A }, 1);
	/* READ KEYS cut short still says how many bytes the keys take */
	pr_in(NEXUS_B, 0x00, 12);
	assert_good(12);
	assert_int_equal(get_be(in + 4, 4), 8);
	/* registered: RESERVE(6) and RELEASE(6) conflict (CRH 0) */
	simple(NEXUS_A, LUN(0), 0x16);
	assert_conflict();
	simple(NEXUS_B, LUN(0), 0x17);
	assert_conflict();
}

static void test_pr_registrations_run_out(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 16; i++) {
		pr_out(0x100 + i, REGISTER, 0, 0, 0x500 + i);
		assert_good(0);
	}
	pr_out(0x200, REGISTER, 0, 0, 0x600);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x55, 0x04);
	pr_out(0x100, REGISTER, 0, 0x500, 0);
	assert_good(0);
	pr_out(0x200, REGISTER, 0, 0, 0x600);
	assert_good(0);
}

static void test_pr_parameter_errors(void **state)
{
	(void)state;
	uint8_t cdb[10] = { 0x5f, REGISTER, 0, 0, 0, 0, 0, 0, 23, 0 };
	uint8_t list[32] = { 0 };
	list[15] = 1;
	run_io(LUN(0), cdb, sizeof cdb, list, sizeof list, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x1a, 0x00);
	cdb[8] = 32;
	run_io(LUN(0), cdb, sizeof cdb, list, sizeof list, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x1a, 0x00);
	cdb[8] = 24;
	run_io(LUN(0), cdb, sizeof cdb, list, 20, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x0e, 0x03);
	/* SPEC_I_PT, ALL_TG_PT, APTPL: not supported */
	static const uint8_t flags[] = { 0x08, 0x04, 0x01 };
	for (size_t i = 0; i < sizeof flags; i++) {
		pr_out_flags(NEXUS_A, REGISTER, 0, 0, KEY_A, flags[i]);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x26, 0x00);
		pr_out_flags(NEXUS_A, REGISTER_AND_IGNORE, 0, 0, KEY_A, flags[i]);
		assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x26, 0x00);
	}
	assert_keys(0, NULL, 0);
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	/* beyond registering, ALL_TG_PT and APTPL are ignored, SPEC_I_PT not */
	pr_out_flags(NEXUS_A, RESERVE, 0x01, KEY_A, 0, 0x05);
	assert_good(0);
	pr_out_flags(NEXUS_A, RELEASE, 0x01, KEY_A, 0, 0x08);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x26, 0x00);
	/* scope other than the LU, a type that is none */
	static const uint8_t bad[] = { 0x11, 0x00, 0x02, 0x04, 0x09, 0x0f };
	for (size_t i = 0; i < sizeof bad; i++) {
		pr_out(NEXUS_A, RELEASE, bad[i], KEY_A, 0);
		assert_invalid_field(2);
		pr_out(NEXUS_A, PREEMPT, bad[i], KEY_A, KEY_A);
		assert_invalid_field(2);
	}
	/* CLEAR ignores scope and type */
	pr_out(NEXUS_A, CLEAR, 0xff, KEY_A, 0);
	assert_good(0);
	/* a service action it does not know: REGISTER AND MOVE */
	pr_out(NEXUS_A, 0x07, 0, 0, 0);
	assert_invalid_field(1);
	pr_in(NEXUS_A, 0x03, 64);
	assert_invalid_field(1);
}

static void test_pr_report_capabilities(void **state)
{
	(void)state;
	pr_in(NEXUS_A, 0x02, 64);
	static const uint8_t want[8] = { 0x00, 0x08, 0x00, 0x80, 0xea, 0x01, 0x00, 0x00 };
	assert_good(sizeof want);
	assert_memory_equal(in, want, sizeof want);
	pr_in(NEXUS_A, 0x02, 4);
	assert_good(4);
}

/* Register A and B, reserve type through A, and check what B can do,
 * registered and not. */
static void check_access(uint8_t type, bool reg_read, bool reg_write, bool read, bool write)
{
	pr_out(NEXUS_A, REGISTER_AND_IGNORE, 0, 0, KEY_A);
	pr_out(NEXUS_B, REGISTER_AND_IGNORE, 0, 0, KEY_B);
	pr_out(NEXUS_A, RESERVE, type, KEY_A, 0);
	assert_good(0);
	bool all = type == 7 || type == 8;
	assert_reservation(all ? 0 : KEY_A, type);
	read_from(NEXUS_A);
	assert_good(SCSI_BLOCK_SIZE);
	write_from(NEXUS_A);
	assert_good(0);
	for (int registered = 1; registered >= 0; registered--) {
		bool can_read = registered ? reg_read : read;
		bool can_write = registered ? reg_write : write;
		read_from(NEXUS_B);
		if (can_read)
			assert_good(SCSI_BLOCK_SIZE);
		else
			assert_conflict();
		write_from(NEXUS_B);
		if (can_write)
			assert_good(0);
		else
			assert_conflict();
		/* always allowed: TEST UNIT READY, READ CAPACITY, INQUIRY,
		 * PERSISTENT RESERVE IN */
		simple(NEXUS_B, LUN(0), 0x00);
		assert_good(0);
		uint8_t rc10[10] = { 0x25 };
		run(LUN(0), rc10, sizeof rc10);
		assert_good(8);
		pr_in(NEXUS_B, 0x00, 64);
		assert_int_equal(res.status, SCSI_GOOD);
		/* MODE SENSE reads: as READ does */
		uint8_t mode_sense[6] = { 0x1a, 0x08, 0x3f, 0, 255, 0 };
		nexus = NEXUS_B;
		run(LUN(0), mode_sense, sizeof mode_sense);
		assert_int_equal(res.status, can_read ? SCSI_GOOD : SCSI_RESERVATION_CONFLICT);
		/* SYNCHRONIZE CACHE writes: as WRITE does */
		uint8_t sync[10] = { 0x35 };
		run(LUN(0), sync, sizeof sync);
		assert_int_equal(res.status, can_write ? SCSI_GOOD : SCSI_RESERVATION_CONFLICT);
		if (registered) {
			pr_out(NEXUS_B, REGISTER, 0, KEY_B, 0);
			assert_good(0);
		}
	}
	pr_out(NEXUS_A, RELEASE, type, KEY_A, 0);
	assert_good(0);
	assert_reservation(0, 0);
	read_from(NEXUS_B);
	assert_good(SCSI_BLOCK_SIZE);
	pr_out(NEXUS_A, CLEAR, 0, KEY_A, 0);
	assert_good(0);
}

static void test_pr_access_by_type(void **state)
{
	(void)state;
	check_access(0x1, true, false, true, false);    /* Write Exclusive */
	check_access(0x3, false, false, false, false);  /* Exclusive Access */
	check_access(0x5, true, true, true, false);     /* WE, registrants only */
	check_access(0x6, true, true, false, false);    /* EA, registrants only */
	check_access(0x7, true, true, true, false);     /* WE, all registrants */
	check_access(0x8, true, true, false, false);    /* EA, all registrants */
}

static void test_pr_reserve_release(void **state)
{
	(void)state;
	/* RESERVE needs a registration with the right key */
	pr_out(NEXUS_A, RESERVE, 0x1, KEY_A, 0);
	assert_conflict();
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_B, REGISTER, 0, 0, KEY_B);
	pr_out(NEXUS_A, RESERVE, 0x1, KEY_B, 0);
	assert_conflict();
	pr_out(NEXUS_A, RESERVE, 0x1, KEY_A, 0);
	assert_good(0);
	/* the holder again with the same type, another type, another nexus */
	pr_out(NEXUS_A, RESERVE, 0x1, KEY_A, 0);
	assert_good(0);
	pr_out(NEXUS_A, RESERVE, 0x3, KEY_A, 0);
	assert_conflict();
	pr_out(NEXUS_B, RESERVE, 0x1, KEY_B, 0);
	assert_conflict();
	/* RELEASE by another registrant: GOOD, nothing released; by the
	 * holder with another type: INVALID RELEASE OF PERSISTENT RESERVATION */
	pr_out(NEXUS_B, RELEASE, 0x1, KEY_B, 0);
	assert_good(0);
	assert_reservation(KEY_A, 0x1);
	pr_out(NEXUS_A, RELEASE, 0x3, KEY_A, 0);
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x26, 0x04);
	assert_reservation(KEY_A, 0x1);
	/* RESERVE and RELEASE do not change the generation */
	pr_in(NEXUS_A, 0x00, 8);
	assert_int_equal(get_be(in, 4), 2);
	/* the holder unregistering releases */
	pr_out(NEXUS_A, REGISTER, 0, KEY_A, 0);
	assert_good(0);
	assert_reservation(0, 0);
	/* all registrants: every one holds it, until the last goes */
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_B, RESERVE, 0x7, KEY_B, 0);
	assert_good(0);
	pr_out(NEXUS_A, RESERVE, 0x7, KEY_A, 0);
	assert_good(0);
	pr_out(NEXUS_B, REGISTER, 0, KEY_B, 0);
	assert_reservation(0, 0x7);
	pr_out(NEXUS_A, RELEASE, 0x7, KEY_A, 0);
	assert_good(0);
	assert_reservation(0, 0);
	pr_out(NEXUS_A, RESERVE, 0x8, KEY_A, 0);
	pr_out(NEXUS_A, REGISTER, 0, KEY_A, 0);
	assert_reservation(0, 0);
	/* a reservation outlives its holder's I_T nexus */
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_A, RESERVE, 0x3, KEY_A, 0);
	scsi_nexus_gone(dev, NEXUS_A);
	scsi_lun_reset(dev, 0, true);
	assert_reservation(KEY_A, 0x3);
	read_from(NEXUS_B);
	assert_conflict();
}

static void test_pr_clear_and_preempt(void **state)
{
	(void)state;
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_B, REGISTER, 0, 0, KEY_B);
	pr_out(NEXUS_A, RESERVE, 0x3, KEY_A, 0);
	/* CLEAR needs a registration with the right key */
	pr_out(0x3003, CLEAR, 0, KEY_A, 0);
	assert_conflict();
	pr_out(NEXUS_B, CLEAR, 0, KEY_A, 0);
	assert_conflict();
	pr_out(NEXUS_B, CLEAR, 0, KEY_B, 0);
	assert_good(0);
	assert_keys(3, NULL, 0);
	assert_reservation(0, 0);

	/* PREEMPT of the holder's key: its registration goes, the
	 * reservation is the preempting nexus's, of the new type */
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_B, REGISTER, 0, 0, KEY_B);
	pr_out(NEXUS_A, RESERVE, 0x3, KEY_A, 0);
	pr_out(NEXUS_B, PREEMPT, 0x1, KEY_A, KEY_A);    /* wrong own key */
	assert_conflict();
	pr_out(NEXUS_B, PREEMPT, 0x1, KEY_B, 0x999);    /* no such key */
	assert_conflict();
	pr_out(NEXUS_B, PREEMPT, 0x1, KEY_B, 0);        /* 0 without all registrants */
	assert_sense(SCSI_SENSE_ILLEGAL_REQUEST, 0x26, 0x00);
	pr_out(NEXUS_B, PREEMPT, 0x1, KEY_B, KEY_A);
	assert_good(0);
	assert_keys(6, (const uint64_t[]){ KEY_B }, 1);
	assert_reservation(KEY_B, 0x1);
	write_from(NEXUS_A);
	assert_conflict();

	/* PREEMPT of a key that does not hold it: the registration only */
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_B, PREEMPT_AND_ABORT, 0x1, KEY_B, KEY_A);
	assert_good(0);
	assert_keys(8, (const uint64_t[]){ KEY_B }, 1);
	assert_reservation(KEY_B, 0x1);

	/* no reservation: registrations only, none reserved after */
	pr_out(NEXUS_B, RELEASE, 0x1, KEY_B, 0);
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_A, PREEMPT, 0x3, KEY_A, KEY_B);
	assert_good(0);
	assert_keys(10, (const uint64_t[]){ KEY_A }, 1);
	assert_reservation(0, 0);

	/* all registrants, SARK 0: every other registration goes and the
	 * preempting nexus holds the new type */
	pr_out(NEXUS_B, REGISTER, 0, 0, KEY_B);
	pr_out(0x3003, REGISTER, 0, 0, 0x33);
	pr_out(NEXUS_A, RESERVE, 0x8, KEY_A, 0);
	pr_out(NEXUS_B, PREEMPT, 0x3, KEY_B, 0);
	assert_good(0);
	assert_keys(13, (const uint64_t[]){ KEY_B }, 1);
	assert_reservation(KEY_B, 0x3);
	/* all registrants, a key: that registration only */
	pr_out(NEXUS_B, RELEASE, 0x3, KEY_B, 0);
	pr_out(NEXUS_A, REGISTER, 0, 0, KEY_A);
	pr_out(NEXUS_A, RESERVE, 0x7, KEY_A, 0);
	pr_out(NEXUS_B, PREEMPT, 0x7, KEY_B, KEY_A);
	assert_good(0);
	assert_keys(15, (const uint64_t[]){ KEY_B }, 1);
	assert_reservation(0, 0x7);
}

/* ---- plans and the RAM fast path --------------------------------------- */

static void test_cmd_plan(void **state)
{
	(void)state;
	static const struct {
		uint8_t cdb[16];
		size_t len;
		uint64_t lun;
		enum scsi_dir dir;
		uint32_t bytes;
	} table[] = {
		{ { 0x28, 0, 0, 0, 0, 0, 0, 0, 8 }, 10, LUN(0), SCSI_DIR_READ, 4096 },
		{ { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1 }, 10, LUN(0), SCSI_DIR_WRITE, 512 },
		{ { 0x2e, 0, 0, 0, 0, 0, 0, 0, 2 }, 10, LUN(0), SCSI_DIR_WRITE, 1024 },
		{ { 0x08, 0, 0, 0, 0 }, 6, LUN(0), SCSI_DIR_READ, 256 * 512 },
		{ { 0x0a, 0, 0, 0, 3 }, 6, LUN(0), SCSI_DIR_WRITE, 3 * 512 },
		{ { 0xa8, 0, 0, 0, 0, 0, 0, 1, 0, 0 }, 12, LUN(0), SCSI_DIR_READ, 65536 * 512 },
		{ { 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 4 }, 12, LUN(0), SCSI_DIR_WRITE, 4 * 512 },
		{ { 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16 }, 16, LUN(0), SCSI_DIR_READ, 8192 },
		{ { 0x8a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16, LUN(0), SCSI_DIR_WRITE, 0 },
		/* more than 32 bits of bytes: as much as iSCSI can say */
		{ { 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }, 16, LUN(0),
		  SCSI_DIR_READ, UINT32_MAX },
		{ { 0x12, 0, 0, 0x12, 0x34 }, 6, LUN(0), SCSI_DIR_READ, 0x1234 },
		{ { 0x12, 1, 0x83, 0, 96 }, 6, LUN(9), SCSI_DIR_READ, 96 },
		{ { 0x03, 0, 0, 0, 18 }, 6, LUN(9), SCSI_DIR_READ, 18 },
		{ { 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, 12, LUN(9), SCSI_DIR_READ, 256 },
		{ { 0x1a, 0, 0x3f, 0, 192 }, 6, LUN(0), SCSI_DIR_READ, 192 },
		{ { 0x5a, 0, 0x3f, 0, 0, 0, 0, 0x01, 0x02 }, 10, LUN(0), SCSI_DIR_READ, 258 },
		{ { 0x25 }, 10, LUN(0), SCSI_DIR_READ, 8 },
		{ { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32 }, 16, LUN(0), SCSI_DIR_READ, 32 },
		/* a service action the device does not know moves nothing */
		{ { 0x9e, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32 }, 16, LUN(0), SCSI_DIR_NONE, 0 },
		/* VERIFY: data out with BYTCHK 01b (the blocks) and 11b (one) */
		{ { 0x2f, 0x02, 0, 0, 0, 0, 0, 0, 3 }, 10, LUN(0), SCSI_DIR_WRITE, 3 * 512 },
		{ { 0x2f, 0x06, 0, 0, 0, 0, 0, 0, 3 }, 10, LUN(0), SCSI_DIR_WRITE, 512 },
		{ { 0x2f, 0x00, 0, 0, 0, 0, 0, 0, 3 }, 10, LUN(0), SCSI_DIR_WRITE, 0 },
		{ { 0xaf, 0x02, 0, 0, 0, 0, 0, 0, 0, 5 }, 12, LUN(0), SCSI_DIR_WRITE, 5 * 512 },
		{ { 0x8f, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 }, 16, LUN(0), SCSI_DIR_WRITE,
		  7 * 512 },
		/* WRITE SAME: one block, none with NDOB */
		{ { 0x41, 0, 0, 0, 0, 0, 0, 0, 9 }, 10, LUN(0), SCSI_DIR_WRITE, 512 },
		{ { 0x93, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 }, 16, LUN(0), SCSI_DIR_WRITE, 512 },
		{ { 0x93, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 }, 16, LUN(0), SCSI_DIR_WRITE, 0 },
		/* ORWRITE, COMPARE AND WRITE (twice the blocks) */
		{ { 0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 }, 16, LUN(0), SCSI_DIR_WRITE, 1024 },
		{ { 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 }, 16, LUN(0), SCSI_DIR_WRITE,
		  3072 },
		/* PRE-FETCH, RESERVE(6), RELEASE(6): nothing */
		{ { 0x34, 0, 0, 0, 0, 0, 0, 0, 8 }, 10, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8 }, 16, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x16 }, 6, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x17 }, 6, LUN(0), SCSI_DIR_NONE, 0 },
		/* PERSISTENT RESERVE IN/OUT, GET LBA STATUS, REPORT SUPPORTED
		 * OPERATION CODES */
		{ { 0x5e, 0x01, 0, 0, 0, 0, 0, 0x01, 0x00 }, 10, LUN(0), SCSI_DIR_READ, 256 },
		{ { 0x5f, 0x00, 0, 0, 0, 0, 0, 0, 24 }, 10, LUN(0), SCSI_DIR_WRITE, 24 },
		{ { 0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24 }, 16, LUN(0), SCSI_DIR_READ, 24 },
		{ { 0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0 }, 12, LUN(0), SCSI_DIR_READ, 4096 },
		{ { 0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0 }, 12, LUN(9), SCSI_DIR_NONE, 0 },
		{ { 0x00 }, 6, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x35 }, 10, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x91 }, 16, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x42, 0, 0, 0, 0, 0, 0, 0, 24 }, 10, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x28, 0, 0, 0, 0, 0, 0, 0, 8 }, 6, LUN(0), SCSI_DIR_NONE, 0 },
		{ { 0x28, 0, 0, 0, 0, 0, 0, 0, 8 }, 0, LUN(0), SCSI_DIR_NONE, 0 },
		/* a LUN that is not there moves nothing */
		{ { 0x28, 0, 0, 0, 0, 0, 0, 0, 8 }, 10, LUN(9), SCSI_DIR_NONE, 0 },
		{ { 0x2a, 0, 0, 0, 0, 0, 0, 0, 8 }, 10, LUN(9), SCSI_DIR_NONE, 0 },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct scsi_plan p = scsi_cmd_plan(dev, table[i].lun, table[i].cdb, table[i].len);
		if (p.dir != table[i].dir || p.length != table[i].bytes)
			fail_msg("plan %zu (opcode 0x%02x): dir %d length %u, want %d %u", i,
				 table[i].cdb[0], p.dir, p.length, table[i].dir, table[i].bytes);
	}
}

static void test_ram_fast_path(void **state)
{
	(void)state;
	fill(out, 2 * SCSI_BLOCK_SIZE, 4);
	write_blocks(LUN(0), 0x2a, RAM_BLOCKS - 2, 2, out, 2 * SCSI_BLOCK_SIZE);
	assert_good(0);
	const uint8_t *p = scsi_dev_ram(dev, LUN(0), RAM_BYTES - 2 * SCSI_BLOCK_SIZE,
					2 * SCSI_BLOCK_SIZE);
	assert_non_null(p);
	assert_memory_equal(p, out, 2 * SCSI_BLOCK_SIZE);
	assert_ptr_equal(scsi_dev_ram(dev, LUN(0), 0, 0) + RAM_BYTES - 2 * SCSI_BLOCK_SIZE, p);
	assert_non_null(scsi_dev_ram(dev, LUN(0), RAM_BYTES, 0));
	assert_null(scsi_dev_ram(dev, LUN(0), RAM_BYTES - 1, 2));
	assert_null(scsi_dev_ram(dev, LUN(0), RAM_BYTES + 1, 0));
	assert_null(scsi_dev_ram(dev, LUN(0), 1, UINT64_MAX));
	assert_null(scsi_dev_ram(dev, LUN(1), 0, 1));
	assert_non_null(scsi_dev_ram(dev, 0x4000000000000000ull, 0, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_add_luns),
		cmocka_unit_test(test_result_check),
#define DEV_TEST(t) cmocka_unit_test_setup_teardown(t, dev_setup, dev_teardown)
		DEV_TEST(test_file_size_rounds_down),
		DEV_TEST(test_lun_addressing),
		DEV_TEST(test_missing_lun),
		DEV_TEST(test_inquiry_standard),
		DEV_TEST(test_vpd_supported_pages),
		DEV_TEST(test_vpd_unit_serial),
		DEV_TEST(test_vpd_device_identification),
		DEV_TEST(test_vpd_block_pages),
		DEV_TEST(test_inquiry_errors),
		DEV_TEST(test_test_unit_ready),
		DEV_TEST(test_read_capacity),
		DEV_TEST(test_read_capacity_errors),
		DEV_TEST(test_capacity_beyond_32_bits),
		DEV_TEST(test_ram_round_trips),
		DEV_TEST(test_six_byte_zero_means_256),
		DEV_TEST(test_zero_length_transfers),
		DEV_TEST(test_lba_out_of_range),
		DEV_TEST(test_read_cut_to_expected_length),
		DEV_TEST(test_short_and_long_write),
		DEV_TEST(test_protect_fields_refused),
		DEV_TEST(test_file_round_trips),
		DEV_TEST(test_synchronize_cache),
		DEV_TEST(test_file_read_failure),
		DEV_TEST(test_file_write_failure),
		DEV_TEST(test_report_luns),
		DEV_TEST(test_report_luns_errors),
		DEV_TEST(test_mode_sense6),
		DEV_TEST(test_mode_sense10),
		DEV_TEST(test_mode_sense_file_caching),
		DEV_TEST(test_mode_sense_errors),
		DEV_TEST(test_request_sense),
		DEV_TEST(test_unknown_opcodes),
		DEV_TEST(test_report_opcodes_all),
		DEV_TEST(test_report_opcodes_timeouts),
		DEV_TEST(test_report_opcodes_one),
		DEV_TEST(test_verify_range),
		DEV_TEST(test_verify_compare),
		DEV_TEST(test_verify_file_lun),
		DEV_TEST(test_prefetch),
		DEV_TEST(test_get_lba_status),
		DEV_TEST(test_write_same),
		DEV_TEST(test_orwrite),
		DEV_TEST(test_compare_and_write),
		DEV_TEST(test_reserve6),
		DEV_TEST(test_reserve6_released_by_loss_and_reset),
		DEV_TEST(test_pr_register),
		DEV_TEST(test_pr_registrations_run_out),
		DEV_TEST(test_pr_parameter_errors),
		DEV_TEST(test_pr_report_capabilities),
		DEV_TEST(test_pr_access_by_type),
		DEV_TEST(test_pr_reserve_release),
		DEV_TEST(test_pr_clear_and_preempt),
		DEV_TEST(test_cmd_plan),
		DEV_TEST(test_ram_fast_path),
#undef DEV_TEST
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
