/* kv_out.h — a growing buffer of key=value\0 pairs: the text of one
 * Login or Text Response before it is cut into PDUs (C=1 chunks). */
#ifndef HARNESS_PROTO_KV_OUT_H
#define HARNESS_PROTO_KV_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_out {
	uint8_t *data;
	size_t len, cap;
	size_t sent;  /* bytes already sent in earlier PDUs */
};

void kv_out_init(struct kv_out *o);
void kv_out_free(struct kv_out *o);
/* Empty the buffer (keeps the memory). */
void kv_out_clear(struct kv_out *o);
/* Append key=value\0. Returns false when memory ran out. */
bool kv_out_add(struct kv_out *o, const char *key, const char *value);
bool kv_out_add_num(struct kv_out *o, const char *key, uint64_t value);
/* The next chunk of at most max bytes (whole pairs when they fit) from
 * o->sent on: its offset and length; *more is the C bit it carries. Marks
 * it sent. */
void kv_out_next_chunk(struct kv_out *o, size_t max, size_t *off,
		       size_t *len, bool *more);
/* Some of the text is still to be sent. */
bool kv_out_pending(const struct kv_out *o);

#endif
