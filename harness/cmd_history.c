// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the history command lands (issue 5). */
#include <stdio.h>

#include "commands.h"

int cmd_history(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pfnlab history: not implemented yet\n");
	return 2;
}
