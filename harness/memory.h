/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark buffers of each page kind, bound to a NUMA node and faulted in,
 * and the check of where the kernel actually put them.
 */
#ifndef PFNLAB_MEMORY_H
#define PFNLAB_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct buffer {
	void *addr;	/* start, aligned to the page kind */
	size_t size;	/* bytes requested */
	void *map_addr; /* what mmap returned */
	size_t map_len;
	int memfd;	   /* -1 unless a memfd kind */
	size_t huge_bytes; /* huge page size of the kind, 0 for 4k / memfd */
	int want_huge;	   /* the kind promises huge pages */
};

struct placement {
	int mem_node;
	double on_node_fraction; /* of 4 KiB pages, per move_pages */
	double huge_fraction;	 /* of bytes, per /proc/self/smaps */
	uint64_t pfn_runs;	 /* runs of consecutive PFNs; 0: PFNs hidden */
	int ok;
	char why[160]; /* when !ok */
};

enum buffer_status {
	BUF_OK = 0,
	BUF_SKIP = 1,
	BUF_FAIL = -1
};

/*
 * Map @size bytes of page kind @page ("4k", "thp", "hugetlb-2m", "hugetlb-1g",
 * "memfd", "memfd-2m", "memfd-1g") bound to @mem_node (-1: no binding) and
 * fault every page in.  BUF_SKIP with @why when the machine cannot provide
 * it (empty hugetlb pool, THP off, missing node); BUF_FAIL on errors.
 * Nothing is left mapped unless BUF_OK.
 */
enum buffer_status buffer_alloc(struct buffer *b, const char *page, size_t size, int mem_node,
				char *why, size_t whylen);
void buffer_free(struct buffer *b);

/* Ask the kernel where every page of @b is and how much of it is huge. */
int buffer_verify(const struct buffer *b, int mem_node, struct placement *p);

/*
 * The fraction of @npages 4 KiB pages at @addr that move_pages reports on
 * @node; -1 on error.
 */
double pages_on_node_fraction(void *addr, size_t npages, int node);

/* Bytes of the VMA starting at @addr mapped by huge pages (smaps); -1 if none. */
long long vma_huge_bytes(const void *addr);

/*
 * PFNs of @npages 4 KiB pages at @addr from /proc/self/pagemap.  Returns 0,
 * 1 when the kernel hides PFNs (not CAP_SYS_ADMIN) or a page is not
 * present, -1 on error.
 */
int pagemap_read_pfns(const void *addr, size_t npages, uint64_t *pfns);

/*
 * Runs of physically consecutive 4 KiB pages among the @npages at @addr
 * (1 for a physically contiguous buffer, @npages for one with no two
 * neighbours adjacent), read from /proc/self/pagemap a chunk at a time.
 * 0 when the kernel hides PFNs (not CAP_SYS_ADMIN) or on error.
 */
uint64_t pagemap_pfn_runs(const void *addr, size_t npages);

#endif
