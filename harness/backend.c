// SPDX-License-Identifier: GPL-2.0
/* The backend registry: every backend, in the order `pfnlab info` lists them. */
#include <string.h>

#include "backend.h"

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
