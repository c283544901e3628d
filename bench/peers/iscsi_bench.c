/* iscsi_bench.c — a libiscsi load generator for bench/bench_target.c: logs
 * in to the LUN of the URL and keeps QD commands of SIZE bytes in flight
 * (asynchronous READ(10) or WRITE(10)) for SECONDS, then logs out and
 * prints one line:
 *
 *   ios N bytes B seconds S
 *
 * Built at bench time with the system compiler and -liscsi (bench binaries
 * do not link libiscsi), like tests/peers/iscsi_workload.c.
 *
 *   iscsi_bench URL randread|seqread|seqwrite SIZE QD SECONDS
 *
 * randread picks SIZE-aligned offsets from a fixed-seed generator;
 * seqread and seqwrite walk the LUN from LBA 0 and wrap. Exits 0 when every
 * command completed with GOOD status; otherwise prints why and exits 1 (2
 * for usage errors). Every wait is bounded: no completion for 10 s ends
 * the run as a failure.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define INITIATOR_NAME "iqn.2024-01.org.iscsi-harness:bench"
#define MAX_QD 256
#define STALL_MS 10000

enum mode { RANDREAD, SEQREAD, SEQWRITE };

struct run {
	struct iscsi_context *iscsi;
	int lun;
	enum mode mode;
	uint32_t bs, blocks_per_io;
	uint64_t lun_blocks;
	uint64_t next_lba;       /* sequential modes */
	uint64_t rng;
	unsigned char *wbuf;
	int in_flight;
	int failed;
	int stopping;            /* no new commands once the time is up */
	uint64_t ios, bytes;
	double last_done;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_rand(struct run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static int issue(struct run *r);

static void done(struct iscsi_context *iscsi, int status, void *command_data,
		 void *private_data)
{
	struct run *r = private_data;
	struct scsi_task *task = command_data;
	r->in_flight--;
	if (status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "iscsi_bench: command failed: status %d: %s\n", status,
			iscsi_get_error(iscsi));
		r->failed = 1;
	} else {
		r->ios++;
		r->bytes += (uint64_t)r->bs * r->blocks_per_io;
		r->last_done = now_s();
	}
	if (task)
		scsi_free_scsi_task(task);
	if (!r->failed && !r->stopping && issue(r) != 0)
		r->failed = 1;
}

static int issue(struct run *r)
{
	uint64_t slots = r->lun_blocks / r->blocks_per_io;
	uint64_t lba;
	if (r->mode == RANDREAD) {
		lba = next_rand(r) % slots * r->blocks_per_io;
	} else {
		lba = r->next_lba;
		r->next_lba += r->blocks_per_io;
		if (r->next_lba + r->blocks_per_io > r->lun_blocks)
			r->next_lba = 0;
	}
	uint32_t len = r->bs * r->blocks_per_io;
	struct scsi_task *t = r->mode == SEQWRITE ?
		iscsi_write10_task(r->iscsi, r->lun, (uint32_t)lba, r->wbuf, len, (int)r->bs,
				   0, 0, 0, 0, 0, done, r) :
		iscsi_read10_task(r->iscsi, r->lun, (uint32_t)lba, len, (int)r->bs,
				  0, 0, 0, 0, 0, done, r);
	if (!t) {
		fprintf(stderr, "iscsi_bench: cannot queue a command: %s\n",
			iscsi_get_error(r->iscsi));
		return -1;
	}
	r->in_flight++;
	return 0;
}

/* Service the connection until no command is in flight or the deadline
 * (seconds, monotonic) passes with commands still issued. */
static int pump(struct run *r, double until, int drain)
{
	while (!r->failed && (drain ? r->in_flight > 0 : now_s() < until)) {
		struct pollfd p = { .fd = iscsi_get_fd(r->iscsi),
				    .events = (short)iscsi_which_events(r->iscsi) };
		int n = poll(&p, 1, 100);
		if (n < 0)
			return -1;
		if (iscsi_service(r->iscsi, n > 0 ? p.revents : 0) < 0) {
			fprintf(stderr, "iscsi_bench: %s\n", iscsi_get_error(r->iscsi));
			return -1;
		}
		if (now_s() - r->last_done > STALL_MS / 1000.0) {
			fprintf(stderr, "iscsi_bench: no completion for %d ms\n", STALL_MS);
			return -1;
		}
	}
	return r->failed ? -1 : 0;
}

static int capacity(struct run *r)
{
	struct scsi_task *t = iscsi_readcapacity16_sync(r->iscsi, r->lun);
	if (!t || t->status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "iscsi_bench: READ CAPACITY(16): %s\n", iscsi_get_error(r->iscsi));
		if (t)
			scsi_free_scsi_task(t);
		return -1;
	}
	struct scsi_readcapacity16 *rc = scsi_datain_unmarshall(t);
	int ok = rc && rc->block_length;
	if (ok) {
		r->bs = rc->block_length;
		r->lun_blocks = rc->returned_lba + 1;
	}
	scsi_free_scsi_task(t);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: iscsi_bench URL randread|seqread|seqwrite SIZE QD SECONDS\n");
		return 2;
	}
	struct run r = { .rng = 0x9e3779b97f4a7c15ull };
	if (!strcmp(argv[2], "randread"))
		r.mode = RANDREAD;
	else if (!strcmp(argv[2], "seqread"))
		r.mode = SEQREAD;
	else if (!strcmp(argv[2], "seqwrite"))
		r.mode = SEQWRITE;
	else
		return 2;
	long size = atol(argv[3]), qd = atol(argv[4]);
	double seconds = atof(argv[5]);
	if (size <= 0 || qd <= 0 || qd > MAX_QD || seconds <= 0 || seconds > 600)
		return 2;

	r.iscsi = iscsi_create_context(INITIATOR_NAME);
	struct iscsi_url *url = r.iscsi ? iscsi_parse_full_url(r.iscsi, argv[1]) : NULL;
	if (!url) {
		fprintf(stderr, "iscsi_bench: bad URL %s\n", argv[1]);
		return 2;
	}
	r.lun = url->lun;
	iscsi_set_targetname(r.iscsi, url->target);
	iscsi_set_session_type(r.iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(r.iscsi, ISCSI_HEADER_DIGEST_NONE);
	int rc = 1;
	if (iscsi_full_connect_sync(r.iscsi, url->portal, url->lun) != 0) {
		fprintf(stderr, "iscsi_bench: login: %s\n", iscsi_get_error(r.iscsi));
		goto out;
	}
	if (capacity(&r) != 0 || size % r.bs || (uint64_t)size / r.bs > r.lun_blocks) {
		fprintf(stderr, "iscsi_bench: SIZE %ld does not fit the LUN\n", size);
		goto logout;
	}
	r.blocks_per_io = (uint32_t)(size / r.bs);
	r.wbuf = malloc((size_t)size);
	if (!r.wbuf)
		goto logout;
	for (long i = 0; i < size; i++)
		r.wbuf[i] = (unsigned char)(i * 7 + 1);
	r.last_done = now_s();
	double t0 = now_s();
	for (long i = 0; i < qd; i++)
		if (issue(&r) != 0)
			goto logout;
	int prc = pump(&r, t0 + seconds, 0);
	r.stopping = 1;
	if (prc == 0)
		prc = pump(&r, 0, 1);
	double t1 = now_s();
	if (prc == 0) {
		printf("ios %llu bytes %llu seconds %.6f\n", (unsigned long long)r.ios,
		       (unsigned long long)r.bytes, t1 - t0);
		rc = 0;
	}
logout:
	iscsi_logout_sync(r.iscsi);
out:
	free(r.wbuf);
	iscsi_destroy_url(url);
	iscsi_destroy_context(r.iscsi);
	return rc;
}
