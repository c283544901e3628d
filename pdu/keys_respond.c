/* keys_respond.c — the responder (RFC 7143 §6.2): the answer a correct
 * responder sends to one offered key, given what it supports or wishes,
 * and whether that answer is required, optional or not sent. See keys.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keys_internal.h"

static int put_answer(char *out, size_t cap, const char *s, int kind)
{
	size_t n = strlen(s);

	if (n + 1 > cap)
		return PDU_E_TOO_LONG;
	memcpy(out, s, n + 1);
	return kind;
}

/* The first item of offer that supported (a list; when NULL, the row's
 * known values, or any value for a key without known values) contains. */
static bool first_supported(const struct pdu_key_def *def, const char *offer,
			    const char *supported, char *item, size_t isz)
{
	size_t start = 0, i, k;

	for (i = 0;; i++) {
		if (offer[i] != ',' && offer[i] != '\0')
			continue;
		size_t il = i - start;
		if (il > 0 && il < isz) {
			memcpy(item, offer + start, il);
			item[il] = '\0';
			if (supported) {
				if (pdu_kv_list_has(supported, item))
					return true;
			} else if (def->values) {
				for (k = 0; def->values[k]; k++)
					if (pdu_kv_streq(item, def->values[k]))
						return true;
			} else {
				return true;
			}
		}
		if (offer[i] == '\0')
			return false;
		start = i + 1;
	}
}

int pdu_key_respond(const struct pdu_key_def *def, const char *offer,
		    const char *own, const struct pdu_key_ctx *ctx, char *out,
		    size_t cap)
{
	char item[PDU_KV_MAX_SIMPLE_VALUE + 1];
	char num[24];
	uint64_t o, w;

	if (!out || cap == 0)
		return PDU_E_TOO_LONG;
	out[0] = '\0';
	if (!offer)
		return PDU_E_INVALID;
	if (!def || (def->flags & PDU_KEY_F_PATTERN))
		return put_answer(out, cap, "NotUnderstood",
				  PDU_KEY_ANSWER_REQUIRED);
	if (def->result == PDU_KEY_RES_NONE ||
	    def->result == PDU_KEY_RES_DECLARED)
		return PDU_KEY_ANSWER_NONE;
	if (def->result == PDU_KEY_RES_OBSOLETE)
		return put_answer(out, cap, "Reject", PDU_KEY_ANSWER_REQUIRED);
	if (pdu_key_irrelevant(def, ctx))
		return put_answer(out, cap, "Irrelevant",
				  PDU_KEY_ANSWER_REQUIRED);
	if (pdu_key_check_value(def, offer, NULL) != PDU_OK)
		return put_answer(out, cap, "Reject", PDU_KEY_ANSWER_REQUIRED);

	switch (def->result) {
	case PDU_KEY_RES_FIRST:
		if (first_supported(def, offer, own, item, sizeof(item)))
			return put_answer(out, cap, item,
					  PDU_KEY_ANSWER_REQUIRED);
		return put_answer(out, cap, "Reject", PDU_KEY_ANSWER_REQUIRED);
	case PDU_KEY_RES_MIN:
	case PDU_KEY_RES_MAX:
		if (pdu_kv_parse_number(own ? own : def->dflt, false, &w,
					NULL) != PDU_OK)
			return PDU_E_INVALID;
		pdu_kv_parse_number(offer, false, &o, NULL);
		if (w < def->min)
			w = def->min;
		if (w > def->max)
			w = def->max;
		if (def->result == PDU_KEY_RES_MIN)
			w = w < o ? w : o;
		else
			w = w > o ? w : o;
		snprintf(num, sizeof(num), "%" PRIu64, w);
		return put_answer(out, cap, num, PDU_KEY_ANSWER_REQUIRED);
	case PDU_KEY_RES_AND:
	case PDU_KEY_RES_OR: {
		const char *wish = own ? own : def->dflt;
		if (!pdu_kv_streq(wish, "Yes") && !pdu_kv_streq(wish, "No"))
			return PDU_E_INVALID;
		if (def->result == PDU_KEY_RES_AND && pdu_kv_streq(offer, "No"))
			return put_answer(out, cap, "No",
					  PDU_KEY_ANSWER_OPTIONAL);
		if (def->result == PDU_KEY_RES_OR && pdu_kv_streq(offer, "Yes"))
			return put_answer(out, cap, "Yes",
					  PDU_KEY_ANSWER_OPTIONAL);
		return put_answer(out, cap, wish, PDU_KEY_ANSWER_REQUIRED);
	}
	default:
		break;
	}
	return PDU_KEY_ANSWER_NONE;
}
