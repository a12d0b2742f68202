// SPDX-License-Identifier: GPL-2.0
/* The backend registry: every backend, in the order `pfnlab info` lists them. */
#include <string.h>

#include "backend.h"

/* A new backend is its file and a line in each of these two lists. */
extern const struct backend backend_driver, backend_uring, backend_pagemap, backend_gup_test,
	backend_iommufd, backend_vfio;

const struct backend *const backends_all[] = { &backend_driver,
					       &backend_uring,
					       &backend_pagemap,
					       &backend_gup_test,
					       &backend_iommufd,
					       &backend_vfio,
					       NULL };

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

	if (!be)
		return 0;
	return !strcmp(op, "null") || job_is_choice(be->ops, op);
}

void backend_print_help(FILE *out)
{
	for (const struct backend *const *be = backends_all; *be; be++)
		fprintf(out, "    %-8s %s\n", (*be)->name, (*be)->help);
}

size_t run_thread_slice(const struct bench_run *r, int nthreads)
{
	size_t gran = r->buf.huge_bytes ? r->buf.huge_bytes : 4096;

	return r->buf.size / (size_t)nthreads / gran * gran;
}

uint64_t run_thread_part(const struct bench_run *r, int nthreads, int i, uint64_t *offset)
{
	uint64_t slice = run_thread_slice(r, nthreads);

	*offset = (uint64_t)i * slice;
	return i == nthreads - 1 ? r->buf.size - *offset : slice;
}
