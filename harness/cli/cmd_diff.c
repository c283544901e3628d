/* cmd_diff.c — `iscsi-harness diff GOLDEN.pcap RUN.pcap`: compare the PDU
 * sequences of two captures session by session, ignoring what may lawfully
 * differ (harness/diff/diff.h), and name the first divergence. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/capture/pcap_reader.h"
#include "harness/cli/commands.h"
#include "harness/diff/diff.h"

static void diff_usage(FILE *out)
{
	fprintf(out,
		"usage: iscsi-harness diff [OPTIONS] GOLDEN.pcap RUN.pcap\n"
		"\n"
		"Compare the iSCSI PDU sequences of two captures, session by session and\n"
		"connection by connection, and name the first divergence (session,\n"
		"connection, PDU, field, both values). Not compared: ITT and TTT values\n"
		"(a consistent renaming is equal), TSIH, the ISID qualifier, timestamps,\n"
		"TCP ports and addresses, and the starting StatSN and CmdSN (sequence\n"
		"numbers are compared relative to the first).\n"
		"\n"
		"  -p, --port N   iSCSI target port besides 3260 (repeatable)\n"
		"  -h, --help     this text\n"
		"\n"
		"Exit status: 0 equal, 1 different, 2 usage error or unreadable capture.\n");
}

static int read_trace(const char *path, const struct cap_reader_opts *opts,
		      struct dif_trace *t)
{
	char err[512];
	struct cap_reader *r;
	if (cap_reader_open(&r, path, opts, err, sizeof err) != 0) {
		fprintf(stderr, "iscsi-harness diff: %s\n", err);
		return -1;
	}
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ dif_trace_on_event, t });
	int rc = cap_reader_run(r, &bus);
	if (rc != 0)
		fprintf(stderr, "iscsi-harness diff: %s\n", cap_reader_errmsg(r));
	else if (bus.first_error != 0)
		fprintf(stderr, "iscsi-harness diff: %s: out of memory\n", path);
	cap_reader_close(r);
	return rc != 0 || bus.first_error != 0 ? -1 : 0;
}

static int cmd_diff(int argc, char **argv)
{
	static const struct option options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint16_t ports[CAP_READER_MAX_PORTS];
	struct cap_reader_opts opts = { .target_ports = ports };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", options, NULL)) != -1) {
		switch (c) {
		case 'p': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v == 0 || v > 65535 ||
			    opts.n_target_ports == CAP_READER_MAX_PORTS) {
				fprintf(stderr, "iscsi-harness diff: --port '%s': want 1..65535\n", optarg);
				return EXIT_USAGE;
			}
			ports[opts.n_target_ports++] = (uint16_t)v;
			break;
		}
		case 'h':
			diff_usage(stdout);
			return EXIT_PASS;
		default:
			diff_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		diff_usage(stderr);
		return EXIT_USAGE;
	}
	struct dif_trace *golden = dif_trace_new(), *run = dif_trace_new();
	int status = EXIT_USAGE;
	if (golden && run && read_trace(argv[optind], &opts, golden) == 0 &&
	    read_trace(argv[optind + 1], &opts, run) == 0) {
		struct dif_result res;
		if (dif_compare(golden, run, &res) != 0) {
			fprintf(stderr, "iscsi-harness diff: out of memory\n");
		} else if (res.equal) {
			printf("equal: %zu PDUs in %s and %s\n", dif_trace_pdus(golden),
			       argv[optind], argv[optind + 1]);
			status = EXIT_PASS;
		} else {
			printf("different: %s\n", res.message);
			status = EXIT_FAIL;
		}
	}
	dif_trace_free(golden);
	dif_trace_free(run);
	return status;
}

const struct cli_command cli_diff = {
	"diff", "compare two captures PDU by PDU and name the first divergence",
	cmd_diff,
};
