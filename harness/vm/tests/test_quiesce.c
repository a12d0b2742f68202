// SPDX-License-Identifier: GPL-2.0
/*
 * QUIESCE: when it returns, the xarray nodes an earlier ACCESS_UNPIN freed
 * have really been freed (their RCU callbacks ran), so that the harness,
 * which calls it between samples, charges no sample with the frees of the
 * one before (driver/uapi/pfnlab.h, struct pfnlab_quiesce).
 *
 * Truth: the kernel's own kmem:kmem_cache_free tracepoint, filtered on the
 * xarray's node cache ("radix_tree_node"), in a trace instance of the
 * test's own.  An access of NPAGES pages at indexes 0 .. NPAGES-1 fills an
 * xarray of NPAGES / 64 leaf nodes under one root node; unpinning it
 * empties every one of them, and every one is freed by call_rcu(), a grace
 * period later.  Without the wait, the callbacks run some ticks after the
 * unpin, after the test has read the trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"

#define NPAGES 1024
/* xarray nodes hold 64 entries: 16 leaves and the root above them */
#define XA_NODES (NPAGES / 64 + 1)
#define INSTANCE "/sys/kernel/tracing/instances/pfnlab-quiesce"
#define EVENT INSTANCE "/events/kmem/kmem_cache_free"

/* Events of the instance's buffer: its lines that are not comments. */
static long count_events(void)
{
	FILE *f = fopen(INSTANCE "/trace", "r");
	char line[512];
	long n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && strstr(line, "kmem_cache_free"))
			n++;
	fclose(f);
	return n;
}

static void test_quiesce_runs_the_frees(void **state)
{
	struct pfnlab_quiesce q = { .size = sizeof(q) };
	void *buf = mmap(NULL, NPAGES * LAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	uint32_t pages_id, access_id;
	long frees;
	int fd = lab_open();

	(void)state;
	assert_true(buf != MAP_FAILED);
	madvise(buf, NPAGES * LAB_PAGE_SIZE, MADV_NOHUGEPAGE);
	memset(buf, 0x5a, NPAGES * LAB_PAGE_SIZE);
	if (mkdir(INSTANCE, 0755) && errno != EEXIST) {
		print_message("# no trace instances here (%s): %s\n", INSTANCE, strerror(errno));
		skip();
	}
	assert_int_equal(lab_write_file(EVENT "/filter", "name == \"radix_tree_node\""), 0);
	assert_int_equal(lab_write_file(EVENT "/enable", "1"), 0);

	pages_id = lab_pages_create(fd, buf, NPAGES * LAB_PAGE_SIZE, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	assert_int_equal(lab_access_pin(fd, pages_id, 0, NPAGES * LAB_PAGE_SIZE, &access_id), 0);
	/* What came before (the pin's own frees, other tasks') stays out. */
	assert_int_equal(lab_ioctl(fd, PFNLAB_QUIESCE, &q), 0);
	assert_int_equal(lab_write_file(INSTANCE "/trace", ""), 0);
	assert_int_equal(lab_access_unpin(fd, access_id), 0);
	assert_int_equal(lab_ioctl(fd, PFNLAB_QUIESCE, &q), 0);
	frees = count_events();

	assert_int_equal(lab_write_file(EVENT "/enable", "0"), 0);
	assert_int_equal(rmdir(INSTANCE), 0);
	print_message("# %ld radix_tree_node frees seen, %d expected at least; waited %llu ns\n",
		      frees, XA_NODES, (unsigned long long)q.out_wait_ns);
	/* Other tasks may free nodes too, never fewer than the access's. */
	assert_true(frees >= XA_NODES);
	assert_true(q.out_wait_ns > 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	munmap(buf, NPAGES * LAB_PAGE_SIZE);
}

/* A flag it does not know is refused, as every ioctl refuses one. */
static void test_quiesce_flags(void **state)
{
	struct pfnlab_quiesce q = { .size = sizeof(q), .flags = 1 };
	int fd = lab_open();

	(void)state;
	assert_int_equal(lab_ioctl(fd, PFNLAB_QUIESCE, &q), -EOPNOTSUPP);
	q.flags = 0;
	q.size = 4; /* smaller than version 1 */
	assert_int_equal(lab_ioctl(fd, PFNLAB_QUIESCE, &q), -EINVAL);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_quiesce_runs_the_frees),
		LAB_TEST(test_quiesce_flags),
	};

	return LAB_RUN("quiesce", tests);
}
