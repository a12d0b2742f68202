// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab index DIR [FILE...]: make or bring up to date the results store
 * of a results tree (store.h), or check that it is consistent.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "commands.h"
#include "store.h"

static void index_usage(FILE *out)
{
	fputs("usage: pfnlab index [options] DIR [FILE...]\n"
	      "\n"
	      "Make or update the results store DIR/" STORE_FILE ": an SQLite\n"
	      "index of the result files under DIR that history and the lab report\n"
	      "read instead of parsing every file.  The files stay the truth: new\n"
	      "files are added, changed ones (size or mtime) re-read, and the rows\n"
	      "of files that are gone or no longer load are dropped, each said on\n"
	      "stderr.  Every file is indexed in one transaction, so an interrupted\n"
	      "index leaves a consistent store that the next run completes.  Running\n"
	      "it again changes nothing.  With FILEs (under DIR), only those are\n"
	      "added; `pfnlab run` does that itself when its output lies in a tree\n"
	      "with a store.\n"
	      "\n"
	      "options:\n"
	      "  --check     change nothing; say how many runs the store holds,\n"
	      "              check it (SQLite's integrity check, its references)\n"
	      "              and that it matches the files; each difference named\n"
	      "  -q, --quiet no summary line\n"
	      "  -h, --help  this text\n"
	      "\n"
	      "exit status: 0 done (or consistent), 1 some files skipped (or the\n"
	      "store does not match the files), 2 error.\n",
	      out);
}

/* Each row of @sql is a problem, printed; returns how many. */
static long count_rows(sqlite3 *db, const char *sql, const char *what)
{
	sqlite3_stmt *stmt;
	long n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		fprintf(stderr, "pfnlab index: %s: %s\n", what, sqlite3_errmsg(db));
		return 1;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(stmt, 0);

		if (t && strcmp((const char *)t, "ok") == 0)
			continue;
		fprintf(stderr, "pfnlab index: %s: %s\n", what, t ? (const char *)t : "(null)");
		n++;
	}
	sqlite3_finalize(stmt);
	return n;
}

static long count_runs(sqlite3 *db)
{
	sqlite3_stmt *stmt;
	long n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM runs", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

/*
 * Three lines: how many runs the store holds, whether SQLite and our own
 * references find it sound, and whether it matches the files.
 */
static int check(const char *dir)
{
	char path[4200], err[1024];
	sqlite3 *db = NULL;
	long bad, nruns, ndiff;
	struct store *st;

	if (!store_exists(dir)) {
		fprintf(stderr, "pfnlab index: %s: no store (%s)\n", dir, STORE_FILE);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "pfnlab index: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 2;
	}
	nruns = count_runs(db);
	bad = count_rows(db, "PRAGMA integrity_check", "integrity");
	bad += count_rows(db,
			  "SELECT 'bench row of missing run ' || run_id"
			  " FROM benches WHERE run_id NOT IN (SELECT id FROM runs)",
			  "foreign key");
	bad += count_rows(db,
			  "SELECT 'point of missing run ' || run_id || ' or series ' || series_id"
			  " FROM points WHERE run_id NOT IN (SELECT id FROM runs)"
			  " OR series_id NOT IN (SELECT id FROM series)",
			  "foreign key");
	bad += count_rows(db,
			  "SELECT 'run ' || path || ' has no benchmark rows' FROM runs"
			  " WHERE id NOT IN (SELECT run_id FROM benches)",
			  "runs");
	sqlite3_close(db);
	st = store_open(dir, false, err, sizeof(err));
	ndiff = st ? store_diff(st) : -1;
	store_close(st);
	if (ndiff < 0 || nruns < 0) {
		fprintf(stderr, "pfnlab index: %s\n", st ? "cannot read the store" : err);
		return 2;
	}
	printf("%s/%s: %ld runs indexed\n", dir, STORE_FILE, nruns);
	if (bad)
		printf("integrity: %ld problem(s)\n", bad);
	else
		printf("integrity: ok\n");
	if (ndiff)
		printf("files: %ld new, changed or gone since indexed\n", ndiff);
	else
		printf("files: all indexed as they are\n");
	return bad || ndiff ? 1 : 0;
}

int cmd_index(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_sync_stats stats = { 0 };
	bool quiet = false, only_check = false;
	struct timespec t0, t1;
	struct store *st;
	char err[1024];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': only_check = true; break;
		case 'q': quiet = true; break;
		case 'h': index_usage(stdout); return 0;
		default: index_usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab index: no DIR given\n");
		index_usage(stderr);
		return 2;
	}
	if (only_check)
		return check(argv[optind]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = store_open(argv[optind], true, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "pfnlab index: %s\n", err);
		return 2;
	}
	if (!store_writable(st)) {
		fprintf(stderr, "pfnlab index: %s/%s: cannot write it\n", argv[optind], STORE_FILE);
		store_close(st);
		return 2;
	}
	if (argc - optind > 1)
		ret = store_add_files(st, &argv[optind + 1], (size_t)(argc - optind - 1), &stats);
	else
		ret = store_sync(st, &stats);
	store_close(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0)
		return 2;
	if (!quiet)
		printf("%s/%s: %zu added, %zu updated, %zu unchanged, %zu removed, %zu skipped in %.1f s\n",
		       argv[optind], STORE_FILE, stats.added, stats.updated, stats.unchanged,
		       stats.removed, stats.skipped,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return stats.skipped ? 1 : 0;
}
