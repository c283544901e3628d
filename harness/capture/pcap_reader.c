/* pcap_reader.c — the capture reader: opens a pcap / pcapng file through
 * libpcap, reads it frame by frame (a classic pcap file in a seekable
 * stream through pcap_records.c, in large reads; anything else through
 * libpcap), decodes each frame (reader_link.c) and hands the TCP segments
 * to the connection tracker (reader_conn.c), which emits the events; bad
 * files give messages naming the frame and the byte offset (see
 * pcap_reader.h). */
#include "harness/capture/pcap_reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capture/framer.h"
#include "harness/capture/pcap_records.h"
#include "harness/capture/reader_conn.h"
#include "harness/capture/reader_link.h"

#define MAX_MALFORMED_NOTES 16
#define NS_PER_S 1000000000LL
/* libpcap's largest captured length for every link type the reader
 * decodes (MAXIMUM_SNAPLEN; only D-Bus, EBHSCR and USBPcap allow more) */
#define LIBPCAP_MAX_CAPLEN 262144u

enum file_kind { FILE_UNKNOWN, FILE_PCAP, FILE_PCAPNG };

/* What the first bytes of a file say. */
struct file_magic {
	enum file_kind kind;
	size_t rec_hdr;          /* classic pcap: bytes of a record header */
	bool standard;           /* classic pcap with 16-byte record headers
				    (not Kuznetzov's patched format) */
	bool big_endian;         /* classic pcap: the file's byte order */
	bool nanosecond;         /* classic pcap: ns time stamps */
};

struct cap_reader {
	pcap_t *pcap;
	struct pcap_records *records; /* classic pcap read in large reads */
	char *name;
	int dlt;
	struct file_magic magic; /* FILE_UNKNOWN for a stream that cannot seek */
	uint32_t snaplen;
	struct cap_reader_opts opts;
	struct rc_tracker *trk;
	struct framer_sink sink;
	struct cap_reader_stats st;
	bool ran;
	unsigned malformed_notes;
	bool noted_fragment, noted_snapped, noted_oversize;
	char errmsg[640];
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *cap_reader_strerror(int code)
{
	switch (code) {
	case CAP_EFORMAT: return "not a pcap or pcapng capture";
	case CAP_ELINK: return "unsupported link type";
	case CAP_ETRUNCATED: return "the capture file is truncated";
	case CAP_ECORRUPT: return "the capture file is corrupt";
	case CAP_EREAD: return "the capture file could not be read";
	default: return cap_strerror(code);
	}
}

/* ---- opening ------------------------------------------------------------ */

static uint32_t rd32(const uint8_t *b, bool big)
{
	return big ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
		   : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* What the first four bytes say the file is. */
static struct file_magic magic_of(const uint8_t m[4])
{
	struct file_magic fm = { .kind = FILE_UNKNOWN };
	for (int big = 0; big < 2; big++) {
		switch (rd32(m, big)) {
		case 0xa1b2c3d4u: case 0xa1b23c4du:
			fm.kind = FILE_PCAP;
			fm.rec_hdr = PCAP_RECORDS_RECORD_HEADER;
			fm.standard = true;
			fm.big_endian = big;
			fm.nanosecond = rd32(m, big) == 0xa1b23c4du;
			return fm;
		case 0xa1b2cd34u: /* Kuznetzov's patched format */
			fm.kind = FILE_PCAP;
			fm.rec_hdr = 24;
			fm.big_endian = big;
			return fm;
		case 0x0a0d0d0au:
			fm.kind = FILE_PCAPNG;
			return fm;
		default:
			break;
		}
	}
	return fm;
}

/* Look at the first bytes without consuming them (when fp can seek).
 * Returns 0, or a negative code with err set. */
static int peek(struct cap_reader *r, FILE *fp, char *err, size_t errlen)
{
	long start = ftell(fp);
	if (start < 0)
		return 0; /* a pipe: libpcap alone will judge */
	uint8_t m[4];
	errno = 0;
	size_t got = fread(m, 1, sizeof m, fp);
	if (got < sizeof m && ferror(fp)) {
		seterr(err, errlen, "%s: cannot read: %s", r->name,
		       errno ? strerror(errno) : "I/O error");
		return CAP_EREAD;
	}
	if (fseek(fp, start, SEEK_SET) != 0) {
		seterr(err, errlen, "%s: cannot seek back to byte offset %ld", r->name, start);
		return CAP_EREAD;
	}
	if (got == 0) {
		seterr(err, errlen, "%s: empty file (0 bytes): not a pcap or pcapng capture",
		       r->name);
		return CAP_EFORMAT;
	}
	if (got < sizeof m) {
		seterr(err, errlen, "%s: only %zu bytes: too short for a pcap or pcapng "
		       "file header (it ends at byte offset %zu)", r->name, got, got);
		return CAP_EFORMAT;
	}
	r->magic = magic_of(m);
	if (r->magic.kind == FILE_UNKNOWN) {
		seterr(err, errlen, "%s: not a pcap or pcapng file: it starts with bytes "
		       "%02x %02x %02x %02x at byte offset 0, which is no capture magic number",
		       r->name, m[0], m[1], m[2], m[3]);
		return CAP_EFORMAT;
	}
	return 0;
}

static int check_opts(const struct cap_reader_opts *o, const char *name, char *err,
		      size_t errlen)
{
	if (!o)
		return 0;
	if (o->n_target_ports > CAP_READER_MAX_PORTS) {
		seterr(err, errlen, "%s: %zu extra target ports, at most %d", name,
		       o->n_target_ports, CAP_READER_MAX_PORTS);
		return CAP_EINVAL;
	}
	if (o->n_target_ports && !o->target_ports) {
		seterr(err, errlen, "%s: %zu extra target ports and no list of them", name,
		       o->n_target_ports);
		return CAP_EINVAL;
	}
	for (size_t i = 0; i < o->n_target_ports; i++) {
		if (o->target_ports[i] == 0) {
			seterr(err, errlen, "%s: target port 0 is not a TCP port", name);
			return CAP_EINVAL;
		}
	}
	return 0;
}

/* A classic pcap file (version 2.4, 16-byte record headers) in a stream
 * that can tell its position is read by pcap_records.c from here on;
 * libpcap has read the file header. Returns 0 or CAP_ENOMEM. */
static int open_records(struct cap_reader *r, FILE *fp)
{
	if (!r->magic.standard || pcap_major_version(r->pcap) != 2 ||
	    pcap_minor_version(r->pcap) != 4 || r->snaplen == 0)
		return 0;
	off_t start = ftello(fp);
	if (start < 0)
		return 0;
	struct pcap_records_format format = {
		.big_endian = r->magic.big_endian, .nanosecond = r->magic.nanosecond,
		.snaplen = r->snaplen, .max_caplen = LIBPCAP_MAX_CAPLEN,
	};
	if (pcap_records_open(&r->records, fp, (uint64_t)start, &format,
			      r->opts.read_buffer) < 0)
		return CAP_ENOMEM;
	return 0;
}

int cap_reader_open_file(struct cap_reader **rp, FILE *fp, const char *name,
			 const struct cap_reader_opts *opts, char *err, size_t errlen)
{
	seterr(err, errlen, "%s", "");
	if (!name || !*name)
		name = "(capture)";
	if (!rp) {
		if (fp)
			fclose(fp);
		seterr(err, errlen, "%s: no place for the reader", name);
		return CAP_EINVAL;
	}
	*rp = NULL;
	if (!fp) {
		seterr(err, errlen, "%s: no stream to read", name);
		return CAP_EINVAL;
	}
	int rc = check_opts(opts, name, err, errlen);
	if (rc < 0) {
		fclose(fp);
		return rc;
	}
	struct cap_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->name = strdup(name))) {
		free(r);
		fclose(fp);
		seterr(err, errlen, "%s: out of memory", name);
		return CAP_ENOMEM;
	}
	if (opts)
		r->opts = *opts;
	rc = peek(r, fp, err, errlen);
	if (rc < 0) {
		fclose(fp);
		cap_reader_close(r);
		return rc;
	}
	char pe[PCAP_ERRBUF_SIZE] = "";
	r->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pe);
	if (!r->pcap) {
		fclose(fp);
		if (strstr(pe, "unknown file format"))
			seterr(err, errlen, "%s: not a pcap or pcapng file (libpcap: %s)", r->name, pe);
		else if (strstr(pe, "truncated"))
			seterr(err, errlen, "%s: the file header is cut short at the end of the "
			       "file (libpcap: %s)", r->name, pe);
		else
			seterr(err, errlen, "%s: cannot read the capture header (libpcap: %s)",
			       r->name, pe);
		cap_reader_close(r);
		return CAP_EFORMAT;
	}
	r->dlt = pcap_datalink(r->pcap);
	if (!rd_link_supported(r->dlt)) {
		const char *n = pcap_datalink_val_to_name(r->dlt);
		seterr(err, errlen, "%s: link type %d (%s) is not supported; the reader "
		       "decodes Ethernet (with VLAN tags), Linux SLL and SLL2, BSD NULL/LOOP "
		       "and raw IPv4/IPv6", r->name, r->dlt, n ? n : "unknown");
		cap_reader_close(r);
		return CAP_ELINK;
	}
	int snap = pcap_snapshot(r->pcap);
	r->snaplen = snap > 0 ? (uint32_t)snap : 0;
	rc = open_records(r, fp);
	if (rc < 0) {
		seterr(err, errlen, "%s: out of memory", r->name);
		cap_reader_close(r);
		return rc;
	}
	struct rc_opts ro = {
		.ports = r->opts.target_ports, .n_ports = r->opts.n_target_ports,
		.heuristic = r->opts.heuristic, .reasm_cap = r->opts.reasm_cap,
		.history = r->opts.history, .max_conns = r->opts.max_conns,
		.wire_events = r->opts.wire_events, .first_conn_id = r->opts.first_conn_id,
	};
	if (rc_new(&r->trk, &ro, &r->sink) < 0) {
		seterr(err, errlen, "%s: out of memory", r->name);
		cap_reader_close(r);
		return CAP_ENOMEM;
	}
	r->opts.target_ports = NULL; /* copied by the tracker */
	*rp = r;
	return 0;
}

int cap_reader_open(struct cap_reader **rp, const char *path,
		    const struct cap_reader_opts *opts, char *err, size_t errlen)
{
	seterr(err, errlen, "%s", "");
	if (!rp) {
		seterr(err, errlen, "cap_reader_open: no place for the reader");
		return CAP_EINVAL;
	}
	*rp = NULL;
	if (!path || !*path) {
		seterr(err, errlen, "cap_reader_open: no capture path");
		return CAP_EINVAL;
	}
	errno = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		seterr(err, errlen, "%s: cannot open: %s", path,
		       errno ? strerror(errno) : "unknown error");
		return CAP_EOPEN;
	}
	return cap_reader_open_file(rp, fp, path, opts, err, errlen);
}

/* ---- reading ------------------------------------------------------------ */

static void fmt_offset(char *buf, size_t len, long off)
{
	if (off < 0)
		snprintf(buf, len, "at an unknown byte offset (not a seekable file)");
	else
		snprintf(buf, len, "at byte offset %ld", off);
}

static int64_t ts_of(const struct pcap_pkthdr *h)
{
	/* nanoseconds (PCAP_TSTAMP_PRECISION_NANO), kept within int64 */
	int64_t sec = (int64_t)h->ts.tv_sec;
	int64_t lim = INT64_MAX / NS_PER_S - 1;
	if (sec > lim)
		sec = lim;
	if (sec < -lim)
		sec = -lim;
	return sec * NS_PER_S + (int64_t)h->ts.tv_usec;
}

static void frame(struct cap_reader *r, const struct pcap_pkthdr *h,
		  const uint8_t *data, long rec_off)
{
	struct rd_result res;
	rd_decode(r->dlt, data, h->caplen, h->len, &res);
	char where[64];
	switch (res.kind) {
	case RD_TCP:
		r->st.tcp_frames++;
		if (res.seg.len < res.seg.wire_len) {
			r->st.snapped_frames++;
			if (!r->noted_snapped) {
				r->noted_snapped = true;
				fmt_offset(where, sizeof where, rec_off);
				framer_note(&r->sink, 0, EV_DIR_I2T,
					    "%s: frame %llu (record %s) holds %zu of the %zu TCP "
					    "payload bytes: the snap length cut the rest, which will "
					    "be reported missing (the first such frame)", r->name,
					    (unsigned long long)r->sink.frame, where, res.seg.len,
					    res.seg.wire_len);
			}
		}
		rc_segment(r->trk, &res.seg);
		return;
	case RD_NOT_IP:
	case RD_NOT_TCP:
		r->st.non_tcp_frames++;
		return;
	case RD_FRAGMENT:
		r->st.fragments++;
		if (!r->noted_fragment) {
			r->noted_fragment = true;
			fmt_offset(where, sizeof where, rec_off);
			framer_note(&r->sink, 0, EV_DIR_I2T,
				    "%s: frame %llu (record %s) is an %s: IP fragments are not "
				    "reassembled, so a fragmented TCP segment becomes a gap (the "
				    "first fragment; the count is in the statistics)", r->name,
				    (unsigned long long)r->sink.frame, where, res.why);
		}
		return;
	case RD_MALFORMED:
		r->st.malformed_frames++;
		if (r->malformed_notes < MAX_MALFORMED_NOTES) {
			r->malformed_notes++;
			fmt_offset(where, sizeof where, rec_off);
			framer_note(&r->sink, 0, EV_DIR_I2T,
				    "%s: frame %llu (record %s), byte %zu of the frame: %s; "
				    "the frame is skipped%s", r->name,
				    (unsigned long long)r->sink.frame, where, res.offset, res.why,
				    r->malformed_notes == MAX_MALFORMED_NOTES
				    ? " (further malformed frames are only counted)" : "");
		}
		return;
	}
}

static void refresh_stats(struct cap_reader *r)
{
	const struct rc_stats *cs = rc_stats(r->trk);
	r->st.iscsi_conns = cs->iscsi_conns;
	r->st.non_iscsi_conns = cs->non_iscsi_conns;
	r->st.stray_segments = cs->stray_segments;
	r->st.evicted_conns = cs->evicted;
	r->st.peak_tracked_conns = cs->peak_tracked;
	r->st.retransmitted_bytes = cs->retransmitted_bytes;
	r->st.differing_overlaps = cs->differing_overlaps;
	r->st.out_of_order_segments = cs->out_of_order_segments;
	r->st.gap_bytes = cs->gap_bytes;
	r->st.pdus = r->sink.counts[EV_PDU];
	r->st.gaps = r->sink.counts[EV_GAP];
	r->st.resyncs = r->sink.counts[EV_RESYNC];
	r->st.notes = r->sink.counts[EV_NOTE];
}

/* A record that could not be read: the message (why says how), the code. */
static int read_failed(struct cap_reader *r, long rec_off, int code, const char *why)
{
	unsigned long long n = (unsigned long long)r->st.frames + 1;
	char where[64];
	fmt_offset(where, sizeof where, rec_off);
	switch (code) {
	case CAP_ETRUNCATED:
		if (n == 1)
			snprintf(r->errmsg, sizeof r->errmsg,
				 "%s: frame 1 (record %s): the file ends inside this record, "
				 "so the capture is cut short; no frame was read (%s)",
				 r->name, where, why);
		else
			snprintf(r->errmsg, sizeof r->errmsg,
				 "%s: frame %llu (record %s): the file ends inside this record, "
				 "so the capture is cut short; frames 1-%llu were read (%s)",
				 r->name, n, where, n - 1, why);
		break;
	case CAP_EREAD:
		snprintf(r->errmsg, sizeof r->errmsg,
			 "%s: frame %llu (record %s): read error (%s)", r->name, n, where, why);
		break;
	case CAP_ENOMEM:
		snprintf(r->errmsg, sizeof r->errmsg,
			 "%s: frame %llu (record %s): %s", r->name, n, where, why);
		break;
	default:
		snprintf(r->errmsg, sizeof r->errmsg,
			 "%s: frame %llu (record %s): corrupt record, the rest of the file "
			 "cannot be read (%s)", r->name, n, where, why);
		break;
	}
	return code;
}

/* A record libpcap could not read: the message, the code. */
static int libpcap_failed(struct cap_reader *r, long rec_off)
{
	const char *pe = pcap_geterr(r->pcap);
	char why[PCAP_ERRBUF_SIZE + 16];
	snprintf(why, sizeof why, "libpcap: %s", pe);
	if (strstr(pe, "truncated"))
		return read_failed(r, rec_off, CAP_ETRUNCATED, why);
	if (strstr(pe, "error reading"))
		return read_failed(r, rec_off, CAP_EREAD, why);
	return read_failed(r, rec_off, CAP_ECORRUPT, why);
}

/* One record read: the statistics, a note for the first record longer than
 * the snap length (stored_caplen bytes in the file, h->caplen used), the
 * frame. */
static void record(struct cap_reader *r, const struct pcap_pkthdr *h, const uint8_t *data,
		   long rec_off, uint64_t stored_caplen)
{
	r->st.frames++;
	r->st.bytes += h->caplen;
	r->sink.frame = r->st.frames;
	r->sink.ts_ns = ts_of(h);
	if (r->st.frames == 1)
		r->st.first_ts_ns = r->sink.ts_ns;
	r->st.last_ts_ns = r->sink.ts_ns;
	if (stored_caplen > h->caplen) {
		r->st.oversize_records++;
		if (!r->noted_oversize) {
			r->noted_oversize = true;
			framer_note(&r->sink, 0, EV_DIR_I2T,
				    "%s: frame %llu (record at byte offset %ld) holds "
				    "%llu bytes, more than the file's snap length %u: "
				    "only the first %u are used (the first such record)",
				    r->name, (unsigned long long)r->st.frames, rec_off,
				    (unsigned long long)stored_caplen, r->snaplen, h->caplen);
		}
	}
	frame(r, h, data, rec_off);
}

/* A classic pcap file, through pcap_records.c. */
static int run_records(struct cap_reader *r)
{
	struct pcap_record rec;
	int rc;
	while ((rc = pcap_records_next(r->records, &rec)) == PCAP_RECORDS_RECORD)
		record(r, &rec.hdr, rec.data, (long)rec.offset, rec.stored_caplen);
	if (rc == PCAP_RECORDS_END)
		return 0;
	long rec_off = (long)pcap_records_offset(r->records);
	const char *why = pcap_records_why(r->records);
	switch (rc) {
	case PCAP_RECORDS_TRUNCATED: return read_failed(r, rec_off, CAP_ETRUNCATED, why);
	case PCAP_RECORDS_CORRUPT: return read_failed(r, rec_off, CAP_ECORRUPT, why);
	case PCAP_RECORDS_NO_MEMORY: return read_failed(r, rec_off, CAP_ENOMEM, why);
	default: return read_failed(r, rec_off, CAP_EREAD, why);
	}
}

/* Anything else, through libpcap; the byte offsets from the stream's
 * position (classic pcap: also the length of a record longer than the snap
 * length). */
static int run_libpcap(struct cap_reader *r)
{
	FILE *fp = pcap_file(r->pcap);
	long next_off = -1;  /* a pcap record starts where the last one ended */
	for (;;) {
		long rec_off = next_off >= 0 ? next_off : fp ? ftell(fp) : -1;
		next_off = -1;
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(r->pcap, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1)
			return libpcap_failed(r, rec_off);
		uint64_t stored_caplen = h->caplen;
		if (r->magic.kind == FILE_PCAP && rec_off >= 0) {
			long end = ftell(fp);
			next_off = end;
			size_t rec_hdr = r->magic.rec_hdr;
			if (end >= 0 && (uint64_t)(end - rec_off) > rec_hdr + h->caplen)
				stored_caplen = (uint64_t)(end - rec_off) - rec_hdr;
		}
		record(r, h, data, rec_off, stored_caplen);
	}
}

int cap_reader_run(struct cap_reader *r, struct ev_bus *bus)
{
	if (!r)
		return CAP_EINVAL;
	if (r->ran) {
		snprintf(r->errmsg, sizeof r->errmsg, "%s: the capture was already read", r->name);
		return CAP_EINVAL;
	}
	r->ran = true;
	r->sink.bus = bus;
	int code = r->records ? run_records(r) : run_libpcap(r);
	if (code < 0) {
		framer_note(&r->sink, 0, EV_DIR_I2T, "%s", r->errmsg);
		char why[96];
		snprintf(why, sizeof why, "the end of the capture (the file is damaged at frame %llu)",
			 (unsigned long long)r->st.frames + 1);
		rc_finish(r->trk, why);
	} else {
		rc_finish(r->trk, "the end of the capture");
	}
	refresh_stats(r);
	return code;
}

const struct cap_reader_stats *cap_reader_stats(const struct cap_reader *r)
{
	static const struct cap_reader_stats none;
	return r ? &r->st : &none;
}

const char *cap_reader_errmsg(const struct cap_reader *r)
{
	return r ? r->errmsg : "";
}

int cap_reader_link_type(const struct cap_reader *r)
{
	return r ? r->dlt : -1;
}

void cap_reader_close(struct cap_reader *r)
{
	if (!r)
		return;
	rc_free(r->trk);
	pcap_records_close(r->records);
	if (r->pcap)
		pcap_close(r->pcap);
	free(r->name);
	free(r);
}
