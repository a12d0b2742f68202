// SPDX-License-Identifier: GPL-2.0
/*
 * gup_test backend: the kernel's own GUP benchmark (mm/gup_test.c, built
 * with CONFIG_GUP_TEST, reached through debugfs).  One ioctl pins (or
 * gets) a range in calls of pages_per_call pages and then releases it,
 * and the kernel times both halves itself in microseconds: the pin path
 * with nothing of pfnlab's around it.  The job key gup picks the run:
 * pin-longterm (PIN_LONGTERM_BENCHMARK, pin_user_pages with FOLL_LONGTERM
 * under the mmap lock: what iommufd and VFIO do), pin-fast
 * (PIN_FAST_BENCHMARK, pin_user_pages_fast) or gup-fast
 * (GUP_FAST_BENCHMARK, get_user_pages_fast: a reference, not a pin).
 * Each thread runs its own ioctl on its slice of the buffer.
 *
 * The request layout is the kernel's (mm/gup_test.h, a debugfs test
 * interface with no UAPI header); it is written out here from the 6.12
 * source, and the size of the struct is part of the ioctl number, so a
 * kernel with another layout refuses it (ENOTTY) instead of misreading it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/types.h>

#include "backend.h"

#define GUP_TEST_PATH "/sys/kernel/debug/gup_test"

/* mm/gup_test.h (Linux 6.12) */
#define GUP_TEST_MAX_PAGES_TO_DUMP 8
struct gup_test_request {
	__u64 get_delta_usec; /* out: the pin (get) loop, µs */
	__u64 put_delta_usec; /* out: the unpin (put) loop, µs */
	__u64 addr;
	__u64 size; /* in: bytes; out: bytes the loop got to */
	__u32 nr_pages_per_call;
	__u32 gup_flags; /* FOLL_* as the kernel numbers them */
	__u32 test_flags;
	__u32 which_pages[GUP_TEST_MAX_PAGES_TO_DUMP];
};

#define GUP_FAST_BENCHMARK _IOWR('g', 1, struct gup_test_request)
#define PIN_FAST_BENCHMARK _IOWR('g', 2, struct gup_test_request)
#define PIN_LONGTERM_BENCHMARK _IOWR('g', 3, struct gup_test_request)
/* include/linux/mm_types.h: enum fault_flag's neighbour, FOLL_WRITE = 1. */
#define GUP_TEST_FOLL_WRITE 0x01

struct gup_thread {
	struct gup_test_request req;
	uint64_t offset, length;
	int err; /* errno of a failed ioctl */
};

struct gup_state {
	int fd;
	unsigned long cmd;
	struct gup_thread *t;
	int n;
};

static int gup_probe(char *why, size_t len)
{
	int fd = open(GUP_TEST_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len,
			 errno == ENOENT ?
				 "%s missing: CONFIG_GUP_TEST is not set, or debugfs is not mounted" :
				 "%s: %s",
			 GUP_TEST_PATH, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static unsigned long gup_cmd(const char *mode)
{
	if (!strcmp(mode, "pin-fast"))
		return PIN_FAST_BENCHMARK;
	if (!strcmp(mode, "gup-fast"))
		return GUP_FAST_BENCHMARK;
	return PIN_LONGTERM_BENCHMARK;
}

static int gup_setup(struct bench_run *r, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct gup_state *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	r->priv = s;
	s->n = bc->threads;
	s->cmd = gup_cmd(bc->gup);
	s->fd = open(GUP_TEST_PATH, O_RDWR | O_CLOEXEC);
	if (s->fd < 0) {
		gup_probe(why, len);
		return BUF_SKIP;
	}
	s->t = calloc((size_t)s->n, sizeof(*s->t));
	if (!s->t) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	if (!run_thread_slice(r, s->n)) {
		snprintf(why, len, "size %zu too small for %d threads", r->buf.size, s->n);
		return BUF_SKIP;
	}
	for (int i = 0; i < s->n; i++)
		s->t[i].length = run_thread_part(r, s->n, i, &s->t[i].offset);
	r->extra = json_pack("{s:s}", "gup_test", bc->gup);
	return BUF_OK;
}

static void gup_thread_fn(void *arg, int thread)
{
	struct gup_state *s = arg;
	struct gup_thread *t = &s->t[thread];

	t->err = 0;
	if (ioctl(s->fd, s->cmd, &t->req))
		t->err = errno;
}

static int gup_sample(struct bench_run *r, int record, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct gup_state *s = r->priv;
	double get_us = 0, put_us = 0, pages = 0, calls = 0;

	for (int i = 0; i < s->n; i++) {
		struct gup_thread *t = &s->t[i];
		/* 0: the whole slice in one call (the kernel's page array is one kvcalloc). */
		uint64_t per_call = bc->pages_per_call ? bc->pages_per_call : t->length / 4096;

		memset(&t->req, 0, sizeof(t->req));
		t->req.addr = (uintptr_t)r->buf.addr + t->offset;
		t->req.size = t->length;
		/* pages_per_call is at most 2^30 (jobfile.h): it fits. */
		t->req.nr_pages_per_call = (__u32)per_call;
		t->req.gup_flags = GUP_TEST_FOLL_WRITE;
	}
	team_run(r->team, gup_thread_fn, s);
	for (int i = 0; i < s->n; i++) {
		struct gup_thread *t = &s->t[i];
		double tp = (double)t->length / 4096;

		if (t->err) {
			snprintf(why, len, "thread %d: gup_test %s: %s", i, bc->gup,
				 strerror(t->err));
			return -1;
		}
		/* The loop stops at the first short call: all or nothing here. */
		if (t->req.size != t->length) {
			snprintf(why, len, "thread %d: gup_test %s got %llu of %llu bytes", i,
				 bc->gup, (unsigned long long)t->req.size,
				 (unsigned long long)t->length);
			return -1;
		}
		/* The threads run at once: the slowest one is the wall time. */
		if ((double)t->req.get_delta_usec > get_us)
			get_us = (double)t->req.get_delta_usec;
		if ((double)t->req.put_delta_usec > put_us)
			put_us = (double)t->req.put_delta_usec;
		pages += tp;
		calls += (double)((t->length / 4096 + t->req.nr_pages_per_call - 1) /
				  t->req.nr_pages_per_call);
		if (record) {
			run_thread_metric(r, i, "pin_ns_per_page",
					  (double)t->req.get_delta_usec * 1000 / tp);
			run_thread_metric(r, i, "unpin_ns_per_page",
					  (double)t->req.put_delta_usec * 1000 / tp);
		}
	}
	if (!record)
		return 0;
	/* The kernel's clock: microseconds. */
	run_metric(r, "pin_ns_per_page", get_us * 1000 / pages);
	run_metric(r, "unpin_ns_per_page", put_us * 1000 / pages);
	run_metric(r, "pin_ns", get_us * 1000);
	run_metric(r, "unpin_ns", put_us * 1000);
	if (get_us > 0) {
		run_metric(r, "pin_gib_per_s", pages * 4096 / (double)(1ULL << 30) / (get_us / 1e6));
		run_metric(r, "pin_pages_per_s", pages / (get_us / 1e6));
	}
	run_metric(r, "gup_calls", calls);
	return 0;
}

static void gup_teardown(struct bench_run *r)
{
	struct gup_state *s = r->priv;

	if (!s)
		return;
	/* Every ioctl released what it pinned before it returned. */
	if (s->fd >= 0)
		close(s->fd);
	free(s->t);
	free(s);
	r->priv = NULL;
}

const struct backend backend_gup_test = {
	.name = "gup_test",
	.ops = "pin",
	.help = "the kernel's gup_test benchmark (CONFIG_GUP_TEST): PIN_LONGTERM, PIN_FAST or "
		"GUP_FAST, timed by the kernel (job key gup)",
	.probe = gup_probe,
	.setup = gup_setup,
	.sample = gup_sample,
	.teardown = gup_teardown,
};
