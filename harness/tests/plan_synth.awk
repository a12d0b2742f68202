# SPDX-License-Identifier: GPL-2.0
# Synthetic size sweep (results/README.md, schema 2) with a known cost
# model, for the `pfnlab plan` tests:
#
#   awk -v host=h -v sizes="16 64 256 1024" -v pages="4k thp" -v fixed=40000 \
#       -v per_page=30 -v per_folio=200 -v quad=0 -v rounds=8 -v bcv=0.05 \
#       -v outliers=0 -v seed=1 [-v backend=driver -v op=map [-v per_run=450]] \
#       [-v domain=mock] [-v ppc=N] [-v caches=1] [-v clock=instructions] \
#       [-v release=6.12.0] [-v order=N] [-v unpin=1] [-v check_ns=N] \
#       -f plan_synth.awk
#
# A pin of S bytes in page kind K takes
#   fixed + per_page * S/4K + per_folio * S/folio(K) + quad * (S/4K)^2 ns
# (quad > 0: a cost per page that grows with the size, which a straight
# line cannot follow).  Each round draws its level with a coefficient of
# variation bcv; with outliers=F a fraction F of the rounds is slowed 3x
# (a busy host).  sizes are in MiB.  backend=driver adds gup_calls (one
# per 512 pages); op=map adds the IOPTE counts of a perfect layout (4 KiB
# leaves for 4k, 2 MiB leaves for thp).  per_run > 0 (op=map): every round
# draws its layout, runs per page uniform in 0.05 .. 1 (0.1 .. 0.3 at
# 1024 MiB, a less fragmented largest size), reports them as `runs`, and
# takes per_run ns for each.  With placed=1 the runs are not a metric but
# each round's placement.pfn_runs (what the harness counts for every
# backend; only the driver counts its own).  ppc=N adds the parameter
# pages_per_call = N; caches=1 gives the host this machine's caches
# (48 KiB, 1 MiB, 32 MiB); clock=instructions marks the results as the
# lab VM's instruction clock's (environment.vm_clock); release and order
# are the kernel's (environment.kernel.release, default 6.12.0, and
# .max_page_order, default absent); unpin=1 gives a pin the same rounds
# as its unpin_ns_per_page too.  check_ns > 0 adds to a huge-page kind's
# time check_ns for each check of io_uring's search for folios already
# charged (docs/plan.md): F folios an iovec make F(F-1)/2.

function normal(   u1, u2) {
	do u1 = rand(); while (u1 <= 0)
	u2 = rand()
	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
}

function folio(kind) {
	return kind == "4k" ? 4096 : 2097152
}

function layout(name, value,   s, r) {
	s = ""
	for (r = 0; r < rounds; r++)
		s = s (r ? ", " : "") sprintf("[%d]", value)
	return sprintf(", \"%s\": {\"unit\": \"count\", \"better\": \"lower\", \"kind\": \"layout\", \"rounds\": [%s]}", name, s)
}

function bench(kind, mib,   size, npages, total, scope, nfolios, r, s, level, key, params, extra, runs, rs, lo, hi, pl) {
	size = mib * 1048576
	npages = size / 4096
	total = fixed + per_page * npages + per_folio * size / folio(kind) + quad * npages * npages
	if (check_ns > 0 && kind != "4k") {
		# io_uring's search for charged folios, merged folios, one search an iovec
		scope = ppc > 0 ? ppc * 4096 : 1073741824
		if (scope > size) scope = size
		nfolios = scope / folio(kind)
		total += check_ns * size / scope * nfolios * (nfolios - 1) / 2
	}
	key = sprintf("%s-%s|backend=%s|op=%s|page=%s|size=%d", op, backend, backend, op, kind, size)
	params = sprintf("\"backend\": \"%s\", \"op\": \"%s\", \"page\": \"%s\", \"size\": %d, \"threads\": 1, \"rounds\": %d", backend, op, kind, size, rounds)
	if (domain != "")
		params = params sprintf(", \"domain\": \"%s\"", domain)
	if (ppc != "")
		params = params sprintf(", \"pages_per_call\": %d", ppc)
	printf "%s    {\"name\": \"%s-%s\", \"key\": \"%s\", \"params\": {%s}, \"status\": \"ok\", \"reason\": null,\n", nb++ ? ",\n" : "", op, backend, key, params
	s = ""
	rs = ""
	pl = ""
	lo = mib >= 1024 ? 0.1 : 0.05
	hi = mib >= 1024 ? 0.3 : 1
	for (r = 0; r < rounds; r++) {
		runs = 0
		if (per_run > 0)
			runs = int(npages * (lo + (hi - lo) * rand()))
		rs = rs (r ? ", " : "") sprintf("[%d]", runs)
		pl = pl (r ? ", " : "") sprintf("{\"round\": %d, \"placement\": {\"pfn_runs\": %d}}", r + 1, runs)
		level = (total + per_run * runs) * (1 + bcv * normal())
		if (rand() < outliers)
			level *= 3
		# three samples a round, within 1% of the round's level
		s = s (r ? ", " : "") sprintf("[%.6g, %.6g, %.6g]", level / npages, level * 1.01 / npages, level * 0.99 / npages)
	}
	extra = ""
	if (backend == "driver")
		extra = extra layout("gup_calls", npages / 512)
	# a pin's unpin, as the harness records it: the same rounds, another metric
	if (unpin && op == "pin")
		extra = extra sprintf(", \"unpin_ns_per_page\": {\"unit\": \"ns/page\", \"better\": \"lower\", \"kind\": \"gated\", \"rounds\": [%s]}", s)
	if (op == "map") {
		extra = extra layout("iopte_4k", kind == "4k" ? npages : 0)
		extra = extra layout("iopte_2m", kind == "4k" ? 0 : size / 2097152)
		extra = extra layout("iopte_1g", 0)
		if (per_run > 0 && !placed)
			extra = extra sprintf(", \"runs\": {\"unit\": \"count\", \"better\": \"lower\", \"kind\": \"layout\", \"rounds\": [%s]}", rs)
	}
	if (per_run > 0 && placed)
		printf "      \"rounds\": [%s],\n", pl
	printf "      \"metrics\": {\"%s_ns_per_page\": {\"unit\": \"ns/page\", \"better\": \"lower\", \"kind\": \"gated\", \"rounds\": [%s]}%s}}", op, s, extra
}

BEGIN {
	if (host == "") host = "planhost"
	if (sizes == "") sizes = "16 32 64 128 256 1024"
	if (pages == "") pages = "4k"
	if (fixed == "") fixed = 40000
	if (per_page == "") per_page = 30
	if (per_folio == "") per_folio = 0
	if (quad == "") quad = 0
	if (rounds == "") rounds = 8
	if (bcv == "") bcv = 0.05
	if (outliers == "") outliers = 0
	if (seed == "") seed = 1
	if (backend == "") backend = "uring"
	if (op == "") op = "pin"
	if (per_run == "") per_run = 0
	srand(seed)
	printf "{\n  \"schema_version\": 2,\n  \"tool\": {\"name\": \"pfnlab\", \"version\": \"0.1.0\"},\n"
	printf "  \"suite_commit\": \"abc1234\", \"started_utc\": \"2026-01-01T00:00:%02dZ\", \"finished_utc\": \"2026-01-01T00:01:00Z\",\n", seed % 60
	printf "  \"complete\": true, \"hostname\": \"%s\",\n", host
	if (release == "") release = "6.12.0"
	env = sprintf("\"kernel\": {\"release\": \"%s\"", release)
	if (order != "")
		env = env sprintf(", \"max_page_order\": %d", order)
	env = env "}"
	if (caches)
		env = env ", \"cpu\": {\"caches\": [{\"level\": 1, \"bytes\": 49152}, {\"level\": 2, \"bytes\": 1048576}, {\"level\": 3, \"bytes\": 33554432}]}"
	if (clock != "")
		env = env sprintf(", \"vm_clock\": \"%s\"", clock)
	printf "  \"environment\": {%s},\n", env
	printf "  \"job\": [{\"path\": \"synthetic\", \"text\": \"\"}],\n  \"benchmarks\": [\n"
	npg = split(pages, pg, " ")
	nsz = split(sizes, sz, " ")
	for (i = 1; i <= npg; i++)
		for (j = 1; j <= nsz; j++)
			bench(pg[i], sz[j])
	printf "\n  ]\n}\n"
}
