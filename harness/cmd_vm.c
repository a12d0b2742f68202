// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab vm, pfnlab lava: hand the remaining arguments to a script of the
 * source tree this binary was built from (found next to the binary's
 * build/harness/ directory, else PFNLAB_SRCDIR): harness/vm/pfnlab-vm, the
 * lab VM runner, and lava/pfnlab-lava, LAVA jobs and their import.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "srcdir.h"

/* exec_script: run SCRIPT (relative to the source tree) with argv[1..]. */
static int exec_script(const char *cmd, const char *script, const char *help, int argc, char **argv)
{
	char path[PATH_MAX + 32];
	char **args;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) &&
	    srcdir_path(script, X_OK, path, sizeof(path))) {
		fputs(help, stdout);
		return 0;
	}
	if (srcdir_path(script, X_OK, path, sizeof(path))) {
		fprintf(stderr, "pfnlab %s: %s not found or not executable\n", cmd, path);
		return 2;
	}
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return 2;
	args[0] = path;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	execv(path, args);
	fprintf(stderr, "pfnlab %s: %s: %s\n", cmd, path, strerror(errno));
	free(args);
	return 2;
}

int cmd_vm(int argc, char **argv)
{
	return exec_script("vm", "harness/vm/pfnlab-vm",
			   "usage: pfnlab vm [ARGS...]\n\n"
			   "Runs harness/vm/pfnlab-vm ARGS... (the lab VM: QEMU with an IOMMU,\n"
			   "two NUMA nodes and pfnlab.ko); its --help lists its options.\n",
			   argc, argv);
}

int cmd_lava(int argc, char **argv)
{
	return exec_script("lava", "lava/pfnlab-lava",
			   "usage: pfnlab lava device|job|run|import [ARGS...]\n\n"
			   "Runs lava/pfnlab-lava (LAVA jobs of pfnlab benchmarks, and their\n"
			   "results back as pfnlab results); its --help lists its options,\n"
			   "lava/README.md is the manual.\n",
			   argc, argv);
}
