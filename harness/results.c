// SPDX-License-Identifier: GPL-2.0
/*
 * Results documents: metric objects with summaries, and the atomic write
 * that never leaves a half-written file, even when the process is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"
#include "stats.h"

void results_utc(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int results_write_atomic(json_t *doc, const char *path, char *err, size_t errlen)
{
	char dirbuf[PATH_MAX], tmp[PATH_MAX + 64], proc[64];
	const char *base;
	char *text, *dir;
	int fd, saved, linked = 0;
	sigset_t all, old;

	if (strlen(path) >= sizeof(dirbuf)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	text = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	if (!text) {
		snprintf(err, errlen, "%s: cannot encode JSON", path);
		return -1;
	}
	memcpy(dirbuf, path, strlen(path) + 1);
	dir = dirname(dirbuf);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, base, (int)getpid());
	/* SIGINT during the write must not leave the dot-file behind. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* An unnamed file vanishes by itself if we are killed before linking it. */
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		linked = 1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file in %s: %s", path, dir,
			 strerror(errno));
		goto fail_nofd;
	}
	if (write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) || fsync(fd)) {
		snprintf(err, errlen, "%s: write: %s", path, strerror(errno));
		goto fail;
	}
	if (!linked) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW)) {
			snprintf(err, errlen, "%s: link: %s", path, strerror(errno));
			goto fail;
		}
		linked = 1;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(text);
	return 0;
fail:
	saved = errno;
	close(fd);
	if (linked)
		unlink(tmp);
	errno = saved;
fail_nofd:
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(text);
	return -1;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -1;
	memcpy(buf, path, strlen(path) + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int results_default_path(char *buf, size_t len, const char *dir, const char *hostname,
			 const char *commit, time_t when, char *err, size_t errlen)
{
	char sub[PATH_MAX], stamp[32];
	struct tm tm;
	int n;

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	n = snprintf(sub, sizeof(sub), "%s/%s", dir, hostname);
	if (n < 0 || (size_t)n >= sizeof(sub)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (mkdir_p(sub)) {
		snprintf(err, errlen, "%s: cannot create: %s", sub, strerror(errno));
		return -1;
	}
	n = snprintf(buf, len, "%s/%s-%s.json", sub, stamp, commit);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: path too long", sub);
		return -1;
	}
	return 0;
}

json_t *results_metric(const char *unit, const char *better, const double *samples,
		       size_t n, double noisy_cv)
{
	json_t *m = json_object(), *arr = json_array(), *sum;
	struct summary s;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, isfinite(samples[i]) ? json_real(samples[i])
								: json_null());
	json_object_set_new(m, "unit", json_string(unit));
	json_object_set_new(m, "better", json_string(better));
	json_object_set_new(m, "samples", arr);
	if (n == 0 || stats_summarize(samples, n, noisy_cv, &s)) {
		json_object_set_new(m, "summary", json_null());
		return m;
	}
	sum = json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b}",
			"n", (json_int_t)s.n, "median", s.median, "mean", s.mean,
			"stddev", s.stddev, "min", s.min, "max", s.max, "p10", s.p10,
			"p90", s.p90, "ci95_lo", s.ci95_lo, "ci95_hi", s.ci95_hi,
			"ci_coverage", s.ci_coverage, "cv", s.cv, "noisy", s.noisy);
	json_object_set_new(m, "summary", sum);
	return m;
}
