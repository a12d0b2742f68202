// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the compare command lands (issue 5). */
#include <stdio.h>

#include "commands.h"

int cmd_compare(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfnlab compare: not implemented yet\n");
	return 2;
}
