// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab ab: two builds measured in alternation, round by round, so that
 * whatever drifts while they run (the host's load, a TCG guest's speed,
 * the state of the page allocator) falls on both sides alike.
 *
 * A step runs one side's command once; it must write a results document
 * with a round (or a few) of the job to $PFNLAB_AB_OUT.  Steps go in pairs,
 * A B, then B A (ABBA ...), so that a steady drift cancels too.  Each
 * side's steps are merged into one document (results_append_rounds), and
 * the two are compared (compare_engine.h) with each step's rounds as
 * observations: every step is a new process, so the variance the verdict
 * uses already holds what differs between processes.
 *
 * --until-decided keeps adding pairs while a gated metric is undecided and
 * more rounds could decide it, within --budget; then it says what it
 * decided and what is still open.  It looks after every pair, so each look
 * may only spend part of alpha (cs_obf_alpha(), with the share taken so far
 * of the pairs that --max-pairs and the budget allow: cs_look_fraction()):
 * stopping at the first lucky look would otherwise flag unchanged metrics
 * far more often than alpha says.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "compare_engine.h"
#include "compare_output.h"
#include "compare_stats.h"
#include "engine.h"
#include "result_load.h"
#include "results.h"

#define AB_MAX_JOBS 16
#define BISECT_SKIP 125
#define BISECT_ABORT 128

static volatile sig_atomic_t ab_stop;

static void on_stop(int sig)
{
	(void)sig;
	ab_stop = 1;
}

struct ab_side {
	const char *cmd; /* shell command, or NULL with @bin */
	const char *bin; /* a pfnlab binary: `BIN run ... JOB...` */
	const char *job; /* a job file of its own (--a-job/--b-job) */
	json_t *doc;	 /* merged steps so far */
	int steps;
};

struct ab_opts {
	const char *outdir;
	int min_pairs, max_pairs, rounds_per_step;
	bool until_decided, json, bisect, all;
	double budget_s;
	char *const *jobs; /* JOB... for --a-bin/--b-bin/--a-job */
	int njobs;
	struct cmp_options cmp;
};

static void ab_usage(FILE *out)
{
	fputs("usage: pfnlab ab [options] -o DIR --a CMD --b CMD\n"
	      "       pfnlab ab [options] -o DIR --a-bin PFNLAB --b-bin PFNLAB JOB...\n"
	      "       pfnlab ab [options] -o DIR --a-job A.ini --b-job B.ini\n"
	      "\n"
	      "Measure two builds (or two variants of a job) in alternation, A B B A A B\n"
	      "..., each step a new process measuring --rounds-per-step rounds, and\n"
	      "compare the two sides on those rounds (as pfnlab compare does).  A\n"
	      "step runs its side's command with /bin/sh; the command writes a\n"
	      "results document to $PFNLAB_AB_OUT ($PFNLAB_AB_SIDE is A or B,\n"
	      "$PFNLAB_AB_STEP the step, $PFNLAB_AB_ROUNDS the rounds to measure).\n"
	      "--a-bin/--b-bin run `PFNLAB run -q -r N -o $PFNLAB_AB_OUT JOB...`;\n"
	      "--a-job/--b-job run this pfnlab on each job file.\n"
	      "\n"
	      "options:\n"
	      "  -o, --output DIR      steps/ (every step's document), a.json and b.json\n"
	      "                        (each side merged), compare.txt (required)\n"
	      "  -p, --pairs N         A-B pairs to take at least (default 5)\n"
	      "      --rounds-per-step N  rounds each step measures (default 1)\n"
	      "      --until-decided   then keep adding pairs while a gated metric is\n"
	      "                        undecided and more rounds could decide it; a\n"
	      "                        look before --max-pairs needs stronger evidence\n"
	      "                        (O'Brien-Fleming-type alpha spending)\n"
	      "      --budget TIME     wall time for all of it (default 10m; s, m, h)\n"
	      "      --max-pairs N     pairs at most (default 50)\n"
	      "      --threshold PCT, --alpha P, --metric NAME, --bench TEXT, --all\n"
	      "                        as for pfnlab compare\n"
	      "      --json            the comparison as JSON on stdout\n"
	      "      --bisect          exit 0 good, 1 bad, 125 undecided, 128 error\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "exit status: 0 no gated metric regressed, 1 one did (B worse than A),\n"
	      "2 a step failed or bad usage.  SIGINT stops after the current step and\n"
	      "compares what was measured.\n",
	      out);
}

static double now_s(void)
{
	return (double)now_ns() / 1e9;
}

static int parse_duration(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0))
		return -1;
	if (!*end || !strcmp(end, "s"))
		*out = v;
	else if (!strcmp(end, "m"))
		*out = v * 60;
	else if (!strcmp(end, "h"))
		*out = v * 3600;
	else
		return -1;
	return 0;
}

static int parse_count(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The argv of a side's step; NULL-terminated, in @argv (room for 8 + jobs). */
static void step_argv(const struct ab_side *sd, const struct ab_opts *o, const char *self,
		      char *rounds, char **argv)
{
	int n = 0;

	if (sd->cmd) {
		argv[n++] = (char *)"/bin/sh";
		argv[n++] = (char *)"-c";
		argv[n++] = (char *)sd->cmd;
		argv[n] = NULL;
		return;
	}
	argv[n++] = (char *)(sd->bin ? sd->bin : self);
	argv[n++] = (char *)"run";
	argv[n++] = (char *)"-q";
	argv[n++] = (char *)"-r";
	argv[n++] = rounds;
	argv[n++] = (char *)"-o";
	argv[n++] = getenv("PFNLAB_AB_OUT");
	if (sd->job)
		argv[n++] = (char *)sd->job;
	else
		for (int j = 0; j < o->njobs; j++)
			argv[n++] = o->jobs[j];
	argv[n] = NULL;
}

/*
 * One step of side @name: run its command, load what it wrote, merge it.
 * Returns 0, or -1 with the reason printed.
 */
static int run_step(struct ab_side *sd, char name, int step, const struct ab_opts *o,
		    const char *self)
{
	char out[4096], stepstr[16], rounds[16], source[32];
	char *argv[8 + AB_MAX_JOBS + 1];
	json_error_t jerr;
	json_t *doc;
	pid_t pid;
	int status;

	snprintf(out, sizeof(out), "%s/steps/%03d-%c.json", o->outdir, step, name);
	snprintf(stepstr, sizeof(stepstr), "%d", step);
	snprintf(rounds, sizeof(rounds), "%d", o->rounds_per_step);
	unlink(out);
	setenv("PFNLAB_AB_OUT", out, 1);
	setenv("PFNLAB_AB_SIDE", name == 'a' ? "A" : "B", 1);
	setenv("PFNLAB_AB_STEP", stepstr, 1);
	setenv("PFNLAB_AB_ROUNDS", rounds, 1);
	step_argv(sd, o, self, rounds, argv);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pfnlab ab: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The step's own output goes to stderr: stdout is for the verdict. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "pfnlab ab: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	/* A run that measured and found a benchmark failing exits 1: still data. */
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1)) {
		fprintf(stderr, "pfnlab ab: step %d (%c) failed: %s %d\n", step, name - 32,
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	doc = json_load_file(out, 0, &jerr);
	if (!doc || !json_is_array(json_object_get(doc, "benchmarks"))) {
		fprintf(stderr, "pfnlab ab: step %d (%c) wrote no results document to %s%s%s\n",
			step, name - 32, out, doc ? "" : ": ", doc ? "" : jerr.text);
		json_decref(doc);
		return -1;
	}
	snprintf(source, sizeof(source), "step %d", step);
	if (!sd->doc) {
		size_t i;
		json_t *b, *r;

		sd->doc = doc;
		json_array_foreach(json_object_get(doc, "benchmarks"), i, b) {
			size_t k;

			json_array_foreach(json_object_get(b, "rounds"), k, r)
				json_object_set_new(r, "source", json_string(source));
		}
	} else {
		if (results_append_rounds(sd->doc, doc, source)) {
			fprintf(stderr, "pfnlab ab: %s: not a results document\n", out);
			json_decref(doc);
			return -1;
		}
		json_decref(doc);
	}
	sd->steps++;
	return 0;
}

/* Write a side's merged document to DIR/a.json or DIR/b.json. */
static int write_side(struct ab_side *sd, char name, const struct ab_opts *o, char *path, size_t len)
{
	char err[1024];

	snprintf(path, len, "%s/%c.json", o->outdir, name);
	json_object_set_new(sd->doc, "ab",
			    json_pack("{s:s, s:i, s:s}", "side", name == 'a' ? "A" : "B", "steps",
				      sd->steps, "command",
				      sd->cmd ? sd->cmd :
				      sd->bin ? sd->bin :
				      sd->job ? sd->job :
						"pfnlab"));
	if (results_resummarize(sd->doc) || results_write_atomic(sd->doc, path, err, sizeof(err))) {
		fprintf(stderr, "pfnlab ab: %s\n", err);
		return -1;
	}
	return 0;
}

/* Compare the two merged sides; fills @rep (and the loaded sets). */
static int compare_sides(struct ab_side *a, struct ab_side *b, const struct ab_opts *o,
			 struct rl_set *sa, struct rl_set *sb, struct cmp_report *rep)
{
	char pa[4096], pb[4096];
	char *ppa = pa, *ppb = pb;

	rl_set_free(sa);
	rl_set_free(sb);
	if (write_side(a, 'a', o, pa, sizeof(pa)) || write_side(b, 'b', o, pb, sizeof(pb)))
		return -1;
	if (rl_load_paths(&ppa, 1, sa) || rl_load_paths(&ppb, 1, sb))
		return -1;
	return cmp_compare(sa, sb, &o->cmp, rep);
}

/* Undecided gated rows that more rounds could still decide. */
static size_t open_rows(const struct cmp_report *rep, long *most_needed)
{
	size_t n = 0;

	*most_needed = 0;
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct cmp_row *r = &rep->rows[i];

		if (r->kind != METRIC_GATED || r->verdict != CMP_UNDECIDED || r->flagged ||
		    r->rounds_needed < 0)
			continue;
		n++;
		if (r->rounds_needed > *most_needed)
			*most_needed = r->rounds_needed;
	}
	return n;
}

static void print_outcome(const struct cmp_report *rep, const struct cmp_options *opt, int pairs,
			  double elapsed, const char *why_stopped)
{
	fprintf(stderr, "pfnlab ab: %d pairs in %.0f s (%s)\n", pairs, elapsed, why_stopped);
	if (opt->look_fraction < 1)
		fprintf(stderr,
			"pfnlab ab: a look at %.0f%% of the pairs allowed: alpha %.2g of %.2g\n",
			opt->look_fraction * 100, cs_obf_alpha(opt->alpha, opt->look_fraction),
			opt->alpha);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct cmp_row *r = &rep->rows[i];

		if (r->kind != METRIC_GATED)
			continue;
		if (r->verdict == CMP_UNDECIDED)
			fprintf(stderr, "  open:    %s %s: %s%s\n", r->key, r->metric,
				r->why ? r->why : "",
				r->rounds_needed > 0 ? " (more pairs would do)" : "");
		else if (r->verdict != CMP_UNCHANGED)
			fprintf(stderr, "  decided: %s %s: %s %+.1f%%\n", r->key, r->metric,
				cmp_verdict_name(r->verdict), (r->ratio - 1) * 100);
	}
}

/* check_sides() - both sides given one way, with the job files that way needs. */
static bool check_sides(struct ab_opts *o, const struct ab_side *a, const struct ab_side *b)
{
	int kinds = (a->cmd || b->cmd) + (a->bin || b->bin) + (a->job || b->job);

	if (!o->outdir) {
		fprintf(stderr,
			"pfnlab ab: -o DIR is required (the steps and both sides go there)\n");
		return false;
	}
	if (kinds != 1 || (a->cmd && !b->cmd) || (b->cmd && !a->cmd) || (a->bin && !b->bin) ||
	    (b->bin && !a->bin) || (a->job && !b->job) || (b->job && !a->job)) {
		fprintf(stderr, "pfnlab ab: give both sides one way: --a and --b, --a-bin and "
				"--b-bin, or --a-job and --b-job\n");
		return false;
	}
	if (a->bin && o->njobs == 0) {
		fprintf(stderr, "pfnlab ab: --a-bin/--b-bin need the job files to run (JOB...)\n");
		return false;
	}
	if ((a->cmd || a->job) && o->njobs) {
		fprintf(stderr,
			"pfnlab ab: job files after the options go with --a-bin/--b-bin only\n");
		return false;
	}
	if (o->njobs > AB_MAX_JOBS) {
		fprintf(stderr, "pfnlab ab: %d job files at most\n", AB_MAX_JOBS);
		return false;
	}
	if (o->max_pairs < o->min_pairs)
		o->max_pairs = o->min_pairs;
	return true;
}

static int parse_args(int argc, char **argv, struct ab_opts *o, struct ab_side *a, struct ab_side *b)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "rounds-per-step", required_argument, NULL, 'R' },
		{ "until-decided", no_argument, NULL, 'U' },
		{ "budget", required_argument, NULL, 'T' },
		{ "max-pairs", required_argument, NULL, 'M' },
		{ "a", required_argument, NULL, '1' },
		{ "b", required_argument, NULL, '2' },
		{ "a-bin", required_argument, NULL, '3' },
		{ "b-bin", required_argument, NULL, '4' },
		{ "a-job", required_argument, NULL, '5' },
		{ "b-job", required_argument, NULL, '6' },
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'A' },
		{ "metric", required_argument, NULL, 'm' },
		{ "bench", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "bisect", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->outdir = optarg; break;
		case 'p':
			if (parse_count(optarg, 1, 10000, &o->min_pairs)) {
				fprintf(stderr, "pfnlab ab: --pairs wants 1 to 10000, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'R':
			if (parse_count(optarg, 1, 1000, &o->rounds_per_step)) {
				fprintf(stderr,
					"pfnlab ab: --rounds-per-step wants 1 to 1000, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'M':
			if (parse_count(optarg, 1, 10000, &o->max_pairs)) {
				fprintf(stderr,
					"pfnlab ab: --max-pairs wants 1 to 10000, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'U': o->until_decided = true; break;
		case 'T':
			if (parse_duration(optarg, &o->budget_s)) {
				fprintf(stderr,
					"pfnlab ab: --budget wants a time such as 90s, 10m or 1h, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case '1': a->cmd = optarg; break;
		case '2': b->cmd = optarg; break;
		case '3': a->bin = optarg; break;
		case '4': b->bin = optarg; break;
		case '5': a->job = optarg; break;
		case '6': b->job = optarg; break;
		case 't':
			if (cmp_parse_percent(optarg, &o->cmp.threshold)) {
				fprintf(stderr,
					"pfnlab ab: --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'A':
			o->cmp.alpha = strtod(optarg, &end);
			if (end == optarg || *end || !(o->cmp.alpha > 0 && o->cmp.alpha < 1)) {
				fprintf(stderr,
					"pfnlab ab: --alpha wants a probability in (0, 1), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'm': o->cmp.metric_filter = optarg; break;
		case 'b': o->cmp.bench_filter = optarg; break;
		case 'L': o->all = true; break;
		case 'j': o->json = true; break;
		case 'B': o->bisect = true; break;
		case 'h': ab_usage(stdout); return 0;
		default: ab_usage(stderr); return 2;
		}
	}
	o->jobs = argv + optind;
	o->njobs = argc - optind;
	return check_sides(o, a, b) ? -1 : 2;
}

/* The pairs the budget still allows at the pace so far, --max-pairs at most. */
static long affordable_pairs(const struct ab_opts *o, double start, double per_pair)
{
	double left_s = o->budget_s - (now_s() - start);

	if (per_pair <= 0)
		return o->max_pairs;
	return left_s <= 0 ? 0 : (long)fmin(floor(left_s / per_pair), o->max_pairs);
}

/*
 * take_pairs() - steps in ABBA order: the pairs asked for, then, with
 * --until-decided, one more at a time while a gated metric is open and
 * the limits allow.  *@pairs and *@why say how far it got and why it
 * stopped; @rep holds the last look.  0, or -1 when a step or a look
 * failed.
 */
static int take_pairs(struct ab_opts *o, struct ab_side *a, struct ab_side *b, struct rl_set *sa,
		      struct rl_set *sb, struct cmp_report *rep, const char *self, int *pairs,
		      const char **why)
{
	double start = now_s(), per_pair;

	for (;;) {
		/* ABBA: a steady drift adds the same to both sides. */
		struct ab_side *first = *pairs % 2 ? b : a, *second = *pairs % 2 ? a : b;
		char f = *pairs % 2 ? 'b' : 'a', s = *pairs % 2 ? 'a' : 'b';
		long needed, affordable;

		if (run_step(first, f, 2 * *pairs + 1, o, self) ||
		    (!ab_stop && run_step(second, s, 2 * *pairs + 2, o, self)))
			return -1;
		if (ab_stop) {
			/* A pair cut in half is left out of the count. */
			if (second->steps >= first->steps)
				(*pairs)++;
			*why = "interrupted";
			return 0;
		}
		(*pairs)++;
		per_pair = (now_s() - start) / *pairs;
		if (*pairs < o->min_pairs)
			continue;
		if (!o->until_decided)
			return 0;
		/*
		 * Every look spends a share of alpha: an early stop is no free
		 * try.  The share is of the pairs the run can still reach, by
		 * --max-pairs or by the budget at the pace so far, so the look
		 * after which it must stop tests at alpha itself.
		 */
		affordable = affordable_pairs(o, start, per_pair);
		o->cmp.look_fraction = cs_look_fraction(*pairs, o->max_pairs, affordable);
		cmp_report_free(rep);
		if (compare_sides(a, b, o, sa, sb, rep))
			return -1;
		if (open_rows(rep, &needed) == 0) {
			*why = "every gated metric decided, or more rounds cannot decide it";
			return 0;
		}
		if (*pairs >= o->max_pairs) {
			*why = "--max-pairs reached with metrics still open";
			return 0;
		}
		if (affordable < 1) {
			*why = "--budget spent with metrics still open";
			return 0;
		}
		fprintf(stderr,
			"pfnlab ab: %d pairs, %zu gated metrics undecided (the worst needs ~%ld rounds per side); one more pair\n",
			*pairs, open_rows(rep, &needed), needed);
	}
}

int cmd_ab(int argc, char **argv)
{
	struct ab_opts o = { .min_pairs = 5, .max_pairs = 50, .rounds_per_step = 1, .budget_s = 600 };
	struct ab_side a = { 0 }, b = { 0 };
	struct rl_set sa = { 0 }, sb = { 0 };
	struct cmp_report rep = { 0 };
	struct sigaction sig = { .sa_handler = on_stop };
	char dir[4200], self[4096];
	const char *why = "the pairs asked for";
	double start = now_s();
	int rc, pairs = 0, status, err_status;
	ssize_t n;

	cmp_default_options(&o.cmp);
	rc = parse_args(argc, argv, &o, &a, &b);
	if (rc >= 0)
		return rc;
	err_status = o.bisect ? BISECT_ABORT : 2;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(dir, sizeof(dir), "%s/steps", o.outdir);
	if ((mkdir(o.outdir, 0755) && errno != EEXIST) || (mkdir(dir, 0755) && errno != EEXIST)) {
		fprintf(stderr, "pfnlab ab: cannot create %s: %s\n", dir, strerror(errno));
		return err_status;
	}
	sigemptyset(&sig.sa_mask);
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGTERM, &sig, NULL);

	if (take_pairs(&o, &a, &b, &sa, &sb, &rep, self, &pairs, &why)) {
		status = err_status;
		goto out;
	}
	if (!a.doc || !b.doc) {
		fprintf(stderr, "pfnlab ab: stopped before both sides ran\n");
		status = err_status;
		goto out;
	}
	cmp_report_free(&rep);
	if (compare_sides(&a, &b, &o, &sa, &sb, &rep)) {
		fprintf(stderr, "pfnlab ab: cannot compare the two sides\n");
		status = err_status;
		goto out;
	}
	cmp_explain_mismatch(&rep);
	status = cmp_gated(&rep, CMP_REGRESSED)		    ? 1 :
		 o.bisect && cmp_gated(&rep, CMP_UNDECIDED) ? BISECT_SKIP :
							      0;
	if (rep.nrows == 0) {
		fprintf(stderr, "pfnlab ab: the two sides have no metric in common\n");
		status = o.bisect ? BISECT_SKIP : 2;
	} else if (o.json) {
		cmp_print_json(&sa, &sb, &rep, &o.cmp, status);
	} else {
		cmp_print_table(&sa, &sb, &rep, &o.cmp, o.all);
	}
	print_outcome(&rep, &o.cmp, pairs, now_s() - start, why);
out:
	cmp_report_free(&rep);
	rl_set_free(&sa);
	rl_set_free(&sb);
	json_decref(a.doc);
	json_decref(b.doc);
	return status;
}
