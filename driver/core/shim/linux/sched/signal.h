/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/sched/signal.h>: a userspace process that is
 * killed simply dies, so no fatal signal is ever seen as pending.
 */
#ifndef PFNLAB_SHIM_LINUX_SCHED_SIGNAL_H
#define PFNLAB_SHIM_LINUX_SCHED_SIGNAL_H

#include <stdbool.h>

struct task_struct;

#define current ((struct task_struct *)0)

static inline bool fatal_signal_pending(const struct task_struct *task
					__attribute__((unused)))
{
	return false;
}

#endif
