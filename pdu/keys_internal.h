/* keys_internal.h — what the pdu/keys_*.c files share with one another and
 * with nobody else: filling a struct pdu_error, quoting a key or value in a
 * message, looking a key name up by length, the reserved answer constants
 * and the byte classes of the text format. Not part of the API (keys.h);
 * only pdu/keys_*.c include it. */
#ifndef PDU_KEYS_INTERNAL_H
#define PDU_KEYS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "keys.h"

#if defined(__GNUC__) || defined(__clang__)
#define PDU_KV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PDU_KV_PRINTF(a, b)
#endif

/* keys_errors.c */

/* Fill *err (nothing when err is NULL); msg is fmt formatted. */
void pdu_kv_seterr(struct pdu_error *err, int code, const char *field,
		   size_t offset, const char *fmt, ...) PDU_KV_PRINTF(5, 6);

/* A key or value made fit for a message in out: at most PDU_KV_SHOW_MAX
 * bytes, non-printable bytes as '?', "..." when cut. Returns out. */
#define PDU_KV_SHOW_MAX 40
const char *pdu_kv_show(const char *s, size_t len,
			char out[PDU_KV_SHOW_MAX + 4]);

/* A value error of def's key: "RULE: Name=value: why (§section)". */
void pdu_kv_value_err(struct pdu_error *err, int code, const char *rule,
		      const struct pdu_key_def *def, const char *value,
		      size_t off, const char *why);

/* keys_table.c */

/* The row named exactly name[0..len), pattern rows aside, or NULL. */
const struct pdu_key_def *pdu_key_find_exact(const char *name, size_t len);
/* As pdu_key_find(), for a name that is not NUL-terminated. */
const struct pdu_key_def *pdu_key_find_len(const char *name, size_t len);

/* keys_values.c */

/* Reject, Irrelevant or NotUnderstood: answers only, never values. */
bool pdu_kv_is_answer_constant(const char *v);

/* Byte classes (ASCII only, whatever the locale). */
static inline bool pdu_kv_is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static inline bool pdu_kv_is_lower(int c) { return c >= 'a' && c <= 'z'; }
static inline bool pdu_kv_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool pdu_kv_is_alnum(int c)
{
	return pdu_kv_is_upper(c) || pdu_kv_is_lower(c) || pdu_kv_is_digit(c);
}

/* The value of a hex digit, or -1. */
static inline int pdu_kv_hexval(int c)
{
	if (pdu_kv_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Both strings there and equal. */
static inline bool pdu_kv_streq(const char *a, const char *b)
{
	return a && b && a[0] == b[0] && strcmp(a, b) == 0;
}

#endif
