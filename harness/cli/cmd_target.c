/* cmd_target.c — `iscsi-harness target`: run the embedded iSCSI target on
 * loopback (or any address given): LUNs in RAM or files, MC/S, ERL 0-2,
 * CHAP. Every byte each connection carried goes to a pcap. SIGINT and
 * SIGTERM stop it cleanly: connections closed, the pcap flushed. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/capture/pcap_writer.h"
#include "harness/cli/commands.h"
#include "harness/net/loop.h"
#include "harness/net/server.h"
#include "harness/proto/target.h"
#include "harness/roles/scsi_dev.h"
#include "harness/roles/target_role.h"

#define MAX_LISTEN 8
/* glibc malloc: blocks below this come from the heap, and this much of
 * free heap is kept (see run_target). */
#define HEAP_MMAP_THRESHOLD (32 * 1024 * 1024)
#define HEAP_TRIM_THRESHOLD (64 * 1024 * 1024)
#define DEFAULT_IQN "iqn.2026-11.org.iscsi-harness:target"

static void target_usage(FILE *out)
{
	fprintf(out,
		"usage: iscsi-harness target [OPTIONS]\n"
		"\n"
		"Run the embedded iSCSI target: sessions of several connections (MC/S),\n"
		"ErrorRecoveryLevel 0, 1 and 2, CHAP, LUNs in RAM or in files.\n"
		"\n"
		"  -l, --listen ADDR:PORT  address to listen on (repeatable; default\n"
		"                          127.0.0.1:3260; [::1]:3260 for IPv6; port 0\n"
		"                          picks a free port, printed on standard output)\n"
		"  -L, --lun SIZE|FILE     a LUN: a RAM disk of SIZE (64M, 1G) or a file\n"
		"                          (repeatable; default one 64M RAM LUN)\n"
		"  -n, --iqn NAME          the target's name (default " DEFAULT_IQN ")\n"
		"  -e, --erl N             highest ErrorRecoveryLevel accepted (default 2)\n"
		"  -c, --max-connections N connections per session (default 8)\n"
		"      --chap USER:SECRET  require CHAP with this secret\n"
		"      --mutual-chap USER:SECRET  answer the initiator's CHAP challenge\n"
		"      --header-digest LIST values accepted (default None,CRC32C)\n"
		"      --data-digest LIST  values accepted (default None,CRC32C)\n"
		"      --nop-interval MS   NOP-In ping on each connection (default 15000;\n"
		"                          0: never)\n"
		"      --login-timeout MS  drop a connection whose login is not done by then\n"
		"                          (default 15000)\n"
		"  -p, --pcap F            capture file (default reports/target-TIME.pcap)\n"
		"      --run-for SECONDS   stop after this long (default: until a signal)\n"
		"  -v, --verbose           log every PDU-level decision\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit status: 0 stopped cleanly, 2 usage or set-up error.\n");
}

struct target_opts {
	const char *listen[MAX_LISTEN];
	size_t n_listen;
	const char *luns[SCSI_MAX_LUNS];
	size_t n_luns;
	const char *iqn;
	unsigned erl, max_conns;
	struct login_chap chap;
	bool has_chap;
	const char *header_digest, *data_digest;
	unsigned nop_ms, login_ms;
	const char *pcap;
	long run_for;
	bool verbose;
};

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int split_user_secret(char *arg, const char **user, const char **secret)
{
	char *colon = strchr(arg, ':');
	if (!colon || colon == arg || !colon[1])
		return -1;
	*colon = '\0';
	*user = arg;
	*secret = colon + 1;
	return 0;
}

static int parse_options(int argc, char **argv, struct target_opts *o)
{
	enum { O_CHAP = 256, O_MUTUAL, O_HD, O_DD, O_NOP, O_LOGIN_TIMEOUT, O_RUN_FOR };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "lun", required_argument, NULL, 'L' },
		{ "iqn", required_argument, NULL, 'n' },
		{ "erl", required_argument, NULL, 'e' },
		{ "max-connections", required_argument, NULL, 'c' },
		{ "chap", required_argument, NULL, O_CHAP },
		{ "mutual-chap", required_argument, NULL, O_MUTUAL },
		{ "header-digest", required_argument, NULL, O_HD },
		{ "data-digest", required_argument, NULL, O_DD },
		{ "nop-interval", required_argument, NULL, O_NOP },
		{ "login-timeout", required_argument, NULL, O_LOGIN_TIMEOUT },
		{ "pcap", required_argument, NULL, 'p' },
		{ "run-for", required_argument, NULL, O_RUN_FOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	*o = (struct target_opts){
		.iqn = DEFAULT_IQN, .erl = 2, .max_conns = 8,
		.header_digest = "None,CRC32C", .data_digest = "None,CRC32C",
		.nop_ms = 15000, .login_ms = 15000, .run_for = -1,
	};
	optind = 1;
	int ch;
	unsigned v;
	while ((ch = getopt_long(argc, argv, "l:L:n:e:c:p:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (o->n_listen == MAX_LISTEN)
				goto usage;
			o->listen[o->n_listen++] = optarg;
			break;
		case 'L':
			if (o->n_luns == SCSI_MAX_LUNS)
				goto usage;
			o->luns[o->n_luns++] = optarg;
			break;
		case 'n': o->iqn = optarg; break;
		case 'e':
			if (parse_uint(optarg, 2, &o->erl))
				goto usage;
			break;
		case 'c':
			if (parse_uint(optarg, 65535, &o->max_conns) || !o->max_conns)
				goto usage;
			break;
		case O_CHAP:
			if (split_user_secret(optarg, &o->chap.user, &o->chap.secret))
				goto usage;
			o->has_chap = true;
			break;
		case O_MUTUAL:
			if (split_user_secret(optarg, &o->chap.mutual_user,
					      &o->chap.mutual_secret))
				goto usage;
			break;
		case O_HD: o->header_digest = optarg; break;
		case O_DD: o->data_digest = optarg; break;
		case O_NOP:
			if (parse_uint(optarg, 3600000, &v))
				goto usage;
			o->nop_ms = v;
			break;
		case O_LOGIN_TIMEOUT:
			if (parse_uint(optarg, 3600000, &v) || !v)
				goto usage;
			o->login_ms = v;
			break;
		case 'p': o->pcap = optarg; break;
		case O_RUN_FOR:
			if (parse_uint(optarg, 1000000, &v))
				goto usage;
			o->run_for = v;
			break;
		case 'v': o->verbose = true; break;
		case 'h': target_usage(stdout); return 1;
		default: goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (o->chap.mutual_user && !o->has_chap) {
		fprintf(stderr, "iscsi-harness target: --mutual-chap needs --chap\n");
		return -1;
	}
	if (!o->n_listen)
		o->listen[o->n_listen++] = "127.0.0.1:3260";
	if (!o->n_luns)
		o->luns[o->n_luns++] = "64M";
	return 0;
usage:
	target_usage(stderr);
	return -1;
}

static int add_luns(struct scsi_dev *dev, const struct target_opts *o)
{
	char err[256];
	for (size_t i = 0; i < o->n_luns; i++) {
		uint64_t size = scsi_parse_size(o->luns[i]);
		int lun = size ? scsi_dev_add_ram(dev, size, err, sizeof err) :
			scsi_dev_add_file(dev, o->luns[i], err, sizeof err);
		if (lun < 0) {
			fprintf(stderr, "iscsi-harness target: --lun %s: %s\n", o->luns[i], err);
			return -1;
		}
		fprintf(stderr, "iscsi-harness target: LUN %d: %s %s\n", lun,
				size ? "RAM" : "file", o->luns[i]);
	}
	return 0;
}

static void on_signal(void *arg, int sig)
{
	fprintf(stderr, "iscsi-harness target: signal %d, stopping\n", sig);
	net_loop_stop(arg);
}

static void default_pcap_path(char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(buf, n, "reports/target-%Y%m%d-%H%M%S.pcap", &tm);
}

static int run_target(struct target_opts *o)
{
	int rc = EXIT_USAGE;
	char err[512];
	char pcap_path[128];
	if (!o->pcap) {
		default_pcap_path(pcap_path, sizeof pcap_path);
		o->pcap = pcap_path;
	}
	struct scsi_dev *dev = scsi_dev_create(NULL);
	struct net_loop *loop = NULL;
	struct net_server *srv = NULL;
	struct cap_writer *cap = NULL;
	struct tgt *t = NULL;
	struct ev_bus bus;
	ev_bus_init(&bus);
	if (!dev || add_luns(dev, o))
		goto out;
	/* Every command's data buffer and queued Data-In (up to 1 MiB and
	 * MaxBurstLength) is allocated and freed again: kept in the heap,
	 * and the heap kept, they are not mapped, faulted in and unmapped
	 * each time (glibc's own thresholds adapt only after such frees and
	 * still trim). Set after the LUNs: a RAM LUN stays mapped and
	 * untouched until written. */
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD);
	if (cap_writer_open(&cap, o->pcap, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "iscsi-harness target: %s\n", err);
		goto out;
	}
	ev_bus_add(&bus, cap_writer_observer(cap));
	if (net_loop_create(&loop, err, sizeof err) != 0) {
		fprintf(stderr, "iscsi-harness target: %s\n", err);
		goto out;
	}
	struct tgt_cfg cfg = {
		.login = {
			.target_name = o->iqn,
			.tpgt = 1,
			.max_erl = (uint8_t)o->erl,
			.max_connections = o->max_conns,
			.mrdsl = 262144,
			.max_burst_length = 262144,
			.first_burst_length = 65536,
			.initial_r2t = false,
			.immediate_data = true,
			.max_outstanding_r2t = 1,
			.default_time2wait = 2,
			.default_time2retain = 20,
			.header_digest = o->header_digest,
			.data_digest = o->data_digest,
			.chap = o->has_chap ? &o->chap : NULL,
		},
		.backend = target_role_backend(dev),
		.rand_bytes = target_role_rand,
		.nop_interval_ms = o->nop_ms,
		.login_timeout_ms = o->login_ms,
	};
	/* The engine needs the carrier's io and the carrier the engine's
	 * ops: the engine is made first and given its io once the server
	 * exists (it calls none before a connection opens). */
	struct net_server_opts so = {
		.listen = o->listen, .n_listen = o->n_listen, .bus = &bus,
		.log_debug = o->verbose,
	};
	char addr[64];
	snprintf(addr, sizeof addr, "%s", o->listen[0]);
	cfg.login.target_address = addr;
	t = tgt_create(&cfg, (struct proto_io){ 0 });
	if (!t || net_server_create(&srv, loop, &so, tgt_engine_ops(t), err, sizeof err) != 0) {
		fprintf(stderr, "iscsi-harness target: %s\n", t ? err : "out of memory");
		goto out;
	}
	tgt_set_io(t, net_server_io(srv));
	for (size_t i = 0; i < o->n_listen; i++)
		printf("iscsi-harness target: listening on %s (port %u), %s\n",
		       o->listen[i], net_server_port(srv, i), o->iqn);
	printf("iscsi-harness target: pcap %s\n", o->pcap);
	fflush(stdout);
	int sigs[] = { SIGINT, SIGTERM };
	net_loop_on_signals(loop, sigs, 2, on_signal, loop);
	signal(SIGPIPE, SIG_IGN);
	net_loop_run(loop, o->run_for < 0 ? -1 : o->run_for * 1000);
	rc = EXIT_PASS;
out:
	/* the engine goes first, detached, while the carrier it cancels
	 * timers on and closes connections through still exists */
	if (srv)
		net_server_set_engine(srv, (struct proto_engine_ops){ 0 });
	tgt_free(t);
	net_server_free(srv);
	net_loop_free(loop);
	if (cap && cap_writer_close(cap) != 0) {
		fprintf(stderr, "iscsi-harness target: writing %s failed\n", o->pcap);
		rc = EXIT_USAGE;
	}
	scsi_dev_free(dev);
	return rc;
}

static int target_main(int argc, char **argv)
{
	struct target_opts o;
	int prc = parse_options(argc, argv, &o);
	if (prc)
		return prc > 0 ? EXIT_PASS : EXIT_USAGE;
	return run_target(&o);
}

const struct cli_command cli_target = {
	.name = "target",
	.summary = "run the embedded iSCSI target (MC/S, ERL 0-2)",
	.run = target_main,
};
