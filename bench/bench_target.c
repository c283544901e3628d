/* bench_target.c — the embedded target (`iscsi-harness target`) against
 * tgtd, on loopback, in one run. Both serve a 64 MiB LUN: the harness's is
 * in RAM (--lun 64M), tgtd's is a sparse file on /dev/shm (tmpfs) behind
 * tgtd's default rdwr backing store, so neither reads a disk. The harness
 * target writes its pcap, as every run does, to build/bench/ (a disk),
 * deleted after each repetition.
 *
 * The load is bench/peers/iscsi_bench.c (libiscsi, asynchronous
 * READ(10)/WRITE(10)), compiled here with -liscsi, the same program with
 * the same arguments against both targets:
 *   - 4 KiB random reads, 32 in flight: IOPS;
 *   - 1 MiB sequential reads, 8 in flight: MB/s;
 *   - 1 MiB sequential writes, 8 in flight: MB/s.
 * Each runs BENCH_TARGET_SECONDS (default 3) against each target, and the
 * whole set is repeated 3 times, alternating targets, since the machine is
 * shared: the best and the spread (worst..best) of the three are printed,
 * and the ratio harness/tgtd of the bests. The CPU time each target used
 * per command (utime + stime from /proc/PID/stat around the run of its
 * best figure) is printed too; tgtd's includes its backing-store threads.
 *
 * Then memory: the harness target's VmRSS with no session, and again with
 * 64 sessions of 4 connections each logged in (tests/support/tini.c over
 * TCP, MaxConnections=4) and idle; the difference per connection.
 *
 * Nothing is asserted on speed. The bench fails when a peer cannot be
 * started or a run fails; it is skipped (exit 0, one line saying why) when
 * not root or tgtd, a compiler or libiscsi is missing. Every child is
 * stopped by its PID (tests/support/peers.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/peers.h"
#include "tests/support/tini.h"

#define BENCH_DIR "build/bench"
#define HELPER_SRC "bench/peers/iscsi_bench.c"
#define HELPER_BIN BENCH_DIR "/iscsi_bench"
#define HARNESS_DIR BENCH_DIR "/target"
#define REPS 3
#define N_LOADS 3
#define SESSIONS 64
#define CONNS_PER_SESSION 4
#define IQN "iqn.2026-11.org.iscsi-harness:bench-target"

struct load {
	const char *name, *mode, *size, *qd;
	bool iops;               /* report IOPS, else MB/s */
};

static const struct load loads[N_LOADS] = {
	{ "4 KiB random read, QD 32", "randread", "4096", "32", true },
	{ "1 MiB sequential read, QD 8", "seqread", "1048576", "8", false },
	{ "1 MiB sequential write, QD 8", "seqwrite", "1048576", "8", false },
};

enum { TGTD, HARNESS };
static const char *const peer_names[2] = { "tgtd", "harness" };

struct sample {
	double value;            /* IOPS or MB/s */
	double cpu_us_per_io;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* utime + stime of pid, in seconds; -1 when unreadable. */
static double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');   /* comm may hold spaces */
	unsigned long ut, st;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* VmRSS and VmHWM of pid in KiB; -1 when unreadable. */
static int rss_kb(pid_t pid, long *rss, long *hwm)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	*rss = *hwm = -1;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "VmRSS: %ld", rss);
		sscanf(line, "VmHWM: %ld", hwm);
	}
	fclose(f);
	return *rss < 0 || *hwm < 0 ? -1 : 0;
}

/* One run of the helper against url; the figure into *s. */
static int run_load(const char *url, const struct load *l, const char *seconds,
		    pid_t target, struct sample *s)
{
	const char *argv[] = { HELPER_BIN, url, l->mode, l->size, l->qd, seconds, NULL };
	char err[512];
	struct peer_result r;
	double cpu0 = cpu_seconds(target);
	if (peer_run(argv, NULL, atof(seconds) + 30, &r, err, sizeof err) != 0) {
		fprintf(stderr, "bench_target: %s\n", err);
		return -1;
	}
	double cpu1 = cpu_seconds(target);
	unsigned long long ios = 0, bytes = 0;
	double secs = 0;
	const char *line = r.out ? strstr(r.out, "ios ") : NULL;
	int ok = peer_result_ok(&r) && line &&
		 sscanf(line, "ios %llu bytes %llu seconds %lf", &ios, &bytes, &secs) == 3 &&
		 ios > 0 && secs > 0;
	if (!ok)
		fprintf(stderr, "bench_target: %s %s %s failed: %.400s\n", url, l->mode,
			l->size, r.out ? r.out : "");
	peer_result_free(&r);
	if (!ok)
		return -1;
	s->value = l->iops ? (double)ios / secs : (double)bytes / 1e6 / secs;
	s->cpu_us_per_io = cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) * 1e6 / (double)ios : -1;
	return 0;
}

/* ---- memory ------------------------------------------------------------- */

struct mem_result {
	long idle_rss, idle_hwm, busy_rss, busy_hwm;
	int conns;
};

/* Log in SESSIONS sessions of CONNS_PER_SESSION connections to port and
 * leave them idle; RSS of pid before and after. */
static int measure_memory(pid_t pid, int port, const char *iqn, struct mem_result *m)
{
	enum { N = SESSIONS * CONNS_PER_SESSION };
	static struct tini_session sess[SESSIONS];
	struct tini_conn **conns = calloc(N, sizeof *conns);
	int *fds = calloc(N, sizeof *fds);
	int rc = -1;
	m->conns = 0;
	if (!conns || !fds)
		goto out;
	for (int i = 0; i < N; i++)
		fds[i] = -1;
	usleep(200000);
	if (rss_kb(pid, &m->idle_rss, &m->idle_hwm) != 0)
		goto out;
	for (int si = 0; si < SESSIONS; si++) {
		tini_session_init(&sess[si], "iqn.2026-11.org.iscsi-harness:bench-ini", iqn,
				  (uint8_t)si);
		for (int ci = 0; ci < CONNS_PER_SESSION; ci++) {
			int k = si * CONNS_PER_SESSION + ci;
			conns[k] = calloc(1, sizeof *conns[k]);
			if (!conns[k])
				goto out;
			struct tini_link link = tini_tcp_link(&fds[k], (uint16_t)port);
			if (!link.ctx) {
				fprintf(stderr, "bench_target: connect: %s\n", strerror(errno));
				goto out;
			}
			tini_conn_init(conns[k], &sess[si], link, (uint16_t)(ci + 1));
			int st = tini_login(conns[k], ci == 0 ? "MaxConnections=4" : NULL);
			if (st != 0) {
				fprintf(stderr, "bench_target: login of session %d connection %d: "
					"status 0x%04x\n", si, ci, (unsigned)st);
				goto out;
			}
			m->conns++;
		}
	}
	usleep(500000);
	if (rss_kb(pid, &m->busy_rss, &m->busy_hwm) != 0)
		goto out;
	rc = 0;
out:
	for (int i = 0; conns && fds && i < N; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		free(conns[i]);
	}
	free(conns);
	free(fds);
	return rc;
}

/* ---- the run ------------------------------------------------------------ */

static int start_harness(const char *bin, struct peer_harness_target *h)
{
	char err[512];
	const char *extra[] = { "--lun", "64M", NULL };
	if (peer_harness_target_start(bin, HARNESS_DIR, extra, h, err, sizeof err) != 0) {
		fprintf(stderr, "bench_target: harness target: %s\n", err);
		return -1;
	}
	return 0;
}

static void stop_harness(struct peer_harness_target *h)
{
	char err[512];
	if (h->pid && peer_harness_target_stop(h, err, sizeof err) != 0)
		fprintf(stderr, "bench_target: stopping the harness target: %s\n", err);
	unlink(h->pcap);
}

static void report(struct sample s[N_LOADS][2][REPS])
{
	printf("bench_target: best of %d (spread worst..best); CPU per command at the "
	       "best run\n", REPS);
	for (int l = 0; l < N_LOADS; l++) {
		const char *unit = loads[l].iops ? "IOPS" : "MB/s";
		double best[2];
		printf("  %s\n", loads[l].name);
		for (int p = 0; p < 2; p++) {
			int bi = 0;
			double lo = s[l][p][0].value;
			for (int r = 1; r < REPS; r++) {
				if (s[l][p][r].value > s[l][p][bi].value)
					bi = r;
				if (s[l][p][r].value < lo)
					lo = s[l][p][r].value;
			}
			best[p] = s[l][p][bi].value;
			printf("    %-8s %10.0f %s (%.0f..%.0f, spread %.0f%%), CPU %.1f us per "
			       "command\n", peer_names[p], best[p], unit, lo, best[p],
			       best[p] > 0 ? 100.0 * (best[p] - lo) / best[p] : 0.0,
			       s[l][p][bi].cpu_us_per_io);
		}
		printf("    ratio harness/tgtd %.2f (higher is better)\n",
		       best[TGTD] > 0 ? best[HARNESS] / best[TGTD] : 0.0);
	}
}

int main(void)
{
	const char *bin = getenv("HARNESS_BIN");
	if (!bin || !*bin)
		bin = "./iscsi-harness";
	const char *seconds = getenv("BENCH_TARGET_SECONDS");
	if (!seconds || atof(seconds) <= 0 || atof(seconds) > 60)
		seconds = "3";
	char missing[1024], err[1024];
	if (geteuid() != 0 || !peer_prereqs(missing, sizeof missing)) {
		printf("bench_target: skipped: %s\n", geteuid() != 0 ? "not root" : missing);
		return 0;
	}
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "bench_target: %s is not executable (set HARNESS_BIN)\n", bin);
		return 1;
	}
	if (peer_mkdir_p(BENCH_DIR) != 0 ||
	    peer_build_workload(HELPER_SRC, HELPER_BIN, err, sizeof err) != 0) {
		fprintf(stderr, "bench_target: %s\n", err);
		return 1;
	}
	char shm[64];
	snprintf(shm, sizeof shm, "/dev/shm/iscsi-harness-bench-%d", (int)getpid());
	struct peer_tgtd t = { 0 };
	struct peer_tgtd_opts to = { .workdir = shm, .iqn = IQN };
	if (peer_tgtd_start(&to, &t, err, sizeof err) != 0) {
		fprintf(stderr, "bench_target: tgtd: %s\n", err);
		rmdir(shm);
		return 1;
	}
	printf("bench_target: tgtd %s (LUN 1: sparse file on /dev/shm, bstype rdwr), "
	       "harness %s target (LUN 0: 64 MiB RAM, pcap in %s); %s s per run\n",
	       t.url, bin, HARNESS_DIR, seconds);
	fflush(stdout);

	static struct sample s[N_LOADS][2][REPS];
	struct peer_harness_target h = { 0 };
	int rc = 1;
	double t0 = now_s();
	for (int r = 0; r < REPS; r++) {
		if (start_harness(bin, &h) != 0)
			goto out;
		for (int l = 0; l < N_LOADS; l++) {
			/* alternate which target goes first */
			for (int k = 0; k < 2; k++) {
				int p = (k + r + l) % 2;
				const char *url = p == TGTD ? t.url : h.url;
				pid_t pid = p == TGTD ? t.pid : h.pid;
				if (run_load(url, &loads[l], seconds, pid, &s[l][p][r]) != 0)
					goto out;
			}
		}
		stop_harness(&h);
	}
	report(s);
	printf("  (%.0f s for the runs)\n", now_s() - t0);

	struct mem_result m;
	if (start_harness(bin, &h) != 0)
		goto out;
	if (measure_memory(h.pid, h.port, h.iqn, &m) != 0) {
		fprintf(stderr, "bench_target: the memory run failed after %d connections\n",
			m.conns);
		goto out;
	}
	printf("bench_target: harness target memory, %d sessions x %d connections idle\n",
	       SESSIONS, CONNS_PER_SESSION);
	printf("  no session:  VmRSS %ld KiB (VmHWM %ld KiB)\n", m.idle_rss, m.idle_hwm);
	printf("  %d conns:   VmRSS %ld KiB (VmHWM %ld KiB)\n", m.conns, m.busy_rss, m.busy_hwm);
	printf("  per connection: %.0f bytes of RSS\n",
	       (double)(m.busy_rss - m.idle_rss) * 1024.0 / (double)m.conns);
	rc = 0;
out:
	stop_harness(&h);
	if (peer_tgtd_stop(&t, err, sizeof err) != 0)
		fprintf(stderr, "bench_target: stopping tgtd: %s\n", err);
	unlink(t.log);
	rmdir(shm);
	return rc;
}
