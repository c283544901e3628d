/* bench_check.c — `iscsi-harness check` against tshark on the same large
 * captures, in one run. Each capture repeats the MC/S golden session
 * (harness/capture/golden_mcs.h) through the pcap writer: every repetition
 * gets its own connection ids, initiator address (198.18.0.0/15, one per
 * repetition) and a later clock, so it is a new set of TCP connections and
 * a new iSCSI session. Sizes: 100 MB and 1 GB, under build/bench/, deleted
 * at the end unless BENCH_KEEP=1; the 1 GB size is skipped when the file
 * system has less than 3 GB free.
 *
 * The pcap writer writes with O_DIRECT where it can, so a capture just
 * written is not in the page cache: each file is read once, untimed,
 * before anything is measured, and both tools read it from memory. Each
 * measurement is the fastest of BENCH_RUNS runs (peak RSS: the largest).
 *
 * Measured by fork + exec + wait4 (wall time, peak RSS):
 *   - HARNESS_BIN check --quiet --port 3260 FILE
 *   - tshark -r FILE -Y iscsi -T fields -e iscsi.opcode, on 100 MB (on
 *     1 GB only with BENCH_TSHARK_1G=1), its output counted as PDUs.
 * The checker's PDU count comes from a JSON report of an extra, untimed run
 * on the 100 MB file and must equal tshark's (the bench fails otherwise).
 *
 * Then the same for the long-session shape: one session on one connection
 * (login, rounds of READ 8 KB / WRITE 4 KB immediate / NOP ping, logout,
 * FIN) built on harness/capture/golden_builder.h, at 100 MB and 1 GB;
 * tshark must see every PDU written on 100 MB. Peak RSS should be flat
 * (within 10%) between the two sizes of each shape.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/capture/golden_builder.h"
#include "harness/capture/golden_mcs.h"
#include "harness/capture/pcap_writer.h"

#define BENCH_DIR "build/bench"
#define MB 1000000ull
#define SIZE_SMALL (100 * MB)
#define SIZE_LARGE (1000 * MB)
#define FREE_NEEDED (3000 * MB)
#define CONNS_PER_REP 8u        /* more than the session's 5 ids */
#define REP_GAP_NS 1000000LL    /* 1 ms between repetitions */
#define BENCH_RUNS 3

/* Rewrites one repetition's events before the writer sees them. */
struct repeater {
	struct cap_writer *w;
	uint32_t rep;
	int64_t shift_ns;           /* added to every time stamp */
	int64_t first_ts, last_ts;  /* of the events seen (unshifted) */
	bool seen;
	uint64_t pdus;
};

static int repeat_event(void *ctx, const struct event *ev)
{
	struct repeater *r = ctx;
	struct event e = *ev;
	struct ev_endpoints ep;
	if (!r->seen) {
		r->first_ts = ev->ts_ns;
		r->seen = true;
	}
	r->last_ts = ev->ts_ns;
	e.conn = r->rep * CONNS_PER_REP + ev->conn;
	e.ts_ns = ev->ts_ns + r->shift_ns;
	if (ev->ep) {
		ep = *ev->ep;
		uint32_t host = r->rep + 1; /* 198.18.0.0 + rep + 1 */
		ep.ini_addr[0] = 198;
		ep.ini_addr[1] = (uint8_t)(18 + (host >> 16));
		ep.ini_addr[2] = (uint8_t)(host >> 8);
		ep.ini_addr[3] = (uint8_t)host;
		e.ep = &ep;
	}
	if (ev->kind == EV_PDU)
		r->pdus++;
	return cap_writer_on_event(r->w, &e);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/* Write reps repetitions to path; returns the PDUs written, 0 on error. */
static uint64_t write_capture(const char *path, uint32_t reps)
{
	char err[256];
	struct cap_writer_opts opts = { .max_conns = 64 };
	struct cap_writer *w;
	if (cap_writer_open(&w, path, &opts, err, sizeof err) < 0) {
		fprintf(stderr, "bench_check: %s\n", err);
		return 0;
	}
	struct repeater r = { .w = w };
	for (uint32_t i = 0; i < reps; i++) {
		struct ev_bus bus;
		ev_bus_init(&bus);
		ev_bus_add(&bus, (struct ev_observer){ repeat_event, &r });
		r.rep = i;
		r.seen = false;
		if (golden_mcs_emit(&bus) < 0) {
			fprintf(stderr, "bench_check: %s: repetition %u: %s\n", path,
				i, cap_writer_errmsg(w));
			cap_writer_close(w);
			return 0;
		}
		r.shift_ns += r.last_ts - r.first_ts + REP_GAP_NS;
	}
	if (cap_writer_close(w) < 0) {
		fprintf(stderr, "bench_check: %s: write failed\n", path);
		return 0;
	}
	return r.pdus;
}

/* ---- the long-session shape ------------------------------------------ */

#define LONG_T0_NS 1767312000000000000LL
#define LONG_STEP_NS 20000
#define LONG_LUN 0x0001000000000000ull
#define LONG_INITIATOR "iqn.2026-11.org.iscsi-harness:bench-initiator"
#define LONG_TARGET "iqn.2026-11.org.iscsi-harness:bench-target"

static struct pdu_hdr long_cmd(struct gb_session *s, uint8_t op, uint32_t lba,
			       uint16_t blocks)
{
	struct pdu_hdr h = gb_hdr(PDU_OP_SCSI_CMD);
	h.itt = s->next_itt++;
	h.lun = LONG_LUN;
	h.attr = 1;
	h.final = true;
	h.edtl = (uint32_t)blocks * 512u;
	h.cdb[0] = op;
	h.cdb[2] = (uint8_t)(lba >> 24);
	h.cdb[3] = (uint8_t)(lba >> 16);
	h.cdb[4] = (uint8_t)(lba >> 8);
	h.cdb[5] = (uint8_t)lba;
	h.cdb[7] = (uint8_t)(blocks >> 8);
	h.cdb[8] = (uint8_t)blocks;
	return h;
}

/* One round of I/O: READ(10) of 8 KB (two Data-In, status in the last),
 * WRITE(10) of 4 KB as immediate data and its response, a NOP ping. */
static void long_round(struct gb_session *s, struct gb_conn *c, uint32_t i)
{
	struct pdu_hdr rd = long_cmd(s, 0x28, i * 16u, 16);
	rd.read = true;
	gb_send(s, c, &rd, false, NULL, 0, NULL, 0);
	for (uint32_t off = 0, sn = 0; off < rd.edtl; off += 4096, sn++) {
		struct pdu_hdr d = gb_hdr(PDU_OP_DATA_IN);
		d.itt = rd.itt;
		d.lun = rd.lun;
		d.datasn = sn;
		d.buffer_offset = off;
		d.final = d.status_present = off + 4096 == rd.edtl;
		gb_send(s, c, &d, false, NULL, 0, s->payload, 4096);
	}
	struct pdu_hdr wr = long_cmd(s, 0x2a, i * 8u, 8);
	wr.write = true;
	gb_send(s, c, &wr, false, NULL, 0, s->payload, wr.edtl);
	struct pdu_hdr rsp = gb_hdr(PDU_OP_SCSI_RSP);
	rsp.final = true;
	rsp.itt = wr.itt;
	gb_send(s, c, &rsp, false, NULL, 0, NULL, 0);
	struct pdu_hdr out = gb_hdr(PDU_OP_NOP_OUT);
	out.final = true;
	out.itt = s->next_itt++;
	out.data_segment_len = 16;
	gb_send(s, c, &out, false, NULL, 0, s->payload, 16);
	struct pdu_hdr in = gb_hdr(PDU_OP_NOP_IN);
	in.final = true;
	in.itt = out.itt;
	gb_send(s, c, &in, false, NULL, 0, s->payload, 16);
}

/* One session on one connection: login, rounds of I/O, logout, FIN. */
static int long_session(struct ev_bus *bus, uint32_t rounds)
{
	static const char *const sec_req[] = {
		"InitiatorName=" LONG_INITIATOR, "TargetName=" LONG_TARGET,
		"SessionType=Normal", "AuthMethod=None", NULL };
	static const char *const sec_rsp[] = {
		"AuthMethod=None", "TargetPortalGroupTag=1", NULL };
	static const char *const op_keys[] = {
		"HeaderDigest=None", "DataDigest=None", "MaxConnections=1",
		"ErrorRecoveryLevel=0", "InitialR2T=Yes", "ImmediateData=Yes",
		"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "DefaultTime2Wait=2",
		"DefaultTime2Retain=20", "MaxOutstandingR2T=1",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", NULL };
	static const uint8_t isid[6] = { 0x80, 0x42, 0x45, 0x4e, 0x00, 0x01 };
	static const uint8_t ini_ip[4] = { 192, 0, 2, 31 };
	static const uint8_t tgt_ip[4] = { 192, 0, 2, 32 };
	struct gb_session *s = malloc(sizeof *s);
	if (!s)
		return -1;
	struct gb_conn c;
	gb_session_init(s, bus, LONG_T0_NS, LONG_STEP_NS, 64, isid, 0x0101, 1);
	gb_conn_init(&c, 1, 1, ini_ip, 50001, tgt_ip, 3260, 0x1000);
	gb_conn_event(s, &c, EV_CONN_OPEN, EV_DIR_I2T);
	uint32_t itt = s->next_itt++;
	struct pdu_hdr req = gb_hdr(PDU_OP_LOGIN_REQ), rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = itt;
	req.transit = rsp.transit = true;
	req.csg = PDU_STAGE_SECURITY;
	req.nsg = PDU_STAGE_OPERATIONAL;
	gb_login_step(s, &c, &req, sec_req, &rsp, sec_rsp);
	req = gb_hdr(PDU_OP_LOGIN_REQ);
	rsp = gb_hdr(PDU_OP_LOGIN_RSP);
	req.itt = itt;
	req.transit = rsp.transit = true;
	req.csg = PDU_STAGE_OPERATIONAL;
	req.nsg = PDU_STAGE_FULL_FEATURE;
	rsp.tsih = s->tsih;
	gb_login_step(s, &c, &req, op_keys, &rsp, op_keys);
	c.full_feature = true;
	for (uint32_t i = 0; i < rounds && s->rc >= 0; i++)
		long_round(s, &c, i);
	struct pdu_hdr lo = gb_hdr(PDU_OP_LOGOUT_REQ), lr = gb_hdr(PDU_OP_LOGOUT_RSP);
	lo.immediate = true;
	lo.final = true;
	lo.itt = s->next_itt++;
	lo.cid = c.cid;
	gb_send(s, &c, &lo, false, NULL, 0, NULL, 0);
	lr.final = true;
	lr.itt = lo.itt;
	gb_send(s, &c, &lr, false, NULL, 0, NULL, 0);
	gb_conn_event(s, &c, EV_CONN_FIN, EV_DIR_T2I);
	gb_conn_event(s, &c, EV_CONN_FIN, EV_DIR_I2T);
	int rc = s->rc;
	free(s);
	return rc;
}

struct counter {
	struct cap_writer *w;
	uint64_t pdus;
};

static int count_event(void *ctx, const struct event *ev)
{
	struct counter *k = ctx;
	if (ev->kind == EV_PDU)
		k->pdus++;
	return cap_writer_on_event(k->w, ev);
}

/* One session of rounds rounds to path; returns the PDUs written, 0 on
 * error. */
static uint64_t write_long_capture(const char *path, uint32_t rounds)
{
	char err[256];
	struct cap_writer_opts opts = { .max_conns = 64 };
	struct cap_writer *w;
	if (cap_writer_open(&w, path, &opts, err, sizeof err) < 0) {
		fprintf(stderr, "bench_check: %s\n", err);
		return 0;
	}
	struct counter k = { .w = w };
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ count_event, &k });
	int rc = long_session(&bus, rounds);
	if (cap_writer_close(w) < 0 || rc < 0) {
		fprintf(stderr, "bench_check: %s: write failed\n", path);
		return 0;
	}
	return k.pdus;
}

struct run_result {
	double wall_s;
	long maxrss_kb;
	int status;          /* exit status, or -1 */
	uint64_t pdus;       /* count_output: values seen on standard output */
};

/* Run argv; with count_output, count the comma-separated values of every
 * output line (tshark -T fields), else send standard output to /dev/null. */
static int run(char *const argv[], bool count_output, struct run_result *res)
{
	int pfd[2] = { -1, -1 };
	if (count_output && pipe(pfd) != 0)
		return -1;
	memset(res, 0, sizeof *res);
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int out = count_output ? pfd[1] : open("/dev/null", O_WRONLY);
		int errfd = open("/dev/null", O_WRONLY);
		if (out < 0 || errfd < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
			_exit(126);
		if (count_output) {
			close(pfd[0]);
			close(pfd[1]);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (count_output) {
		close(pfd[1]);
		static char buf[1 << 16];
		bool in_value = false;
		ssize_t n;
		while ((n = read(pfd[0], buf, sizeof buf)) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (ssize_t i = 0; i < n; i++) {
				char ch = buf[i];
				if (ch == ',' || ch == '\n') {
					res->pdus += in_value;
					in_value = false;
				} else if (ch != '\r' && ch != ' ') {
					in_value = true;
				}
			}
		}
		res->pdus += in_value;
		close(pfd[0]);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	res->wall_s = now_s() - t0;
	res->maxrss_kb = ru.ru_maxrss;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

/* Sum the connections' "pdus" of a JSON report (each on a line of its own). */
static uint64_t json_pdus(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[4096];
	uint64_t sum = 0;
	while (fgets(line, sizeof line, f)) {
		const char *p = strstr(line, "\"pdus\": ");
		if (p)
			sum += strtoull(p + 8, NULL, 10);
	}
	fclose(f);
	return sum;
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);
	return v && strcmp(v, "1") == 0;
}

struct size_result {
	unsigned long long bytes;
	uint32_t sessions;
	uint64_t written_pdus;
	struct run_result check, tshark;
	bool tshark_run;
};

/* rep_bytes: bytes per repetition (long_shape: per round of I/O). */
/* Reads path once so that the runs measured find it in the page cache. */
static int warm_page_cache(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	static char buf[1 << 20];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		;
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The fastest of BENCH_RUNS runs of argv, with the largest peak RSS seen;
 * fails when a run fails or its status differs from the first run's. */
static int run_best(char *const argv[], bool count_output, struct run_result *best)
{
	for (int i = 0; i < BENCH_RUNS; i++) {
		struct run_result r;
		if (run(argv, count_output, &r) != 0)
			return -1;
		if (i && r.status != best->status)
			return -1;
		if (i == 0 || r.wall_s < best->wall_s) {
			long rss = i ? best->maxrss_kb : 0;
			*best = r;
			best->maxrss_kb = rss > r.maxrss_kb ? rss : r.maxrss_kb;
		} else if (r.maxrss_kb > best->maxrss_kb) {
			best->maxrss_kb = r.maxrss_kb;
		}
	}
	return 0;
}

static int bench_size(const char *bin, const char *path, unsigned long long target,
		      unsigned long long rep_bytes, bool long_shape, bool with_tshark,
		      struct size_result *out)
{
	memset(out, 0, sizeof *out);
	uint32_t reps = (uint32_t)((target - 24 + rep_bytes - 1) / rep_bytes);
	double t0 = now_s();
	out->sessions = long_shape ? 1 : reps;
	out->written_pdus = long_shape ? write_long_capture(path, reps)
				       : write_capture(path, reps);
	if (!out->written_pdus)
		return -1;
	out->bytes = file_size(path);
	printf("bench_check: wrote %s: %.1f MB, %u sessions, %llu PDUs in %.1f s\n",
	       path, (double)out->bytes / MB, out->sessions,
	       (unsigned long long)out->written_pdus, now_s() - t0);
	fflush(stdout);
	if (warm_page_cache(path) != 0) {
		fprintf(stderr, "bench_check: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}

	char *check_argv[] = { (char *)bin, "check", "--quiet", "--port", "3260",
			       (char *)path, NULL };
	if (run_best(check_argv, false, &out->check) != 0 || out->check.status < 0 ||
	    out->check.status > 1) {
		fprintf(stderr, "bench_check: %s check %s failed (status %d)\n",
			bin, path, out->check.status);
		return -1;
	}
	printf("  check   %7.2f s  %6.3f GB/s  peak RSS %7.1f MB  (exit status %d)\n",
	       out->check.wall_s, (double)out->bytes / 1e9 / out->check.wall_s,
	       out->check.maxrss_kb / 1024.0, out->check.status);
	fflush(stdout);
	if (!with_tshark)
		return 0;
	char *tshark_argv[] = { "tshark", "-r", (char *)path, "-Y", "iscsi", "-T",
				"fields", "-e", "iscsi.opcode", NULL };
	if (run_best(tshark_argv, true, &out->tshark) != 0 || out->tshark.status != 0) {
		fprintf(stderr, "bench_check: tshark on %s failed (status %d)\n",
			path, out->tshark.status);
		return -1;
	}
	out->tshark_run = true;
	printf("  tshark  %7.2f s  %6.3f GB/s  peak RSS %7.1f MB  %llu PDUs\n",
	       out->tshark.wall_s, (double)out->bytes / 1e9 / out->tshark.wall_s,
	       out->tshark.maxrss_kb / 1024.0,
	       (unsigned long long)out->tshark.pdus);
	fflush(stdout);
	return 0;
}

static void summary(const struct size_result *s, const struct size_result *l)
{
	double check_gbs = (double)s->bytes / 1e9 / s->check.wall_s;
	double tshark_gbs = (double)s->bytes / 1e9 / s->tshark.wall_s;
	printf("  100 MB: check %.3f GB/s, tshark %.3f GB/s, check/tshark speed "
	       "ratio %.1f (higher is better)\n", check_gbs, tshark_gbs,
	       check_gbs / tshark_gbs);
	if (l) {
		double lg = (double)l->bytes / 1e9 / l->check.wall_s;
		printf("  1 GB:   check %.3f GB/s", lg);
		if (l->tshark_run) {
			double lt = (double)l->bytes / 1e9 / l->tshark.wall_s;
			printf(", tshark %.3f GB/s, ratio %.1f", lt, lg / lt);
		} else {
			printf(" (tshark not run on 1 GB; BENCH_TSHARK_1G=1 runs it)");
		}
		printf("\n  check peak RSS: %.1f MB at 100 MB, %.1f MB at 1 GB, "
		       "ratio %.2f (1.0 is flat)\n", s->check.maxrss_kb / 1024.0,
		       l->check.maxrss_kb / 1024.0,
		       (double)l->check.maxrss_kb / (double)s->check.maxrss_kb);
		if ((double)l->check.maxrss_kb > 1.1 * (double)s->check.maxrss_kb)
			printf("  check peak RSS is NOT flat: it grows with the "
			       "capture (%u vs %u sessions)\n", l->sessions,
			       s->sessions);
	}
}

/* The long-session shape: one session of many rounds of I/O. */
static int bench_long(const char *bin, bool keep, unsigned long long free_bytes)
{
	const char *probe = BENCH_DIR "/check-long-probe.pcap";
	const char *small = BENCH_DIR "/check-long-100MB.pcap";
	const char *large = BENCH_DIR "/check-long-1GB.pcap";
	const uint32_t probe_rounds = 1000;
	if (!write_long_capture(probe, probe_rounds))
		return -1;
	unsigned long long round_bytes = file_size(probe) / probe_rounds;
	unlink(probe);
	printf("bench_check: the long session, about %llu bytes of pcap per round "
	       "of I/O (READ 8 KB, WRITE 4 KB, NOP)\n", round_bytes);
	struct size_result s, l;
	bool have_large = false;
	int rc = -1;
	if (bench_size(bin, small, SIZE_SMALL, round_bytes, true, true, &s) != 0)
		goto out;
	if (s.tshark.pdus != s.written_pdus) {
		fprintf(stderr, "bench_check: FAIL: tshark saw %llu PDUs of %llu "
			"written in %s\n", (unsigned long long)s.tshark.pdus,
			(unsigned long long)s.written_pdus, small);
		goto out;
	}
	if (!keep)
		unlink(small);
	if (free_bytes >= FREE_NEEDED) {
		if (bench_size(bin, large, SIZE_LARGE, round_bytes, true,
			       env_set("BENCH_TSHARK_1G"), &l) != 0)
			goto out;
		have_large = true;
	}
	printf("bench_check: results, one long session\n");
	summary(&s, have_large ? &l : NULL);
	rc = 0;
out:
	if (!keep) {
		unlink(small);
		unlink(large);
	}
	return rc;
}

int main(void)
{
	const char *bin = getenv("HARNESS_BIN");
	if (!bin || !*bin)
		bin = "./iscsi-harness";
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "bench_check: %s is not executable (set HARNESS_BIN)\n", bin);
		return 1;
	}
	if (mkdir(BENCH_DIR, 0755) != 0 && errno != EEXIST) {
		perror("bench_check: " BENCH_DIR);
		return 1;
	}
	bool keep = env_set("BENCH_KEEP");
	const char *one = BENCH_DIR "/check-one-session.pcap";
	const char *small = BENCH_DIR "/check-100MB.pcap";
	const char *large = BENCH_DIR "/check-1GB.pcap";
	const char *json = BENCH_DIR "/check-100MB.json";
	int rc = 1;

	if (!write_capture(one, 1))
		return 1;
	unsigned long long rep_bytes = file_size(one) - 24; /* less the header */
	unlink(one);
	printf("bench_check: the MC/S golden session, %llu bytes of pcap per "
	       "repetition, target port 3260\n", rep_bytes);

	struct size_result s, l;
	bool have_large = false;
	if (bench_size(bin, small, SIZE_SMALL, rep_bytes, false, true, &s) != 0)
		goto out;

	/* The checker's PDU count, from its JSON report (untimed). */
	char *json_argv[] = { (char *)bin, "check", "--quiet", "--port", "3260",
			      "--json", (char *)json, (char *)small, NULL };
	struct run_result jr;
	if (run(json_argv, false, &jr) != 0 || jr.status < 0 || jr.status > 1) {
		fprintf(stderr, "bench_check: the JSON run on %s failed\n", small);
		goto out;
	}
	uint64_t check_pdus = json_pdus(json);
	if (!keep)
		unlink(json);
	printf("  PDUs: written %llu, check %llu, tshark %llu\n",
	       (unsigned long long)s.written_pdus, (unsigned long long)check_pdus,
	       (unsigned long long)s.tshark.pdus);
	if (check_pdus != s.tshark.pdus || check_pdus != s.written_pdus) {
		fprintf(stderr, "bench_check: FAIL: PDU counts differ on %s "
			"(check %llu, tshark %llu, written %llu)\n", small,
			(unsigned long long)check_pdus,
			(unsigned long long)s.tshark.pdus,
			(unsigned long long)s.written_pdus);
		goto out;
	}
	if (!keep)
		unlink(small);

	struct statvfs vfs;
	unsigned long long free_bytes = 0;
	if (statvfs(BENCH_DIR, &vfs) == 0)
		free_bytes = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	if (free_bytes < FREE_NEEDED) {
		printf("bench_check: SKIP 1 GB size: %.1f GB free under %s, 3 GB "
		       "needed\n", (double)free_bytes / 1e9, BENCH_DIR);
	} else {
		if (bench_size(bin, large, SIZE_LARGE, rep_bytes, false,
			       env_set("BENCH_TSHARK_1G"), &l) != 0)
			goto out;
		have_large = true;
	}

	printf("bench_check: results, many sessions (one per repetition)\n");
	summary(&s, have_large ? &l : NULL);
	if (!keep)
		unlink(large);
	if (bench_long(bin, keep, free_bytes) != 0)
		goto out;
	printf("  PDUs on 100 MB: check %llu = tshark %llu\n",
	       (unsigned long long)check_pdus, (unsigned long long)s.tshark.pdus);
	rc = 0;
out:
	if (!keep) {
		unlink(small);
		unlink(large);
		unlink(json);
	}
	return rc;
}
