// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "srcdir.h"

int srcdir_path(const char *rel, int mode, char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *p;

		self[n] = '\0';
		/* <top>/build/harness/pfnlab -> <top> */
		for (int up = 0; up < 3 && (p = strrchr(self, '/')); up++)
			*p = '\0';
		snprintf(buf, len, "%s/%s", self, rel);
		if (access(buf, mode) == 0)
			return 0;
	}
	snprintf(buf, len, "%s/%s", PFNLAB_SRCDIR, rel);
	return access(buf, mode) == 0 ? 0 : -1;
}
