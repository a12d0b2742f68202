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
#include "srcdir.h"

int cmd_vm(int argc, char **argv)
{
	char runner[PATH_MAX + 32];
	char **args;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) &&
	    srcdir_path("harness/vm/pfnlab-vm", X_OK, runner, sizeof(runner))) {
		printf("usage: pfnlab vm [ARGS...]\n\n"
		       "Runs harness/vm/pfnlab-vm ARGS... (the lab VM: QEMU with an IOMMU,\n"
		       "two NUMA nodes and pfnlab.ko); its --help lists its options.\n");
		return 0;
	}
	if (srcdir_path("harness/vm/pfnlab-vm", X_OK, runner, sizeof(runner))) {
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
