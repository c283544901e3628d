/* scsi_inquiry.c — INQUIRY (SPC-4): the standard data, and the vital
 * product data pages 0x00 (supported pages), 0x80 (unit serial number),
 * 0x83 (device identification), 0xb0 (block limits) and 0xb1 (block
 * device characteristics, SBC-3). */
#include <stdio.h>
#include <string.h>

#include "harness/roles/scsi_internal.h"

#define INQUIRY_EVPD 0x01
#define INQUIRY_CMDDT 0x02              /* obsolete since SPC-3: refused */
#define TYPE_DISK 0x00                  /* peripheral qualifier 000b, direct access */
#define TYPE_NO_LUN 0x7f                /* qualifier 011b, type 0x1f: no LUN here */
#define VERSION_SPC4 0x06
#define HISUP_RDF2 0x12                 /* hierarchical LUNs, response data format 2 */
#define CMDQUE 0x02
#define STANDARD_LEN 66                 /* up to the fourth version descriptor */
#define VPD_HEADER_LEN 4
#define VPD_BLOCK_PAGE_LEN 0x3c         /* pages 0xb0 and 0xb1 (SBC-3) */
#define NON_ROTATING 0x0001             /* page 0xb1 medium rotation rate */
#define NAA_LOCALLY_ASSIGNED 0x3ull     /* NAA 3h: no IEEE OUI needed */

/* Version descriptors (SPC-4 Table 29): SAM-5, iSCSI, SPC-4, SBC-3. */
static const uint16_t version_descriptors[] = { 0x00a0, 0x0960, 0x0460, 0x04c0 };

static const uint8_t supported_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1 };

static void standard_inquiry(struct scsi_cmd *c, size_t alloc)
{
	uint8_t data[STANDARD_LEN] = { 0 };
	data[0] = c->lun ? TYPE_DISK : TYPE_NO_LUN;
	data[2] = VERSION_SPC4;
	data[3] = HISUP_RDF2;
	data[4] = STANDARD_LEN - 5;
	data[7] = CMDQUE;
	memcpy(data + 8, SCSI_VENDOR, 8);
	memcpy(data + 16, SCSI_PRODUCT, 16);
	memcpy(data + 32, SCSI_REVISION, 4);
	for (size_t i = 0; i < sizeof version_descriptors / sizeof version_descriptors[0]; i++)
		scsi_put16(data + 58 + 2 * i, version_descriptors[i]);
	scsi_reply(c, data, sizeof data, alloc);
}

/* The LU's serial number: the device's, then "-" and the LUN. */
static size_t unit_serial(const struct scsi_cmd *c, uint8_t *out, size_t room)
{
	char s[SCSI_SERIAL_MAX + 16];
	int n = snprintf(s, sizeof s, "%s-%u", c->dev->serial, c->lun_number);
	size_t len = (size_t)n < room ? (size_t)n : room;
	memcpy(out, s, len);
	return len;
}

/* An NAA locally assigned name: 52 bits of FNV-1a over the device serial,
 * then the LUN, so every LUN of a device differs and a device keeps its
 * names across runs. */
static uint64_t naa_name(const struct scsi_cmd *c)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char *p = c->dev->serial; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return NAA_LOCALLY_ASSIGNED << 60 | (h & ((1ull << 52) - 1)) << 8 | c->lun_number;
}

/* Page 0x83: a T10 vendor ID designator and an NAA one, both of the LU. */
static size_t device_identification(const struct scsi_cmd *c, uint8_t *p, size_t room)
{
	size_t at = 0;
	p[at++] = 0x02;   /* protocol identifier 0, code set ASCII */
	p[at++] = 0x01;   /* association: the LU; type: T10 vendor ID */
	p[at++] = 0;
	uint8_t *len = &p[at++];
	memcpy(p + at, SCSI_VENDOR, 8);
	size_t serial = unit_serial(c, p + at + 8, room - at - 8 - 12);
	*len = (uint8_t)(8 + serial);
	at += 8 + serial;

	p[at++] = 0x01;   /* code set binary */
	p[at++] = 0x03;   /* association: the LU; type: NAA */
	p[at++] = 0;
	p[at++] = 8;
	scsi_put64(p + at, naa_name(c));
	return at + 8;
}

/* The page's payload (after its 4-byte header) into p; false when the
 * device has no such page. */
static bool vpd_page(const struct scsi_cmd *c, uint8_t page, uint8_t *p, size_t room,
		     size_t *len)
{
	switch (page) {
	case 0x00:
		memcpy(p, supported_pages, sizeof supported_pages);
		*len = sizeof supported_pages;
		return true;
	case 0x80:
		*len = unit_serial(c, p, room);
		return true;
	case 0x83:
		*len = device_identification(c, p, room);
		return true;
	case 0xb0:
		/* no transfer length limits, granularity, UNMAP or WRITE SAME
		 * to report: every field 0 but COMPARE AND WRITE's length */
		memset(p, 0, VPD_BLOCK_PAGE_LEN);
		p[1] = scsi_max_compare_and_write;
		*len = VPD_BLOCK_PAGE_LEN;
		return true;
	case 0xb1:
		memset(p, 0, VPD_BLOCK_PAGE_LEN);
		if (c->lun->ram)
			scsi_put16(p, NON_ROTATING);
		*len = VPD_BLOCK_PAGE_LEN;
		return true;
	default:
		return false;
	}
}

void scsi_op_inquiry(struct scsi_cmd *c)
{
	uint8_t flags = c->cdb[1], page = c->cdb[2];
	size_t alloc = scsi_get16(c->cdb + 3);
	if (flags & INQUIRY_CMDDT) {
		scsi_fail_field(c, 1);
		return;
	}
	if (!(flags & INQUIRY_EVPD)) {
		if (page)
			scsi_fail_field(c, 2);
		else
			standard_inquiry(c, alloc);
		return;
	}
	/* VPD describes a LU: there is none to describe here */
	if (!c->lun) {
		scsi_fail(c, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_LUN_NOT_SUPPORTED);
		return;
	}
	uint8_t data[VPD_HEADER_LEN + 128];
	size_t len;
	if (!vpd_page(c, page, data + VPD_HEADER_LEN, sizeof data - VPD_HEADER_LEN, &len)) {
		scsi_fail_field(c, 2);
		return;
	}
	data[0] = TYPE_DISK;
	data[1] = page;
	scsi_put16(data + 2, (uint16_t)len);
	scsi_reply(c, data, VPD_HEADER_LEN + len, alloc);
}
