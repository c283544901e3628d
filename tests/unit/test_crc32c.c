/* test_crc32c.c — the CRC32C of iSCSI digests (pdu/digest.c) against the
 * RFC 3720 Appendix B.4 examples, its byte order on the wire, and
 * pdu_crc32c_extend() split at every offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pdu/pdu.h"

/* The CRC bytes of a B.4 example as they travel, first byte first. */
static void assert_wire_crc(const uint8_t *buf, size_t len,
			    const uint8_t expected[4])
{
	uint8_t wire[4];
	pdu_put_digest(wire, pdu_crc32c(buf, len));
	assert_memory_equal(wire, expected, 4);
	assert_int_equal(pdu_get_digest(wire), pdu_crc32c(buf, len));
}

static void test_32_zero_bytes(void **state)
{
	(void)state;
	uint8_t buf[32];
	memset(buf, 0x00, sizeof buf);
	assert_wire_crc(buf, sizeof buf, (const uint8_t[]){ 0xaa, 0x36, 0x91, 0x8a });
	assert_int_equal(pdu_crc32c(buf, sizeof buf), 0x8a9136aa);
}

static void test_32_ff_bytes(void **state)
{
	(void)state;
	uint8_t buf[32];
	memset(buf, 0xff, sizeof buf);
	assert_wire_crc(buf, sizeof buf, (const uint8_t[]){ 0x43, 0xab, 0xa8, 0x62 });
}

static void test_32_incrementing_bytes(void **state)
{
	(void)state;
	uint8_t buf[32];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)i;
	assert_wire_crc(buf, sizeof buf, (const uint8_t[]){ 0x4e, 0x79, 0xdd, 0x46 });
}

static void test_32_decrementing_bytes(void **state)
{
	(void)state;
	uint8_t buf[32];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(0x1f - i);
	assert_wire_crc(buf, sizeof buf, (const uint8_t[]){ 0x5c, 0xdb, 0x3f, 0x11 });
}

/* B.4's "iSCSI - SCSI Read (10) Command PDU": byte 40 is 0x02, the
 * READ(10) transfer length (2 blocks for the EDTL of 0x400). */
static const uint8_t read10_pdu[48] = {
	0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
	0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_read10_command_pdu(void **state)
{
	(void)state;
	assert_wire_crc(read10_pdu, sizeof read10_pdu,
			(const uint8_t[]){ 0x56, 0x3a, 0x96, 0xd9 });
}

static void test_empty_buffer_is_zero(void **state)
{
	(void)state;
	assert_int_equal(pdu_crc32c(NULL, 0), 0);
	assert_int_equal(pdu_crc32c_extend(0x12345678, NULL, 0), 0x12345678);
}

static void test_extend_at_every_split(void **state)
{
	(void)state;
	uint8_t buf[300];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	uint32_t whole = pdu_crc32c(buf, sizeof buf);
	for (size_t split = 0; split <= sizeof buf; split++) {
		uint32_t crc = pdu_crc32c(buf, split);
		crc = pdu_crc32c_extend(crc, buf + split, sizeof buf - split);
		assert_int_equal(crc, whole);
	}
}

static void test_extend_in_three_parts(void **state)
{
	(void)state;
	uint32_t whole = pdu_crc32c(read10_pdu, sizeof read10_pdu);
	for (size_t a = 0; a <= sizeof read10_pdu; a++) {
		for (size_t b = a; b <= sizeof read10_pdu; b++) {
			uint32_t crc = pdu_crc32c(read10_pdu, a);
			crc = pdu_crc32c_extend(crc, read10_pdu + a, b - a);
			crc = pdu_crc32c_extend(crc, read10_pdu + b,
						sizeof read10_pdu - b);
			assert_int_equal(crc, whole);
		}
	}
}

/* A receiver running the CRC over data and its digest sees a constant. */
static void test_digest_byte_order_round_trip(void **state)
{
	(void)state;
	uint8_t wire[4];
	pdu_put_digest(wire, 0x11223344u);
	assert_int_equal(wire[0], 0x44);
	assert_int_equal(wire[1], 0x33);
	assert_int_equal(wire[2], 0x22);
	assert_int_equal(wire[3], 0x11);
	assert_int_equal(pdu_get_digest(wire), 0x11223344u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_32_zero_bytes),
		cmocka_unit_test(test_32_ff_bytes),
		cmocka_unit_test(test_32_incrementing_bytes),
		cmocka_unit_test(test_32_decrementing_bytes),
		cmocka_unit_test(test_read10_command_pdu),
		cmocka_unit_test(test_empty_buffer_is_zero),
		cmocka_unit_test(test_extend_at_every_split),
		cmocka_unit_test(test_extend_in_three_parts),
		cmocka_unit_test(test_digest_byte_order_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
