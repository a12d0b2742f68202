// SPDX-License-Identifier: GPL-2.0
/*
 * QUIESCE between samples (quiesce.h says why).  The fd is opened once per
 * process, on first use, and the outcome of the first call decides for the
 * whole run: a module without QUIESCE (-ENOTTY) is not asked again.
 */
#include "quiesce.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "driver/uapi/pfnlab.h"

enum quiesce_state {
	QUIESCE_UNTRIED,
	QUIESCE_WORKS,
	QUIESCE_NONE
};

static enum quiesce_state state;
static int quiesce_fd = -1;
static char none_why[160];

static void quiesce_open(void)
{
	if (access(PFNLAB_DEVICE_PATH, F_OK)) {
		snprintf(none_why, sizeof(none_why), "module not loaded (%s missing)",
			 PFNLAB_DEVICE_PATH);
		state = QUIESCE_NONE;
		return;
	}
	quiesce_fd = open(PFNLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (quiesce_fd < 0) {
		snprintf(none_why, sizeof(none_why), "%s: %s", PFNLAB_DEVICE_PATH, strerror(errno));
		state = QUIESCE_NONE;
		return;
	}
	state = QUIESCE_WORKS;
}

void quiesce_kernel(void)
{
	struct pfnlab_quiesce q = { .size = sizeof(q) };
	int err;

	if (state == QUIESCE_UNTRIED)
		quiesce_open();
	if (state != QUIESCE_WORKS)
		return;
	if (ioctl(quiesce_fd, PFNLAB_QUIESCE, &q) == 0)
		return;
	err = errno;
	/* EINTR: a signal, which ends the run anyway; the next sample retries. */
	if (err == EINTR)
		return;
	snprintf(none_why, sizeof(none_why), "PFNLAB_QUIESCE: %s%s", strerror(err),
		 err == ENOTTY ? " (a module older than the harness)" : "");
	state = QUIESCE_NONE;
	quiesce_close();
}

json_t *quiesce_record(void)
{
	if (state == QUIESCE_UNTRIED)
		quiesce_kernel();
	if (state == QUIESCE_WORKS)
		return json_pack("{s:s}", "method", "rcu_barrier");
	return json_pack("{s:s, s:s}", "method", "none", "why", none_why);
}

void quiesce_close(void)
{
	if (quiesce_fd >= 0)
		close(quiesce_fd);
	quiesce_fd = -1;
	if (state == QUIESCE_WORKS)
		state = QUIESCE_UNTRIED;
}
