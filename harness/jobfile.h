/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Job files: INI (libinih); each section is a benchmark, every list-valued
 * key multiplies it into a matrix of cases.  A section named "defaults"
 * gives values to every other section of the same file.
 */
#ifndef PFNLAB_JOBFILE_H
#define PFNLAB_JOBFILE_H

#include <stddef.h>
#include <stdint.h>

#define JOB_NAME_MAX 64
#define JOB_KEY_MAX 512

/* One expanded benchmark: a section with one value per key. */
struct bench_case {
	char name[JOB_NAME_MAX];	/* the section */
	char backend[16];		/* driver | uring | pagemap */
	char op[16];			/* pin | map | read | iotlb | fill | null */
	uint64_t size_bytes;
	char page[24];			/* 4k | thp | hugetlb-2m | ... */
	int mem_node;
	int cpu_node;
	int threads;
	uint64_t pages_per_call;	/* 0: as many as the backend allows */
	uint64_t batch_runs;		/* pfn_batch capacity in runs */
	char fill[16];			/* per-page | run-aware */
	uint64_t window_bytes;		/* IOTLB sweep window, 0: whole buffer */
	uint64_t stride_bytes;		/* IOTLB sweep stride */
	char pattern[16];		/* sequential | random | strided */
	int passes;			/* IOTLB sweep passes per sample */
	uint64_t seed;			/* random pattern seed */
	char domain[16];		/* driver map: mock | real */
	char device[64];		/* driver map on a real domain: PCI BDF */
	/* statistics controls; not part of the key */
	int rounds;			/* fresh buffer + backend state each */
	int repetitions;		/* minimum samples kept per round */
	int warmup;			/* samples discarded first */
	double min_time_s;		/* minimum measured time */
	double noisy_cv;		/* CV above which a metric is noisy */
	char key[JOB_KEY_MAX];		/* section|param=value|... sorted */
	const char *job_path;		/* file it came from */
	int line;			/* line of its section header */
};

struct job_file {
	char *path;
	char *text;			/* whole file, for the results */
};

struct job_set {
	struct job_file *files;
	size_t nfiles;
	struct bench_case *cases;
	size_t ncases;
};

/*
 * Parse @path and append its expanded cases to @set.  On error returns -1
 * and writes "file:line: key 'k': what" into @err; @set is unchanged.
 */
int jobfile_load(struct job_set *set, const char *path, char *err, size_t errlen);
void jobset_free(struct job_set *set);

/* Keep only cases whose backend is in the comma-separated @backends. */
void jobset_filter_backends(struct job_set *set, const char *backends);

/* Parse "64M", "2G", "4096", "1.5G"; binary units.  0 on success. */
int parse_size(const char *s, uint64_t *out);

/* Rebuild @c->key from its parameters. */
void bench_case_make_key(struct bench_case *c);

/*
 * @a and @b are variants of one benchmark that a round measures on the same
 * buffer: the same section and every parameter equal except those that only
 * change what is done with the buffer (fill, batch_runs, pages_per_call,
 * pattern, window, stride, passes, seed).
 */
int bench_case_same_buffer(const struct bench_case *a, const struct bench_case *b);

/* Valid combination of backend and op (both valid names). */
int backend_supports_op(const char *backend, const char *op);

#endif
