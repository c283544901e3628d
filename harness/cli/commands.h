/* commands.h — the subcommands of iscsi-harness, one file each under
 * harness/cli/. Each returns the process exit status: 0 all passed,
 * 1 something failed, 2 usage or setup error. */
#ifndef HARNESS_CLI_COMMANDS_H
#define HARNESS_CLI_COMMANDS_H

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* One per subcommand file. */
extern const struct cli_command cli_golden;
extern const struct cli_command cli_check;
extern const struct cli_command cli_diff;
extern const struct cli_command cli_target;

#endif
