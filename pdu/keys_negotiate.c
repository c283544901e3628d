/* keys_negotiate.c — the offer/answer checker (RFC 7143 §6.2): judges one
 * key's offer and the answer to it by the key's result function, gives the
 * outcome, and for a violation names the side at fault and the catalogue
 * ID it breaks. See keys.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "keys_internal.h"

static int violate(struct pdu_key_outcome *out, enum pdu_key_culprit who,
		   const char *rule, const char *also, const char *fmt, ...)
	PDU_KV_PRINTF(5, 6);

static int violate(struct pdu_key_outcome *out, enum pdu_key_culprit who,
		   const char *rule, const char *also, const char *fmt, ...)
{
	va_list ap;

	out->status = PDU_KEY_VIOLATION;
	out->culprit = who;
	out->rule = rule;
	out->also = (also && rule && strcmp(also, rule) == 0) ? NULL : also;
	va_start(ap, fmt);
	vsnprintf(out->msg, sizeof(out->msg), fmt, ap);
	va_end(ap);
	return PDU_KEY_VIOLATION;
}

/* A violation found by pdu_key_check_value(): its message, led by rule
 * instead of the rule the check named. */
static int violate_value(struct pdu_key_outcome *out,
			 enum pdu_key_culprit who, const char *rule,
			 const char *also, const struct pdu_error *e)
{
	const char *m = e->msg, *p = m;

	while ((*p >= 'A' && *p <= 'Z') || *p == '-' || (*p >= '0' && *p <= '9'))
		p++;
	if (p > m && p[0] == ':' && p[1] == ' ')
		m = p + 2;
	return violate(out, who, rule, also, "%s%s%s [%s]", rule ? rule : "",
		       rule ? ": " : "", m,
		       who == PDU_KEY_OFFERER ? "offer" : "answer");
}

static int settle(struct pdu_key_outcome *out, int status, const char *value)
{
	size_t n = value ? strlen(value) : 0;

	out->status = status;
	if (n > PDU_KV_MAX_SIMPLE_VALUE) {
		n = PDU_KV_MAX_SIMPLE_VALUE;
		out->value_truncated = true;
	}
	if (n)
		memcpy(out->value, value, n);
	out->value[n] = '\0';
	return status;
}

/* Agreed on value: also its number (Yes = 1) where the key has one. */
static int agree(const struct pdu_key_def *def, struct pdu_key_outcome *out,
		 const char *value)
{
	uint64_t v = 0;

	if (def && def->syntax == PDU_KEY_SYN_NUMBER &&
	    pdu_kv_parse_number(value, (def->flags & PDU_KEY_F_BINARY_NUM) != 0,
				&v, NULL) == PDU_OK)
		out->num = v;
	else if (def && def->syntax == PDU_KEY_SYN_BOOL)
		out->num = pdu_kv_streq(value, "Yes");
	return settle(out, PDU_KEY_AGREED, value);
}

static const char *value_rule(const struct pdu_key_def *def, int rc)
{
	if (rc == PDU_KV_E_RESERVED)
		return "LOGIN-019";
	if (rc == PDU_KV_E_VALUE_TOO_LONG)
		return "LOGIN-017";
	return def->rule;
}

static const char *function_rule(const struct pdu_key_def *def)
{
	switch (def->result) {
	case PDU_KEY_RES_FIRST: return "LOGIN-021";
	case PDU_KEY_RES_MIN:
	case PDU_KEY_RES_MAX: return "LOGIN-022";
	case PDU_KEY_RES_AND:
	case PDU_KEY_RES_OR: return "LOGIN-023";
	default: return NULL;
	}
}

/* The answer of a key nobody can judge (unknown, extension, SendTargets). */
static int loose_answer(const struct pdu_key_def *def, const char *offer,
			const char *answer, struct pdu_key_outcome *out)
{
	if (!answer)
		return agree(def, out, offer);
	if (pdu_kv_streq(answer, "NotUnderstood"))
		return settle(out, PDU_KEY_NOT_UNDERSTOOD, NULL);
	if (pdu_kv_streq(answer, "Irrelevant"))
		return settle(out, PDU_KEY_IRRELEVANT, NULL);
	if (pdu_kv_streq(answer, "Reject"))
		return settle(out, PDU_KEY_REJECTED, NULL);
	return agree(def, out, answer);
}

/* Nothing decided yet: every field at zero, the two texts empty (their
 * bytes past the end stay as they were: clearing all of *out would cost
 * more than judging most keys). */
static void outcome_clear(struct pdu_key_outcome *out)
{
	out->status = PDU_KEY_AGREED;
	out->culprit = PDU_KEY_NOBODY;
	out->rule = out->also = NULL;
	out->num = 0;
	out->value_truncated = false;
	out->value[0] = '\0';
	out->msg[0] = '\0';
}

/* s made fit for a message in out (pdu_kv_show). */
static const char *show(const char *s, char out[PDU_KV_SHOW_MAX + 4])
{
	return pdu_kv_show(s, strlen(s), out);
}

int pdu_key_negotiate(const struct pdu_key_def *def, const char *offer,
		      const char *answer, struct pdu_key_outcome *out)
{
	char so[PDU_KV_SHOW_MAX + 4], sa[PDU_KV_SHOW_MAX + 4];
	struct pdu_error e;
	const char *name;
	uint64_t o, a;
	int rc;

	if (!out)
		return PDU_E_INVALID;
	outcome_clear(out);
	if (!offer) {
		out->status = PDU_E_INVALID;
		snprintf(out->msg, sizeof(out->msg), "no offer");
		return PDU_E_INVALID;
	}
	name = def ? def->name : "key";

	if (pdu_kv_is_answer_constant(offer))
		return violate(out, PDU_KEY_OFFERER, "LOGIN-019", NULL,
			       "LOGIN-019: %s=%s offered: Reject, Irrelevant "
			       "and NotUnderstood are answers only (§6.2)",
			       name, show(offer, so));
	if (!def || (def->flags & PDU_KEY_F_PATTERN))
		return loose_answer(def, offer, answer, out);

	rc = pdu_key_check_value(def, offer, &e);
	if (rc != PDU_OK)
		return violate_value(out, PDU_KEY_OFFERER, value_rule(def, rc),
				     NULL, &e);
	if (def->result == PDU_KEY_RES_NONE)
		return loose_answer(def, offer, answer, out);

	if (!answer) {
		switch (def->result) {
		case PDU_KEY_RES_DECLARED:
			return agree(def, out, offer);
		case PDU_KEY_RES_AND:
			if (pdu_kv_streq(offer, "No"))
				return agree(def, out, "No");
			break;
		case PDU_KEY_RES_OR:
			if (pdu_kv_streq(offer, "Yes"))
				return agree(def, out, "Yes");
			break;
		case PDU_KEY_RES_OBSOLETE:
			if (def->syntax == PDU_KEY_SYN_BOOL &&
			    pdu_kv_streq(offer, "No"))
				return agree(def, out, "No");
			return violate(out, PDU_KEY_ANSWERER, NULL, NULL,
				       "%s=%s got no answer: an obsoleted key "
				       "is answered Reject (§13.25)",
				       name, show(offer, so));
		default:
			break;
		}
		return violate(out, PDU_KEY_ANSWERER, function_rule(def),
			       def->rule,
			       "%s: %s=%s got no answer; the responder must "
			       "answer it (§6.2)",
			       function_rule(def), name, show(offer, so));
	}

	if (pdu_kv_streq(answer, "NotUnderstood")) {
		if (def->flags & PDU_KEY_F_OBSOLETE)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-019", NULL,
				       "LOGIN-019: %s answered NotUnderstood; "
				       "an obsoleted key is answered Reject "
				       "(§13.25)", name);
		if (def->flags & PDU_KEY_F_MANDATORY)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-019",
				       "LOGIN-020",
				       "LOGIN-019: %s answered NotUnderstood; "
				       "RFC 7143 keys used as specified must "
				       "be understood (§6.2)", name);
		return settle(out, PDU_KEY_NOT_UNDERSTOOD, NULL);
	}
	if (pdu_kv_streq(answer, "Irrelevant")) {
		if (def->result == PDU_KEY_RES_OBSOLETE &&
		    def->syntax == PDU_KEY_SYN_RANGE)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-019", NULL,
				       "LOGIN-019: %s answered Irrelevant; it "
				       "must be answered Reject (§13.25)",
				       name);
		return settle(out, PDU_KEY_IRRELEVANT, NULL);
	}
	if (pdu_kv_streq(answer, "Reject")) {
		if (def->result == PDU_KEY_RES_MIN ||
		    def->result == PDU_KEY_RES_MAX ||
		    def->result == PDU_KEY_RES_AND ||
		    def->result == PDU_KEY_RES_OR)
			return violate(out, PDU_KEY_ANSWERER,
				       function_rule(def), def->rule,
				       "%s: %s=%s answered Reject; an "
				       "admissible simple value must be "
				       "answered with an admissible value "
				       "(§6.2.2)",
				       function_rule(def), name,
				       show(offer, so));
		return settle(out, PDU_KEY_REJECTED, NULL);
	}

	switch (def->result) {
	case PDU_KEY_RES_FIRST:
		if (pdu_kv_streq(answer, "None") &&
		    !pdu_kv_list_has(offer, "None"))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-021",
				       "LOGIN-019",
				       "LOGIN-021: %s answered None, which "
				       "was not offered in %s (§6.2.1)",
				       name, show(offer, so));
		if (strchr(answer, ','))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-021",
				       def->rule,
				       "LOGIN-021: %s answered with a list "
				       "(%s); the answer is one offered value "
				       "(§6.2.1)", name, show(answer, sa));
		if (!pdu_kv_list_has(offer, answer))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-021",
				       def->rule,
				       "LOGIN-021: %s answered %s, which is "
				       "not in the offer %s (§6.2.1)",
				       name, show(answer, sa), show(offer, so));
		return agree(def, out, answer);

	case PDU_KEY_RES_MIN:
	case PDU_KEY_RES_MAX:
		rc = pdu_key_check_value(def, answer, &e);
		if (rc != PDU_OK)
			return violate_value(out, PDU_KEY_ANSWERER,
					     value_rule(def, rc),
					     rc == PDU_KV_E_BAD_VALUE
						     ? "LOGIN-022"
						     : NULL,
					     &e);
		pdu_kv_parse_number(offer, false, &o, NULL);
		pdu_kv_parse_number(answer, false, &a, NULL);
		if (def->result == PDU_KEY_RES_MIN && a > o)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-022",
				       def->rule,
				       "LOGIN-022: %s=%s answered %s; the "
				       "result function is Minimum, so the "
				       "answer is at most the offer (§%s)",
				       name, show(offer, so), show(answer, sa),
				       def->section);
		if (def->result == PDU_KEY_RES_MAX && a < o)
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-022",
				       def->rule,
				       "LOGIN-022: %s=%s answered %s; the "
				       "result function is Maximum, so the "
				       "answer is at least the offer (§%s)",
				       name, show(offer, so), show(answer, sa),
				       def->section);
		return agree(def, out, answer);

	case PDU_KEY_RES_AND:
	case PDU_KEY_RES_OR:
		rc = pdu_key_check_value(def, answer, &e);
		if (rc != PDU_OK)
			return violate_value(out, PDU_KEY_ANSWERER,
					     rc == PDU_KV_E_BAD_VALUE
						     ? "LOGIN-023"
						     : value_rule(def, rc),
					     def->rule, &e);
		if (def->result == PDU_KEY_RES_AND &&
		    pdu_kv_streq(offer, "No") && pdu_kv_streq(answer, "Yes"))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-023",
				       def->rule,
				       "LOGIN-023: %s=No answered Yes; the "
				       "function is AND, so the outcome is No "
				       "(§%s)", name, def->section);
		if (def->result == PDU_KEY_RES_OR &&
		    pdu_kv_streq(offer, "Yes") && pdu_kv_streq(answer, "No"))
			return violate(out, PDU_KEY_ANSWERER, "LOGIN-023",
				       def->rule,
				       "LOGIN-023: %s=Yes answered No; the "
				       "function is OR, so the outcome is Yes "
				       "(§%s)", name, def->section);
		return agree(def, out, answer);

	case PDU_KEY_RES_DECLARED:
		/* The responder's own declaration of the same key. */
		rc = pdu_key_check_value(def, answer, &e);
		if (rc != PDU_OK)
			return violate_value(out, PDU_KEY_ANSWERER,
					     value_rule(def, rc), NULL, &e);
		return agree(def, out, offer);

	case PDU_KEY_RES_OBSOLETE:
		if (def->syntax == PDU_KEY_SYN_BOOL &&
		    pdu_kv_streq(answer, "No"))
			return agree(def, out, "No");
		return violate(out, PDU_KEY_ANSWERER, NULL, NULL,
			       "%s answered %s; an obsoleted key is answered "
			       "Reject%s (§13.25)",
			       name, show(answer, sa),
			       def->syntax == PDU_KEY_SYN_BOOL ? " or No" : "");

	case PDU_KEY_RES_NONE:
		break;
	}
	return loose_answer(def, offer, answer, out);
}
