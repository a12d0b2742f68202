// SPDX-License-Identifier: GPL-2.0
/* The backend registry: every backend, in the order `pfnlab info` lists them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

/* The last component of the link @dir/@name points to, or "" when none. */
static void link_base(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *slash, *base;
	size_t blen;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	slash = strrchr(target, '/');
	base = slash ? slash + 1 : target;
	/* A name longer than @out is cut, and then names nothing: fine here. */
	blen = strlen(base) < len ? strlen(base) : len - 1;
	memcpy(out, base, blen);
	out[blen] = '\0';
}

int pci_vfio_device(const char *device, char *group, size_t grouplen, char *why, size_t len)
{
	char dir[PATH_MAX], driver[64];

	if (!device || !device[0]) {
		snprintf(why, len,
			 "no device given (job key device: a PCI address bound to vfio-pci)");
		return BUF_SKIP;
	}
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", device);
	if (access(dir, F_OK)) {
		snprintf(why, len, "no PCI device %s", device);
		return BUF_SKIP;
	}
	link_base(dir, "driver", driver, sizeof(driver));
	if (strcmp(driver, "vfio-pci")) {
		snprintf(why, len, "%s is bound to %s, not vfio-pci (driver_override)", device,
			 driver[0] ? driver : "no driver");
		return BUF_SKIP;
	}
	if (group)
		link_base(dir, "iommu_group", group, grouplen);
	return BUF_OK;
}

int timed_ioctl(int fd, unsigned long request, void *arg, const char *what, uint64_t *ns, char *why,
		size_t len)
{
	uint64_t t0 = now_ns();
	int ret = ioctl(fd, request, arg);

	*ns = now_ns() - t0;
	if (ret) {
		snprintf(why, len, "%s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

void run_map_metrics(struct bench_run *r, uint64_t map_ns, uint64_t unmap_ns)
{
	double pages = (double)r->buf.size / 4096;

	run_metric(r, "map_ns_per_page", (double)map_ns / pages);
	run_metric(r, "unmap_ns_per_page", (double)unmap_ns / pages);
}
