/* keys_seen.c — the once-per-login rule (RFC 7143 §6.1, LOGIN-024): the
 * keys one side has already declared or negotiated, and the error for a key
 * sent again unless its row lets it repeat. A table key is one bit of a
 * mask; only other names are kept as text. See keys.h. */
#include <stdlib.h>
#include <string.h>

#include "keys_internal.h"

_Static_assert(PDU_KEY_COUNT <= 64, "a table key is one bit of a uint64_t");

void pdu_kv_seen_init(struct pdu_kv_seen *s)
{
	memset(s, 0, sizeof(*s));
}

void pdu_kv_seen_free(struct pdu_kv_seen *s)
{
	free(s->others);
	memset(s, 0, sizeof(*s));
}

void pdu_kv_seen_clear(struct pdu_kv_seen *s)
{
	s->table_keys = 0;
	s->n_others = 0;
}

static int duplicate(const char *key, size_t len, size_t offset,
		     struct pdu_error *err)
{
	char sh[PDU_KV_SHOW_MAX + 4];

	pdu_kv_seterr(err, PDU_KV_E_DUPLICATE, "kv.key", offset,
		      "LOGIN-024: key \"%s\" at %zu was already sent and may "
		      "not be declared or negotiated again",
		      pdu_kv_show(key, len, sh), offset);
	return PDU_KV_E_DUPLICATE;
}

/* key (len bytes, NUL-terminated) is the name of row def (pdu_key_find). */
static int seen_add(struct pdu_kv_seen *s, const struct pdu_key_def *def,
		    const char *key, size_t len, size_t offset,
		    bool sendtargets_answer, struct pdu_error *err)
{
	size_t i;

	if (def && (def->flags & PDU_KEY_F_REPEAT))
		return PDU_OK;
	if (def && (def->flags & PDU_KEY_F_REPEAT_ST) && sendtargets_answer)
		return PDU_OK;
	if (pdu_key_is_exact(def)) {
		uint64_t bit = UINT64_C(1) << pdu_key_id_of(def);
		if (s->table_keys & bit)
			return duplicate(key, len, offset, err);
		s->table_keys |= bit;
		return PDU_OK;
	}
	if (len > PDU_KV_MAX_KEY_LEN)
		return PDU_OK; /* not a key name; the parser reports it */
	for (i = 0; i < s->n_others; i++)
		if (strcmp(s->others[i], key) == 0)
			return duplicate(key, len, offset, err);
	if (s->n_others == s->cap_others) {
		size_t ncap = s->cap_others ? s->cap_others * 2 : 16;
		void *nk = realloc(s->others, ncap * sizeof(*s->others));
		if (!nk) {
			pdu_kv_seterr(err, PDU_KV_E_NOMEM, "kv.key", offset,
				      "out of memory");
			return PDU_KV_E_NOMEM;
		}
		s->others = nk;
		s->cap_others = ncap;
	}
	memcpy(s->others[s->n_others], key, len + 1);
	s->n_others++;
	return PDU_OK;
}

int pdu_kv_seen_add(struct pdu_kv_seen *s, const char *key, size_t offset,
		    bool sendtargets_answer, struct pdu_error *err)
{
	return seen_add(s, pdu_key_find(key), key, strlen(key), offset,
			sendtargets_answer, err);
}

int pdu_kv_seen_add_pair(struct pdu_kv_seen *s, const struct pdu_kv_pair *pair,
			 bool sendtargets_answer, struct pdu_error *err)
{
	return seen_add(s, pair->def, pair->key, pair->key_len, pair->offset,
			sendtargets_answer, err);
}
