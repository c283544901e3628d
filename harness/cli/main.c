/* main.c — iscsi-harness SUBCOMMAND, git style: find the subcommand and
 * hand over. Each subcommand parses its own options and has --help. */
#include <stdio.h>
#include <string.h>

#include "harness/cli/commands.h"

static const struct cli_command *const commands[] = {
	&cli_check,
	&cli_diff,
	&cli_golden,
	&cli_target,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "usage: iscsi-harness SUBCOMMAND [OPTIONS]\n\nsubcommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n'iscsi-harness SUBCOMMAND --help' describes each one.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_PASS;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "iscsi-harness: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
