/* scratch.h — a fresh scratch directory for a test program: under
 * $HARNESS_SCRATCH (set by `make test`), else /tmp. */
#ifndef TESTS_SUPPORT_SCRATCH_H
#define TESTS_SUPPORT_SCRATCH_H

#include <stddef.h>

/* Create BASE/NAME-<random> and write its path into dir. Returns 0, or -1
 * with a message on stderr naming the directory and the reason. */
int scratch_make_dir(const char *name, char *dir, size_t len);

/* Remove dir and the files in it (a scratch directory holds no
 * subdirectories). */
void scratch_remove_dir(const char *dir);

#endif
