/* keys_encode.c — writing key=value data: appending pairs to a buffer,
 * splitting a long text into PDU-sized chunks (RFC 7143 §6.1), and writing
 * binary values as hex-constants (0x) or base64-constants (0b). See
 * keys.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

long pdu_kv_append(uint8_t *buf, size_t used, size_t cap, const char *key,
		   const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);

	if (used > cap || kl + vl + 2 > cap - used)
		return PDU_E_TOO_LONG;
	memcpy(buf + used, key, kl);
	buf[used + kl] = '=';
	memcpy(buf + used + kl + 1, value, vl);
	buf[used + kl + 1 + vl] = 0;
	return (long)(used + kl + vl + 2);
}

long pdu_kv_append_num(uint8_t *buf, size_t used, size_t cap, const char *key,
		       uint64_t value)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, value);
	return pdu_kv_append(buf, used, cap, key, num);
}

size_t pdu_kv_split(const uint8_t *data, size_t len, size_t max_chunk,
		    bool whole_pairs, struct pdu_kv_chunk *out, size_t n_out)
{
	size_t n = 0, pos = 0;

	if (max_chunk == 0)
		return 0;
	do {
		size_t take = len - pos;
		if (take > max_chunk) {
			take = max_chunk;
			if (whole_pairs && data) {
				size_t i;
				for (i = max_chunk; i > 0; i--) {
					if (data[pos + i - 1] == 0) {
						take = i;
						break;
					}
				}
			}
		}
		if (n < n_out) {
			out[n].offset = pos;
			out[n].len = take;
			out[n].more = pos + take < len;
		}
		n++;
		pos += take;
	} while (pos < len);
	return n;
}

long pdu_kv_encode_hex(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (n > (SIZE_MAX - 3) / 2 || cap < 2 * n + 3)
		return PDU_E_TOO_LONG;
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < n; i++) {
		out[2 + 2 * i] = digits[in[i] >> 4];
		out[3 + 2 * i] = digits[in[i] & 15];
	}
	out[2 + 2 * n] = '\0';
	return (long)(2 + 2 * n);
}

long pdu_kv_encode_base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t groups = (n + 2) / 3, i, o = 2;

	if (groups > (SIZE_MAX - 3) / 4 || cap < 4 * groups + 3)
		return PDU_E_TOO_LONG;
	out[0] = '0';
	out[1] = 'b';
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		out[o++] = digits[(v >> 18) & 63];
		out[o++] = digits[(v >> 12) & 63];
		out[o++] = left > 1 ? digits[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? digits[v & 63] : '=';
	}
	out[o] = '\0';
	return (long)o;
}
