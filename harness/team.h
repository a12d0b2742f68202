/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A team of worker threads bound to one NUMA node's CPUs that run one
 * function together per sample, so multi-threaded runs pin disjoint slices
 * concurrently.
 */
#ifndef PFNLAB_TEAM_H
#define PFNLAB_TEAM_H

struct team;

typedef void (*team_fn)(void *arg, int thread);

/*
 * Start @nthreads workers bound to the CPUs of @cpu_node.  Returns NULL
 * with @why set when a thread cannot be created or bound.
 */
struct team *team_start(int nthreads, int cpu_node, char *why, unsigned long whylen);
/* Run @fn(@arg, i) on worker i, for every worker, and wait for all. */
void team_run(struct team *t, team_fn fn, void *arg);
/* The CPU worker @thread last ran on. */
int team_cpu(const struct team *t, int thread);
int team_size(const struct team *t);
void team_stop(struct team *t);

#endif
