/* scsi_dev.c — the device and its LUNs: RAM or file backing, LUN
 * addressing, sizes such as "64M", and the RAM behind the READ fast path. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/roles/scsi_internal.h"

#define DEFAULT_SERIAL "iscsi-harness"

/* LUN field address methods (SAM-5), in the top two bits. */
#define LUN_METHOD_MASK 0xc0u
#define LUN_METHOD_PERIPHERAL 0x00u
#define LUN_METHOD_FLAT 0x40u

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct scsi_dev *scsi_dev_create(const char *serial)
{
	struct scsi_dev *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	snprintf(d->serial, sizeof d->serial, "%s", serial && *serial ? serial : DEFAULT_SERIAL);
	/* VPD 0x80 and 0x83 carry ASCII graphic characters only */
	for (char *p = d->serial; *p; p++)
		if (*p <= ' ' || *p > '~')
			*p = '_';
	return d;
}

void scsi_dev_free(struct scsi_dev *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->lun_count; i++) {
		free(d->luns[i].ram);
		if (d->luns[i].fd >= 0)
			close(d->luns[i].fd);
	}
	free(d);
}

static bool room_for_lun(const struct scsi_dev *d, char *err, size_t errlen)
{
	if (d->lun_count < SCSI_MAX_LUNS)
		return true;
	set_err(err, errlen, "at most %d LUNs", SCSI_MAX_LUNS);
	return false;
}

int scsi_dev_add_ram(struct scsi_dev *d, uint64_t bytes, char *err, size_t errlen)
{
	if (!room_for_lun(d, err, errlen))
		return -1;
	if (bytes == 0 || bytes % SCSI_BLOCK_SIZE || (size_t)bytes != bytes) {
		set_err(err, errlen, "RAM LUN size %llu is not a positive multiple of %u bytes",
			(unsigned long long)bytes, SCSI_BLOCK_SIZE);
		return -1;
	}
	uint8_t *ram = calloc(1, (size_t)bytes);
	if (!ram) {
		set_err(err, errlen, "cannot allocate %llu bytes for a RAM LUN",
			(unsigned long long)bytes);
		return -1;
	}
	d->luns[d->lun_count] = (struct scsi_lun){ .blocks = bytes / SCSI_BLOCK_SIZE,
						   .ram = ram, .fd = -1 };
	return (int)d->lun_count++;
}

int scsi_dev_add_file(struct scsi_dev *d, const char *path, char *err, size_t errlen)
{
	if (!room_for_lun(d, err, errlen))
		return -1;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* lseek rather than fstat: it also sizes a block device */
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)SCSI_BLOCK_SIZE) {
		set_err(err, errlen, "%s: %s", path,
			size < 0 ? strerror(errno) : "smaller than one 512-byte block");
		close(fd);
		return -1;
	}
	d->luns[d->lun_count] = (struct scsi_lun){
		.blocks = (uint64_t)size / SCSI_BLOCK_SIZE, .ram = NULL, .fd = fd };
	return (int)d->lun_count++;
}

size_t scsi_dev_lun_count(const struct scsi_dev *d)
{
	return d->lun_count;
}

uint64_t scsi_parse_size(const char *s)
{
	if (!s || *s < '0' || *s > '9')
		return 0;
	uint64_t n = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned digit = (unsigned)(*s - '0');
		if (n > (UINT64_MAX - digit) / 10)
			return 0;
		n = n * 10 + digit;
	}
	unsigned shift = 0;
	switch (*s) {
	case '\0': break;
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case 'T': case 't': shift = 40; break;
	default: return 0;
	}
	if (*s && s[1])
		return 0;
	if (n > UINT64_MAX >> shift)
		return 0;
	return n << shift;
}

int scsi_lun_index(const struct scsi_dev *d, uint64_t lun)
{
	/* only the first level: the other three must be empty */
	if (lun & 0x0000ffffffffffffull)
		return -1;
	unsigned first = (unsigned)(lun >> 56), second = (unsigned)(lun >> 48) & 0xffu;
	unsigned n;
	if (first == LUN_METHOD_PERIPHERAL)   /* bus 0, LUN in the second byte */
		n = second;
	else if ((first & LUN_METHOD_MASK) == LUN_METHOD_FLAT)
		n = (first & ~LUN_METHOD_MASK) << 8 | second;
	else
		return -1;
	return n < d->lun_count ? (int)n : -1;
}

const uint8_t *scsi_dev_ram(const struct scsi_dev *d, uint64_t lun, uint64_t offset,
			    uint64_t len)
{
	int i = scsi_lun_index(d, lun);
	if (i < 0 || !d->luns[i].ram)
		return NULL;
	uint64_t bytes = d->luns[i].blocks * SCSI_BLOCK_SIZE;
	if (offset > bytes || len > bytes - offset)
		return NULL;
	return d->luns[i].ram + offset;
}
