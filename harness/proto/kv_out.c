/* kv_out.c — the growing key=value buffer of a response and its cutting
 * into PDU-sized chunks. See kv_out.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/kv_out.h"
#include "pdu/keys.h"

void kv_out_init(struct kv_out *o)
{
	memset(o, 0, sizeof(*o));
}

void kv_out_free(struct kv_out *o)
{
	free(o->data);
	kv_out_init(o);
}

void kv_out_clear(struct kv_out *o)
{
	o->len = 0;
	o->sent = 0;
}

bool kv_out_add(struct kv_out *o, const char *key, const char *value)
{
	size_t need = o->len + strlen(key) + strlen(value) + 2;

	if (need > o->cap) {
		size_t cap = o->cap ? o->cap : 512;
		while (cap < need)
			cap *= 2;
		uint8_t *p = realloc(o->data, cap);
		if (!p)
			return false;
		o->data = p;
		o->cap = cap;
	}
	o->len = (size_t)pdu_kv_append(o->data, o->len, o->cap, key, value);
	return true;
}

bool kv_out_add_num(struct kv_out *o, const char *key, uint64_t value)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, value);
	return kv_out_add(o, key, num);
}

void kv_out_next_chunk(struct kv_out *o, size_t max, size_t *off,
		       size_t *len, bool *more)
{
	struct pdu_kv_chunk c[2];
	size_t n = pdu_kv_split(o->data ? o->data + o->sent : NULL,
				o->len - o->sent, max, true, c, 2);

	*off = o->sent;
	*len = n ? c[0].len : 0;
	*more = n > 1;
	o->sent += *len;
}

bool kv_out_pending(const struct kv_out *o)
{
	return o->sent < o->len;
}
