/* keys_params.c — the negotiated session parameters (RFC 7143 §13): every
 * field at its default from the key table, applying an agreed or declared
 * key=value to them, and the rule between keys (FirstBurstLength at most
 * MaxBurstLength, LOGIN-028). See keys.h. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "keys_internal.h"

/* Where the value of a key that is a plain number or Boolean goes. */
enum field_kind { FK_NONE, FK_U32, FK_U8, FK_BOOL };

static const struct param_field {
	enum field_kind kind;
	size_t off;
} param_fields[PDU_KEY_COUNT] = {
#define PF(id, kind, field) \
	[id] = { kind, offsetof(struct pdu_key_params, field) }
	PF(PDU_KEY_ID_MAX_CONNECTIONS, FK_U32, max_connections),
	PF(PDU_KEY_ID_INITIAL_R2T, FK_BOOL, initial_r2t),
	PF(PDU_KEY_ID_IMMEDIATE_DATA, FK_BOOL, immediate_data),
	PF(PDU_KEY_ID_MAX_BURST_LENGTH, FK_U32, max_burst_length),
	PF(PDU_KEY_ID_FIRST_BURST_LENGTH, FK_U32, first_burst_length),
	PF(PDU_KEY_ID_DEFAULT_TIME2WAIT, FK_U32, default_time2wait),
	PF(PDU_KEY_ID_DEFAULT_TIME2RETAIN, FK_U32, default_time2retain),
	PF(PDU_KEY_ID_MAX_OUTSTANDING_R2T, FK_U32, max_outstanding_r2t),
	PF(PDU_KEY_ID_DATA_PDU_IN_ORDER, FK_BOOL, data_pdu_in_order),
	PF(PDU_KEY_ID_DATA_SEQUENCE_IN_ORDER, FK_BOOL, data_sequence_in_order),
	PF(PDU_KEY_ID_ERROR_RECOVERY_LEVEL, FK_U8, error_recovery_level),
	PF(PDU_KEY_ID_ISCSI_PROTOCOL_LEVEL, FK_U8, protocol_level),
#undef PF
};

int pdu_key_params_apply(struct pdu_key_params *p, const char *key,
			 const char *value, bool declared_by_target,
			 struct pdu_error *err)
{
	if (!key) {
		pdu_kv_seterr(err, PDU_E_INVALID, "kv.value", 0,
			      "missing argument");
		return PDU_E_INVALID;
	}
	return pdu_key_params_apply_def(p, pdu_key_find(key), value,
					declared_by_target, err);
}

int pdu_key_params_apply_def(struct pdu_key_params *p,
			     const struct pdu_key_def *def, const char *value,
			     bool declared_by_target, struct pdu_error *err)
{
	char *base = (char *)p;
	uint64_t v = 0;
	size_t i;
	int rc;

	if (!p || !value) {
		pdu_kv_seterr(err, PDU_E_INVALID, "kv.value", 0,
			      "missing argument");
		return PDU_E_INVALID;
	}
	if (!pdu_key_is_exact(def) || pdu_kv_is_answer_constant(value))
		return 0;

	enum pdu_key_id id = pdu_key_id_of(def);
	switch (id) {
	case PDU_KEY_ID_HEADER_DIGEST:
	case PDU_KEY_ID_DATA_DIGEST:
		if (!pdu_kv_streq(value, "CRC32C") &&
		    !pdu_kv_streq(value, "None")) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, "LOGIN-027",
					 def, value, 0,
					 "the outcome is CRC32C or None");
			return PDU_KV_E_BAD_VALUE;
		}
		*(id == PDU_KEY_ID_HEADER_DIGEST ? &p->digests.header
						 : &p->digests.data) =
			pdu_kv_streq(value, "CRC32C");
		return 1;
	case PDU_KEY_ID_TASK_REPORTING:
		for (i = 0; def->values[i]; i++) {
			if (pdu_kv_streq(value, def->values[i])) {
				p->task_reporting = (enum pdu_task_reporting)i;
				return 1;
			}
		}
		pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, def->rule, def, value,
				 0, "the outcome is RFC3720, ResponseFence "
				 "or FastAbort");
		return PDU_KV_E_BAD_VALUE;
	case PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH:
	case PDU_KEY_ID_TARGET_PORTAL_GROUP_TAG:
	case PDU_KEY_ID_SESSION_TYPE:
		break;
	default:
		if (param_fields[id].kind == FK_NONE)
			return 0;
		break;
	}

	rc = pdu_key_check_value(def, value, err);
	if (rc != PDU_OK)
		return rc;
	if (id == PDU_KEY_ID_SESSION_TYPE) {
		p->discovery = pdu_kv_streq(value, "Discovery");
		return 1;
	}
	if (def->syntax == PDU_KEY_SYN_NUMBER)
		pdu_kv_parse_number(value, (def->flags & PDU_KEY_F_BINARY_NUM) != 0,
				    &v, NULL);
	if (id == PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH) {
		if (declared_by_target)
			p->mrdsl_target = (uint32_t)v;
		else
			p->mrdsl_initiator = (uint32_t)v;
		return 1;
	}
	if (id == PDU_KEY_ID_TARGET_PORTAL_GROUP_TAG) {
		p->tpgt = (int32_t)v;
		return 1;
	}
	switch (param_fields[id].kind) {
	case FK_U32:
		*(uint32_t *)(void *)(base + param_fields[id].off) = (uint32_t)v;
		break;
	case FK_U8:
		*(uint8_t *)(base + param_fields[id].off) = (uint8_t)v;
		break;
	case FK_BOOL:
		*(bool *)(void *)(base + param_fields[id].off) =
			pdu_kv_streq(value, "Yes");
		break;
	case FK_NONE:
		break;
	}
	return 1;
}

void pdu_key_params_init(struct pdu_key_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->tpgt = -1;
	for (i = 0; i < pdu_key_count; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		if (!d->dflt || (d->flags & PDU_KEY_F_OBSOLETE))
			continue;
		pdu_key_params_apply_def(p, d, d->dflt, false, NULL);
		if (pdu_key_is(d, PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH))
			pdu_key_params_apply_def(p, d, d->dflt, true, NULL);
	}
}

int pdu_key_params_check(const struct pdu_key_params *p,
			 struct pdu_error *err)
{
	/* FirstBurstLength is irrelevant (and keeps its default) when no
	 * unsolicited data is allowed (§13.14): nothing to compare then */
	bool no_unsolicited = p->initial_r2t && !p->immediate_data;
	if (!p->discovery && !no_unsolicited &&
	    p->first_burst_length > p->max_burst_length) {
		pdu_kv_seterr(err, PDU_KV_E_BAD_VALUE, "kv.value", 0,
			      "LOGIN-028: FirstBurstLength %" PRIu32 " exceeds "
			      "MaxBurstLength %" PRIu32 " (§13.14)",
			      p->first_burst_length, p->max_burst_length);
		return PDU_KV_E_BAD_VALUE;
	}
	return PDU_OK;
}
