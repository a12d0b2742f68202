/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the lab VM integration tests: the pfnlab ioctls with
 * errno returned instead of set, test buffers of each page kind, the
 * independent truths (/proc/self/pagemap, /proc/vmstat pin counters,
 * /proc/self/status) and the cmocka wiring.
 */
#ifndef PFNLAB_VM_LAB_H
#define PFNLAB_VM_LAB_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pfnlab.h"

#define LAB_PAGE_SIZE 4096UL
#define LAB_HUGE_2M (2UL << 20)

/** enum lab_kind - the kinds of memory every tier test runs over. */
enum lab_kind {
	LAB_4K,		/* anonymous, THP forbidden: 4 KiB pages */
	LAB_THP,	/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	LAB_HUGETLB_2M, /* MAP_HUGETLB from the boot-time 2 MiB pool */
	LAB_KIND_NR,
};

extern const char *const lab_kind_name[LAB_KIND_NR];

/** struct lab_buf - a test buffer, faulted in, with its length in bytes. */
struct lab_buf {
	enum lab_kind kind;
	void *ptr;
	size_t length;
	void *map_base; /* what to munmap (THP over-allocates) */
	size_t map_length;
};

int lab_open(void);
int lab_ioctl(int fd, unsigned long request, void *arg);

struct pfnlab_reader_opts lab_opts(uint32_t pages_per_call, uint32_t batch_runs, uint32_t fill);
struct pfnlab_reader_opts lab_default_opts(void);

uint32_t lab_pages_create(int fd, const void *uptr, size_t length, uint32_t flags,
			  uint32_t account_mode);
uint32_t lab_mock_domain(int fd, uint64_t pgsize_bitmap);
int lab_map(int fd, uint32_t domain_id, uint32_t pages_id, uint64_t offset, uint64_t length,
	    uint64_t iova, struct pfnlab_reader_opts opts, struct pfnlab_map *out);
int lab_unmap(int fd, uint32_t domain_id, uint64_t iova, uint64_t length, struct pfnlab_unmap *out);
int lab_access_pin(int fd, uint32_t pages_id, uint64_t offset, uint64_t length, uint32_t *access_id);
int lab_access_unpin(int fd, uint32_t access_id);
int lab_read(int fd, uint32_t pages_id, uint64_t offset, uint64_t length, uint64_t *pfns,
	     uint8_t *tiers, struct pfnlab_reader_opts opts, struct pfnlab_read *out);
int lab_destroy(int fd, uint32_t id);
struct pfnlab_pages_info lab_pages_info(int fd, uint32_t pages_id);

void lab_buf_alloc(struct lab_buf *buf, enum lab_kind kind, size_t length);
/*
 * Hold every page of @buf pinned on an fd of its own (ACCESS_PIN, nothing
 * charged) and return the fd; close() it to let go.  A page nobody pins
 * may be migrated at any moment (compaction, NUMA, a FOLL_LONGTERM pin
 * moving it out of a movable zone), so a PFN pagemap gave a moment earlier
 * is a truth only while the page is held: tests that compare PFNs with
 * pagemap hold the buffer first.
 */
int lab_anchor(const struct lab_buf *buf);
void lab_buf_free(struct lab_buf *buf);
size_t lab_buf_npages(const struct lab_buf *buf);

void lab_pagemap(const void *ptr, size_t npages, uint64_t *pfns);
void lab_expect_tier(const uint64_t *pfns, const uint8_t *tiers, const uint64_t *truth,
		     size_t first, size_t n, uint8_t tier);
size_t lab_count_runs(const uint64_t *pfns, size_t npages);
void lab_pin_counters(uint64_t *acquired, uint64_t *released);
long lab_status_kib(const char *field);

int lab_teardown_no_pins(void **state);

/*
 * Checks inside a forked child cannot use cmocka's asserts (they would
 * jump back into the parent's copy of the runner): a failed CHILD_CHECK
 * prints where and exits the child with status 1.
 */
#define CHILD_CHECK(cond)                                                                      \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "# child: %s:%d: %s (errno %d)\n", __FILE__, __LINE__, \
				#cond, errno);                                                 \
			_exit(1);                                                              \
		}                                                                              \
	} while (0)

typedef int (*lab_child_fn)(void *arg);
int lab_run_child(lab_child_fn fn, void *arg, int64_t memlock_pages, int as_nobody,
		  int keep_ipc_lock, int64_t *pins_held_at_checkpoint);
void lab_checkpoint(void);
void lab_open_device_to_all(void);

/** struct lab_pci - a PCI device as sysfs names it and as the UAPI does. */
struct lab_pci {
	char name[256]; /* "0000:00:01.0" */
	uint32_t segment;
	uint32_t bdf; /* bus << 8 | device << 3 | function */
};

typedef int (*lab_pci_filter)(const char *sysfs_dir, void *arg);
int lab_find_pci(lab_pci_filter filter, void *arg, struct lab_pci *pci);
int lab_pci_is_edu(const char *sysfs_dir, void *arg);
int lab_dir_entries(const char *path);
int lab_write_file(const char *path, const char *text);
int lab_pci_group_size(const char *sysfs_dir);
int lab_pci_has_driver(const char *sysfs_dir);
int lab_run_group(const char *name, const struct CMUnitTest *tests, size_t count);

/* One test with the pin-balance check after it. */
#define LAB_TEST(fn) cmocka_unit_test_teardown(fn, lab_teardown_no_pins)
#define LAB_RUN(name, tests) lab_run_group(name, tests, sizeof(tests) / sizeof((tests)[0]))

#endif /* PFNLAB_VM_LAB_H */
