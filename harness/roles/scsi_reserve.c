/* scsi_reserve.c — reservations and what they hold back: RESERVE(6) and
 * RELEASE(6) (SPC-2), RESERVATION CONFLICT for the commands another I_T
 * nexus's reservation forbids (SPC-4 and SBC-3 tables), and what an I_T
 * nexus loss or a reset releases: RESERVE(6) reservations only. */
#include "harness/roles/scsi_internal.h"

struct scsi_pr_registration *scsi_pr_registration_of(struct scsi_lun *lun, uint64_t nexus)
{
	for (size_t i = 0; i < lun->res.registrant_count; i++)
		if (lun->res.registrants[i].nexus == nexus)
			return &lun->res.registrants[i];
	return NULL;
}

/* Registrants of the reservation type share its access. */
static bool registrants_type(uint8_t type)
{
	return type == SCSI_PR_WRITE_EXCLUSIVE_REGISTRANTS ||
	       type == SCSI_PR_EXCLUSIVE_ACCESS_REGISTRANTS || scsi_pr_all_registrants(type);
}

bool scsi_pr_all_registrants(uint8_t type)
{
	return type == SCSI_PR_WRITE_EXCLUSIVE_ALL || type == SCSI_PR_EXCLUSIVE_ACCESS_ALL;
}

static bool exclusive_access(uint8_t type)
{
	return type == SCSI_PR_EXCLUSIVE_ACCESS || type == SCSI_PR_EXCLUSIVE_ACCESS_REGISTRANTS ||
	       type == SCSI_PR_EXCLUSIVE_ACCESS_ALL;
}

static bool persistent_conflict(const struct scsi_cmd *c, const struct scsi_op *op)
{
	const struct scsi_reservations *res = &c->lun->res;
	if (op->access == SCSI_ACCESS_RESERVE)   /* CRH 0: any registration */
		return res->registrant_count > 0;
	if (!res->pr_held)
		return false;
	bool holder = registrants_type(res->pr_type) ?
		scsi_pr_registration_of(c->lun, c->nexus) != NULL : res->pr_holder == c->nexus;
	if (holder)
		return false;
	return op->access == SCSI_ACCESS_WRITE ||
	       (op->access == SCSI_ACCESS_READ && exclusive_access(res->pr_type));
}

bool scsi_reservation_conflict(const struct scsi_cmd *c, const struct scsi_op *op)
{
	const struct scsi_reservations *res = &c->lun->res;
	if (!res->reserved6)
		return persistent_conflict(c, op);
	/* SPC-3 5.6.1: under RESERVE(6), persistent reservation commands
	 * conflict whoever sends them */
	if (op->access == SCSI_ACCESS_PR)
		return true;
	if (res->reserve6_nexus == c->nexus)
		return false;
	/* RESERVE(6) and RELEASE(6) decide for themselves */
	return op->access != SCSI_ACCESS_ALWAYS && op->access != SCSI_ACCESS_RESERVE;
}

void scsi_op_reserve6(struct scsi_cmd *c)
{
	struct scsi_reservations *res = &c->lun->res;
	if (res->reserved6 && res->reserve6_nexus != c->nexus) {
		scsi_conflict(c);
		return;
	}
	res->reserved6 = true;
	res->reserve6_nexus = c->nexus;
}

/* Only the holder's RELEASE(6) releases; another's is GOOD and changes
 * nothing (SPC-2). */
void scsi_op_release6(struct scsi_cmd *c)
{
	struct scsi_reservations *res = &c->lun->res;
	if (res->reserved6 && res->reserve6_nexus == c->nexus)
		res->reserved6 = false;
}

void scsi_nexus_gone(struct scsi_dev *d, uint64_t nexus)
{
	for (size_t i = 0; i < d->lun_count; i++)
		if (d->luns[i].res.reserved6 && d->luns[i].res.reserve6_nexus == nexus)
			d->luns[i].res.reserved6 = false;
}

void scsi_lun_reset(struct scsi_dev *d, uint64_t lun, bool all)
{
	int only = scsi_lun_index(d, lun);
	for (size_t i = 0; i < d->lun_count; i++)
		if (all || (int)i == only)
			d->luns[i].res.reserved6 = false;
}
