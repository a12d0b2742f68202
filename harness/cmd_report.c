// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the report command lands (issue 5). */
#include <stdio.h>

#include "commands.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfnlab report: not implemented yet\n");
	return 2;
}
