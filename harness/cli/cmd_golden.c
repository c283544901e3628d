/* cmd_golden.c — `iscsi-harness golden`: write the golden session
 * (harness/capture/golden.h) as a pcap, through the same pcap writer every
 * run uses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capture/golden.h"
#include "harness/capture/golden_mcs.h"
#include "harness/capture/pcap_writer.h"
#include "harness/cli/commands.h"

static void golden_usage(FILE *out)
{
	fprintf(out,
		"usage: iscsi-harness golden --out FILE [--mss N] [--session NAME]\n"
		"\n"
		"Write the golden session as a pcap: two connections of one session,\n"
		"every RFC 7143 opcode on each, no digests on the first connection,\n"
		"CRC32C header and data digests on the second, both AHS types, and\n"
		"data segments of 0, 1, 3, 4, 8191 and 8193 bytes. The output is\n"
		"deterministic: the same harness writes the same bytes.\n"
		"\n"
		"  -o, --out FILE   the pcap to write (required)\n"
		"  -m, --mss N      TCP maximum segment size (default 1460)\n"
		"  -s, --session NAME  which golden session: every-opcode (the\n"
		"                   default, above) or mcs-four-connections (one\n"
		"                   session over four connections: joins, header\n"
		"                   digests on CIDs 3-4, a reset connection logged\n"
		"                   out from another, a reinstated CID)\n"
		"  -h, --help       this text\n");
}

static int cmd_golden(int argc, char **argv)
{
	static const struct option options[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "mss", required_argument, NULL, 'm' },
		{ "session", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int (*emit_session)(struct ev_bus *) = golden_emit;
	struct cap_writer_opts opts = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:s:h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'm': {
			char *end;
			unsigned long mss = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || mss == 0 || mss > CAP_MAX_MSS) {
				fprintf(stderr, "iscsi-harness golden: --mss '%s': want 1..%u\n",
					optarg, CAP_MAX_MSS);
				return EXIT_USAGE;
			}
			opts.mss = (uint32_t)mss;
			break;
		}
		case 's':
			if (strcmp(optarg, "every-opcode") == 0) {
				emit_session = golden_emit;
			} else if (strcmp(optarg, "mcs-four-connections") == 0) {
				emit_session = golden_mcs_emit;
			} else {
				fprintf(stderr, "iscsi-harness golden: --session '%s': want "
					"every-opcode or mcs-four-connections\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			golden_usage(stdout);
			return EXIT_PASS;
		default:
			golden_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!out || optind != argc) {
		golden_usage(stderr);
		return EXIT_USAGE;
	}

	char err[256];
	struct cap_writer *w;
	if (cap_writer_open(&w, out, &opts, err, sizeof err) < 0) {
		fprintf(stderr, "iscsi-harness golden: %s\n", err);
		return EXIT_USAGE;
	}
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, cap_writer_observer(w));
	int rc = emit_session(&bus);
	if (rc < 0)
		fprintf(stderr, "iscsi-harness golden: %s: %s\n", out,
			cap_writer_errmsg(w)[0] ? cap_writer_errmsg(w) : "building the session failed");
	int close_rc = cap_writer_close(w);
	if (close_rc < 0) {
		fprintf(stderr, "iscsi-harness golden: %s: %s\n", out, cap_strerror(close_rc));
		return EXIT_FAIL;
	}
	if (rc < 0)
		return EXIT_FAIL;
	printf("wrote %s\n", out);
	return EXIT_PASS;
}

const struct cli_command cli_golden = {
	"golden", "write the golden session (every opcode, two connections) as a pcap",
	cmd_golden,
};
