// SPDX-License-Identifier: GPL-2.0
/*
 * Worker team.  Two barriers per run: the start barrier releases every
 * worker at once so their phases overlap, the end barrier tells the
 * coordinator that all are done.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "team.h"
#include "topology.h"

struct worker {
	struct team *team;
	pthread_t tid;
	int index;
	int cpu;
	int bind_failed;
};

struct team {
	int n;
	int cpu_node;
	int quit;
	team_fn fn;
	void *arg;
	pthread_barrier_t start, end;
	pthread_mutex_t lock; /* startup: ready count and go decision */
	pthread_cond_t cond;
	int ready, go; /* go: 1 run, -1 quit */
	struct worker *w;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct team *t = w->team;

	w->bind_failed = topology_bind_thread_to_node(t->cpu_node) != 0;
	w->cpu = sched_getcpu();
	/* The barriers count every worker, so wait until all exist. */
	pthread_mutex_lock(&t->lock);
	t->ready++;
	pthread_cond_broadcast(&t->cond);
	while (!t->go)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	if (t->go < 0)
		return NULL;
	for (;;) {
		pthread_barrier_wait(&t->start);
		if (t->quit)
			break;
		t->fn(t->arg, w->index);
		w->cpu = sched_getcpu();
		pthread_barrier_wait(&t->end);
	}
	return NULL;
}

static void team_destroy(struct team *t)
{
	pthread_barrier_destroy(&t->start);
	pthread_barrier_destroy(&t->end);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t->w);
	free(t);
}

struct team *team_start(int nthreads, int cpu_node, char *why, unsigned long whylen)
{
	struct team *t = calloc(1, sizeof(*t));
	int started = 0, bad = 0;
	sigset_t block, old;

	if (!t || nthreads < 1)
		goto nomem;
	t->n = nthreads;
	t->cpu_node = cpu_node;
	t->w = calloc((size_t)nthreads, sizeof(*t->w));
	if (!t->w)
		goto nomem;
	pthread_barrier_init(&t->start, NULL, (unsigned int)nthreads + 1);
	pthread_barrier_init(&t->end, NULL, (unsigned int)nthreads + 1);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	/* Workers inherit a mask without SIGINT/SIGTERM: the main thread takes them. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < nthreads; i++) {
		t->w[i].team = t;
		t->w[i].index = i;
		if (pthread_create(&t->w[i].tid, NULL, worker_main, &t->w[i]))
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&t->lock);
	while (t->ready < started)
		pthread_cond_wait(&t->cond, &t->lock);
	for (int i = 0; i < started; i++)
		bad |= t->w[i].bind_failed;
	t->go = started < nthreads || bad ? -1 : 1;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	if (t->go > 0)
		return t;
	if (started < nthreads)
		snprintf(why, whylen, "cannot create %d threads", nthreads);
	else
		snprintf(why, whylen, "cannot bind threads to the CPUs of node %d", cpu_node);
	for (int i = 0; i < started; i++)
		pthread_join(t->w[i].tid, NULL);
	t->n = 0;
	team_destroy(t);
	return NULL;
nomem:
	snprintf(why, whylen, "out of memory");
	if (t)
		free(t->w);
	free(t);
	return NULL;
}

void team_run(struct team *t, team_fn fn, void *arg)
{
	t->fn = fn;
	t->arg = arg;
	pthread_barrier_wait(&t->start);
	pthread_barrier_wait(&t->end);
}

int team_cpu(const struct team *t, int thread)
{
	return t->w[thread].cpu;
}

int team_size(const struct team *t)
{
	return t->n;
}

void team_stop(struct team *t)
{
	if (!t)
		return;
	t->quit = 1;
	pthread_barrier_wait(&t->start);
	for (int i = 0; i < t->n; i++)
		pthread_join(t->w[i].tid, NULL);
	team_destroy(t);
}
