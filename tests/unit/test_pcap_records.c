/* test_pcap_records.c — tests of the classic pcap record reader
 * (harness/capture/pcap_records.c) and of the capture reader reading
 * classic pcap through it (harness/capture/pcap_reader.c).
 *
 * Capture files are built here byte by byte: both byte orders, microsecond
 * and nanosecond time stamps, odd time fields, records of every size up to
 * the largest libpcap accepts, records longer than the snap length, files
 * cut inside a record header or a record, a corrupt captured length. Each
 * is read
 *   - by libpcap (the reference: the records must come out the same, time
 *     stamps, lengths and bytes, and the file must fail at the same record),
 *   - by pcap_records with buffers from 1 byte up (so records straddle the
 *     buffer's end and are bigger than it), through a file descriptor and
 *     through an fmemopen stream,
 *   - by the capture reader with small buffers, whose messages must name the
 *     file, the frame number and the byte offset; and whose statistics must
 *     equal those of the same file read through libpcap (a version 2.3
 *     header sends a file down libpcap's path).
 *
 * Scratch files go under $HARNESS_SCRATCH (else /tmp) in a fresh directory
 * that is removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/capture/pcap_reader.h"
#include "harness/capture/pcap_records.h"
#include "harness/event.h"
#include "tests/support/scratch.h"

#define MAX_CAPLEN 262144u
#define NO_SPLIT SIZE_MAX

static char scratch_dir[512];

static int group_setup(void **state)
{
	(void)state;
	return scratch_make_dir("pcap_records", scratch_dir, sizeof scratch_dir);
}

static int group_teardown(void **state)
{
	(void)state;
	scratch_remove_dir(scratch_dir);
	return 0;
}

/* ---- building capture files ---- */

struct spec {
	uint32_t sec, frac;   /* as stored */
	uint32_t caplen, len; /* as stored */
	uint32_t written;     /* data bytes written; 0: caplen */
};

struct file {
	uint8_t *b;
	size_t n, cap;
	size_t offsets[64];   /* of each record header */
	size_t records;
	bool big;
};

static void put(struct file *f, const void *p, size_t n)
{
	if (f->n + n > f->cap) {
		f->cap = (f->n + n) * 2;
		f->b = realloc(f->b, f->cap);
		assert_non_null(f->b);
	}
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put32(struct file *f, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = f->big ? (uint8_t)(v >> (24 - 8 * i)) : (uint8_t)(v >> (8 * i));
	put(f, b, 4);
}

static void put16(struct file *f, uint16_t v)
{
	uint8_t b[2] = { f->big ? (uint8_t)(v >> 8) : (uint8_t)v,
			 f->big ? (uint8_t)v : (uint8_t)(v >> 8) };
	put(f, b, 2);
}

static void file_header(struct file *f, bool big, bool nano, uint16_t minor, uint32_t snaplen)
{
	memset(f, 0, sizeof *f);
	f->big = big;
	put32(f, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
	put16(f, 2);
	put16(f, minor);
	put32(f, 0);
	put32(f, 0);
	put32(f, snaplen);
	put32(f, 1); /* LINKTYPE_ETHERNET */
}

static uint8_t data_byte(size_t record, size_t i)
{
	return (uint8_t)(record * 31 + i * 7 + 1);
}

static void add(struct file *f, struct spec s)
{
	assert_true(f->records < 64);
	f->offsets[f->records] = f->n;
	put32(f, s.sec);
	put32(f, s.frac);
	put32(f, s.caplen);
	put32(f, s.len);
	size_t written = s.written ? s.written : s.caplen;
	for (size_t i = 0; i < written; i++) {
		uint8_t b = data_byte(f->records, i);
		put(f, &b, 1);
	}
	f->records++;
}

static const char *save(const struct file *f, const char *name, size_t len)
{
	static char path[4][700];
	static unsigned next;
	char *p = path[next++ & 3];
	snprintf(p, sizeof path[0], "%s/%s", scratch_dir, name);
	FILE *fp = fopen(p, "wb");
	assert_non_null(fp);
	if (len)
		assert_int_equal(fwrite(f->b, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return p;
}

/* A file of records of many sizes and odd time fields. */
static void varied_file(struct file *f, bool big, bool nano, uint32_t snaplen)
{
	file_header(f, big, nano, 4, snaplen);
	static const uint32_t sizes[] = { 0, 1, 15, 16, 17, 60, 1514, 9000, 100, 65535,
					  3, MAX_CAPLEN, 2, 40000 };
	static const uint32_t secs[] = { 1767225600u, 0, 0x7fffffffu, 0x80000000u, 0xffffffffu };
	static const uint32_t fracs[] = { 999999, 0, 999999999, 0xffffffffu, 0x80000000u,
					  5000000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		add(f, (struct spec){ .sec = secs[i % 5], .frac = fracs[i % 6],
				      .caplen = sizes[i], .len = sizes[i] + (uint32_t)(i % 3) });
}

/* ---- libpcap as the reference ---- */

struct got {
	struct pcap_pkthdr h[64];
	uint8_t *data[64];
	size_t n;
	int end;              /* how it ended: 0 end of file, -1 an error */
};

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->data[i]);
	memset(g, 0, sizeof *g);
}

static void libpcap_read(const char *path, struct got *g)
{
	memset(g, 0, sizeof *g);
	char pe[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pe);
	if (!p)
		fail_msg("libpcap cannot open %s: %s", path, pe);
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		assert_true(g->n < 64);
		g->h[g->n] = *h;
		g->data[g->n] = malloc(h->caplen + 1);
		memcpy(g->data[g->n], d, h->caplen);
		g->n++;
	}
	g->end = rc == PCAP_ERROR_BREAK ? 0 : -1;
	pcap_close(p);
}

/* Read path with pcap_records (buffer_size, through fmemopen when
 * in_memory) and compare with the reference record by record: the same
 * headers and bytes, the offsets of f, the same end. Returns the final
 * status; *rs_out (if not NULL) keeps the reader open for more checks. */
static int records_read(const char *path, const struct file *f, size_t len, bool nano,
			uint32_t snaplen, size_t buffer_size, bool in_memory,
			const struct got *ref, struct pcap_records **rs_out)
{
	FILE *fp = in_memory ? fmemopen(f->b, len, "rb") : fopen(path, "rb");
	assert_non_null(fp);
	/* position the stream as libpcap leaves it: after the file header,
	 * with its own buffer read ahead */
	uint8_t hdr[24];
	assert_int_equal(fread(hdr, 1, sizeof hdr, fp), sizeof hdr);
	struct pcap_records_format format = { .big_endian = f->big, .nanosecond = nano,
					      .snaplen = snaplen, .max_caplen = MAX_CAPLEN };
	struct pcap_records *rs;
	assert_int_equal(pcap_records_open(&rs, fp, 24, &format, buffer_size), 0);
	struct pcap_record rec;
	size_t n = 0;
	int rc;
	while ((rc = pcap_records_next(rs, &rec)) == PCAP_RECORDS_RECORD) {
		if (n >= ref->n)
			fail_msg("buffer %zu: record %zu that libpcap did not give", buffer_size, n + 1);
		const struct pcap_pkthdr *w = &ref->h[n];
		if (rec.hdr.ts.tv_sec != w->ts.tv_sec || rec.hdr.ts.tv_usec != w->ts.tv_usec ||
		    rec.hdr.caplen != w->caplen || rec.hdr.len != w->len)
			fail_msg("buffer %zu, record %zu: %lld.%lld caplen %u len %u, libpcap "
				 "%lld.%lld caplen %u len %u", buffer_size, n + 1,
				 (long long)rec.hdr.ts.tv_sec, (long long)rec.hdr.ts.tv_usec,
				 rec.hdr.caplen, rec.hdr.len, (long long)w->ts.tv_sec,
				 (long long)w->ts.tv_usec, w->caplen, w->len);
		assert_memory_equal(rec.data, ref->data[n], rec.hdr.caplen);
		assert_int_equal(rec.offset, f->offsets[n]);
		assert_true(rec.stored_caplen >= rec.hdr.caplen);
		n++;
	}
	assert_int_equal(n, ref->n);
	if (ref->end == 0)
		assert_int_equal(rc, PCAP_RECORDS_END);
	else
		assert_true(rc < 0);
	/* an error is sticky */
	if (rc < 0)
		assert_int_equal(pcap_records_next(rs, &rec), rc);
	if (rs_out)
		*rs_out = rs;
	else
		pcap_records_close(rs);
	fclose(fp);
	return rc;
}

static const size_t buffer_sizes[] = { 1, 15, 16, 17, 31, 100, 1513, 4096, 65536, 0 };
#define N_BUFFER_SIZES (sizeof buffer_sizes / sizeof buffer_sizes[0])

/* Every buffer size, both ways of reading. */
static void records_match_libpcap(const struct file *f, size_t len, bool nano, uint32_t snaplen,
				  const char *name, int want_status)
{
	const char *path = save(f, name, len);
	struct got ref;
	libpcap_read(path, &ref);
	for (size_t i = 0; i < N_BUFFER_SIZES; i++) {
		for (int mem = 0; mem < 2; mem++) {
			int rc = records_read(path, f, len, nano, snaplen, buffer_sizes[i], mem,
					      &ref, NULL);
			assert_int_equal(rc, want_status);
		}
	}
	got_free(&ref);
}

/* ---- pcap_records ---- */

static void test_byte_orders_and_precisions(void **state)
{
	(void)state;
	for (int big = 0; big < 2; big++) {
		for (int nano = 0; nano < 2; nano++) {
			struct file f;
			varied_file(&f, big, nano, 0x40000);
			records_match_libpcap(&f, f.n, nano, 0x40000, "orders.pcap",
					      PCAP_RECORDS_END);
			free(f.b);
		}
	}
}

/* Many records through a small buffer: each record's bytes and offset,
 * and the buffer grows only to the biggest record. */
static void test_straddling_records(void **state)
{
	(void)state;
	struct file f;
	file_header(&f, false, false, 4, 65535);
	for (uint32_t i = 0; i < 60; i++)
		add(&f, (struct spec){ .sec = i, .frac = i * 1000, .caplen = 20 + i * 3,
				       .len = 20 + i * 3 });
	const char *path = save(&f, "straddle.pcap", f.n);
	struct got ref;
	libpcap_read(path, &ref);
	assert_int_equal(ref.n, 60);
	for (size_t size = 1; size < 300; size += 7) {
		struct pcap_records *rs;
		records_read(path, &f, f.n, false, 65535, size, false, &ref, &rs);
		size_t biggest = 16 + 20 + 59 * 3;
		assert_int_equal(pcap_records_buffer_size(rs), size > biggest ? size : biggest);
		assert_int_equal(pcap_records_offset(rs), f.n);
		pcap_records_close(rs);
	}
	got_free(&ref);
	free(f.b);
}

/* A record of the largest legal size, after small ones, in a small
 * buffer; and one just over it, which is corrupt. */
static void test_record_bigger_than_buffer(void **state)
{
	(void)state;
	struct file f;
	file_header(&f, true, true, 4, MAX_CAPLEN);
	add(&f, (struct spec){ .sec = 1, .frac = 2, .caplen = 100, .len = 100 });
	add(&f, (struct spec){ .sec = 1, .frac = 3, .caplen = MAX_CAPLEN, .len = 300000 });
	add(&f, (struct spec){ .sec = 1, .frac = 4, .caplen = 10, .len = 10 });
	const char *path = save(&f, "big.pcap", f.n);
	struct got ref;
	libpcap_read(path, &ref);
	struct pcap_records *rs;
	records_read(path, &f, f.n, true, MAX_CAPLEN, 4096, false, &ref, &rs);
	assert_int_equal(pcap_records_buffer_size(rs), 16 + MAX_CAPLEN);
	pcap_records_close(rs);
	got_free(&ref);
	records_match_libpcap(&f, f.n, true, MAX_CAPLEN, "big.pcap", PCAP_RECORDS_END);

	add(&f, (struct spec){ .caplen = MAX_CAPLEN + 1, .len = 10, .written = 10 });
	path = save(&f, "toobig.pcap", f.n);
	libpcap_read(path, &ref);
	assert_int_equal(ref.n, 3);
	records_read(path, &f, f.n, true, MAX_CAPLEN, 64, false, &ref, &rs);
	assert_int_equal(pcap_records_offset(rs), f.offsets[3]);
	assert_non_null(strstr(pcap_records_why(rs), "262145 captured bytes"));
	assert_non_null(strstr(pcap_records_why(rs), "at most 262144"));
	/* the buffer did not grow for the corrupt length */
	assert_int_equal(pcap_records_buffer_size(rs), 16 + MAX_CAPLEN);
	pcap_records_close(rs);
	got_free(&ref);
	free(f.b);
}

/* A file cut at every byte of its last two records: the same records as
 * libpcap, then the end or a truncated record at the right offset. */
static void test_cut_anywhere(void **state)
{
	(void)state;
	struct file f;
	file_header(&f, false, true, 4, 1000);
	add(&f, (struct spec){ .sec = 5, .frac = 6, .caplen = 40, .len = 40 });
	add(&f, (struct spec){ .sec = 7, .frac = 8, .caplen = 30, .len = 60 });
	add(&f, (struct spec){ .sec = 9, .frac = 10, .caplen = 25, .len = 25 });
	for (size_t len = f.offsets[1]; len <= f.n; len++) {
		const char *path = save(&f, "cut.pcap", len);
		struct got ref;
		libpcap_read(path, &ref);
		bool whole = len == f.offsets[1] || len == f.offsets[2] || len == f.n;
		for (size_t i = 0; i < N_BUFFER_SIZES; i++) {
			struct pcap_records *rs;
			int rc = records_read(path, &f, len, true, 1000, buffer_sizes[i],
					      i & 1, &ref, &rs);
			assert_int_equal(rc, whole ? PCAP_RECORDS_END : PCAP_RECORDS_TRUNCATED);
			if (!whole) {
				size_t rec = len < f.offsets[2] ? 1 : 2;
				assert_int_equal(pcap_records_offset(rs), f.offsets[rec]);
				char want[80];
				size_t in = len - f.offsets[rec];
				if (in < 16)
					snprintf(want, sizeof want, "only %zu of the record header's "
						 "16 bytes", in);
				else
					snprintf(want, sizeof want, "only %zu of them", in - 16);
				if (!strstr(pcap_records_why(rs), want))
					fail_msg("'%s' lacks '%s'", pcap_records_why(rs), want);
			}
			pcap_records_close(rs);
		}
		got_free(&ref);
	}
	free(f.b);
}

/* Records longer than the snap length are cut to it, as libpcap does;
 * stored_caplen keeps their length in the file. */
static void test_longer_than_snaplen(void **state)
{
	(void)state;
	for (int big = 0; big < 2; big++) {
		struct file f;
		file_header(&f, big, false, 4, 90);
		add(&f, (struct spec){ .sec = 1, .frac = 1, .caplen = 60, .len = 60 });
		add(&f, (struct spec){ .sec = 1, .frac = 2, .caplen = 1514, .len = 1514 });
		add(&f, (struct spec){ .sec = 1, .frac = 3, .caplen = 90, .len = 1514 });
		add(&f, (struct spec){ .sec = 1, .frac = 4, .caplen = 91, .len = 91 });
		records_match_libpcap(&f, f.n, false, 90, "snap90.pcap", PCAP_RECORDS_END);
		const char *path = save(&f, "snap90.pcap", f.n);
		FILE *fp = fopen(path, "rb");
		assert_non_null(fp);
		struct pcap_records_format format = { .big_endian = big, .snaplen = 90,
						      .max_caplen = MAX_CAPLEN };
		struct pcap_records *rs;
		assert_int_equal(pcap_records_open(&rs, fp, 24, &format, 50), 0);
		static const uint32_t stored[] = { 60, 1514, 90, 91 };
		struct pcap_record rec;
		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(pcap_records_next(rs, &rec), PCAP_RECORDS_RECORD);
			assert_int_equal(rec.stored_caplen, stored[i]);
			assert_int_equal(rec.hdr.caplen, stored[i] < 90 ? stored[i] : 90);
		}
		assert_int_equal(pcap_records_next(rs, &rec), PCAP_RECORDS_END);
		pcap_records_close(rs);
		fclose(fp);
		/* cut inside the part beyond the snap length: truncated too */
		records_match_libpcap(&f, f.offsets[1] + 16 + 1000, false, 90, "snap90-cut.pcap",
				      PCAP_RECORDS_TRUNCATED);
		free(f.b);
	}
}

/* ---- the capture reader on classic pcap ---- */

struct readout {
	int open_rc, rc;
	char err[700];
	struct cap_reader_stats st;
	uint64_t notes;
	char note[700];       /* the first note */
};

static int note_on(void *ctx, const struct event *ev)
{
	struct readout *o = ctx;
	if (ev->kind == EV_NOTE) {
		if (o->notes++ == 0)
			snprintf(o->note, sizeof o->note, "%s", ev->text ? ev->text : "");
	}
	return 0;
}

static void reader_read(const char *path, size_t read_buffer, struct readout *o)
{
	memset(o, 0, sizeof *o);
	struct cap_reader_opts opts = { .read_buffer = read_buffer };
	struct cap_reader *r;
	o->open_rc = cap_reader_open(&r, path, &opts, o->err, sizeof o->err);
	if (o->open_rc < 0)
		return;
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ note_on, o });
	o->rc = cap_reader_run(r, &bus);
	snprintf(o->err, sizeof o->err, "%s", cap_reader_errmsg(r));
	o->st = *cap_reader_stats(r);
	cap_reader_close(r);
}

/* The same file as version 2.3 goes through libpcap: its statistics and
 * the message up to libpcap's own words must be the same. */
static void same_as_libpcap_path(const struct file *f, size_t len, const char *name,
				 size_t read_buffer, struct readout *fast)
{
	const char *path = save(f, name, len);
	reader_read(path, read_buffer, fast);
	struct file old = *f;
	old.b = malloc(f->n);
	assert_non_null(old.b);
	memcpy(old.b, f->b, f->n);
	old.b[f->big ? 7 : 6] = 3; /* version 2.3 */
	char old_name[64];
	snprintf(old_name, sizeof old_name, "v23-%s", name);
	const char *old_path = save(&old, old_name, len);
	struct readout slow;
	reader_read(old_path, read_buffer, &slow);
	free(old.b);
	assert_int_equal(fast->open_rc, slow.open_rc);
	assert_int_equal(fast->rc, slow.rc);
	assert_memory_equal(&fast->st, &slow.st, sizeof fast->st);
	assert_int_equal(fast->notes, slow.notes);
	/* the messages differ only in the file name and the words in the
	 * last parentheses (libpcap's, or the record reader's) */
	const char *a = strstr(fast->err, ": frame "), *b = strstr(slow.err, ": frame ");
	assert_true((a == NULL) == (b == NULL));
	if (a) {
		const char *ae = strrchr(a, '('), *be = strrchr(b, '(');
		assert_non_null(ae);
		assert_non_null(be);
		assert_int_equal(ae - a, be - b);
		assert_memory_equal(a, b, (size_t)(ae - a));
		assert_non_null(strstr(be, "(libpcap: "));
	}
	if (fast->notes && !fast->rc) {
		a = strstr(fast->note, ": frame ");
		b = strstr(slow.note, ": frame ");
		assert_non_null(a);
		assert_non_null(b);
		assert_string_equal(a, b);
	}
}

static void assert_message(const struct readout *o, const char *path, const char *part)
{
	if (!strstr(o->err, path) || !strstr(o->err, part))
		fail_msg("message '%s' lacks '%s' or '%s'", o->err, path, part);
}

static void test_reader_truncated(void **state)
{
	(void)state;
	struct file f;
	varied_file(&f, true, false, MAX_CAPLEN);
	for (size_t i = 0; i < N_BUFFER_SIZES; i++) {
		struct readout o;
		/* cut inside record 7's data */
		same_as_libpcap_path(&f, f.offsets[6] + 16 + 700, "cut-data.pcap",
				     buffer_sizes[i], &o);
		assert_int_equal(o.rc, CAP_ETRUNCATED);
		char want[200];
		snprintf(want, sizeof want, "frame 7 (record at byte offset %zu): the file ends "
			 "inside this record, so the capture is cut short; frames 1-6 were "
			 "read (its header says 1514 captured bytes; only 700 of them are in "
			 "the file)", f.offsets[6]);
		assert_message(&o, "cut-data.pcap", want);
		assert_int_equal(o.st.frames, 6);
		assert_int_equal(o.st.first_ts_ns, 1767225600LL * 1000000000 + 999999000);
		/* cut inside record 10's header */
		same_as_libpcap_path(&f, f.offsets[9] + 9, "cut-header.pcap", buffer_sizes[i], &o);
		assert_int_equal(o.rc, CAP_ETRUNCATED);
		snprintf(want, sizeof want, "frame 10 (record at byte offset %zu): the file ends "
			 "inside this record, so the capture is cut short; frames 1-9 were read "
			 "(only 9 of the record header's 16 bytes are in the file)",
			 f.offsets[9]);
		assert_message(&o, "cut-header.pcap", want);
		assert_int_equal(o.st.frames, 9);
		/* cut inside the first record header */
		same_as_libpcap_path(&f, 24 + 3, "cut-first.pcap", buffer_sizes[i], &o);
		assert_int_equal(o.rc, CAP_ETRUNCATED);
		assert_message(&o, "cut-first.pcap", "frame 1 (record at byte offset 24): the "
			       "file ends inside this record, so the capture is cut short; no "
			       "frame was read (only 3 of the record header's 16 bytes");
		assert_int_equal(o.st.frames, 0);
	}
	free(f.b);
}

static void test_reader_corrupt_length(void **state)
{
	(void)state;
	static const uint32_t bad[] = { MAX_CAPLEN + 1, 0x7ffffff0u, 0xffffffffu };
	for (size_t k = 0; k < 3; k++) {
		struct file f;
		file_header(&f, k & 1, k == 2, 4, 1500);
		for (uint32_t i = 0; i < 5; i++)
			add(&f, (struct spec){ .sec = 100 + i, .frac = i, .caplen = 1400 + i,
					       .len = 1400 + i });
		add(&f, (struct spec){ .sec = 200, .caplen = bad[k], .len = bad[k],
				       .written = 60 });
		add(&f, (struct spec){ .sec = 201, .caplen = 60, .len = 60 });
		for (size_t i = 0; i < N_BUFFER_SIZES; i++) {
			struct readout o;
			same_as_libpcap_path(&f, f.n, "corrupt.pcap", buffer_sizes[i], &o);
			assert_int_equal(o.rc, CAP_ECORRUPT);
			char want[300];
			snprintf(want, sizeof want, "frame 6 (record at byte offset %zu): corrupt "
				 "record, the rest of the file cannot be read (its header says %u "
				 "captured bytes, more than any record can hold: at most 262144 for "
				 "this link type, and the file's snap length is 1500)",
				 f.offsets[5], bad[k]);
			assert_message(&o, "corrupt.pcap", want);
			assert_int_equal(o.st.frames, 5);
			assert_int_equal(o.st.bytes, 1400 * 5 + 10);
			int64_t ns = k == 2 ? 4 : 4000;
			assert_int_equal(o.st.last_ts_ns, 104 * 1000000000LL + ns);
		}
		free(f.b);
	}
}

/* A snap length of 90 with longer records: counted, the first noted,
 * each cut to 90 bytes (as libpcap does). */
static void test_reader_oversize(void **state)
{
	(void)state;
	struct file f;
	file_header(&f, false, true, 4, 90);
	add(&f, (struct spec){ .sec = 1, .frac = 1, .caplen = 60, .len = 60 });
	add(&f, (struct spec){ .sec = 1, .frac = 2, .caplen = 1514, .len = 1514 });
	add(&f, (struct spec){ .sec = 1, .frac = 3, .caplen = 91, .len = 91 });
	add(&f, (struct spec){ .sec = 1, .frac = 4, .caplen = 90, .len = 1514 });
	for (size_t i = 0; i < N_BUFFER_SIZES; i++) {
		struct readout o;
		same_as_libpcap_path(&f, f.n, "oversize.pcap", buffer_sizes[i], &o);
		assert_int_equal(o.rc, 0);
		assert_int_equal(o.st.frames, 4);
		assert_int_equal(o.st.oversize_records, 2);
		assert_int_equal(o.st.bytes, 60 + 90 + 90 + 90);
		assert_int_equal(o.st.first_ts_ns, 1000000001LL);
		assert_int_equal(o.st.last_ts_ns, 1000000004LL);
		char want[200];
		snprintf(want, sizeof want, "oversize.pcap: frame 2 (record at byte offset %zu) "
			 "holds 1514 bytes, more than the file's snap length 90: only the first "
			 "90 are used (the first such record)", f.offsets[1]);
		assert_int_equal(o.notes, 1);
		if (!strstr(o.note, want))
			fail_msg("note '%s' lacks '%s'", o.note, want);
	}
	free(f.b);
}

/* Whole files of each byte order and precision: the same statistics as
 * through libpcap, with any buffer. */
static void test_reader_whole_files(void **state)
{
	(void)state;
	for (int big = 0; big < 2; big++) {
		for (int nano = 0; nano < 2; nano++) {
			struct file f;
			varied_file(&f, big, nano, 0x40000);
			for (size_t i = 0; i < N_BUFFER_SIZES; i++) {
				struct readout o;
				same_as_libpcap_path(&f, f.n, "whole.pcap", buffer_sizes[i], &o);
				assert_int_equal(o.rc, 0);
				assert_int_equal(o.st.frames, f.records);
				assert_int_equal(o.st.oversize_records, 0);
			}
			free(f.b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_orders_and_precisions),
		cmocka_unit_test(test_straddling_records),
		cmocka_unit_test(test_record_bigger_than_buffer),
		cmocka_unit_test(test_cut_anywhere),
		cmocka_unit_test(test_longer_than_snaplen),
		cmocka_unit_test(test_reader_truncated),
		cmocka_unit_test(test_reader_corrupt_length),
		cmocka_unit_test(test_reader_oversize),
		cmocka_unit_test(test_reader_whole_files),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
