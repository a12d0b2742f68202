/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/sched.h>: the UAPI header, plus a cond_resched()
 * that does nothing (a userspace thread is preempted anyway).
 */
#ifndef PFNLAB_SHIM_LINUX_SCHED_H
#define PFNLAB_SHIM_LINUX_SCHED_H

#include_next <linux/sched.h>

static inline int cond_resched(void)
{
	return 0;
}

#endif
