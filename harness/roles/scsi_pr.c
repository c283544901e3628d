/* scsi_pr.c — PERSISTENT RESERVE IN (READ KEYS, READ RESERVATION, REPORT
 * CAPABILITIES) and OUT (REGISTER, REGISTER AND IGNORE EXISTING KEY,
 * RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT) of SPC-4, with the
 * six reservation types, keys registered by I_T nexus, logical unit scope
 * only, no persistence through power loss, and no SPEC_I_PT or ALL_TG_PT
 * (REPORT CAPABILITIES says so). */
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define PRIN_READ_KEYS 0x00
#define PRIN_READ_RESERVATION 0x01
#define PRIN_REPORT_CAPABILITIES 0x02
#define PROUT_REGISTER 0x00
#define PROUT_RESERVE 0x01
#define PROUT_RELEASE 0x02
#define PROUT_CLEAR 0x03
#define PROUT_PREEMPT 0x04
#define PROUT_PREEMPT_AND_ABORT 0x05
#define PROUT_REGISTER_AND_IGNORE 0x06
#define PROUT_PARAMETER_LEN 24        /* the basic parameter list */
#define PROUT_SPEC_I_PT 0x08          /* parameter list byte 20 */
#define PROUT_ALL_TG_PT 0x04
#define PROUT_APTPL 0x01
#define SCOPE_LU 0x0
#define CAPABILITIES_LEN 8
#define CAPABILITIES_TMV 0x80         /* the type mask is valid */
/* the type mask: every type of enum scsi_pr_type */
#define TYPE_MASK_HIGH 0xea           /* WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX */
#define TYPE_MASK_LOW 0x01            /* EX_AC_AR */
#define RESERVATION_DESCRIPTOR_LEN 16

/* ---- PERSISTENT RESERVE IN ---- */

static void read_keys(struct scsi_cmd *c, size_t alloc)
{
	const struct scsi_reservations *res = &c->lun->res;
	uint8_t data[8 + 8 * SCSI_PR_MAX_REGISTRANTS];
	scsi_put32(data, res->pr_generation);
	scsi_put32(data + 4, (uint32_t)(8 * res->registrant_count));
	for (size_t i = 0; i < res->registrant_count; i++)
		scsi_put64(data + 8 + 8 * i, res->registrants[i].key);
	scsi_reply(c, data, 8 + 8 * res->registrant_count, alloc);
}

static void read_reservation(struct scsi_cmd *c, size_t alloc)
{
	const struct scsi_reservations *res = &c->lun->res;
	uint8_t data[8 + RESERVATION_DESCRIPTOR_LEN] = { 0 };
	scsi_put32(data, res->pr_generation);
	if (!res->pr_held) {
		scsi_reply(c, data, 8, alloc);
		return;
	}
	scsi_put32(data + 4, RESERVATION_DESCRIPTOR_LEN);
	/* all registrants hold it: the key is 0 (SPC-4) */
	const struct scsi_pr_registration *holder =
		scsi_pr_all_registrants(res->pr_type) ? NULL :
		scsi_pr_registration_of(c->lun, res->pr_holder);
	scsi_put64(data + 8, holder ? holder->key : 0);
	data[8 + 13] = (uint8_t)(SCOPE_LU << 4 | res->pr_type);
	scsi_reply(c, data, sizeof data, alloc);
}

static void report_capabilities(struct scsi_cmd *c, size_t alloc)
{
	uint8_t data[CAPABILITIES_LEN] = { 0 };
	scsi_put16(data, CAPABILITIES_LEN);
	/* byte 2: CRH, SIP_C, ATP_C and PTPL_C all 0 */
	data[3] = CAPABILITIES_TMV;
	data[4] = TYPE_MASK_HIGH;
	data[5] = TYPE_MASK_LOW;
	scsi_reply(c, data, sizeof data, alloc);
}

void scsi_op_pr_in(struct scsi_cmd *c)
{
	size_t alloc = scsi_get16(c->cdb + 7);
	switch (c->cdb[1] & 0x1f) {
	case PRIN_READ_KEYS: read_keys(c, alloc); break;
	case PRIN_READ_RESERVATION: read_reservation(c, alloc); break;
	default: report_capabilities(c, alloc); break;   /* the table has no other */
	}
}

/* ---- PERSISTENT RESERVE OUT ---- */

static bool valid_type(uint8_t type)
{
	return type == SCSI_PR_WRITE_EXCLUSIVE || type == SCSI_PR_EXCLUSIVE_ACCESS ||
	       (type >= SCSI_PR_WRITE_EXCLUSIVE_REGISTRANTS && type <= SCSI_PR_EXCLUSIVE_ACCESS_ALL);
}

/* The nexus holds the reservation (every registrant does, for the all
 * registrants types). */
static bool holds(const struct scsi_reservations *res, uint64_t nexus, bool registered)
{
	return res->pr_held &&
	       (scsi_pr_all_registrants(res->pr_type) ? registered : res->pr_holder == nexus);
}

static void remove_registration(struct scsi_reservations *res, size_t i)
{
	uint64_t nexus = res->registrants[i].nexus;
	memmove(&res->registrants[i], &res->registrants[i + 1],
		(res->registrant_count - i - 1) * sizeof res->registrants[0]);
	res->registrant_count--;
	/* the holder's reservation goes with its registration; an all
	 * registrants one with the last registrant */
	if (res->pr_held && (scsi_pr_all_registrants(res->pr_type) ?
			     res->registrant_count == 0 : res->pr_holder == nexus))
		res->pr_held = false;
}

/* Remove the registrations of key (every one when any_key) but keep's;
 * return how many went. */
static size_t remove_keys(struct scsi_reservations *res, uint64_t key, bool any_key,
			  uint64_t keep)
{
	size_t removed = 0;
	for (size_t i = 0; i < res->registrant_count;) {
		const struct scsi_pr_registration *r = &res->registrants[i];
		if (r->nexus != keep && (any_key || r->key == key)) {
			remove_registration(res, i);
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

static void register_key(struct scsi_cmd *c, uint64_t key, uint64_t new_key, bool ignore_key)
{
	struct scsi_reservations *res = &c->lun->res;
	struct scsi_pr_registration *reg = scsi_pr_registration_of(c->lun, c->nexus);
	if (!ignore_key && (reg ? reg->key : 0) != key) {
		scsi_conflict(c);
		return;
	}
	if (!reg) {
		if (new_key == 0)   /* nothing to register, nothing to remove */
			return;
		if (res->registrant_count == SCSI_PR_MAX_REGISTRANTS) {
			scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST,
				  SCSI_ASC_INSUFFICIENT_REGISTRATION_RESOURCES);
			return;
		}
		res->registrants[res->registrant_count++] =
			(struct scsi_pr_registration){ .nexus = c->nexus, .key = new_key };
	} else if (new_key == 0) {
		remove_registration(res, (size_t)(reg - res->registrants));
	} else {
		reg->key = new_key;
	}
	res->pr_generation++;
}

static void reserve(struct scsi_cmd *c, uint8_t type)
{
	struct scsi_reservations *res = &c->lun->res;
	if (res->pr_held) {
		/* the holder asking again for the same type: nothing to do */
		if (!holds(res, c->nexus, true) || res->pr_type != type)
			scsi_conflict(c);
		return;
	}
	res->pr_held = true;
	res->pr_type = type;
	res->pr_holder = c->nexus;
}

/* Another nexus's RELEASE, or one with no reservation, is GOOD and does
 * nothing; the holder's must name the type held. */
static void release(struct scsi_cmd *c, uint8_t type)
{
	struct scsi_reservations *res = &c->lun->res;
	if (!holds(res, c->nexus, true))
		return;
	if (res->pr_type != type) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_RELEASE_OF_PR);
		return;
	}
	res->pr_held = false;
}

static void clear(struct scsi_cmd *c)
{
	struct scsi_reservations *res = &c->lun->res;
	res->registrant_count = 0;
	res->pr_held = false;
	res->pr_generation++;
}

/* SPC-4 5.13.11.4: remove the registrations of victim; when they hold the
 * reservation, it becomes the preempting nexus's, of type. */
static void preempt(struct scsi_cmd *c, uint64_t victim, uint8_t type)
{
	struct scsi_reservations *res = &c->lun->res;
	bool all = res->pr_held && scsi_pr_all_registrants(res->pr_type);
	const struct scsi_pr_registration *holder =
		res->pr_held && !all ? scsi_pr_registration_of(c->lun, res->pr_holder) : NULL;
	bool takes_reservation = (all && victim == 0) || (holder && holder->key == victim);
	if (victim == 0 && !takes_reservation) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAMETER_LIST);
		return;
	}
	size_t removed = remove_keys(res, victim, all && victim == 0, c->nexus);
	if (takes_reservation) {
		res->pr_held = true;
		res->pr_type = type;
		res->pr_holder = c->nexus;
	} else if (removed == 0) {
		scsi_conflict(c);
		return;
	}
	res->pr_generation++;
}

void scsi_op_pr_out(struct scsi_cmd *c)
{
	uint8_t action = c->cdb[1] & 0x1f, scope = c->cdb[2] >> 4, type = c->cdb[2] & 0x0f;
	if (scsi_get32(c->cdb + 5) != PROUT_PARAMETER_LEN) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	if (scsi_data_out_short(c, PROUT_PARAMETER_LEN))
		return;
	uint64_t key = scsi_get64(c->data_out), action_key = scsi_get64(c->data_out + 8);
	uint8_t flags = c->data_out[20];
	bool registering = action == PROUT_REGISTER || action == PROUT_REGISTER_AND_IGNORE;
	/* ALL_TG_PT and APTPL count for registering only; SPEC_I_PT is for
	 * REGISTER only, and unsupported */
	if (flags & PROUT_SPEC_I_PT ||
	    (registering && flags & (PROUT_ALL_TG_PT | PROUT_APTPL))) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAMETER_LIST);
		return;
	}
	bool typed = action != PROUT_CLEAR && !registering;
	if (typed && (scope != SCOPE_LU || !valid_type(type))) {
		scsi_fail_field(c, 2);
		return;
	}
	if (registering) {
		register_key(c, key, action_key, action == PROUT_REGISTER_AND_IGNORE);
		return;
	}
	const struct scsi_pr_registration *reg = scsi_pr_registration_of(c->lun, c->nexus);
	if (!reg || reg->key != key) {
		scsi_conflict(c);
		return;
	}
	switch (action) {
	case PROUT_RESERVE: reserve(c, type); break;
	case PROUT_RELEASE: release(c, type); break;
	case PROUT_CLEAR: clear(c); break;
	default: preempt(c, action_key, type); break;   /* PREEMPT (AND ABORT) */
	}
}
