/* keys_params.c — the negotiated session parameters (RFC 7143 §13): every
 * field at its default from the key table, applying an agreed or declared
 * key=value to them, and the rule between keys (FirstBurstLength at most
 * MaxBurstLength, LOGIN-028). See keys.h. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "keys_internal.h"

enum field_kind { FK_U32, FK_U8, FK_BOOL };

static const struct {
	const char *key;
	enum field_kind kind;
	size_t off;
} param_fields[] = {
#define PF(key, kind, field) \
	{ key, kind, offsetof(struct pdu_key_params, field) }
	PF("MaxConnections", FK_U32, max_connections),
	PF("InitialR2T", FK_BOOL, initial_r2t),
	PF("ImmediateData", FK_BOOL, immediate_data),
	PF("MaxBurstLength", FK_U32, max_burst_length),
	PF("FirstBurstLength", FK_U32, first_burst_length),
	PF("DefaultTime2Wait", FK_U32, default_time2wait),
	PF("DefaultTime2Retain", FK_U32, default_time2retain),
	PF("MaxOutstandingR2T", FK_U32, max_outstanding_r2t),
	PF("DataPDUInOrder", FK_BOOL, data_pdu_in_order),
	PF("DataSequenceInOrder", FK_BOOL, data_sequence_in_order),
	PF("ErrorRecoveryLevel", FK_U8, error_recovery_level),
	PF("iSCSIProtocolLevel", FK_U8, protocol_level),
#undef PF
};

int pdu_key_params_apply(struct pdu_key_params *p, const char *key,
			 const char *value, bool declared_by_target,
			 struct pdu_error *err)
{
	const struct pdu_key_def *def;
	char *base = (char *)p;
	uint64_t v = 0;
	size_t i;
	int rc;

	if (!p || !key || !value) {
		pdu_kv_seterr(err, PDU_E_INVALID, "kv.value", 0,
			      "missing argument");
		return PDU_E_INVALID;
	}
	def = pdu_key_find(key);
	if (!def || (def->flags & PDU_KEY_F_PATTERN) ||
	    pdu_kv_is_answer_constant(value))
		return 0;

	if (pdu_kv_streq(key, "HeaderDigest") ||
	    pdu_kv_streq(key, "DataDigest")) {
		bool *f = pdu_kv_streq(key, "HeaderDigest") ? &p->digests.header
						    : &p->digests.data;
		if (!pdu_kv_streq(value, "CRC32C") &&
		    !pdu_kv_streq(value, "None")) {
			pdu_kv_value_err(err, PDU_KV_E_BAD_VALUE, "LOGIN-027",
					 def, value, 0,
					 "the outcome is CRC32C or None");
			return PDU_KV_E_BAD_VALUE;
		}
		*f = pdu_kv_streq(value, "CRC32C");
		return 1;
	}
	if (pdu_kv_streq(key, "TaskReporting")) {
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
	}

	bool is_mrdsl = pdu_kv_streq(key, "MaxRecvDataSegmentLength");
	bool is_tpgt = pdu_kv_streq(key, "TargetPortalGroupTag");
	bool is_type = pdu_kv_streq(key, "SessionType");
	size_t fi = sizeof(param_fields) / sizeof(param_fields[0]);
	for (i = 0; i < fi; i++)
		if (pdu_kv_streq(key, param_fields[i].key))
			break;
	if (i == fi && !is_mrdsl && !is_tpgt && !is_type)
		return 0;

	rc = pdu_key_check_value(def, value, err);
	if (rc != PDU_OK)
		return rc;
	if (is_type) {
		p->discovery = pdu_kv_streq(value, "Discovery");
		return 1;
	}
	if (def->syntax == PDU_KEY_SYN_NUMBER)
		pdu_kv_parse_number(value, (def->flags & PDU_KEY_F_BINARY_NUM) != 0,
				    &v, NULL);
	if (is_mrdsl) {
		if (declared_by_target)
			p->mrdsl_target = (uint32_t)v;
		else
			p->mrdsl_initiator = (uint32_t)v;
		return 1;
	}
	if (is_tpgt) {
		p->tpgt = (int32_t)v;
		return 1;
	}
	switch (param_fields[i].kind) {
	case FK_U32:
		*(uint32_t *)(void *)(base + param_fields[i].off) = (uint32_t)v;
		break;
	case FK_U8:
		*(uint8_t *)(base + param_fields[i].off) = (uint8_t)v;
		break;
	case FK_BOOL:
		*(bool *)(void *)(base + param_fields[i].off) =
			pdu_kv_streq(value, "Yes");
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
		pdu_key_params_apply(p, d->name, d->dflt, false, NULL);
		if (pdu_kv_streq(d->name, "MaxRecvDataSegmentLength"))
			pdu_key_params_apply(p, d->name, d->dflt, true, NULL);
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
