/* keys_seen.c — the once-per-login rule (RFC 7143 §6.1, LOGIN-024): the
 * keys one side has already declared or negotiated, and the error for a key
 * sent again unless its row lets it repeat. See keys.h. */
#include <stdlib.h>
#include <string.h>

#include "keys_internal.h"

void pdu_kv_seen_init(struct pdu_kv_seen *s)
{
	memset(s, 0, sizeof(*s));
}

void pdu_kv_seen_free(struct pdu_kv_seen *s)
{
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

int pdu_kv_seen_add(struct pdu_kv_seen *s, const char *key, size_t offset,
		    bool sendtargets_answer, struct pdu_error *err)
{
	char sh[PDU_KV_SHOW_MAX + 4];
	size_t len = strlen(key), i;
	const struct pdu_key_def *def = pdu_key_find(key);

	if (def && (def->flags & PDU_KEY_F_REPEAT))
		return PDU_OK;
	if (def && (def->flags & PDU_KEY_F_REPEAT_ST) && sendtargets_answer)
		return PDU_OK;
	if (len > PDU_KV_MAX_KEY_LEN)
		return PDU_OK; /* not a key name; the parser reports it */
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->keys[i], key) == 0) {
			pdu_kv_seterr(err, PDU_KV_E_DUPLICATE, "kv.key", offset,
				      "LOGIN-024: key \"%s\" at %zu was "
				      "already sent and may not be declared "
				      "or negotiated again",
				      pdu_kv_show(key, len, sh), offset);
			return PDU_KV_E_DUPLICATE;
		}
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		void *nk = realloc(s->keys, ncap * sizeof(*s->keys));
		if (!nk) {
			pdu_kv_seterr(err, PDU_KV_E_NOMEM, "kv.key", offset,
				      "out of memory");
			return PDU_KV_E_NOMEM;
		}
		s->keys = nk;
		s->cap = ncap;
	}
	memcpy(s->keys[s->n], key, len + 1);
	s->n++;
	return PDU_OK;
}
