/* pcap_records.c — reads the records of a classic pcap file with large
 * read() calls into one reusable buffer and hands each out in place, with
 * its byte offset in the file, decoded as libpcap decodes it (see
 * pcap_records.h). pcap_reader.c uses it for classic pcap files and keeps
 * libpcap's own reading for everything else (pcapng, pipes, old formats). */
#include "harness/capture/pcap_records.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pcap_records {
	FILE *fp;             /* read with fread() when it has no descriptor */
	int fd;               /* read with read() when >= 0 */
	struct pcap_records_format format;
	bool host_order;      /* the file's byte order is the host's */
	uint8_t *buf;
	size_t buf_size;
	size_t pos;           /* the next record header starts at buf[pos] */
	size_t end;           /* buf[pos, end) is read and not yet handed out */
	uint64_t buf_offset;  /* file offset of buf[0] */
	bool at_eof;          /* the last read returned nothing */
	int failed;           /* a sticky error status, or 0 */
	char why[160];
};

int pcap_records_open(struct pcap_records **rsp, FILE *fp, uint64_t offset,
		      const struct pcap_records_format *format, size_t buffer_size)
{
	*rsp = NULL;
	struct pcap_records *rs = calloc(1, sizeof *rs);
	if (!rs)
		return PCAP_RECORDS_NO_MEMORY;
	rs->buf_size = buffer_size ? buffer_size : PCAP_RECORDS_DEFAULT_BUFFER;
	rs->buf = malloc(rs->buf_size);
	if (!rs->buf) {
		free(rs);
		return PCAP_RECORDS_NO_MEMORY;
	}
	rs->fp = fp;
	rs->format = *format;
	const uint16_t one = 1;
	rs->host_order = format->big_endian == (*(const uint8_t *)&one == 0);
	rs->buf_offset = offset;
	rs->fd = fileno(fp);
	/* the stream may have read ahead past offset into its own buffer:
	 * the descriptor is positioned explicitly, or not used at all */
	if (rs->fd >= 0 && lseek(rs->fd, (off_t)offset, SEEK_SET) != (off_t)offset)
		rs->fd = -1;
	if (rs->fd >= 0)
		(void)posix_fadvise(rs->fd, (off_t)offset, 0, POSIX_FADV_SEQUENTIAL);
	*rsp = rs;
	return 0;
}

void pcap_records_close(struct pcap_records *rs)
{
	if (!rs)
		return;
	free(rs->buf);
	free(rs);
}

uint64_t pcap_records_offset(const struct pcap_records *rs)
{
	return rs->buf_offset + rs->pos;
}

const char *pcap_records_why(const struct pcap_records *rs)
{
	return rs->why;
}

size_t pcap_records_buffer_size(const struct pcap_records *rs)
{
	return rs->buf_size;
}

/* Into dst, up to n bytes: how many (0 at the end of the file), or -1 with
 * errno set. */
static ssize_t read_some(struct pcap_records *rs, uint8_t *dst, size_t n)
{
	if (rs->fd >= 0) {
		ssize_t got;
		do
			got = read(rs->fd, dst, n);
		while (got < 0 && errno == EINTR);
		return got;
	}
	errno = 0;
	size_t got = fread(dst, 1, n, rs->fp);
	if (got == 0 && ferror(rs->fp)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return (ssize_t)got;
}

static int fail(struct pcap_records *rs, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pcap_records *rs, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs->why, sizeof rs->why, fmt, ap);
	va_end(ap);
	rs->failed = status;
	return status;
}

/* Make `need` bytes from buf[pos] available: moves what is left of the
 * buffer to its front, grows it if need is more than it holds, and reads
 * until need is met or the file ends. Returns 0 (the bytes may be fewer
 * than need at the end of the file) or an error status. */
static int fill(struct pcap_records *rs, size_t need)
{
	if (rs->end - rs->pos >= need || rs->at_eof)
		return 0;
	size_t left = rs->end - rs->pos;
	if (rs->pos > 0) {
		memmove(rs->buf, rs->buf + rs->pos, left);
		rs->buf_offset += rs->pos;
		rs->pos = 0;
		rs->end = left;
	}
	if (need > rs->buf_size) {
		uint8_t *bigger = realloc(rs->buf, need);
		if (!bigger)
			return fail(rs, PCAP_RECORDS_NO_MEMORY, "out of memory for a record "
				    "of %zu bytes", need);
		rs->buf = bigger;
		rs->buf_size = need;
	}
	while (rs->end < need) {
		ssize_t got = read_some(rs, rs->buf + rs->end, rs->buf_size - rs->end);
		if (got < 0)
			return fail(rs, PCAP_RECORDS_READ_ERROR, "%s", strerror(errno));
		if (got == 0) {
			rs->at_eof = true;
			break;
		}
		rs->end += (size_t)got;
	}
	return 0;
}

static uint32_t field32(const uint8_t *b, bool big_endian)
{
	return big_endian
		? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
		: (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

int pcap_records_next(struct pcap_records *rs, struct pcap_record *rec)
{
	if (rs->failed)
		return rs->failed;
	const size_t hdr_len = PCAP_RECORDS_RECORD_HEADER;
	int rc = fill(rs, hdr_len);
	if (rc < 0)
		return rc;
	size_t have = rs->end - rs->pos;
	if (have == 0)
		return PCAP_RECORDS_END;
	if (have < hdr_len)
		return fail(rs, PCAP_RECORDS_TRUNCATED, "only %zu of the record header's "
			    "%u bytes are in the file", have, PCAP_RECORDS_RECORD_HEADER);

	const uint8_t *h = rs->buf + rs->pos;
	const bool big = rs->format.big_endian;
	uint32_t caplen = field32(h + 8, big);
	if (caplen > rs->format.max_caplen)
		return fail(rs, PCAP_RECORDS_CORRUPT, "its header says %u captured bytes, "
			    "more than any record can hold: at most %u for this link type, "
			    "and the file's snap length is %u", caplen,
			    rs->format.max_caplen, rs->format.snaplen);
	size_t rec_len = hdr_len + caplen;
	rc = fill(rs, rec_len);
	if (rc < 0)
		return rc;
	have = rs->end - rs->pos;
	if (have < rec_len)
		return fail(rs, PCAP_RECORDS_TRUNCATED, "its header says %u captured bytes; "
			    "only %zu of them are in the file", caplen, have - hdr_len);

	h = rs->buf + rs->pos; /* fill() may have moved the record */
	/* libpcap (1.10) takes the time fields as signed 32-bit numbers in a
	 * file of the host's byte order and as unsigned ones in a file of the
	 * other, and scales microseconds up to nanoseconds in a long,
	 * unchecked: so do we, for the same time stamps (they differ only
	 * after 2038 or for a fraction field above 2^31) */
	uint32_t sec = field32(h, big), frac = field32(h + 4, big);
	int64_t sec_value = rs->host_order ? (int64_t)(int32_t)sec : (int64_t)sec;
	int64_t frac_value = rs->host_order ? (int64_t)(int32_t)frac : (int64_t)frac;
	rec->hdr.ts.tv_sec = (time_t)sec_value;
	rec->hdr.ts.tv_usec = (suseconds_t)(rs->format.nanosecond ? frac_value
								 : frac_value * 1000);
	rec->hdr.len = field32(h + 12, big);
	rec->hdr.caplen = caplen > rs->format.snaplen ? rs->format.snaplen : caplen;
	rec->stored_caplen = caplen;
	rec->data = h + hdr_len;
	rec->offset = rs->buf_offset + rs->pos;
	rs->pos += rec_len;
	return PCAP_RECORDS_RECORD;
}
