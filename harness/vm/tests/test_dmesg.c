// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log of the whole run, read last: no WARN, BUG, oops, lockdep
 * report or leak, and no taint but the out-of-tree (O) and unsigned module
 * (E) flags that loading pfnlab.ko sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#include "lab.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* taint flags (Documentation/admin-guide/tainted-kernels.rst) */
#define TAINT_OOT_MODULE 12
#define TAINT_UNSIGNED_MODULE 13

static char *kernel_log;

static int read_log(void **state)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), len;

	(void)state;
	if (size <= 0)
		return -1;
	kernel_log = calloc((size_t)size + 1, 1);
	if (!kernel_log)
		return -1;
	len = klogctl(SYSLOG_ACTION_READ_ALL, kernel_log, size);
	if (len < 0)
		return -1;
	kernel_log[len] = 0;
	return 0;
}

static int free_log(void **state)
{
	(void)state;
	free(kernel_log);
	return 0;
}

/* Every log line that holds one of @needles (case matters) fails. */
static void expect_no_line(const char *const *needles)
{
	char *copy = strdup(kernel_log), *save = NULL, *line;
	int found = 0;

	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *const *n;

		for (n = needles; *n; n++) {
			if (strstr(line, *n)) {
				print_error("kernel log: %s\n", line);
				found++;
				break;
			}
		}
	}
	free(copy);
	assert_int_equal(found, 0);
}

static void test_log_no_warn(void **state)
{
	static const char *const needles[] = { "WARNING:", "cut here", NULL };

	(void)state;
	expect_no_line(needles);
}

static void test_log_no_bug_or_oops(void **state)
{
	static const char *const needles[] = {
		"BUG:",	      "kernel BUG", "Oops:", "general protection fault",
		"Call Trace", "RIP:",	    NULL
	};

	(void)state;
	expect_no_line(needles);
}

static void test_log_no_lockdep_report(void **state)
{
	static const char *const needles[] = { "circular locking",
					       "recursive locking",
					       "inconsistent lock state",
					       "suspicious RCU",
					       "lock held when returning",
					       "hung_task",
					       "blocked for more than",
					       "soft lockup",
					       NULL };

	(void)state;
	expect_no_line(needles);
}

static void test_log_no_leak(void **state)
{
	static const char *const needles[] = { "leak", "Leak", "LEAK", NULL };

	(void)state;
	expect_no_line(needles);
}

/* The log must be the whole run: it still starts at boot. */
static void test_log_is_complete(void **state)
{
	(void)state;
	assert_non_null(strstr(kernel_log, "Linux version"));
}

static void test_taint_only_out_of_tree(void **state)
{
	const unsigned long allowed = 1UL << TAINT_OOT_MODULE | 1UL << TAINT_UNSIGNED_MODULE;
	unsigned long tainted = ~0UL;
	FILE *f = fopen("/proc/sys/kernel/tainted", "re");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu", &tainted), 1);
	fclose(f);
	print_message("# tainted = %lu\n", tainted);
	assert_int_equal(tainted & ~allowed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_log_is_complete),	   LAB_TEST(test_log_no_warn),
		LAB_TEST(test_log_no_bug_or_oops), LAB_TEST(test_log_no_lockdep_report),
		LAB_TEST(test_log_no_leak),	   LAB_TEST(test_taint_only_out_of_tree),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("dmesg", tests, read_log, free_log);
}
