// SPDX-License-Identifier: GPL-2.0
/*
 * Two threads racing every object operation on one fd, one of them also
 * closing and reopening the fd under the other, for a bounded time.
 *
 * What must hold: every call either works or fails with an errno the UAPI
 * documents for a lost race (the object is gone, busy, already mapped, or
 * the fd was closed); afterwards no pin is left (teardown) and the kernel
 * log has no WARN, BUG or lockdep report (test_dmesg, later in the run).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define SLOTS 8
#define NPAGES 32
#define BYTES (NPAGES * LAB_PAGE_SIZE)
#define RACE_SECONDS 4
#define IOVA_BASE (1UL << 30)

static atomic_int shared_fd;
static atomic_uint slot_ids[SLOTS];
static atomic_bool stop;
static char *race_buf;

struct worker {
	unsigned int seed;
	int may_close;
	unsigned long ops;
	unsigned long unexpected;
	int first_unexpected_op;
	int first_unexpected_errno;
};

static int expected_errno(int err)
{
	switch (err) {
	case 0:
	case -ENOENT: /* the object was destroyed by the other thread */
	case -EBUSY:  /* it is in use by the other thread's map or access */
	case -EEXIST: /* the other thread mapped that IOVA first */
	case -EBADF:  /* the fd was closed under us */
	case -ENOTTY: /* ...and its number reused for another file */
	case -ENOSPC: /* the fd reached a per-fd cap: objects pile up in slots */ return 1;
	default: return 0;
	}
}

static uint32_t slot_get(unsigned int *seed)
{
	return atomic_load(&slot_ids[rand_r(seed) % SLOTS]);
}

static int one_op(struct worker *w, int op)
{
	int fd = atomic_load(&shared_fd);
	unsigned int slot = rand_r(&w->seed) % SLOTS;
	uint64_t iova = IOVA_BASE + (uint64_t)slot * BYTES;

	switch (op) {
	case 0: {
		struct pfnlab_pages_create pc = {
			.size = sizeof(pc),
			.flags = PFNLAB_PAGES_WRITABLE,
			.uptr = (uintptr_t)race_buf,
			.length = BYTES,
		};
		int ret = lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc);

		if (!ret)
			atomic_store(&slot_ids[slot], pc.out_pages_id);
		return ret;
	}
	case 1: {
		struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_MOCK };
		int ret = lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc);

		if (!ret)
			atomic_store(&slot_ids[slot], dc.out_domain_id);
		return ret;
	}
	case 2:
		return lab_map(fd, slot_get(&w->seed), slot_get(&w->seed), 0, BYTES, iova,
			       lab_opts(1 + rand_r(&w->seed) % 16, 1 + rand_r(&w->seed) % 8,
					rand_r(&w->seed) % 2),
			       NULL);
	case 3: return lab_unmap(fd, slot_get(&w->seed), iova, BYTES, NULL);
	case 4: return lab_destroy(fd, slot_get(&w->seed));
	case 5: {
		uint32_t access_id = 0;
		int ret = lab_access_pin(fd, slot_get(&w->seed), 0, BYTES / 2, &access_id);

		if (!ret)
			atomic_store(&slot_ids[slot], access_id);
		return ret;
	}
	case 6: return lab_access_unpin(fd, slot_get(&w->seed));
	case 7:
		return lab_read(fd, slot_get(&w->seed), 0, BYTES, NULL, NULL,
				lab_opts(8, 4, PFNLAB_FILL_RUN_AWARE), NULL);
	default: {
		/* Close the fd with whatever it holds; give the other thread a
		 * fresh one. */
		int fresh = open(PFNLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

		if (fresh < 0)
			return -errno;
		close(atomic_exchange(&shared_fd, fresh));
		return 0;
	}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		int op = rand_r(&w->seed) % 8;
		int ret;

		if (w->may_close && rand_r(&w->seed) % 256 == 0)
			op = 8;
		ret = one_op(w, op);
		w->ops++;
		/* DESTROY of an access id is the documented -EINVAL. */
		if (!expected_errno(ret) && !(op == 4 && ret == -EINVAL)) {
			if (!w->unexpected++) {
				w->first_unexpected_op = op;
				w->first_unexpected_errno = -ret;
			}
		}
	}
	return NULL;
}

static void test_race_map_unmap_destroy_close(void **state)
{
	struct worker w[2] = {
		{ .seed = 1, .may_close = 0 },
		{ .seed = 2, .may_close = 1 },
	};
	pthread_t threads[2];
	struct timespec deadline = { 0 };
	int i;

	(void)state;
	race_buf = mmap(NULL, BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	assert_true(race_buf != MAP_FAILED);
	atomic_store(&shared_fd, lab_open());
	atomic_store(&stop, false);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &w[i]), 0);
	deadline.tv_sec = RACE_SECONDS;
	nanosleep(&deadline, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	close(atomic_load(&shared_fd));
	munmap(race_buf, BYTES);

	for (i = 0; i < 2; i++) {
		print_message("# thread %d: %lu operations, %lu unexpected\n", i, w[i].ops,
			      w[i].unexpected);
		if (w[i].unexpected)
			fail_msg("thread %d: op %d failed with errno %d (%s)", i,
				 w[i].first_unexpected_op, w[i].first_unexpected_errno,
				 strerror(w[i].first_unexpected_errno));
		assert_true(w[i].ops > 100);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_race_map_unmap_destroy_close),
	};

	return LAB_RUN("race", tests);
}
