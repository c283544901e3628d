/* keys_errors.c — how the key=value code says what went wrong: filling a
 * struct pdu_error and quoting a key or value in its message (helpers the
 * other pdu/keys_*.c files share through keys_internal.h), the catalogue ID
 * an error code stands for (pdu_kv_rule) and its short description
 * (pdu_kv_strerror). See keys.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "keys_internal.h"

void pdu_kv_seterr(struct pdu_error *err, int code, const char *field,
		   size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	err->field = field;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* A key or value made fit for a message: at most 40 bytes, non-printable
 * bytes as '?', "..." when cut. */
const char *pdu_kv_show(const char *s, size_t len,
			char out[PDU_KV_SHOW_MAX + 4])
{
	size_t n = len > PDU_KV_SHOW_MAX ? PDU_KV_SHOW_MAX : len;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > PDU_KV_SHOW_MAX) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* Every message of a value error starts with the rule, then the key. */
void pdu_kv_value_err(struct pdu_error *err, int code, const char *rule,
		      const struct pdu_key_def *def, const char *value,
		      size_t off, const char *why)
{
	char sh[PDU_KV_SHOW_MAX + 4];

	pdu_kv_seterr(err, code, "kv.value", off, "%s%s%s=%s: %s (§%s)",
		      rule ? rule : "", rule ? ": " : "", def->name,
		      pdu_kv_show(value, strlen(value), sh), why, def->section);
}

const char *pdu_kv_rule(int code)
{
	switch (code) {
	case PDU_KV_E_NO_EQUALS:
	case PDU_KV_E_EMPTY_KEY:
	case PDU_KV_E_KEY_TOO_LONG:
	case PDU_KV_E_KEY_CHAR:
	case PDU_KV_E_VALUE_TOO_LONG:
	case PDU_KV_E_NO_FINAL_NUL:
	case PDU_KV_E_EMPTY_PAIR:
		return "LOGIN-017";
	case PDU_KV_E_DUPLICATE:
		return "LOGIN-024";
	case PDU_KV_E_RESERVED:
		return "LOGIN-019";
	case PDU_KV_E_LEADING_ONLY:
		return "LOGIN-026";
	default:
		return NULL;
	}
}

const char *pdu_kv_strerror(int code)
{
	switch (code) {
	case PDU_OK: return "ok";
	case PDU_E_TRUNCATED: return "truncated";
	case PDU_E_TOO_LONG: return "output buffer too small";
	case PDU_E_HEADER_DIGEST: return "header digest mismatch";
	case PDU_E_DATA_DIGEST: return "data digest mismatch";
	case PDU_E_BAD_OPCODE: return "bad opcode";
	case PDU_E_AHS: return "bad AHS";
	case PDU_E_INVALID: return "invalid argument";
	case PDU_KV_E_NO_EQUALS: return "key=value pair without '='";
	case PDU_KV_E_EMPTY_KEY: return "empty key name";
	case PDU_KV_E_KEY_TOO_LONG: return "key name longer than 63 bytes";
	case PDU_KV_E_KEY_CHAR: return "key name not a standard-label";
	case PDU_KV_E_VALUE_TOO_LONG: return "value too long";
	case PDU_KV_E_NO_FINAL_NUL: return "sequence ends inside a pair";
	case PDU_KV_E_EMPTY_PAIR: return "0x00 without a pair";
	case PDU_KV_E_SEQ_LIMIT: return "sequence longer than the parser takes";
	case PDU_KV_E_DUPLICATE: return "key sent twice";
	case PDU_KV_E_BAD_VALUE: return "value not admissible for the key";
	case PDU_KV_E_RESERVED: return "reserved constant misused";
	case PDU_KV_E_NOMEM: return "out of memory";
	case PDU_KV_E_STATE: return "data after the final chunk";
	case PDU_KV_E_LEADING_ONLY: return "leading-only key on another connection";
	case PDU_KV_E_WRONG_SENDER: return "key not sent by this side";
	case PDU_KV_E_WRONG_STAGE: return "key not allowed in this stage";
	default: return "unknown error";
	}
}
