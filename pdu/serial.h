/* serial.h — RFC 1982 serial-number arithmetic on 32 bits, as RFC 7143
 * §4.2.2.1 requires for CmdSN, ExpCmdSN, MaxCmdSN, StatSN, ExpStatSN,
 * DataSN and R2TSN: a < b iff 0 < (b - a) mod 2^32 < 2^31. Two numbers
 * exactly 2^31 apart are incomparable: neither lt nor gt holds. */
#ifndef PDU_SERIAL_H
#define PDU_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

static inline bool serial_lt(uint32_t a, uint32_t b)
{
	uint32_t d = b - a;
	return d != 0 && d < 0x80000000u;
}

static inline bool serial_gt(uint32_t a, uint32_t b) { return serial_lt(b, a); }
static inline bool serial_le(uint32_t a, uint32_t b) { return a == b || serial_lt(a, b); }
static inline bool serial_ge(uint32_t a, uint32_t b) { return a == b || serial_gt(a, b); }

/* lo <= x <= hi, serially: the CmdSN window test of SEQ-002/SEQ-004. An
 * empty window (hi == lo - 1, RFC 7143 §4.2.2.1) contains nothing. */
static inline bool serial_in_window(uint32_t x, uint32_t lo, uint32_t hi)
{
	return serial_le(lo, x) && serial_le(x, hi) && serial_le(lo, hi);
}

/* b - a as a signed distance; exactly 2^31 apart gives INT32_MIN. */
static inline int32_t serial_diff(uint32_t a, uint32_t b)
{
	uint32_t d = b - a;
	if (d < 0x80000000u)
		return (int32_t)d;
	if (d == 0x80000000u)
		return INT32_MIN;
	return -(int32_t)(0u - d);
}

#endif
