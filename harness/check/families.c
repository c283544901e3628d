/* families.c — the rule families the check engine runs, in this order for
 * every event. Adding a family is one line here plus its rules_NAME.c
 * (family.h says how); the engine itself does not change. */
#include "harness/check/check.h"
#include "harness/check/family.h"

static const struct chk_family *const families[] = {
	&chk_family_pdu,
	&chk_family_login,
	&chk_family_seq,
	&chk_family_mcs,
	&chk_family_logout,
	&chk_family_tmf,
	&chk_family_text,
	&chk_family_reject,
	&chk_family_async,
	&chk_family_erl,
};

const struct chk_family *const *chk_families(size_t *count)
{
	*count = sizeof families / sizeof families[0];
	return families;
}
