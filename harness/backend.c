// SPDX-License-Identifier: GPL-2.0
/* The backend registry: every backend, in the order `pfnlab info` lists them. */
#include <string.h>

#include "backend.h"

/* A new backend is its file and a line in each of these two lists. */
extern const struct backend backend_driver, backend_uring, backend_pagemap;

const struct backend *const backends_all[] = {
	&backend_driver, &backend_uring, &backend_pagemap, NULL
};

const struct backend *backend_find(const char *name)
{
	for (const struct backend *const *be = backends_all; *be; be++)
		if (!strcmp(name, (*be)->name))
			return *be;
	return NULL;
}

int backend_supports_op(const char *backend, const char *op)
{
	const struct backend *be = backend_find(backend);
	size_t len = strlen(op);

	if (!be)
		return 0;
	if (!strcmp(op, "null"))
		return 1;
	for (const char *c = be->ops; *c;) {
		size_t n = strcspn(c, "|");

		if (n == len && !strncmp(c, op, n))
			return 1;
		c += n;
		if (*c == '|')
			c++;
	}
	return 0;
}

void backend_print_help(FILE *out)
{
	for (const struct backend *const *be = backends_all; *be; be++)
		fprintf(out, "    %-8s %s\n", (*be)->name, (*be)->help);
}
