// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers and placement.  The harness never trusts that a request came true:
 * after faulting it asks the kernel (move_pages, smaps) where the pages are
 * and what size they are, and a benchmark records what it got.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <linux/mman.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "environment.h"
#include "memory.h"
#include "page_kinds.h"
#include "topology.h"

#define PAGE_4K 4096UL
#define SZ_2M (2UL << 20)
#define SZ_1G (1UL << 30)

static void fault_in(void *addr, size_t size)
{
	volatile char *p = addr;

	/* A write per 4 KiB page: every page gets its own frame now, not later. */
	for (size_t off = 0; off < size; off += PAGE_4K)
		p[off] = (char)1;
}

static enum buffer_status check_pool(int node, size_t huge_bytes, size_t size, char *why,
				     size_t whylen)
{
	long total, free_pages, need = (long)(size / huge_bytes);
	int n = node < 0 ? 0 : node;

	if (topology_node_hugepages(n, huge_bytes / 1024, &total, &free_pages)) {
		snprintf(why, whylen, "hugetlb %zu kB pages not supported here", huge_bytes / 1024);
		return BUF_SKIP;
	}
	if (free_pages == 0) {
		snprintf(why, whylen, "hugetlb pool empty (%zu kB pages, node %d)",
			 huge_bytes / 1024, n);
		return BUF_SKIP;
	}
	if (free_pages < need) {
		snprintf(why, whylen,
			 "hugetlb pool too small (%zu kB pages, node %d: need %ld, %ld free)",
			 huge_bytes / 1024, n, need, free_pages);
		return BUF_SKIP;
	}
	return BUF_OK;
}

/* Can a buffer of @kind and @size be had here at all?  BUF_OK or BUF_SKIP. */
static enum buffer_status kind_usable(const struct page_kind *kind, int mem_node, size_t size,
				      char *why, size_t whylen)
{
	size_t huge = kind->hugetlb_bytes;

	if (huge) {
		if (size % huge) {
			snprintf(why, whylen, "size %zu is not a multiple of the %zu kB page", size,
				 huge / 1024);
			return BUF_SKIP;
		}
		return check_pool(mem_node, huge, size, why, whylen);
	}
	if (kind->thp) {
		char mode[64];

		read_bracketed("/sys/kernel/mm/transparent_hugepage/enabled", mode, sizeof(mode));
		if (!strcmp(mode, "never") || !strcmp(mode, "unavailable")) {
			snprintf(why, whylen, "THP disabled (transparent_hugepage/enabled: %s)",
				 mode);
			return BUF_SKIP;
		}
	}
	return BUF_OK;
}

/*
 * Map @b->size bytes of @kind at @align (a VMA trimmed to exactly the
 * buffer, so that smaps describes it alone).  BUF_OK, BUF_SKIP (the
 * hugetlb pool ran short) or BUF_FAIL; @b keeps what must be freed.
 */
static enum buffer_status map_buffer(struct buffer *b, const struct page_kind *kind, size_t align,
				     char *why, size_t whylen)
{
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS, fdflags = MFD_CLOEXEC;
	size_t huge = kind->hugetlb_bytes, size = b->size;
	size_t len = size + (align > PAGE_4K ? align : 0);
	char *m;

	if (kind->memfd) {
		if (huge)
			fdflags |= MFD_HUGETLB | (huge == SZ_2M ? MFD_HUGE_2MB : MFD_HUGE_1GB);
		b->memfd = memfd_create("pfnlab", (unsigned int)fdflags);
		if (b->memfd < 0 || ftruncate(b->memfd, (off_t)size)) {
			snprintf(why, whylen, "memfd: %s", strerror(errno));
			return BUF_FAIL;
		}
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->memfd, 0);
		len = size;
	} else {
		if (huge)
			mflags |= MAP_HUGETLB | (huge == SZ_2M ? MAP_HUGE_2MB : MAP_HUGE_1GB);
		m = mmap(NULL, huge ? size : len, PROT_READ | PROT_WRITE, mflags, -1, 0);
		if (huge)
			len = size;
	}
	if (m == MAP_FAILED) {
		int e = errno;

		snprintf(why, whylen, "mmap %zu bytes (%s): %s", size, kind->name, strerror(e));
		if (huge && e == ENOMEM) {
			snprintf(why, whylen, "hugetlb pool too small for %zu bytes (%s)", size,
				 kind->name);
			return BUF_SKIP;
		}
		return BUF_FAIL;
	}
	b->map_addr = m;
	b->map_len = len;
	b->addr = m;
	if (align > PAGE_4K) {
		/* Trim to an aligned VMA so smaps describes exactly our buffer. */
		char *start = (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1));

		if (start > m)
			munmap(m, (size_t)(start - m));
		if (start + size < m + len)
			munmap(start + size, (size_t)(m + len - (start + size)));
		b->map_addr = start;
		b->map_len = size;
		b->addr = start;
	}
	return BUF_OK;
}

/* mbind(MPOL_BIND) before the first touch: pages are born on @mem_node. */
static int bind_buffer(const struct buffer *b, int mem_node, char *why, size_t whylen)
{
	struct bitmask *mask;
	long r;

	if (mem_node < 0 || numa_available() < 0)
		return 0;
	mask = numa_allocate_nodemask();
	numa_bitmask_setbit(mask, (unsigned int)mem_node);
	r = mbind(b->addr, b->size, MPOL_BIND, mask->maskp, mask->size + 1, 0);
	numa_free_nodemask(mask);
	if (r) {
		snprintf(why, whylen, "mbind node %d: %s", mem_node, strerror(errno));
		return -1;
	}
	return 0;
}

enum buffer_status buffer_alloc(struct buffer *b, const char *page, size_t size, int mem_node,
				char *why, size_t whylen)
{
	const struct page_kind *kind = page_kind_find(page);
	enum buffer_status st;

	memset(b, 0, sizeof(*b));
	b->memfd = -1;
	if (mem_node >= 0 && !topology_node_exists(mem_node)) {
		snprintf(why, whylen, "mem_node %d does not exist (nodes 0-%d)", mem_node,
			 topology_max_node());
		return BUF_SKIP;
	}
	if (!kind) {
		snprintf(why, whylen, "unknown page kind '%s'", page);
		return BUF_FAIL;
	}
	st = kind_usable(kind, mem_node, size, why, whylen);
	if (st != BUF_OK)
		return st;
	b->huge_bytes = kind->hugetlb_bytes ? kind->hugetlb_bytes : (kind->thp ? SZ_2M : 0);
	b->want_huge = b->huge_bytes != 0;
	b->size = size;
	st = map_buffer(b, kind, kind->thp ? SZ_2M : PAGE_4K, why, whylen);
	if (st != BUF_OK) {
		buffer_free(b);
		return st;
	}
	if (!kind->hugetlb_bytes && !kind->memfd &&
	    madvise(b->addr, size, kind->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(why, whylen, "madvise: %s", strerror(errno));
		buffer_free(b);
		return BUF_FAIL;
	}
	if (bind_buffer(b, mem_node, why, whylen) != 0) {
		buffer_free(b);
		return BUF_FAIL;
	}
	fault_in(b->addr, size);
	return BUF_OK;
}

void buffer_free(struct buffer *b)
{
	if (b->map_addr)
		munmap(b->map_addr, b->map_len);
	if (b->memfd >= 0)
		close(b->memfd);
	memset(b, 0, sizeof(*b));
	b->memfd = -1;
}

double pages_on_node_fraction(void *addr, size_t npages, int node)
{
	enum {
		CHUNK = 4096
	};
	void *pages[CHUNK];
	int status[CHUNK];
	size_t on = 0;

	for (size_t i = 0; i < npages; i += CHUNK) {
		size_t n = npages - i < CHUNK ? npages - i : CHUNK;

		for (size_t j = 0; j < n; j++)
			pages[j] = (char *)addr + (i + j) * PAGE_4K;
		/* nodes == NULL: only report where each page is. */
		if (move_pages(0, n, pages, NULL, status, 0))
			return -1;
		for (size_t j = 0; j < n; j++)
			on += status[j] == node;
	}
	return npages ? (double)on / (double)npages : 0;
}

long long vma_huge_bytes(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in_vma = 0, found = 0;
	long long kib = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		long long v;
		char name[64];

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in_vma)
				break;
			in_vma = start == (uintptr_t)addr;
			found |= in_vma;
			continue;
		}
		if (!in_vma || sscanf(line, "%63[^:]: %lld kB", name, &v) != 2)
			continue;
		if (!strcmp(name, "AnonHugePages") || !strcmp(name, "ShmemPmdMapped") ||
		    !strcmp(name, "FilePmdMapped") || !strcmp(name, "Private_Hugetlb") ||
		    !strcmp(name, "Shared_Hugetlb"))
			kib += v;
	}
	fclose(f);
	return found ? kib * 1024 : -1;
}

int buffer_verify(const struct buffer *b, int mem_node, struct placement *p)
{
	long long huge;
	int node = mem_node < 0 ? 0 : mem_node;

	memset(p, 0, sizeof(*p));
	p->mem_node = mem_node;
	p->on_node_fraction = numa_available() < 0 ?
				      1.0 :
				      pages_on_node_fraction(b->addr, b->size / PAGE_4K, node);
	huge = vma_huge_bytes(b->addr);
	p->huge_fraction = huge < 0 ? -1 : (double)huge / (double)b->size;
	/*
	 * The physical layout is drawn anew with every buffer, and costs that
	 * touch a struct page per PFN follow it: recorded, never judged.
	 */
	p->pfn_runs = pagemap_pfn_runs(b->addr, b->size / PAGE_4K);
	if (p->on_node_fraction < 0 || huge < 0) {
		snprintf(p->why, sizeof(p->why), "placement query failed");
		return -1;
	}
	p->ok = 1;
	/* 99%: one straggler page in a large buffer is still this placement. */
	if (mem_node >= 0 && p->on_node_fraction < 0.99) {
		p->ok = 0;
		snprintf(p->why, sizeof(p->why), "only %.1f%% of pages on node %d",
			 100 * p->on_node_fraction, mem_node);
	} else if (b->want_huge && p->huge_fraction < 0.99) {
		p->ok = 0;
		snprintf(p->why, sizeof(p->why), "only %.1f%% of the buffer in huge pages",
			 100 * p->huge_fraction);
	} else if (!b->want_huge && p->huge_fraction > 0.01) {
		p->ok = 0;
		snprintf(p->why, sizeof(p->why), "%.1f%% of a 4 KiB buffer in huge pages",
			 100 * p->huge_fraction);
	}
	return 0;
}

int pagemap_read_pfns(const void *addr, size_t npages, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / PAGE_4K) * 8;
	size_t done = 0;
	int hidden = 0;

	if (fd < 0)
		return -1;
	while (done < npages) {
		ssize_t r = pread(fd, pfns + done, (npages - done) * 8, off + (off_t)done * 8);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		done += (size_t)r / 8;
	}
	close(fd);
	for (size_t i = 0; i < npages; i++) {
		uint64_t e = pfns[i];

		/* bit 63 present, bits 0-54 PFN (zero unless CAP_SYS_ADMIN) */
		if (!(e >> 63) || !(e & ((1ULL << 55) - 1)))
			hidden = 1;
		pfns[i] = e & ((1ULL << 55) - 1);
	}
	return hidden;
}

uint64_t pagemap_pfn_runs(const void *addr, size_t npages)
{
	const size_t chunk = 4096; /* entries a read: 32 KiB */
	uint64_t *pfns = malloc(chunk * sizeof(*pfns));
	uint64_t runs = 0, prev = 0;

	if (!pfns)
		return 0;
	for (size_t done = 0; done < npages; done += chunk) {
		size_t n = npages - done < chunk ? npages - done : chunk;

		if (pagemap_read_pfns((const char *)addr + done * PAGE_4K, n, pfns)) {
			runs = 0;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			runs += done + i == 0 || pfns[i] != prev + 1;
			prev = pfns[i];
		}
	}
	free(pfns);
	return runs;
}
