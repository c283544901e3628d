/* pcap_records.h — reads the records of a classic pcap file (magic
 * 0xa1b2c3d4 with microsecond or 0xa1b23c4d with nanosecond time stamps,
 * either byte order, version 2.4) fast: the file is read with large read()
 * calls into one reusable buffer and each record is handed out in place,
 * with the byte offset of its header in the file. No syscall and no copy
 * per record; memory stays bounded however long the file is (a record that
 * straddles the end of the buffer is moved to its front; the buffer grows
 * only for a record bigger than itself, and no legal record is bigger than
 * 16 + max_caplen bytes).
 *
 * The file header is not read here: the caller has read it (pcap_reader.c
 * lets libpcap open the file, which checks the header and names the link
 * type) and says where the records start. Each record is given as libpcap
 * (1.10) gives it, so the reader's output does not depend on which path
 * read the file: a struct pcap_pkthdr with nanosecond time stamps (tv_usec
 * holds nanoseconds, as with PCAP_TSTAMP_PRECISION_NANO; the time fields
 * are signed in a file of the host's byte order and unsigned in the other,
 * as libpcap has them) and a record longer than the file's snap length cut
 * to the snap length. A record is refused as
 * libpcap refuses it: the file ending inside it (truncated), or a captured
 * length above max_caplen (corrupt); pcap_records_why() says what exactly.
 */
#ifndef HARNESS_CAPTURE_PCAP_RECORDS_H
#define HARNESS_CAPTURE_PCAP_RECORDS_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes of a classic pcap file header and of a record header. */
#define PCAP_RECORDS_FILE_HEADER 24u
#define PCAP_RECORDS_RECORD_HEADER 16u

/* The buffer's size when the caller gives 0: it holds the largest record
 * libpcap accepts for the link types the capture reader decodes (16 +
 * 262144 bytes), so it never grows for a legal file; a bigger buffer reads
 * no faster (measured from 128 KiB to 4 MiB). */
#define PCAP_RECORDS_DEFAULT_BUFFER (1u << 19)

/* How the file's records are laid out (from its header). */
struct pcap_records_format {
	bool big_endian;     /* the file's byte order (from the magic number) */
	bool nanosecond;     /* time stamps in ns (magic 0xa1b23c4d), else us */
	uint32_t snaplen;    /* the file's snap length, as libpcap adjusted it
				(pcap_snapshot()): longer records are cut */
	uint32_t max_caplen; /* the largest captured length libpcap accepts for
				the link type; a longer record is corrupt */
};

/* What pcap_records_next() returns. */
enum pcap_records_status {
	PCAP_RECORDS_RECORD = 1,     /* a record is in *rec */
	PCAP_RECORDS_END = 0,        /* the file ended after a whole record */
	PCAP_RECORDS_TRUNCATED = -1, /* the file ends inside a record */
	PCAP_RECORDS_CORRUPT = -2,   /* a captured length no record can have */
	PCAP_RECORDS_READ_ERROR = -3,
	PCAP_RECORDS_NO_MEMORY = -4,
};

struct pcap_record {
	struct pcap_pkthdr hdr;  /* as libpcap gives it (see above); caplen is
				    at most the snap length */
	const uint8_t *data;     /* hdr.caplen bytes, valid until the next call */
	uint64_t offset;         /* byte offset of the record header in the file */
	uint32_t stored_caplen;  /* captured bytes in the file: more than
				    hdr.caplen for a record longer than the
				    snap length */
};

struct pcap_records;

/*
 * Read records from fp, whose position is byte offset `offset` of the file
 * (just after the file header; offsets are counted from the file's start).
 * A stream with a file descriptor is read with read() on it from `offset`
 * on (fp itself is not read any more); one without (fmemopen) with large
 * fread() calls. buffer_size 0 means PCAP_RECORDS_DEFAULT_BUFFER. fp stays
 * the caller's. Returns 0, or PCAP_RECORDS_NO_MEMORY.
 */
int pcap_records_open(struct pcap_records **rs, FILE *fp, uint64_t offset,
		      const struct pcap_records_format *format, size_t buffer_size);

/* The next record: PCAP_RECORDS_RECORD, PCAP_RECORDS_END, or an error (the
 * record at pcap_records_offset() is bad, pcap_records_why() says how; the
 * same error again on every later call). */
int pcap_records_next(struct pcap_records *rs, struct pcap_record *rec);

/* Byte offset in the file of the next record header (after an error: of
 * the record that could not be read). */
uint64_t pcap_records_offset(const struct pcap_records *rs);

/* Why the last call failed, in words ("" when it did not). */
const char *pcap_records_why(const struct pcap_records *rs);

/* Bytes the buffer holds now (it grows only for a record bigger than it). */
size_t pcap_records_buffer_size(const struct pcap_records *rs);

/* Free the reader (NULL is a no-op); fp is not closed. */
void pcap_records_close(struct pcap_records *rs);

#endif
