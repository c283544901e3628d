/* digest.c — CRC32C header and data digests (RFC 7143 §13.1) through
 * ISA-L's crc32_iscsi, and their byte order on the wire. */
#include <isa-l/crc.h>
#include <limits.h>

#include "pdu.h"

uint32_t pdu_crc32c_extend(uint32_t crc, const void *buf, size_t len)
{
	/* ISA-L takes and returns the CRC register un-inverted; iSCSI's CRC32C
	 * starts from all ones and inverts the result (RFC 3720 B.4). */
	uint32_t reg = ~crc;
	const unsigned char *p = buf;
	while (len > 0) {
		int chunk = len > (size_t)INT_MAX ? INT_MAX : (int)len;
		reg = crc32_iscsi((unsigned char *)p, chunk, reg);
		p += chunk;
		len -= (size_t)chunk;
	}
	return ~reg;
}

uint32_t pdu_crc32c(const void *buf, size_t len)
{
	return pdu_crc32c_extend(0, buf, len);
}

void pdu_put_digest(uint8_t out[4], uint32_t crc)
{
	out[0] = (uint8_t)crc;
	out[1] = (uint8_t)(crc >> 8);
	out[2] = (uint8_t)(crc >> 16);
	out[3] = (uint8_t)(crc >> 24);
}

uint32_t pdu_get_digest(const uint8_t in[4])
{
	return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
	       (uint32_t)in[3] << 24;
}
