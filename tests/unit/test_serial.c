/* test_serial.c — RFC 1982 serial-number arithmetic of pdu/serial.h on 32
 * bits: order across the wrap, the incomparable pair 2^31 apart, windows
 * that wrap and the empty window, and the signed distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pdu/serial.h"

static void test_equal_is_neither_lt_nor_gt(void **state)
{
	(void)state;
	const uint32_t values[] = { 0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		uint32_t v = values[i];
		assert_false(serial_lt(v, v));
		assert_false(serial_gt(v, v));
		assert_true(serial_le(v, v));
		assert_true(serial_ge(v, v));
		assert_int_equal(serial_diff(v, v), 0);
	}
}

static void test_plain_order(void **state)
{
	(void)state;
	assert_true(serial_lt(1, 2));
	assert_true(serial_gt(2, 1));
	assert_true(serial_le(1, 2));
	assert_false(serial_ge(1, 2));
	assert_true(serial_lt(100, 0x7fffffffu));
}

static void test_wrap_around_zero(void **state)
{
	(void)state;
	assert_true(serial_lt(0xffffffffu, 0));
	assert_true(serial_gt(0, 0xffffffffu));
	assert_false(serial_lt(0, 0xffffffffu));
	assert_true(serial_lt(0xfffffff0u, 0x10));
	assert_int_equal(serial_diff(0xffffffffu, 0), 1);
	assert_int_equal(serial_diff(0, 0xffffffffu), -1);
	assert_int_equal(serial_diff(0xfffffff0u, 0x10), 0x20);
}

static void test_across_the_half_way_mark(void **state)
{
	(void)state;
	assert_true(serial_lt(0x7fffffffu, 0x80000000u));
	assert_true(serial_gt(0x80000000u, 0x7fffffffu));
	assert_int_equal(serial_diff(0x7fffffffu, 0x80000000u), 1);
	/* 2^31 - 1 apart is still comparable, both ways round. */
	assert_true(serial_lt(0, 0x7fffffffu));
	assert_true(serial_lt(0x80000000u, 0xffffffffu));
	assert_true(serial_lt(0xffffffffu, 0x7ffffffeu));
	assert_int_equal(serial_diff(0, 0x7fffffffu), INT32_MAX);
	assert_int_equal(serial_diff(0x7fffffffu, 0), -INT32_MAX);
}

static void test_exactly_half_apart_is_incomparable(void **state)
{
	(void)state;
	const uint32_t pairs[][2] = {
		{ 0, 0x80000000u },
		{ 0x80000000u, 0 },
		{ 1, 0x80000001u },
		{ 0x7fffffffu, 0xffffffffu },
		{ 0xffffffffu, 0x7fffffffu },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		uint32_t a = pairs[i][0], b = pairs[i][1];
		assert_false(serial_lt(a, b));
		assert_false(serial_gt(a, b));
		assert_false(serial_le(a, b));
		assert_false(serial_ge(a, b));
		assert_int_equal(serial_diff(a, b), INT32_MIN);
	}
}

static void test_window_plain(void **state)
{
	(void)state;
	assert_true(serial_in_window(5, 5, 10));
	assert_true(serial_in_window(7, 5, 10));
	assert_true(serial_in_window(10, 5, 10));
	assert_false(serial_in_window(4, 5, 10));
	assert_false(serial_in_window(11, 5, 10));
	assert_true(serial_in_window(5, 5, 5));
	assert_false(serial_in_window(6, 5, 5));
}

static void test_window_that_wraps(void **state)
{
	(void)state;
	uint32_t lo = 0xfffffffeu, hi = 2;
	assert_true(serial_in_window(0xfffffffeu, lo, hi));
	assert_true(serial_in_window(0xffffffffu, lo, hi));
	assert_true(serial_in_window(0, lo, hi));
	assert_true(serial_in_window(2, lo, hi));
	assert_false(serial_in_window(3, lo, hi));
	assert_false(serial_in_window(0xfffffffdu, lo, hi));
}

/* RFC 7143 §4.2.2.1: MaxCmdSN = ExpCmdSN - 1 means the window is empty. */
static void test_empty_window(void **state)
{
	(void)state;
	const uint32_t los[] = { 0, 1, 100, 0x80000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof los / sizeof los[0]; i++) {
		uint32_t lo = los[i], hi = lo - 1;
		assert_false(serial_in_window(lo, lo, hi));
		assert_false(serial_in_window(hi, lo, hi));
		assert_false(serial_in_window(lo + 1, lo, hi));
		assert_false(serial_in_window(lo + 0x40000000u, lo, hi));
	}
}

static void test_diff_signs(void **state)
{
	(void)state;
	assert_int_equal(serial_diff(10, 20), 10);
	assert_int_equal(serial_diff(20, 10), -10);
	assert_int_equal(serial_diff(0x80000000u, 0x7fffffffu), -1);
	assert_int_equal(serial_diff(1, 0x80000000u), INT32_MAX);
	assert_int_equal(serial_diff(0x80000001u, 0), INT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_is_neither_lt_nor_gt),
		cmocka_unit_test(test_plain_order),
		cmocka_unit_test(test_wrap_around_zero),
		cmocka_unit_test(test_across_the_half_way_mark),
		cmocka_unit_test(test_exactly_half_apart_is_incomparable),
		cmocka_unit_test(test_window_plain),
		cmocka_unit_test(test_window_that_wraps),
		cmocka_unit_test(test_empty_window),
		cmocka_unit_test(test_diff_signs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
