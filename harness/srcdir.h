/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files of the source tree the running pfnlab binary was built from: the
 * tree around <top>/build/harness/pfnlab, else the compiled-in PFNLAB_SRCDIR.
 */
#ifndef PFNLAB_SRCDIR_H
#define PFNLAB_SRCDIR_H

#include <stddef.h>

/*
 * Put <top>/@rel into @buf and return 0 if it exists (access @mode), else
 * return -1 with the PFNLAB_SRCDIR path in @buf for the error message.
 */
int srcdir_path(const char *rel, int mode, char *buf, size_t len);

#endif
