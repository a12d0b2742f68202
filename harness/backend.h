/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backends: how a benchmark reaches the kernel (docs/design.md, "Backends"),
 * and the run state the engine (engine.c) shares with them.
 */
#ifndef PFNLAB_BACKEND_H
#define PFNLAB_BACKEND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jobfile.h"
#include "memory.h"
#include "metrics.h"
#include "team.h"

/*
 * One metric's samples over the rounds of a case: v[round_end[k - 1] ..
 * round_end[k]) are round k's (round_end[-1] taken as 0).
 */
struct metric_series {
	char name[48];
	const struct metric_def *def; /* unit, direction, kind (metrics.h) */
	double *v;
	size_t n, cap;
	size_t *round_end;
	size_t nrounds;
};

struct metric_list {
	struct metric_series *m;
	size_t n;
	size_t rounds_closed; /* rounds every series has ended */
};

/* The state of one round of one case, shared by the engine and the backend. */
struct bench_run {
	const struct bench_case *bc;
	int round;			    /* 0-based */
	struct buffer buf;		    /* faulted in and verified; empty for op=null */
	const struct placement *placement;  /* buf's, this round; NULL for op=null */
	struct team *team;		    /* bc->threads workers bound to cpu_node */
	struct metric_list *metrics;	    /* the case's, one value per sample */
	struct metric_list *thread_metrics; /* [bc->threads] */
	json_t *extra;			    /* backend notes for this round, or NULL */
	void *priv;			    /* backend state */
};

/*
 * Append one sample of metric @name, which must be in the table of
 * metrics.c (an unknown name is a bug: the sample is dropped with a
 * message, and the harness tests fail on it).
 */
void run_metric(struct bench_run *r, const char *name, double v);
void run_thread_metric(struct bench_run *r, int thread, const char *name, double v);

struct backend {
	const char *name;
	const char *ops;  /* the ops it measures, "pin|map"; null is every backend's */
	const char *help; /* one line for `pfnlab help` */
	/* 0 if the backend can run on this machine, else -1 and why not. */
	int (*probe)(char *why, size_t len);
	/*
	 * Prepare a case whose buffer and team exist.  Returns BUF_OK, BUF_SKIP
	 * (cannot run here, @why says so) or BUF_FAIL.
	 */
	int (*setup)(struct bench_run *r, char *why, size_t len);
	/* One sample; @record is 0 for warmup.  0, or -1 with @why. */
	int (*sample)(struct bench_run *r, int record, char *why, size_t len);
	/* Release everything setup and sample took (pins included). */
	void (*teardown)(struct bench_run *r);
};

/* Every backend, in the order `pfnlab info` reports them; NULL-terminated. */
extern const struct backend *const backends_all[];

const struct backend *backend_find(const char *name);

/* @op (one of the job key's choices) can be measured by @backend. */
int backend_supports_op(const char *backend, const char *op);

/* The backends, one paragraph each, for `pfnlab help`. */
void backend_print_help(FILE *out);

/*
 * The bytes of the buffer each of @nthreads threads takes, on huge-page
 * boundaries so that no folio is shared by two threads (the last thread
 * also takes the rest); 0 when the buffer has too few pages for them.
 */
size_t run_thread_slice(const struct bench_run *r, int nthreads);

/*
 * Thread @i's part of the buffer, of @nthreads: its offset in *@offset
 * and its length, a run_thread_slice() each and the rest to the last one.
 */
uint64_t run_thread_part(const struct bench_run *r, int nthreads, int i, uint64_t *offset);

/* CLOCK_MONOTONIC in ns. */
uint64_t now_ns(void);

/*
 * ioctl(@fd, @request, @arg) between two readings of now_ns(), its wall
 * time in *@ns: 0, or -1 with "@what: <errno's message>" in @why.
 */
int timed_ioctl(int fd, unsigned long request, void *arg, const char *what, uint64_t *ns, char *why,
		size_t len);

/*
 * The metrics of a map + unmap sample of the whole buffer (the kernel
 * paths' backends): each ioctl's time per 4 KiB page.
 */
void run_map_metrics(struct bench_run *r, uint64_t map_ns, uint64_t unmap_ns);

/*
 * The PCI device @device (an address, 0000:00:03.0) bound to vfio-pci, as
 * the vfio and iommufd backends need it: BUF_OK with its IOMMU group's
 * number in @group (may be NULL), else BUF_SKIP with @why naming what is
 * missing (no such device, another driver bound).
 */
int pci_vfio_device(const char *device, char *group, size_t grouplen, char *why, size_t len);

#endif
