// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the plot command lands (issue 5). */
#include <stdio.h>

#include "commands.h"

int cmd_plot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfnlab plot: not implemented yet\n");
	return 2;
}
