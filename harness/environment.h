/* SPDX-License-Identifier: GPL-2.0 */
/* The environment record (results/README.md): everything that can change a number. */
#ifndef PFNLAB_ENVIRONMENT_H
#define PFNLAB_ENVIRONMENT_H

#include <jansson.h>
#include <stddef.h>

json_t *environment_collect(void);

void environment_hostname(char *buf, size_t len);

/*
 * `git describe --always --dirty` of the suite's source tree, or
 * $PFNLAB_SUITE_COMMIT when set (the lab VM has no git), or "unknown".
 */
void environment_suite_commit(char *buf, size_t len);

/* /dev/pfnlab exists. */
int environment_module_loaded(void);

/* Read the first line of @path into @buf without the newline; 0 or -1. */
int read_line(const char *path, char *buf, size_t len);

/* The word in [brackets] of a sysfs mode file such as THP's "enabled". */
void read_bracketed(const char *path, char *buf, size_t len);

#endif
