/* keys_check.c — whether a key is used as its table row allows: a value
 * held to the key's syntax, range and length and to the reserved constants
 * (pdu_key_check_value), a key irrelevant in the session
 * (pdu_key_irrelevant), and a key sent by the wrong side, in the wrong
 * stage or off the leading connection (pdu_key_check_use). See keys.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keys_internal.h"

static int check_number(const struct pdu_key_def *def, const char *s,
			uint64_t *v, struct pdu_error *err)
{
	struct pdu_error e;
	char why[96];

	if (pdu_kv_parse_number(s, (def->flags & PDU_KEY_F_BINARY_NUM) != 0, v,
				&e) != PDU_OK) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, s,
				 e.offset, e.msg);
		return PDU_KV_E_BAD_VALUE;
	}
	if (*v < def->min || *v > def->max) {
		snprintf(why, sizeof(why), "%" PRIu64 " is outside %" PRIu64
			 "..%" PRIu64, *v, def->min, def->max);
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, s, 0,
				 why);
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

static int check_list(const struct pdu_key_def *def, const char *value,
		      struct pdu_error *err)
{
	size_t len = strlen(value), start = 0, i;
	char item[PDU_KV_MAX_SIMPLE_VALUE + 1];
	char why[96];

	if (len == 0) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "empty list-of-values");
		return PDU_KV_E_BAD_VALUE;
	}
	if ((def->flags & PDU_KEY_F_WHOLE_LEN) && len > def->max_len) {
		snprintf(why, sizeof(why), "%zu bytes, more than %zu", len,
			 def->max_len);
		pdu_kv_value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def,
				 value, def->max_len, why);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && value[i] != ',')
			continue;
		size_t il = i - start;
		if (il == 0) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					 def, value, start,
					 "empty item in the list");
			return PDU_KV_E_BAD_VALUE;
		}
		if (!(def->flags & PDU_KEY_F_WHOLE_LEN) && il > def->max_len) {
			snprintf(why, sizeof(why),
				 "item at %zu is %zu bytes, more than %zu",
				 start, il, def->max_len);
			pdu_kv_value_err(err, PDU_KV_E_VALUE_TOO_LONG,
					 "LOGIN-017", def, value,
					 start + def->max_len, why);
			return PDU_KV_E_VALUE_TOO_LONG;
		}
		if (il < sizeof(item)) {
			memcpy(item, value + start, il);
			item[il] = '\0';
			if (pdu_kv_is_answer_constant(item)) {
				pdu_kv_value_err(err, PDU_KV_E_RESERVED,
						 "LOGIN-019", def, value, start,
						 "Reject, Irrelevant and "
						 "NotUnderstood are answers, "
						 "not list items (§6.2)");
				return PDU_KV_E_RESERVED;
			}
			uint64_t v;
			if ((def->flags & PDU_KEY_F_NUM_ITEMS) &&
			    check_number(def, item, &v, err) != PDU_OK) {
				if (err)
					err->offset += start;
				return PDU_KV_E_BAD_VALUE;
			}
		}
		start = i + 1;
	}
	return PDU_OK;
}

static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n, i;
		uint32_t cp;
		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

static int check_name(const struct pdu_key_def *def, const char *value,
		      struct pdu_error *err)
{
	size_t len = strlen(value), i;
	char why[96];

	if (len == 0) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "empty iSCSI name");
		return PDU_KV_E_BAD_VALUE;
	}
	if (len > PDU_KV_ISCSI_NAME_MAX) {
		snprintf(why, sizeof(why),
			 "iSCSI name of %zu bytes, more than %d (§4.2.7.1)",
			 len, PDU_KV_ISCSI_NAME_MAX);
		pdu_kv_value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def,
				 value, PDU_KV_ISCSI_NAME_MAX, why);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	if (strncmp(value, "iqn.", 4) != 0 && strncmp(value, "eui.", 4) != 0 &&
	    strncmp(value, "naa.", 4) != 0) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "an iSCSI name starts with iqn., eui. "
				 "or naa.");
		return PDU_KV_E_BAD_VALUE;
	}
	bool ascii = true;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)value[i];
		if (c >= 0x80) {
			ascii = false;
			continue;
		}
		if (pdu_kv_is_alnum(c) || c == '-' || c == '.' || c == ':')
			continue;
		snprintf(why, sizeof(why),
			 "byte 0x%02x at %zu is not allowed in an iSCSI name",
			 (unsigned)c, i);
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 i, why);
		return PDU_KV_E_BAD_VALUE;
	}
	/* ASCII alone is valid UTF-8 */
	if (!ascii && !valid_utf8((const unsigned char *)value)) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "not valid UTF-8");
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

/* A decimal or hex number of at most 65535 in s[0..len). */
static bool short_number(const char *s, size_t len)
{
	char tmp[24];
	uint64_t v;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return pdu_kv_parse_number(tmp, false, &v, NULL) == PDU_OK &&
	       v <= 65535;
}

/* domainname[:port][,portal-group-tag]; an IPv6 literal in brackets. */
static int check_address(const struct pdu_key_def *def, const char *value,
			 struct pdu_error *err)
{
	const char *p = value, *host_end;
	size_t i;

	if (!*value) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "empty address");
		return PDU_KV_E_BAD_VALUE;
	}
	if (strlen(value) > def->max_len) {
		pdu_kv_value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def,
				 value, def->max_len, "longer than 255 bytes");
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	if (*p == '[') {
		host_end = strchr(p, ']');
		if (!host_end || host_end == p + 1) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					 def, value, 0,
					 "unterminated or empty [IPv6]");
			return PDU_KV_E_BAD_VALUE;
		}
		for (i = 1; p + i < host_end; i++) {
			int c = (unsigned char)p[i];
			if (pdu_kv_hexval(c) < 0 && c != ':' && c != '.' &&
			    c != '%' && !pdu_kv_is_alnum(c)) {
				pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE,
						 def->rule, def, value, i,
						 "bad byte in the "
						 "IPv6 literal");
				return PDU_KV_E_BAD_VALUE;
			}
		}
		p = host_end + 1;
	} else {
		for (i = 0; p[i] && p[i] != ':' && p[i] != ','; i++) {
			int c = (unsigned char)p[i];
			if (!pdu_kv_is_alnum(c) && c != '.' && c != '-' &&
			    c != '_') {
				pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE,
						 def->rule, def, value, i,
						 "bad byte in the domain "
						 "name or address");
				return PDU_KV_E_BAD_VALUE;
			}
		}
		if (i == 0) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					 def, value, 0,
					 "no domain name or address");
			return PDU_KV_E_BAD_VALUE;
		}
		p += i;
	}
	if (*p == ':') {
		const char *q = p + 1;
		size_t n = strcspn(q, ",");
		if (!short_number(q, n)) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					 def, value, (size_t)(q - value),
					 "port is not a number up to 65535");
			return PDU_KV_E_BAD_VALUE;
		}
		p = q + n;
	}
	if (*p == ',') {
		const char *q = p + 1;
		if (!short_number(q, strlen(q))) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					 def, value, (size_t)(q - value),
					 "portal group tag is not a number "
					 "up to 65535");
			return PDU_KV_E_BAD_VALUE;
		}
		p = q + strlen(q);
	}
	if (*p) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 (size_t)(p - value), "junk after the address");
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

static int check_binary(const struct pdu_key_def *def, const char *value,
			struct pdu_error *err)
{
	struct pdu_error e;
	char why[96];

	if (strlen(value) > def->max_len) {
		snprintf(why, sizeof(why), "%zu characters, more than %zu",
			 strlen(value), def->max_len);
		pdu_kv_value_err(err, PDU_KV_E_VALUE_TOO_LONG, "LOGIN-017", def,
				 value, def->max_len, why);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	long n = pdu_kv_decode_binary(value, NULL, 0, &e);
	if (n < 0) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 e.offset, e.msg);
		return PDU_KV_E_BAD_VALUE;
	}
	if (n == 0 || (uint64_t)n > def->max) {
		snprintf(why, sizeof(why), "binary value of %ld bytes, not "
			 "1..%" PRIu64, n, def->max);
		pdu_kv_value_err(err, n == 0 ? PDU_KV_E_BAD_VALUE
					    : PDU_KV_E_VALUE_TOO_LONG,
				 n == 0 ? def->rule : "LOGIN-017", def, value,
				 0, why);
		return n == 0 ? PDU_KV_E_BAD_VALUE : PDU_KV_E_VALUE_TOO_LONG;
	}
	return PDU_OK;
}

static int check_range(const struct pdu_key_def *def, const char *value,
		       struct pdu_error *err)
{
	const char *tilde = strchr(value, '~');
	uint64_t a, b;
	char lo[24];

	if (!tilde)
		return check_number(def, value, &a, err);
	size_t n = (size_t)(tilde - value);
	if (n == 0 || n >= sizeof(lo)) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "not a numeric-range a~b");
		return PDU_KV_E_BAD_VALUE;
	}
	memcpy(lo, value, n);
	lo[n] = '\0';
	if (check_number(def, lo, &a, err) != PDU_OK ||
	    check_number(def, tilde + 1, &b, err) != PDU_OK)
		return PDU_KV_E_BAD_VALUE;
	if (b < a) {
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 n, "the right end of the range is below "
				 "the left");
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}

int pdu_key_check_value(const struct pdu_key_def *def, const char *value,
			struct pdu_error *err)
{
	char why[96];
	uint64_t v;
	size_t i;

	if (!def)
		return PDU_OK;
	if (!value) {
		pdu_kv_seterr(err, PDU_E_INVALID, "kv.value", 0, "no value");
		return PDU_E_INVALID;
	}
	if (def->syntax == PDU_KEY_SYN_ANY)
		return PDU_OK;
	if (pdu_kv_is_answer_constant(value)) {
		pdu_kv_value_err(err, PDU_KV_E_RESERVED, "LOGIN-019", def,
				 value, 0,
				 "a reserved answer, never an offered or "
				 "declared value (§6.2)");
		return PDU_KV_E_RESERVED;
	}
	if (pdu_kv_streq(value, "None") &&
	    (def->syntax == PDU_KEY_SYN_NUMBER || def->syntax == PDU_KEY_SYN_BOOL ||
	     def->syntax == PDU_KEY_SYN_ENUM || def->syntax == PDU_KEY_SYN_RANGE ||
	     def->syntax == PDU_KEY_SYN_BINARY ||
	     def->syntax == PDU_KEY_SYN_ADDRESS)) {
		pdu_kv_value_err(err, PDU_KV_E_RESERVED, "LOGIN-019", def,
				 value, 0,
				 "None is a list item, not a value of this "
				 "key (§6.2)");
		return PDU_KV_E_RESERVED;
	}
	switch (def->syntax) {
	case PDU_KEY_SYN_LIST:
		return check_list(def, value, err);
	case PDU_KEY_SYN_NUMBER:
		return check_number(def, value, &v, err);
	case PDU_KEY_SYN_BOOL:
		if (pdu_kv_streq(value, "Yes") || pdu_kv_streq(value, "No"))
			return PDU_OK;
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "a boolean-value is Yes or No");
		return PDU_KV_E_BAD_VALUE;
	case PDU_KEY_SYN_ENUM:
		for (i = 0; def->values[i]; i++)
			if (pdu_kv_streq(value, def->values[i]))
				return PDU_OK;
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "not one of the key's values");
		return PDU_KV_E_BAD_VALUE;
	case PDU_KEY_SYN_TEXT:
	case PDU_KEY_SYN_LOCAL_NAME:
		if (strlen(value) > def->max_len) {
			snprintf(why, sizeof(why), "%zu bytes, more than %zu",
				 strlen(value), def->max_len);
			pdu_kv_value_err(err, PDU_KV_E_VALUE_TOO_LONG,
					 "LOGIN-017", def, value, def->max_len,
					 why);
			return PDU_KV_E_VALUE_TOO_LONG;
		}
		if (def->syntax == PDU_KEY_SYN_LOCAL_NAME &&
		    !valid_utf8((const unsigned char *)value)) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule,
					 def, value, 0, "not valid UTF-8");
			return PDU_KV_E_BAD_VALUE;
		}
		return PDU_OK;
	case PDU_KEY_SYN_NAME:
		return check_name(def, value, err);
	case PDU_KEY_SYN_ADDRESS:
		return check_address(def, value, err);
	case PDU_KEY_SYN_SENDTARGETS:
		if (!*value || pdu_kv_streq(value, "All"))
			return PDU_OK;
		return check_name(def, value, err);
	case PDU_KEY_SYN_BINARY:
		return check_binary(def, value, err);
	case PDU_KEY_SYN_RANGE:
		return check_range(def, value, err);
	case PDU_KEY_SYN_ANY:
		break;
	}
	return PDU_OK;
}

bool pdu_key_irrelevant(const struct pdu_key_def *def,
			const struct pdu_key_ctx *ctx)
{
	if (!def || !ctx)
		return false;
	return ((def->flags & PDU_KEY_F_IRR_DISCOVERY) && ctx->discovery) ||
	       ((def->flags & PDU_KEY_F_IRR_NO_UNSOL) && ctx->no_unsolicited);
}

int pdu_key_check_use(const struct pdu_key_def *def, bool by_target,
		      int stage, bool leading, struct pdu_error *err)
{
	static const char *const stage_names[] = {
		"SecurityNegotiation", "LoginOperationalNegotiation", "",
		"Full Feature Phase"
	};
	unsigned where;

	if (!def)
		return PDU_OK;
	switch (stage) {
	case PDU_STAGE_SECURITY: where = PDU_KEY_IN_SECURITY; break;
	case PDU_STAGE_OPERATIONAL: where = PDU_KEY_IN_OPERATIONAL; break;
	case PDU_STAGE_FULL_FEATURE: where = PDU_KEY_IN_FFP; break;
	default:
		pdu_kv_seterr(err, PDU_E_INVALID, "kv.use", 0, "stage %d",
			      stage);
		return PDU_E_INVALID;
	}
	if (!(def->senders &
	      (by_target ? PDU_KEY_BY_TARGET : PDU_KEY_BY_INITIATOR))) {
		pdu_kv_seterr(err, PDU_KV_E_WRONG_SENDER, "kv.use", 0,
			      "%s is sent only by the %s (§%s)", def->name,
			      by_target ? "initiator" : "target", def->section);
		return PDU_KV_E_WRONG_SENDER;
	}
	bool ok = (def->stages & where) != 0;
	if (def->flags & PDU_KEY_F_TARGET_FFP)
		ok = ok && (by_target ? where == PDU_KEY_IN_FFP
				      : where != PDU_KEY_IN_FFP);
	if (!ok) {
		pdu_kv_seterr(err, PDU_KV_E_WRONG_STAGE, "kv.use", 0,
			      "%s may not be sent by the %s in %s (§%s)",
			      def->name, by_target ? "target" : "initiator",
			      stage_names[stage], def->section);
		return PDU_KV_E_WRONG_STAGE;
	}
	if ((def->flags & PDU_KEY_F_LO) && !leading) {
		pdu_kv_seterr(err, PDU_KV_E_LEADING_ONLY, "kv.use", 0,
			      "LOGIN-026: %s is leading-only and may not be "
			      "sent on a connection added to the session (§%s)",
			      def->name, def->section);
		return PDU_KV_E_LEADING_ONLY;
	}
	return PDU_OK;
}
