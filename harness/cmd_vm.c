// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab vm: hand the remaining arguments to the lab VM runner,
 * harness/vm/pfnlab-vm of the source tree this binary was built from (found
 * next to the binary's build/harness/ directory, else PFNLAB_SRCDIR).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int find_runner(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *p;

		self[n] = '\0';
		/* <top>/build/harness/pfnlab -> <top> */
		for (int up = 0; up < 3 && (p = strrchr(self, '/')); up++)
			*p = '\0';
		snprintf(buf, len, "%s/harness/vm/pfnlab-vm", self);
		if (access(buf, X_OK) == 0)
			return 0;
	}
	snprintf(buf, len, "%s/harness/vm/pfnlab-vm", PFNLAB_SRCDIR);
	return access(buf, X_OK);
}

int cmd_vm(int argc, char **argv)
{
	char runner[PATH_MAX + 32];
	char **args;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) &&
	    find_runner(runner, sizeof(runner))) {
		printf("usage: pfnlab vm [ARGS...]\n\n"
		       "Runs harness/vm/pfnlab-vm ARGS... (the lab VM: QEMU with an IOMMU,\n"
		       "two NUMA nodes and pfnlab.ko); its --help lists its options.\n");
		return 0;
	}
	if (find_runner(runner, sizeof(runner))) {
		fprintf(stderr, "pfnlab vm: %s not found or not executable\n", runner);
		return 2;
	}
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return 2;
	args[0] = runner;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	execv(runner, args);
	fprintf(stderr, "pfnlab vm: %s: %s\n", runner, strerror(errno));
	free(args);
	return 2;
}
