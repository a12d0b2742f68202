// SPDX-License-Identifier: GPL-2.0
/*
 * The results store (store.h): SQLite tables that index a results tree.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "result_load.h"

struct store {
	sqlite3 *db;
	char *dir; /* absolute, no trailing slash */
	bool writable;
	size_t files_added; /* this process, for the fault-injection hook */
};

/*
 * The tables.  Paths are relative to the store's directory so that a tree
 * can be moved or copied with its store.  A benchmark's parameters are in
 * its key (name|k=v|...), not repeated.  REAL columns hold NULL where the
 * document has no value (SQLite stores a NaN as NULL).  round_medians is
 * the run's per-round medians as native doubles, for the analyses that
 * work on rounds.
 */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
	" size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, schema_version INTEGER NOT NULL,"
	" host TEXT NOT NULL, kernel TEXT NOT NULL, suite_commit TEXT NOT NULL,"
	" started_utc TEXT NOT NULL, complete INTEGER NOT NULL, round_spread REAL);"
	"CREATE INDEX runs_order ON runs(started_utc, path);"
	"CREATE TABLE benches(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,"
	" backend TEXT, page TEXT, op TEXT, PRIMARY KEY(run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE series(id INTEGER PRIMARY KEY, host TEXT NOT NULL, key TEXT NOT NULL,"
	" metric TEXT NOT NULL, unit TEXT NOT NULL, lower_is_better INTEGER NOT NULL,"
	" kind TEXT NOT NULL, UNIQUE(host, key, metric));"
	"CREATE TABLE points(series_id INTEGER NOT NULL REFERENCES series(id),"
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" median REAL, ci_lo REAL, ci_hi REAL, cv REAL, noisy INTEGER NOT NULL,"
	" nrounds INTEGER NOT NULL, round_medians BLOB,"
	" PRIMARY KEY(series_id, run_id)) WITHOUT ROWID;"
	"CREATE INDEX points_run ON points(run_id);";

/* A message for the caller (snprintf: no va_list to hand around). */
#define set_err(err, errlen, ...) snprintf((err), (errlen), __VA_ARGS__)

static int exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "pfnlab: %s/%s: %s\n", st->dir, STORE_FILE,
			msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		fprintf(stderr, "pfnlab: %s/%s: %s\n", st->dir, STORE_FILE, sqlite3_errmsg(st->db));
		return NULL;
	}
	return stmt;
}

static int db_error(struct store *st)
{
	fprintf(stderr, "pfnlab: %s/%s: %s\n", st->dir, STORE_FILE, sqlite3_errmsg(st->db));
	return -1;
}

static const char *col_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t ? (const char *)t : "";
}

static double col_real(sqlite3_stmt *stmt, int col)
{
	return sqlite3_column_type(stmt, col) == SQLITE_NULL ? NAN :
							       sqlite3_column_double(stmt, col);
}

/* The stored version, 0 for an empty database, -1 on error. */
static int stored_version(struct store *st)
{
	sqlite3_stmt *stmt;
	int version = 0, rc;

	stmt = prepare(st,
		       "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
	if (!stmt)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 0) {
		sqlite3_finalize(stmt);
		return 0;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return db_error(st);
	stmt = prepare(st, "SELECT value FROM meta WHERE key = 'store_version'");
	if (!stmt)
		return -1;
	rc = sqlite3_step(stmt);
	/* A meta table without a version is no store of ours: rebuild it. */
	version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -2;
	sqlite3_finalize(stmt);
	return version == -2 ? INT_MAX : version;
}

/* Make the tables, or remake them when they are of another version. */
static int ensure_schema(struct store *st)
{
	char sql[128];
	int version;

	if (exec(st, "BEGIN IMMEDIATE") != 0)
		return -1;
	version = stored_version(st);
	if (version < 0)
		goto fail;
	if (version == STORE_VERSION)
		return exec(st, "COMMIT");
	if (version != 0) {
		/* The files are the truth: an index of another layout is rebuilt from them. */
		fprintf(stderr,
			"pfnlab: %s/%s: store version %d, this pfnlab uses %d: rebuilding it from the files\n",
			st->dir, STORE_FILE, version, STORE_VERSION);
		if (exec(st, "DROP TABLE IF EXISTS points; DROP TABLE IF EXISTS series;"
			     "DROP TABLE IF EXISTS benches; DROP TABLE IF EXISTS runs;"
			     "DROP TABLE IF EXISTS meta;") != 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES('store_version', '%d');", STORE_VERSION);
	if (exec(st, schema_sql) != 0 || exec(st, sql) != 0)
		goto fail;
	return exec(st, "COMMIT");
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

bool store_exists(const char *dir)
{
	char path[PATH_MAX + sizeof(STORE_FILE) + 1];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

struct store *store_open(const char *dir, bool create, char *err, size_t errlen)
{
	char path[PATH_MAX + sizeof(STORE_FILE) + 1], real[PATH_MAX];
	struct store *st;
	int rc;

	if (!realpath(dir, real)) {
		set_err(err, errlen, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	if (!create && !store_exists(real)) {
		set_err(err, errlen, "%s: no results store (%s); `pfnlab index %s` makes one", dir,
			STORE_FILE, dir);
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->dir = strdup(real))) {
		free(st);
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", real, STORE_FILE);
	st->writable = true;
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
	if (rc != SQLITE_OK && !create) {
		sqlite3_close(st->db);
		st->db = NULL;
		st->writable = false;
		rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY, NULL);
	}
	if (rc != SQLITE_OK) {
		set_err(err, errlen, "%s: %s", path,
			st->db ? sqlite3_errmsg(st->db) : "cannot open");
		store_close(st);
		return NULL;
	}
	/* Two runs finishing together wait for each other's transaction. */
	sqlite3_busy_timeout(st->db, 60000);
	if ((st->writable && exec(st, "PRAGMA journal_mode = WAL") != 0) ||
	    exec(st, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL") != 0 ||
	    (st->writable && ensure_schema(st) != 0)) {
		set_err(err, errlen, "%s: cannot set up the store", path);
		store_close(st);
		return NULL;
	}
	if (!st->writable && stored_version(st) != STORE_VERSION) {
		set_err(err, errlen, "%s: read-only and of another store version", path);
		store_close(st);
		return NULL;
	}
	return st;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st->dir);
	free(st);
}

bool store_writable(const struct store *st)
{
	return st->writable;
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

struct store *store_find_for(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	char *slash;

	if (!realpath(path, dir))
		return NULL;
	for (;;) {
		slash = strrchr(dir, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
		if (store_exists(dir[0] ? dir : "/"))
			return store_open(dir[0] ? dir : "/", false, err, errlen);
		if (dir[0] == '\0')
			return NULL;
	}
}

/* ---- indexing ------------------------------------------------------ */

struct file_id {
	long long size, mtime_ns;
};

static int file_id_of(const char *path, struct file_id *id)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return -1;
	id->size = (long long)sb.st_size;
	id->mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	return 0;
}

/* 1: @rel is in the store as @id; 2: it is, as another file; 0: not; -1: error. */
static int indexed_as(struct store *st, const char *rel, const struct file_id *id)
{
	sqlite3_stmt *stmt = prepare(st, "SELECT size, mtime_ns FROM runs WHERE path = ?");
	int rc, same = 0;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, rel, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		same = sqlite3_column_int64(stmt, 0) == id->size &&
				       sqlite3_column_int64(stmt, 1) == id->mtime_ns ?
			       1 :
			       2;
	else if (rc != SQLITE_DONE)
		same = db_error(st);
	sqlite3_finalize(stmt);
	return same;
}

static int delete_run(struct store *st, const char *rel)
{
	sqlite3_stmt *stmt = prepare(st, "DELETE FROM runs WHERE path = ?");
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, rel, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return db_error(st);
	return sqlite3_changes(st->db) > 0;
}

static void bind_real(sqlite3_stmt *stmt, int col, double v)
{
	if (isnan(v) || isinf(v))
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_double(stmt, col, v);
}

static void bind_opt_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s)
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, col);
}

static int step_done(struct store *st, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_error(st);
}

struct insert_stmts {
	sqlite3_stmt *run, *bench, *series_add, *series_id, *point;
};

static void insert_stmts_free(struct insert_stmts *s)
{
	sqlite3_finalize(s->run);
	sqlite3_finalize(s->bench);
	sqlite3_finalize(s->series_add);
	sqlite3_finalize(s->series_id);
	sqlite3_finalize(s->point);
}

static int insert_stmts_prepare(struct store *st, struct insert_stmts *s)
{
	memset(s, 0, sizeof(*s));
	s->run = prepare(st, "INSERT INTO runs(path, size, mtime_ns, schema_version, host, kernel,"
			     " suite_commit, started_utc, complete, round_spread)"
			     " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	s->bench = prepare(st, "INSERT OR REPLACE INTO benches VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
	s->series_add = prepare(st, "INSERT OR IGNORE INTO series(host, key, metric, unit,"
				    " lower_is_better, kind) VALUES(?, ?, ?, ?, ?, ?)");
	s->series_id = prepare(st,
			       "SELECT id FROM series WHERE host = ? AND key = ? AND metric = ?");
	s->point = prepare(st, "INSERT OR REPLACE INTO points VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s->run || !s->bench || !s->series_add || !s->series_id || !s->point) {
		insert_stmts_free(s);
		return -1;
	}
	return 0;
}

static long long series_id(struct store *st, struct insert_stmts *s, const char *host,
			   const struct rl_bench *rb, const struct rl_metric *rm)
{
	long long id = -1;

	sqlite3_bind_text(s->series_add, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->series_add, 2, rb->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->series_add, 3, rm->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->series_add, 4, rm->unit ? rm->unit : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s->series_add, 5, rm->lower_is_better);
	sqlite3_bind_text(s->series_add, 6, metric_kind_name(rm->kind), -1, SQLITE_STATIC);
	if (step_done(st, s->series_add) != 0)
		return -1;
	sqlite3_bind_text(s->series_id, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->series_id, 2, rb->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->series_id, 3, rm->name, -1, SQLITE_STATIC);
	if (sqlite3_step(s->series_id) == SQLITE_ROW)
		id = sqlite3_column_int64(s->series_id, 0);
	else
		db_error(st);
	sqlite3_reset(s->series_id);
	sqlite3_clear_bindings(s->series_id);
	return id;
}

static int insert_bench(struct store *st, struct insert_stmts *s, long long run_id,
			const struct rl_result *res, const struct rl_bench *rb)
{
	int ret;

	sqlite3_bind_int64(s->bench, 1, run_id);
	sqlite3_bind_text(s->bench, 2, rb->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->bench, 3, rb->name ? rb->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s->bench, 4, rb->status ? rb->status : "missing", -1, SQLITE_STATIC);
	bind_opt_text(s->bench, 5, rb->reason);
	bind_opt_text(s->bench, 6, rl_param_str(rb, "backend"));
	bind_opt_text(s->bench, 7, rl_param_str(rb, "page"));
	bind_opt_text(s->bench, 8, rl_param_str(rb, "op"));
	ret = step_done(st, s->bench);
	if (ret != 0 || !rl_bench_measured(rb))
		return ret;
	for (size_t m = 0; m < rb->nmetrics; m++) {
		const struct rl_metric *rm = &rb->metrics[m];
		long long sid = series_id(st, s, res->hostname, rb, rm);

		if (sid < 0)
			return -1;
		sqlite3_bind_int64(s->point, 1, sid);
		sqlite3_bind_int64(s->point, 2, run_id);
		bind_real(s->point, 3, rm->median);
		bind_real(s->point, 4, rm->ci_lo);
		bind_real(s->point, 5, rm->ci_hi);
		bind_real(s->point, 6, rm->cv);
		sqlite3_bind_int(s->point, 7, rm->noisy);
		sqlite3_bind_int64(s->point, 8, (long long)rm->nrounds);
		if (rm->nrounds && rm->round_medians)
			sqlite3_bind_blob(s->point, 9, rm->round_medians,
					  (int)(rm->nrounds * sizeof(double)), SQLITE_STATIC);
		else
			sqlite3_bind_null(s->point, 9);
		if (step_done(st, s->point) != 0)
			return -1;
	}
	return 0;
}

/*
 * A test hook, not a setting: PFNLAB_STORE_KILL_AT=N kills the indexer
 * with SIGKILL in the middle of its Nth file's transaction, rows written
 * and not committed, which is what a power cut or an OOM kill leaves.
 */
static void maybe_die(struct store *st)
{
	const char *at = getenv("PFNLAB_STORE_KILL_AT");

	if (at && strtoul(at, NULL, 10) == st->files_added)
		raise(SIGKILL);
}

/* Replace the rows of @rel by those of @res, in one transaction. */
static int insert_run(struct store *st, const char *rel, const struct file_id *id,
		      const struct rl_result *res)
{
	struct insert_stmts s;
	long long run_id;
	int ret = -1;

	if (insert_stmts_prepare(st, &s) != 0)
		return -1;
	if (exec(st, "BEGIN IMMEDIATE") != 0)
		goto out;
	/* Another writer may have indexed this very file while we parsed it. */
	if (indexed_as(st, rel, id) == 1) {
		ret = exec(st, "ROLLBACK");
		goto out;
	}
	if (delete_run(st, rel) < 0)
		goto fail;
	sqlite3_bind_text(s.run, 1, rel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s.run, 2, id->size);
	sqlite3_bind_int64(s.run, 3, id->mtime_ns);
	sqlite3_bind_int64(s.run, 4, res->schema_version);
	sqlite3_bind_text(s.run, 5, res->hostname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s.run, 6, rl_kernel_release(res), -1, SQLITE_STATIC);
	sqlite3_bind_text(s.run, 7, res->suite_commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s.run, 8, res->started_utc, -1, SQLITE_STATIC);
	sqlite3_bind_int(s.run, 9, res->complete);
	bind_real(s.run, 10, res->round_spread);
	if (step_done(st, s.run) != 0)
		goto fail;
	run_id = sqlite3_last_insert_rowid(st->db);
	for (size_t b = 0; b < res->nbenches; b++)
		if (insert_bench(st, &s, run_id, res, &res->benches[b]) != 0)
			goto fail;
	st->files_added++;
	maybe_die(st);
	ret = exec(st, "COMMIT");
	if (ret == 0)
		goto out;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	ret = -1;
out:
	insert_stmts_free(&s);
	return ret;
}

/* Remove a file's rows (it is gone or no longer loads); says so when there were some. */
static int forget(struct store *st, const char *rel, const char *why, struct store_sync_stats *stats)
{
	int had;

	if (exec(st, "BEGIN IMMEDIATE") != 0)
		return -1;
	had = delete_run(st, rel);
	if (had < 0 || exec(st, "COMMIT") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (had > 0) {
		fprintf(stderr, "pfnlab: %s/%s: %s; removed from the index\n", st->dir, rel, why);
		stats->removed++;
	}
	return 0;
}

/*
 * Index one file, @rel relative to the store.  0 indexed or unchanged,
 * 1 skipped (does not load), -1 store error.
 */
static int index_one(struct store *st, const char *rel, struct store_sync_stats *stats)
{
	char path[PATH_MAX * 2], err[1024];
	struct rl_result res;
	struct file_id id;
	int known, ret;

	snprintf(path, sizeof(path), "%s/%s", st->dir, rel);
	if (file_id_of(path, &id) != 0)
		return forget(st, rel, "gone", stats) < 0 ? -1 : 1;
	known = indexed_as(st, rel, &id);
	if (known < 0)
		return -1;
	if (known == 1) {
		stats->unchanged++;
		return 0;
	}
	if (rl_load(path, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "pfnlab: %s; skipped\n", err);
		stats->skipped++;
		return forget(st, rel, "no longer loads", stats) < 0 ? -1 : 1;
	}
	ret = insert_run(st, rel, &id, &res);
	rl_free(&res);
	if (ret != 0)
		return -1;
	if (known == 2)
		stats->updated++;
	else
		stats->added++;
	return 0;
}

/* Path of @path relative to the store's directory, or NULL if outside. */
static char *relative_to(const struct store *st, const char *path)
{
	char real[PATH_MAX];
	size_t len = strlen(st->dir);

	if (!realpath(path, real))
		return NULL;
	if (strncmp(real, st->dir, len) != 0 || real[len] != '/')
		return NULL;
	return strdup(real + len + 1);
}

int store_add_files(struct store *st, char *const *paths, size_t npaths,
		    struct store_sync_stats *stats)
{
	int status = 0;

	if (!st->writable) {
		fprintf(stderr, "pfnlab: %s/%s: read-only; cannot add to it\n", st->dir, STORE_FILE);
		return -1;
	}
	for (size_t i = 0; i < npaths && status >= 0; i++) {
		char *rel = relative_to(st, paths[i]);
		int ret;

		if (!rel) {
			fprintf(stderr, "pfnlab: %s: not a file under %s; skipped\n", paths[i],
				st->dir);
			stats->skipped++;
			status = 1;
			continue;
		}
		ret = index_one(st, rel, stats);
		free(rel);
		if (ret < 0)
			status = -1;
		else if (ret > 0)
			status = 1;
	}
	return status;
}

/* ---- sync: the tree against the store ------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file as the store has it: what sync compares the tree against. */
struct known_file {
	char *path;
	struct file_id id;
};

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known_file *)a)->path, ((const struct known_file *)b)->path);
}

/* Every run's path and file identity, sorted by path; NULL and -1 count on error. */
static struct known_file *load_known(struct store *st, size_t *n)
{
	sqlite3_stmt *stmt = prepare(st, "SELECT path, size, mtime_ns FROM runs");
	struct known_file *k = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (!stmt)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct known_file *more = realloc(k, ncap * sizeof(*more));

			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			k = more;
			cap = ncap;
		}
		k[*n].path = strdup(col_text(stmt, 0));
		k[*n].id.size = sqlite3_column_int64(stmt, 1);
		k[*n].id.mtime_ns = sqlite3_column_int64(stmt, 2);
		if (!k[*n].path) {
			rc = SQLITE_NOMEM;
			break;
		}
		(*n)++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		db_error(st);
		for (size_t i = 0; i < *n; i++)
			free(k[i].path);
		free(k);
		*n = 0;
		return NULL;
	}
	if (*n)
		qsort(k, *n, sizeof(*k), cmp_known);
	return k ? k : calloc(1, sizeof(*k));
}

/*
 * The tree against the store.  Files whose size and mtime are those the
 * store has are settled by one stat and no query, so a sync of an
 * unchanged tree costs a directory walk.  @dry (or a read-only store):
 * change nothing, report each difference and count it in *@ndiff.
 */
static int sync_tree(struct store *st, bool dry, struct store_sync_stats *stats, size_t *ndiff)
{
	struct rl_names files = { 0 };
	struct known_file *known;
	size_t nknown = 0;
	int ret = -1;

	dry = dry || !st->writable;
	if (rl_list_json(st->dir, &files) != 0)
		return -1;
	known = load_known(st, &nknown);
	if (!known)
		goto out;
	/* Files the store knows and the tree no longer has. */
	if (files.n)
		qsort(files.names, files.n, sizeof(*files.names), cmp_name);
	for (size_t i = 0; i < nknown; i++) {
		if (files.n &&
		    bsearch(&known[i].path, files.names, files.n, sizeof(*files.names), cmp_name))
			continue;
		if (dry) {
			fprintf(stderr, "pfnlab: %s/%s: gone, still in the index\n", st->dir,
				known[i].path);
			(*ndiff)++;
		} else if (forget(st, known[i].path, "gone", stats) != 0) {
			goto out;
		}
	}
	for (size_t i = 0; i < files.n; i++) {
		struct known_file key = { .path = files.names[i] }, *k;
		char path[PATH_MAX * 2];
		struct file_id id;

		snprintf(path, sizeof(path), "%s/%s", st->dir, files.names[i]);
		k = nknown ? bsearch(&key, known, nknown, sizeof(*known), cmp_known) : NULL;
		if (k && file_id_of(path, &id) == 0 && id.size == k->id.size &&
		    id.mtime_ns == k->id.mtime_ns) {
			stats->unchanged++;
			continue;
		}
		if (!dry) {
			if (index_one(st, files.names[i], stats) < 0)
				goto out;
			continue;
		}
		fprintf(stderr, "pfnlab: %s: new or changed, not in the index as it is\n", path);
		(*ndiff)++;
	}
	ret = 0;
out:
	rl_names_free(&files);
	for (size_t i = 0; known && i < nknown; i++)
		free(known[i].path);
	free(known);
	return ret;
}

int store_sync(struct store *st, struct store_sync_stats *stats)
{
	size_t ndiff = 0;

	return sync_tree(st, false, stats, &ndiff);
}

long store_diff(struct store *st)
{
	struct store_sync_stats stats = { 0 };
	size_t ndiff = 0;

	return sync_tree(st, true, &stats, &ndiff) != 0 ? -1 : (long)ndiff;
}

/* ---- queries ------------------------------------------------------- */

/*
 * The run ids of the selected runs, in order, are kept beside them so that
 * a point's run_id can be turned into its index by binary search.
 */
struct run_index {
	long long id;
	size_t at;
};

static int cmp_run_index(const void *a, const void *b)
{
	const struct run_index *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int store_runs(struct store *st, const struct store_query *q, struct hist_runs *runs, char *err,
	       size_t errlen)
{
	sqlite3_stmt *stmt = prepare(st,
				     "SELECT path, host, kernel, suite_commit, started_utc, id"
				     " FROM runs WHERE (?1 IS NULL OR host = ?1)"
				     " AND (?2 IS NULL OR kernel = ?2) ORDER BY started_utc, path");
	int rc;

	if (!stmt) {
		set_err(err, errlen, "store query failed");
		return -1;
	}
	bind_opt_text(stmt, 1, q->host);
	bind_opt_text(stmt, 2, q->kernel);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		char path[PATH_MAX * 2];

		snprintf(path, sizeof(path), "%s/%s", st->dir, col_text(stmt, 0));
		if (hist_runs_append(runs, path, col_text(stmt, 1), col_text(stmt, 2),
				     col_text(stmt, 3), col_text(stmt, 4)) != 0)
			break;
		runs->runs[runs->n - 1].store_id = sqlite3_column_int64(stmt, 5);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		set_err(err, errlen, "reading runs: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	{
		size_t lo, hi;

		if (hist_runs_commit_range(runs, q->commit_from, q->commit_to, &lo, &hi, err,
					   errlen) != 0)
			return -1;
		hist_runs_keep(runs, lo, hi);
	}
	return 0;
}

/* The store ids of @runs, sorted, with their indices. */
static struct run_index *index_runs(const struct hist_runs *runs)
{
	struct run_index *idx = calloc(runs->n + 1, sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < runs->n; i++)
		idx[i] = (struct run_index){ runs->runs[i].store_id, i };
	qsort(idx, runs->n, sizeof(*idx), cmp_run_index);
	return idx;
}

static int load_points(sqlite3_stmt *pts, long long sid, const struct run_index *idx, size_t nruns,
		       struct hist_series *s)
{
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(pts, 1, sid);
	while ((rc = sqlite3_step(pts)) == SQLITE_ROW) {
		struct run_index key = { .id = sqlite3_column_int64(pts, 0) };
		const struct run_index *at = bsearch(&key, idx, nruns, sizeof(*idx), cmp_run_index);

		if (!at || sqlite3_column_type(pts, 1) == SQLITE_NULL)
			continue;
		if (s->npoints == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct hist_point *more = realloc(s->points, ncap * sizeof(*more));

			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			s->points = more;
			cap = ncap;
		}
		s->points[s->npoints++] = (struct hist_point){ at->at, sqlite3_column_double(pts, 1),
							       col_real(pts, 2), col_real(pts, 3) };
	}
	sqlite3_reset(pts);
	if (rc != SQLITE_DONE)
		return -1;
	hist_sort_points(s);
	return 0;
}

int store_each_series(struct store *st, const struct store_query *q, const struct hist_runs *runs,
		      store_series_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *list = prepare(st, "SELECT id, host, key, metric, unit, lower_is_better, kind"
					 " FROM series WHERE (?1 IS NULL OR host = ?1)"
					 " AND (?2 IS NULL OR metric = ?2)"
					 " AND (?3 IS NULL OR instr(key, ?3) > 0) ORDER BY id");
	sqlite3_stmt *pts = prepare(st, "SELECT run_id, median, ci_lo, ci_hi FROM points"
					" WHERE series_id = ?");
	struct run_index *idx = index_runs(runs);
	int ret = 0, rc = SQLITE_DONE;

	if (!list || !pts || !idx) {
		set_err(err, errlen, "store query failed");
		ret = -1;
		goto out;
	}
	bind_opt_text(list, 1, q->host);
	bind_opt_text(list, 2, q->metric);
	bind_opt_text(list, 3, q->bench);
	while (ret == 0 && (rc = sqlite3_step(list)) == SQLITE_ROW) {
		struct hist_series s = { 0 };
		int kind;

		s.host = strdup(col_text(list, 1));
		s.key = strdup(col_text(list, 2));
		s.metric = strdup(col_text(list, 3));
		s.unit = strdup(col_text(list, 4));
		s.lower_is_better = sqlite3_column_int(list, 5);
		s.id = sqlite3_column_int64(list, 0);
		kind = metric_kind_parse(col_text(list, 6));
		s.kind = kind < 0 ? METRIC_GATED : (enum metric_kind)kind;
		if (!s.host || !s.key || !s.metric || !s.unit ||
		    load_points(pts, sqlite3_column_int64(list, 0), idx, runs->n, &s) != 0) {
			set_err(err, errlen, "reading a series: %s", sqlite3_errmsg(st->db));
			ret = -1;
		} else if (s.npoints) {
			ret = fn(&s, arg);
		}
		hist_series_clear(&s);
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		set_err(err, errlen, "reading series: %s", sqlite3_errmsg(st->db));
		ret = -1;
	}
out:
	sqlite3_finalize(list);
	sqlite3_finalize(pts);
	free(idx);
	return ret;
}

int store_series_rounds(void *arg, const char *host, const char *key, const char *metric,
			void (*visit)(void *ctx, const char *path, const struct round_stats *rs),
			void *ctx)
{
	struct store *st = arg;
	sqlite3_stmt *stmt = prepare(st,
				     "SELECT r.path, p.round_medians FROM points p"
				     " JOIN series s ON s.id = p.series_id JOIN runs r ON r.id = p.run_id"
				     " WHERE s.host = ? AND s.key = ? AND s.metric = ?"
				     " ORDER BY r.started_utc, r.path");
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, metric, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		size_t nbytes = (size_t)sqlite3_column_bytes(stmt, 1), n = 0;
		const void *blob = sqlite3_column_blob(stmt, 1);
		size_t cap = nbytes / sizeof(double);
		double *v = calloc(cap + 1, sizeof(*v)), *med = calloc(cap + 1, sizeof(*med));
		size_t *ends = calloc(cap + 1, sizeof(*ends));
		struct round_stats rs;
		char path[PATH_MAX * 2];
		int usable;

		if (!v || !med || !ends) {
			free(v);
			free(med);
			free(ends);
			rc = SQLITE_NOMEM;
			break;
		}
		/* Each stored round median is one round of one sample: the same stats. */
		for (size_t k = 0; blob && k < cap; k++) {
			memcpy(&v[n], (const char *)blob + k * sizeof(double), sizeof(double));
			if (isnan(v[n]))
				continue;
			ends[n] = n + 1;
			n++;
		}
		usable = n > 0 && round_stats(v, ends, n, med, &rs) == 0;
		free(v);
		free(med);
		free(ends);
		if (!usable)
			continue;
		snprintf(path, sizeof(path), "%s/%s", st->dir, col_text(stmt, 0));
		visit(ctx, path, &rs);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : db_error(st);
}
