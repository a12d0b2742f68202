// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: cumulative statistics, per fd (under the fd's mutex) and
 * module-wide (under pfnlab_global_lock, with the per-page pin counters as
 * atomics so that the pin and unpin paths never take a global lock).
 */
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>

#include "pfnlab_private.h"

static DEFINE_MUTEX(pfnlab_global_lock);
/* Counters of every fd, open or closed; pin counts and gauges are below. */
static struct pfnlab_stats pfnlab_global;
static atomic64_t pfnlab_global_pinned;
static atomic64_t pfnlab_global_unpinned;
static atomic64_t pfnlab_global_npinned_now;
static atomic64_t pfnlab_global_objects_live;

/* Bucket 0 holds 0 and 1 ns; bucket i holds [2^i, 2^(i+1)) ns. */
static unsigned int pfnlab_hist_bucket(u64 ns)
{
	return ns <= 1 ? 0 : ilog2(ns);
}

/**
 * pfnlab_stats_add() - add one finished ioctl to a set of counters
 * @s: the counters
 * @cmd_idx: PFNLAB_CMD_* - PFNLAB_CMD_BASE
 * @ret: its result
 * @reached: it got past the copy-in
 * @op: its scratch state and report
 */
static void pfnlab_stats_add(struct pfnlab_stats *s, unsigned int cmd_idx,
			     int ret, bool reached, const struct pfnlab_op *op)
{
	const struct pfnlab_op_report *rep = op->rep;
	unsigned int i;

	if (reached)
		s->out_ops[cmd_idx]++;
	if (ret) {
		s->out_errors[cmd_idx]++;
		return;
	}
	if (!reached)
		return;
	for (i = 0; i < PFNLAB_TIER_NR; i++)
		s->out_pfns_by_tier[i] += rep->pfns_by_tier[i];
	s->out_runs += rep->runs;
	s->out_batch_refills += rep->batch_refills;
	s->out_gup_calls += rep->gup_calls;
	s->out_map_calls += rep->map_calls;
	if (cmd_idx == PFNLAB_CMD_MAP - PFNLAB_CMD_BASE)
		for (i = 0; i < PFNLAB_PGSIZE_NR; i++)
			s->out_ioptes_mapped[i] += rep->ioptes[i];
	for (i = 0; i < PFNLAB_PHASE_NR; i++) {
		struct pfnlab_phase_stats *ps = &s->phase[i];
		u64 ns = rep->phase_ns[i];

		if (!(op->phases_run & BIT(i)))
			continue;
		ps->count++;
		ps->total_ns += ns;
		ps->max_ns = max(ps->max_ns, ns);
		ps->hist[pfnlab_hist_bucket(ns)]++;
	}
}

/**
 * pfnlab_stats_op_done() - account a finished ioctl to its fd and the module
 * @ctx: the fd
 * @cmd_idx: PFNLAB_CMD_* - PFNLAB_CMD_BASE
 * @ret: its result
 * @reached: it got past the copy-in (its operation ran)
 */
void pfnlab_stats_op_done(struct pfnlab_ctx *ctx, unsigned int cmd_idx, int ret,
			  bool reached)
{
	pfnlab_stats_add(&ctx->stats, cmd_idx, ret, reached, &ctx->op);
	mutex_lock(&pfnlab_global_lock);
	pfnlab_stats_add(&pfnlab_global, cmd_idx, ret, reached, &ctx->op);
	mutex_unlock(&pfnlab_global_lock);
}

/**
 * pfnlab_stats_pins() - count pages pinned and unpinned
 * @ctx: the fd whose objects did it
 * @pinned: pages pinned
 * @unpinned: pages unpinned
 */
void pfnlab_stats_pins(struct pfnlab_ctx *ctx, u64 pinned, u64 unpinned)
{
	ctx->stats.out_pages_pinned += pinned;
	ctx->stats.out_pages_unpinned += unpinned;
	ctx->npinned_now += pinned - unpinned;
	atomic64_add(pinned, &pfnlab_global_pinned);
	atomic64_add(unpinned, &pfnlab_global_unpinned);
	atomic64_add(pinned - unpinned, &pfnlab_global_npinned_now);
}

/**
 * pfnlab_stats_objects() - count objects created (+1) or freed (-1)
 * @delta: the change
 */
void pfnlab_stats_objects(s64 delta)
{
	atomic64_add(delta, &pfnlab_global_objects_live);
}

/* Everything after size and flags is a counter. */
#define PFNLAB_STATS_COUNTERS_OFF offsetof(struct pfnlab_stats, out_ops)

/**
 * pfnlab_stats_get() - PFNLAB_STATS
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or -EOPNOTSUPP for an unknown flag.
 */
int pfnlab_stats_get(struct pfnlab_ctx *ctx, struct pfnlab_stats *a)
{
	if (a->flags & ~PFNLAB_STATS_GLOBAL)
		return -EOPNOTSUPP;
	if (a->flags & PFNLAB_STATS_GLOBAL) {
		mutex_lock(&pfnlab_global_lock);
		memcpy((void *)a + PFNLAB_STATS_COUNTERS_OFF,
		       (void *)&pfnlab_global + PFNLAB_STATS_COUNTERS_OFF,
		       sizeof(*a) - PFNLAB_STATS_COUNTERS_OFF);
		mutex_unlock(&pfnlab_global_lock);
		a->out_pages_pinned = atomic64_read(&pfnlab_global_pinned);
		a->out_pages_unpinned = atomic64_read(&pfnlab_global_unpinned);
		a->out_npinned_now = atomic64_read(&pfnlab_global_npinned_now);
		a->out_objects_live = atomic64_read(&pfnlab_global_objects_live);
	} else {
		memcpy((void *)a + PFNLAB_STATS_COUNTERS_OFF,
		       (void *)&ctx->stats + PFNLAB_STATS_COUNTERS_OFF,
		       sizeof(*a) - PFNLAB_STATS_COUNTERS_OFF);
		a->out_npinned_now = ctx->npinned_now;
		a->out_objects_live = ctx->nobjects;
	}
	return 0;
}

/**
 * pfnlab_stats_reset() - PFNLAB_STATS_RESET
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or -EOPNOTSUPP for an unknown flag.
 */
int pfnlab_stats_reset(struct pfnlab_ctx *ctx, struct pfnlab_stats_reset *a)
{
	if (a->flags & ~PFNLAB_STATS_GLOBAL)
		return -EOPNOTSUPP;
	if (a->flags & PFNLAB_STATS_GLOBAL) {
		mutex_lock(&pfnlab_global_lock);
		memset((void *)&pfnlab_global + PFNLAB_STATS_COUNTERS_OFF, 0,
		       sizeof(pfnlab_global) - PFNLAB_STATS_COUNTERS_OFF);
		atomic64_set(&pfnlab_global_pinned, 0);
		atomic64_set(&pfnlab_global_unpinned, 0);
		mutex_unlock(&pfnlab_global_lock);
	} else {
		memset((void *)&ctx->stats + PFNLAB_STATS_COUNTERS_OFF, 0,
		       sizeof(ctx->stats) - PFNLAB_STATS_COUNTERS_OFF);
	}
	return 0;
}

/**
 * pfnlab_quiesce() - PFNLAB_QUIESCE
 * @ctx: the fd (unused: the wait is the whole kernel's)
 * @a: the request
 *
 * A harness calls it between samples, outside what it times: the xarray
 * nodes a sample's unpin freed are otherwise freed by RCU callbacks that
 * land in the next sample's window (in the lab VM, up to 5% of an
 * ACCESS_PIN of 512 MiB of huge pages, in some samples and not others).
 *
 * Return: 0 or -EOPNOTSUPP for a flag.
 */
int pfnlab_quiesce(struct pfnlab_ctx *ctx, struct pfnlab_quiesce *a)
{
	u64 start_ns = ktime_get_ns();

	if (a->flags)
		return -EOPNOTSUPP;
	rcu_barrier();
	a->out_wait_ns = ktime_get_ns() - start_ns;
	return 0;
}
