/* report_files.h — writing the report files a subcommand was asked for
 * (--json, --junit, --tap, --text), shared by every subcommand that
 * reports. */
#ifndef HARNESS_CLI_REPORT_FILES_H
#define HARNESS_CLI_REPORT_FILES_H

#include <stdbool.h>

#include "harness/report/report.h"

#ifndef HARNESS_VERSION
#define HARNESS_VERSION "0.1.0"
#endif

struct report_files {
	const char *json, *junit, *tap, *text;  /* NULL: not wanted */
};

/* Write every wanted file; a file that cannot be written is named on
 * stderr. Returns 0, or -1 when any failed (the others are still written). */
int report_files_write(const struct report_files *files, const struct rep_run *run,
		       bool verbose_text);

#endif
