/* keys_values.c — reading values (RFC 7143 §6.1, §6.2): numbers (decimal,
 * hex and, where the key writes them so, base64), binary values (hex- and
 * base64-constants), the reserved constants and membership of a
 * list-of-values. See keys.h. */
#include <string.h>

#include "keys_internal.h"

static int b64val(int c)
{
	if (pdu_kv_is_upper(c))
		return c - 'A';
	if (pdu_kv_is_lower(c))
		return c - 'a' + 26;
	if (pdu_kv_is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode the base64 text after "0b" (s points at it). */
static long decode_b64(const char *s, uint8_t *out, size_t cap,
		       struct pdu_error *err)
{
	size_t len = strlen(s), pad = 0, m, i;

	while (pad < len && s[len - 1 - pad] == '=')
		pad++;
	m = len - pad;
	if (m == 0) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2,
			      "base64-constant has no digits");
		return PDU_KV_E_BAD_VALUE;
	}
	if (pad > 2 || (pad && len % 4 != 0) || m % 4 == 1) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2 + m,
			      "base64-constant of %zu characters with %zu '=' "
			      "is not a whole number of bytes",
			      m, pad);
		return PDU_KV_E_BAD_VALUE;
	}
	size_t bytes = m / 4 * 3 + (m % 4 == 2 ? 1 : m % 4 == 3 ? 2 : 0);
	if (out && bytes > cap)
		return PDU_E_TOO_LONG;
	uint32_t acc = 0;
	size_t bits = 0, o = 0;
	for (i = 0; i < m; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value",
				      2 + i,
				      "byte 0x%02x at %zu is not a base64 "
				      "digit",
				      (unsigned)(unsigned char)s[i], 2 + i);
			return PDU_KV_E_BAD_VALUE;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out && o < bytes)
				out[o] = (uint8_t)(acc >> bits);
			o++;
			acc &= (1u << bits) - 1;
		}
	}
	return (long)bytes;
}

long pdu_kv_decode_binary(const char *s, uint8_t *out, size_t cap,
			  struct pdu_error *err)
{
	size_t n, i;

	if (!s || s[0] != '0' || !s[1] ||
	    !strchr("xXbB", s[1])) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			      "not a hex-constant (0x) or "
			      "base64-constant (0b)");
		return PDU_KV_E_BAD_VALUE;
	}
	if (s[1] == 'b' || s[1] == 'B')
		return decode_b64(s + 2, out, cap, err);
	n = strlen(s + 2);
	if (n == 0) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2,
			      "hex-constant has no digits");
		return PDU_KV_E_BAD_VALUE;
	}
	for (i = 0; i < n; i++) {
		if (pdu_kv_hexval((unsigned char)s[2 + i]) < 0) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value",
				      2 + i,
				      "byte 0x%02x at %zu is not a hex digit",
				      (unsigned)(unsigned char)s[2 + i], 2 + i);
			return PDU_KV_E_BAD_VALUE;
		}
	}
	size_t bytes = (n + 1) / 2;
	if (out) {
		if (bytes > cap)
			return PDU_E_TOO_LONG;
		/* An odd digit count puts a lone nibble in the first byte. */
		size_t d = 0, o = 0;
		if (n % 2) {
			out[o++] = (uint8_t)pdu_kv_hexval((unsigned char)s[2]);
			d = 1;
		}
		for (; d < n; d += 2) {
			int hi = pdu_kv_hexval((unsigned char)s[2 + d]);
			int lo = pdu_kv_hexval((unsigned char)s[3 + d]);
			out[o++] = (uint8_t)(hi << 4 | lo);
		}
	}
	return (long)bytes;
}

int pdu_kv_parse_number(const char *s, bool binary, uint64_t *out,
			struct pdu_error *err)
{
	uint64_t v = 0;
	size_t i;

	if (!s || !*s) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			      "empty where a number is due");
		return PDU_KV_E_BAD_VALUE;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		unsigned sig = 0;
		if (!s[2]) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 2,
				      "hex-constant has no digits");
			return PDU_KV_E_BAD_VALUE;
		}
		for (i = 2; s[i]; i++) {
			int d = pdu_kv_hexval((unsigned char)s[i]);
			if (d < 0) {
				pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE,
					      "kv.value", i,
					      "byte 0x%02x at %zu is not a "
					      "hex digit",
					      (unsigned)(unsigned char)s[i], i);
				return PDU_KV_E_BAD_VALUE;
			}
			if (sig == 0 && d == 0)
				continue;
			if (sig == 16) {
				pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE,
					      "kv.value", i,
					      "hex-constant is 2^64 or more");
				return PDU_KV_E_BAD_VALUE;
			}
			v = v << 4 | (uint64_t)d;
			sig++;
		}
		*out = v;
		return PDU_OK;
	}
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		uint8_t bytes[96];
		if (!binary) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
				      "a base64-constant is not a "
				      "numerical-value");
			return PDU_KV_E_BAD_VALUE;
		}
		long n = pdu_kv_decode_binary(s, bytes, sizeof(bytes), err);
		if (n == PDU_E_TOO_LONG) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
				      "base64-constant is 2^64 or more");
			return PDU_KV_E_BAD_VALUE;
		}
		if (n < 0)
			return (int)n;
		for (i = 0; i < (size_t)n; i++) {
			if (v >> 56) {
				pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE,
					      "kv.value", 0,
					      "base64-constant is 2^64 "
					      "or more");
				return PDU_KV_E_BAD_VALUE;
			}
			v = v << 8 | bytes[i];
		}
		*out = v;
		return PDU_OK;
	}
	if (!pdu_kv_is_digit((unsigned char)s[0])) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			      "not a number (decimal or 0x hex)");
		return PDU_KV_E_BAD_VALUE;
	}
	if (s[0] == '0' && s[1]) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			      "decimal-constant with a leading zero");
		return PDU_KV_E_BAD_VALUE;
	}
	for (i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];
		if (!pdu_kv_is_digit(c)) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", i,
				      "byte 0x%02x at %zu is not a decimal "
				      "digit",
				      (unsigned)c, i);
			return PDU_KV_E_BAD_VALUE;
		}
		unsigned d = (unsigned)(c - '0');
		if (v > (UINT64_MAX - d) / 10) {
			pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", i,
				      "decimal-constant is 2^64 or more");
			return PDU_KV_E_BAD_VALUE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return PDU_OK;
}

/* Reject, Irrelevant or NotUnderstood: answers only, never values. */
bool pdu_kv_is_answer_constant(const char *v)
{
	return pdu_kv_streq(v, "Reject") || pdu_kv_streq(v, "Irrelevant") ||
	       pdu_kv_streq(v, "NotUnderstood");
}

bool pdu_kv_is_reserved(const char *value)
{
	return pdu_kv_streq(value, "None") || pdu_kv_is_answer_constant(value);
}

bool pdu_kv_list_has(const char *list, const char *item)
{
	size_t il, start = 0, i;

	if (!list || !item)
		return false;
	il = strlen(item);
	for (i = 0;; i++) {
		if (list[i] == ',' || list[i] == '\0') {
			if (i - start == il && memcmp(list + start, item, il) == 0)
				return true;
			if (list[i] == '\0')
				return false;
			start = i + 1;
		}
	}
}
