/* keys_parse.c — the streaming parser of the NUL-terminated key=value pairs
 * of one negotiation sequence (RFC 7143 §6.1: the data of PDUs chained by
 * C=1, fed chunk by chunk), and the rules it holds every pair to
 * (LOGIN-017): one '=' and one 0x00 a pair, a key name that is a
 * standard-label, a value within its key's length limit. See keys.h. */
#include <stdlib.h>
#include <string.h>

#include "keys_internal.h"

static bool label_char(int c)
{
	return pdu_kv_is_alnum(c) || c == '.' || c == '-' || c == '+' ||
	       c == '@' || c == '_';
}

bool pdu_kv_key_valid(const char *key, size_t len, struct pdu_error *err)
{
	char sh[PDU_KV_SHOW_MAX + 4];
	size_t i;

	if (len == 0) {
		pdu_kv_seterr(err, PDU_KV_E_EMPTY_KEY, "kv.key", 0,
			      "LOGIN-017: empty key name");
		return false;
	}
	if (len > PDU_KV_MAX_KEY_LEN) {
		pdu_kv_seterr(err, PDU_KV_E_KEY_TOO_LONG, "kv.key",
			      PDU_KV_MAX_KEY_LEN,
			      "LOGIN-017: key \"%s\" is %zu bytes, more than "
			      "%d",
			      pdu_kv_show(key, len, sh), len,
			      PDU_KV_MAX_KEY_LEN);
		return false;
	}
	/* X#name: public extension keys (§13.22). */
	bool public_ext = len >= 2 && key[0] == 'X' && key[1] == '#';
	for (i = 0; i < len; i++) {
		int c = (unsigned char)key[i];
		if (label_char(c) || (i == 1 && public_ext))
			continue;
		pdu_kv_seterr(err, PDU_KV_E_KEY_CHAR, "kv.key", i,
			      "LOGIN-017: key \"%s\" has byte 0x%02x at %zu, "
			      "not a letter, digit or one of . - + @ _",
			      pdu_kv_show(key, len, sh), (unsigned)c, i);
		return false;
	}
	/* A standard-label begins with a capital letter; the RFC's own
	 * iSCSIProtocolLevel does not, so table keys are taken as named. */
	if (!pdu_kv_is_upper((unsigned char)key[0]) &&
	    !pdu_key_find_exact(key, len)) {
		pdu_kv_seterr(err, PDU_KV_E_KEY_CHAR, "kv.key", 0,
			      "LOGIN-017: key \"%s\" does not begin with a "
			      "capital letter",
			      pdu_kv_show(key, len, sh));
		return false;
	}
	return true;
}

void pdu_kv_init(struct pdu_kv_parser *p, size_t max_seq)
{
	memset(p, 0, sizeof(*p));
	if (max_seq == 0)
		max_seq = PDU_KV_DEFAULT_MAX_SEQ;
	if (max_seq < PDU_KV_MIN_SEQ)
		max_seq = PDU_KV_MIN_SEQ;
	p->max_seq = max_seq;
}

void pdu_kv_reset(struct pdu_kv_parser *p)
{
	p->head = p->tail = p->scan = 0;
	p->base = p->fed = 0;
	p->final = false;
}

void pdu_kv_free(struct pdu_kv_parser *p)
{
	free(p->buf);
	p->buf = NULL;
	p->cap = 0;
	pdu_kv_reset(p);
}

int pdu_kv_feed(struct pdu_kv_parser *p, const void *data, size_t len,
		bool more, struct pdu_error *err)
{
	if (p->final) {
		pdu_kv_seterr(err, PDU_KV_E_STATE, "kv.sequence", p->fed,
			      "data fed after the sequence's final "
			      "(C=0) chunk");
		return PDU_KV_E_STATE;
	}
	if (len > p->max_seq - p->fed) {
		pdu_kv_seterr(err, PDU_KV_E_SEQ_LIMIT, "kv.sequence", p->fed,
			      "sequence would hold %zu bytes, this parser "
			      "takes %zu",
			      p->fed + len, p->max_seq);
		return PDU_KV_E_SEQ_LIMIT;
	}
	if (p->head > 0) {
		memmove(p->buf, p->buf + p->head, p->tail - p->head);
		p->base += p->head;
		p->tail -= p->head;
		p->scan -= p->head;
		p->head = 0;
	}
	size_t need = p->tail + len + 1;
	if (need > p->cap) {
		size_t ncap = p->cap ? p->cap : 256;
		while (ncap < need)
			ncap *= 2;
		uint8_t *nb = realloc(p->buf, ncap);
		if (!nb) {
			pdu_kv_seterr(err, PDU_KV_E_NOMEM, "kv.sequence",
				      p->fed, "out of memory for %zu bytes",
				      ncap);
			return PDU_KV_E_NOMEM;
		}
		p->buf = nb;
		p->cap = ncap;
	}
	if (len)
		memcpy(p->buf + p->tail, data, len);
	p->tail += len;
	p->fed += len;
	p->final = !more;
	return PDU_OK;
}

bool pdu_kv_done(const struct pdu_kv_parser *p)
{
	return p->final && p->head == p->tail;
}

size_t pdu_kv_pending(const struct pdu_kv_parser *p)
{
	return p->tail - p->head;
}

/* Values longer than this break LOGIN-017 for the key (per list item where
 * the key takes a list; unknown keys are treated as lists, since an
 * extension key may be one). Returns the offset in value of the first byte
 * over the limit, or (size_t)-1. */
static bool over_item(const struct pdu_key_def *def)
{
	return !def || def->syntax == PDU_KEY_SYN_ANY ||
	       (def->syntax == PDU_KEY_SYN_LIST &&
		!(def->flags & PDU_KEY_F_WHOLE_LEN));
}

static size_t value_overrun(const struct pdu_key_def *def, const char *value,
			    size_t len, size_t *limit)
{
	bool per_item = over_item(def);
	size_t lim = def ? def->max_len : PDU_KV_MAX_SIMPLE_VALUE;
	size_t start = 0, i;

	*limit = lim;
	if (!per_item)
		return len > lim ? lim : (size_t)-1;
	for (i = 0; i <= len; i++) {
		if (i == len || value[i] == ',') {
			if (i - start > lim)
				return start + lim;
			start = i + 1;
		}
	}
	return (size_t)-1;
}

/* Split one pair s[0..len) (s[len] is 0) found at offset off. */
static int take_pair(char *s, size_t len, size_t off, struct pdu_kv_pair *pair,
		     struct pdu_error *err)
{
	char sh[PDU_KV_SHOW_MAX + 4];
	char *eq = memchr(s, '=', len);

	pair->key = s;
	pair->offset = off;
	if (!eq) {
		pair->key_len = len;
		pdu_kv_seterr(err, PDU_KV_E_NO_EQUALS, "kv.pair", off,
			      "LOGIN-017: pair \"%s\" at %zu has no '='",
			      pdu_kv_show(s, len, sh), off);
		return PDU_KV_E_NO_EQUALS;
	}
	*eq = '\0';
	pair->key_len = (size_t)(eq - s);
	pair->value = eq + 1;
	pair->value_len = len - pair->key_len - 1;
	if (pair->key_len <= PDU_KV_MAX_KEY_LEN)
		pair->def = pdu_key_find_len(s, pair->key_len);

	/* a table key's name is valid (test_keys checks every row) */
	struct pdu_error e;
	if (!pdu_key_is_exact(pair->def) &&
	    !pdu_kv_key_valid(s, pair->key_len, &e)) {
		pdu_kv_seterr(err, e.code, "kv.key", off + e.offset,
			      "%s (pair at %zu)", e.msg, off);
		return e.code;
	}
	size_t limit;
	size_t over = value_overrun(pair->def, pair->value, pair->value_len,
				    &limit);
	if (over != (size_t)-1) {
		pdu_kv_seterr(err, PDU_KV_E_VALUE_TOO_LONG, "kv.value",
			      off + pair->key_len + 1 + over,
			      "LOGIN-017: key \"%s\": value of %zu bytes has "
			      "more than %zu in one %s (pair at %zu)",
			      pdu_kv_show(s, pair->key_len, sh),
			      pair->value_len, limit,
			      over_item(pair->def) ? "list item" : "value",
			      off);
		return PDU_KV_E_VALUE_TOO_LONG;
	}
	return 1;
}

int pdu_kv_next(struct pdu_kv_parser *p, struct pdu_kv_pair *pair,
		struct pdu_error *err)
{
	char sh[PDU_KV_SHOW_MAX + 4];

	memset(pair, 0, sizeof(*pair));
	pair->key = "";
	if (p->head == p->tail)
		return 0;

	uint8_t *nul = memchr(p->buf + p->scan, 0, p->tail - p->scan);
	size_t off = p->base + p->head;
	if (!nul) {
		p->scan = p->tail;
		if (!p->final)
			return 0;
		/* The sequence ends inside a pair: read what there is. */
		size_t len = p->tail - p->head;
		char *s = (char *)p->buf + p->head;
		p->buf[p->tail] = 0;
		p->head = p->scan = p->tail;
		char *eq = memchr(s, '=', len);
		pair->key = s;
		pair->key_len = len;
		pair->offset = off;
		if (eq) {
			*eq = '\0';
			pair->key_len = (size_t)(eq - s);
			pair->value = eq + 1;
			pair->value_len = len - pair->key_len - 1;
			if (pair->key_len <= PDU_KV_MAX_KEY_LEN)
				pair->def = pdu_key_find_len(s, pair->key_len);
		}
		pdu_kv_seterr(err, PDU_KV_E_NO_FINAL_NUL, "kv.pair",
			      p->base + p->tail,
			      "LOGIN-017: sequence ends after %zu bytes "
			      "inside pair \"%s\" (at %zu) with no final 0x00",
			      p->base + p->tail,
			      pdu_kv_show(s, pair->key_len, sh), off);
		return PDU_KV_E_NO_FINAL_NUL;
	}

	size_t end = (size_t)(nul - p->buf);
	size_t len = end - p->head;
	char *s = (char *)p->buf + p->head;
	p->head = p->scan = end + 1;
	if (len == 0) {
		pair->offset = off;
		pdu_kv_seterr(err, PDU_KV_E_EMPTY_PAIR, "kv.pair", off,
			      "LOGIN-017: 0x00 at %zu ends no key=value pair "
			      "(one 0x00 per pair)",
			      off);
		return PDU_KV_E_EMPTY_PAIR;
	}
	return take_pair(s, len, off, pair, err);
}
