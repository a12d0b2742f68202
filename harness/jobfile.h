/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Job files: INI (libinih); each section is a benchmark, every list-valued
 * key multiplies it into a matrix of cases.  A section named "defaults"
 * gives values to every other section of the same file.
 */
#ifndef PFNLAB_JOBFILE_H
#define PFNLAB_JOBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define JOB_NAME_MAX 64
#define JOB_KEY_MAX 512

/*
 * Every job key, in one table.  The struct below, parsing with its checks
 * and defaults, the comparison key, the keys in `pfnlab help`, the columns
 * of `pfnlab list` and the params of each benchmark in the results are all
 * made from it: a new key is one row here (and the code that uses it).
 * Rows are sorted by name, the order of the comparison key.
 *
 * X(name, TYPE, member, default, min, max, flags, choices, help)
 *   TYPE     ENUM (one of choices, "a|b|c"), BACKEND (the name of one of
 *            backends_all[], backend.c), PAGE (one of page_kinds[],
 *            page_kinds.c), STRING (up to 63 characters),
 *            SIZE (bytes, K/M/G/T suffixes, a multiple of 4 KiB), INT, U64,
 *            DOUBLE (seconds: s or ms suffix)
 *   default  text, as in a job file; NULL when the key is required
 *   min, max limits of a number (for SIZE in bytes); limits the module
 *            enforces come from its UAPI header
 *   flags    JK_KEY: part of the comparison key (what makes two cases the
 *            same benchmark); JK_VARIANT: changes what a round does with
 *            its buffer, not the buffer, so variants share a round's buffer;
 *            JK_LIST: a column of `pfnlab list`; JK_KEY_NONDEFAULT: in the
 *            comparison key only when not its default, so that a key added
 *            later leaves the keys of every earlier run as they were
 */
#define JOB_KEYS(X)                                                                             \
	X(backend, BACKEND, backend, NULL, 0, 0, JK_KEY | JK_LIST, NULL, "the path measured")   \
	X(batch_runs, U64, batch_runs, "512", 1, PFNLAB_MAX_BATCH_RUNS,                         \
	  JK_KEY | JK_VARIANT | JK_LIST, NULL, "pfn_batch capacity in runs")                    \
	X(cpu_node, INT, cpu_node, "0", 0, 1023, JK_KEY | JK_LIST, NULL,                        \
	  "NUMA node whose CPUs run the threads")                                               \
	X(device, STRING, device, "", 0, 0, JK_KEY, NULL,                                       \
	  "real domain (driver, iommufd) and vfio: PCI address, e.g. 0000:00:03.0")             \
	X(domain, ENUM, domain, "mock", 0, 0, JK_KEY, "mock|real",                              \
	  "driver map/iotlb, iommufd map: a mock IO page table or a device's "                  \
	  "real IOMMU domain")                                                                  \
	X(evict, SIZE, evict_bytes, "0", 0, 64.0 * (1ULL << 30),                                \
	  JK_KEY | JK_VARIANT | JK_KEY_NONDEFAULT, NULL,                                        \
	  "bytes the harness reads and writes before every sample to evict the "                \
	  "CPU caches, so that every sample starts cold; 0 = off (docs/plan.md)")               \
	X(fill, ENUM, fill, "run-aware", 0, 0, JK_KEY | JK_VARIANT | JK_LIST,                   \
	  "per-page|run-aware", "how a batch is filled from the pinned pages")                  \
	X(gup, ENUM, gup, "pin-longterm", 0, 0, JK_KEY | JK_VARIANT | JK_KEY_NONDEFAULT,        \
	  "pin-longterm|pin-fast|gup-fast",                                                     \
	  "gup_test: the kernel's benchmark run (PIN_LONGTERM, PIN_FAST, GUP_FAST)")            \
	X(mem_node, INT, mem_node, "0", 0, 1023, JK_KEY | JK_LIST, NULL,                        \
	  "NUMA node the buffer is bound to")                                                   \
	X(min_time, DOUBLE, min_time_s, "0", 0, 3600, 0, NULL,                                  \
	  "minimum measured seconds per round (s or ms)")                                       \
	X(noisy_cv, DOUBLE, noisy_cv, "0.05", 0, 100, 0, NULL,                                  \
	  "a metric with a CV above this is flagged noisy")                                     \
	X(op, ENUM, op, NULL, 0, 0, JK_KEY | JK_LIST, "pin|map|read|iotlb|fill|null",           \
	  "what is measured; uring: pin; pagemap: fill, iotlb; driver: "                        \
	  "pin, map, read, fill, iotlb; null (any backend): an empty "                          \
	  "phase, the harness's own cost per sample")                                           \
	X(page, PAGE, page, "4k", 0, 0, JK_KEY | JK_LIST, NULL, "the buffer's page kind")       \
	X(pages_per_call, U64, pages_per_call, "0", 0, 1 << 30, JK_KEY | JK_VARIANT | JK_LIST,  \
	  NULL,                                                                                 \
	  "pages per GUP call (uring: per iovec); 0 = as many as the "                          \
	  "backend allows")                                                                     \
	X(passes, INT, passes, "1", 1, PFNLAB_IOTLB_MAX_PASSES, JK_KEY | JK_VARIANT, NULL,      \
	  "IOTLB sweep passes per sample")                                                      \
	X(pattern, ENUM, pattern, "sequential", 0, 0, JK_KEY | JK_VARIANT,                      \
	  "sequential|random|strided", "IOTLB sweep access pattern")                            \
	X(repetitions, INT, repetitions, "10", 1, 1000000, 0, NULL,                             \
	  "minimum measured samples per round")                                                 \
	X(rounds, INT, rounds, "3", 1, 10000, 0, NULL,                                          \
	  "rounds, each a fresh buffer, layout and backend state: the "                         \
	  "unit of replication for compare")                                                    \
	X(seed, U64, seed, "1", 0, 4294967295.0, JK_KEY | JK_VARIANT, NULL,                     \
	  "seed of the random pattern")                                                         \
	X(size, SIZE, size_bytes, "64M", 4096, 1024.0 * (1ULL << 30), JK_KEY | JK_LIST, NULL,   \
	  "buffer size in bytes")                                                               \
	X(stride, SIZE, stride_bytes, "4K", 4096, 1024.0 * (1ULL << 30), JK_KEY | JK_VARIANT,   \
	  NULL, "IOTLB sweep stride")                                                           \
	X(threads, INT, threads, "1", 1, 1024, JK_KEY | JK_LIST, NULL,                          \
	  "threads pinning disjoint slices concurrently")                                       \
	X(warmup, INT, warmup, "1", 0, 1000000, 0, NULL, "samples run first and discarded")     \
	X(window, SIZE, window_bytes, "0", 0, 1024.0 * (1ULL << 30), JK_KEY | JK_VARIANT, NULL, \
	  "IOTLB sweep window in bytes; 0 = the whole buffer")

enum {
	JK_KEY = 1,
	JK_VARIANT = 2,
	JK_LIST = 4,
	JK_KEY_NONDEFAULT = 8
};

/* The C type of each TYPE. */
#define JK_DECL_ENUM(m) char m[24]
#define JK_DECL_BACKEND(m) char m[24]
#define JK_DECL_PAGE(m) char m[24]
#define JK_DECL_STRING(m) char m[64]
#define JK_DECL_SIZE(m) uint64_t m
#define JK_DECL_U64(m) uint64_t m
#define JK_DECL_INT(m) int m
#define JK_DECL_DOUBLE(m) double m
#define JK_FIELD(name, type, member, ...) JK_DECL_##type(member);

/* One expanded benchmark: a section with one value per key. */
struct bench_case {
	char name[JOB_NAME_MAX]; /* the section */
	JOB_KEYS(JK_FIELD)
	char key[JOB_KEY_MAX]; /* section|param=value|... sorted */
	const char *job_path;  /* file it came from */
	int line;	       /* line of its section header */
};

struct job_file {
	char *path;
	char *text; /* whole file, for the results */
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
 * pattern, window, stride, passes, seed, gup: the JK_VARIANT keys).
 */
int bench_case_same_buffer(const struct bench_case *a, const struct bench_case *b);

/* Is @item one of the '|'-separated @choices ("pin|map")? */
bool job_is_choice(const char *choices, const char *item);

/* The keys, one paragraph each, for `pfnlab help`. */
void jobfile_print_keys(FILE *out);

/* A case's value of every key, for the results' params. */
json_t *bench_case_params(const struct bench_case *c);

/* The cases of @set as `pfnlab list` shows them: one row, the JK_LIST keys. */
void jobset_print_table(const struct job_set *set, FILE *out);

#endif
