/* cmd_check.c — `iscsi-harness check FILE...`: run the conformance rules on
 * captures. Each file is read by the capture reader into events, judged by
 * its own rule engine, and every session of every file goes into one report
 * (text on the terminal; --json, --junit, --tap, --text files). Each session
 * goes to the report's spool (a temporary file) as soon as it has ended and
 * been judged, so memory stays flat however long the captures are. Reports
 * are written even when a file turns out truncated or damaged: everything
 * read before the problem is judged, and the problem is reported with it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/capture/pcap_reader.h"
#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/report_files.h"
#include "harness/report/report.h"

#define MAX_PORTS CAP_READER_MAX_PORTS

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: iscsi-harness check [OPTIONS] FILE.pcap...\n"
		"\n"
		"Check every iSCSI session in the captures against the RFC 7143 rules of\n"
		"the conformance catalogue (scenarios/CATALOGUE.md), across all the TCP\n"
		"connections of each session. pcap and pcapng; Ethernet, Linux cooked,\n"
		"loopback and raw IP; IPv4 and IPv6.\n"
		"\n"
		"  -r, --rules LIST   families (pdu, login, seq, mcs, ...) and catalogue IDs\n"
		"                     to run, comma-separated (default: all)\n"
		"  -p, --port N       iSCSI target port besides 3260 (repeatable)\n"
		"      --heuristic    also recognise iSCSI on other ports\n"
		"      --json F       write the JSON report to F\n"
		"      --junit F      write a JUnit XML report to F\n"
		"      --tap F        write a TAP 13 report to F\n"
		"      --text F       write the text report to F\n"
		"  -v, --verbose      list every verdict, not only failures\n"
		"  -q, --quiet        no report on standard output\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 nothing failed, 1 a rule failed, 2 usage error or a file\n"
		"that could not be read (reports are written all the same).\n");
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Reader messages start with the file name, which the report prints
 * beside every problem already. */
static const char *without_path(const char *msg, const char *path)
{
	size_t n = strlen(path);
	return !strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2) ? msg + n + 2 : msg;
}

/* Where the engine hands each session of one file over. */
struct spooler {
	struct rep_run *run;
	const char *path;
	bool prefix;                 /* name sessions "FILE: name" */
};

static int spool_session(void *ctx, struct rep_session *s)
{
	struct spooler *sp = ctx;
	if (sp->prefix && s->name) {
		size_t len = strlen(sp->path) + strlen(s->name) + 3;
		char *named = malloc(len);
		if (named) {
			snprintf(named, len, "%s: %s", sp->path, s->name);
			free(s->name);
			s->name = named;
		}
	}
	rep_session_sort(s);
	return rep_run_spool(sp->run, s);
}

/* Read one capture into engine; a reader problem goes into the run. */
/* With verdicts_only, the sessions are not exported (nothing prints
 * them): only how many verdicts FAIL is added to *failed. */
static int check_file(const char *path, const struct chk_options *options,
		      const struct cap_reader_opts *ropts, struct rep_run *run,
		      bool prefix_sessions, bool verdicts_only, size_t *failed)
{
	char err[512];
	struct chk_engine *eng;
	struct spooler sp = { run, path, prefix_sessions };
	struct chk_options copts = *options;
	if (!verdicts_only) {
		copts.on_session = spool_session;
		copts.on_session_ctx = &sp;
	}
	if (chk_create(&copts, &eng, err, sizeof err) != 0) {
		fprintf(stderr, "iscsi-harness check: %s\n", err);
		return EXIT_USAGE;
	}
	rep_run_add_input(run, path);
	struct cap_reader *r;
	if (cap_reader_open(&r, path, ropts, err, sizeof err) != 0) {
		rep_run_add_problem(run, path, 0, 0, without_path(err, path));
		chk_free(eng);
		return EXIT_PASS;
	}
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, chk_observer(eng));
	bool damaged = cap_reader_run(r, &bus) != 0;
	if (damaged)
		rep_run_add_problem(run, path, 0, 0, without_path(cap_reader_errmsg(r), path));
	const struct cap_reader_stats *st = cap_reader_stats(r);
	if (st->iscsi_conns == 0 && !damaged)
		rep_run_add_problem(run, path, 0, 0, "no iSCSI connection in this capture "
				    "(use --port or --heuristic for ports other than 3260)");
	if (verdicts_only)
		*failed += chk_failed_count(eng);
	int rc = chk_end(eng);
	chk_free(eng);
	cap_reader_close(r);
	if (rc != 0) {
		fprintf(stderr, "iscsi-harness check: %s: out of memory (or the "
			"report spool could not be written)\n", path);
		return EXIT_USAGE;
	}
	return EXIT_PASS;
}

static int cmd_check(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_JUNIT, OPT_TAP, OPT_TEXT, OPT_HEURISTIC };
	static const struct option options[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "heuristic", no_argument, NULL, OPT_HEURISTIC },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "tap", required_argument, NULL, OPT_TAP },
		{ "text", required_argument, NULL, OPT_TEXT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct chk_options copts = { 0 };
	struct cap_reader_opts ropts = { 0 };
	uint16_t ports[MAX_PORTS];
	struct report_files files = { 0 };
	bool verbose = false, quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:p:vqh", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			copts.rules = optarg;
			break;
		case 'p':
			if (ropts.n_target_ports == MAX_PORTS || parse_port(optarg, &ports[ropts.n_target_ports])) {
				fprintf(stderr, "iscsi-harness check: --port '%s': want 1..65535 "
					"(at most %d ports)\n", optarg, MAX_PORTS);
				return EXIT_USAGE;
			}
			ropts.n_target_ports++;
			break;
		case OPT_HEURISTIC:
			ropts.heuristic = true;
			break;
		case OPT_JSON: files.json = optarg; break;
		case OPT_JUNIT: files.junit = optarg; break;
		case OPT_TAP: files.tap = optarg; break;
		case OPT_TEXT: files.text = optarg; break;
		case 'v': verbose = true; break;
		case 'q': quiet = true; break;
		case 'h':
			check_usage(stdout);
			return EXIT_PASS;
		default:
			check_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iscsi-harness check: no capture file given\n");
		check_usage(stderr);
		return EXIT_USAGE;
	}
	ropts.target_ports = ports;

	char err[512];
	struct chk_engine *probe;
	if (chk_create(&copts, &probe, err, sizeof err) != 0) {
		fprintf(stderr, "iscsi-harness check: --rules: %s\n", err);
		return EXIT_USAGE;
	}
	chk_free(probe);

	struct rep_run run;
	rep_run_init(&run, "iscsi-harness check", HARNESS_VERSION);
	int status = EXIT_PASS;
	/* Nothing shows the sessions: judge them, count failures, keep none. */
	bool verdicts_only = quiet && !files.json && !files.junit &&
			     !files.tap && !files.text;
	size_t failed = 0;
	copts.drop_ended = verdicts_only;
	for (int i = optind; i < argc && status == EXIT_PASS; i++)
		status = check_file(argv[i], &copts, &ropts, &run, argc - optind > 1,
				    verdicts_only, &failed);
	rep_run_sort(&run);
	if (!quiet) {
		struct rep_text_opts topts = { .verbose = verbose,
					       .color = isatty(STDOUT_FILENO) };
		rep_write_text(&run, &topts, stdout);
	}
	if (report_files_write(&files, &run, verbose) != 0 && status == EXIT_PASS)
		status = EXIT_USAGE;
	if (status == EXIT_PASS)
		status = rep_run_exit_status(&run);
	if (status == EXIT_PASS && failed)
		status = EXIT_FAIL;
	rep_run_free(&run);
	return status;
}

const struct cli_command cli_check = {
	"check", "check captures against the RFC 7143 rules (reports: text, JSON, JUnit, TAP)",
	cmd_check,
};
