# SPDX-License-Identifier: GPL-2.0
# Synthetic pfnlab result document (results/README.md, schema_version 2) for
# the compare/plot/report tests, so they never depend on a real run.
#
#   awk -v seed=1 -v host=h -v commit=abc -v started=2026-01-01T00:00:00Z \
#       -v kernel=6.12 -v slow=1.0 -v rounds=5 -v reps=3 -v bcv=0.03 \
#       -v cv=0.02 -v schema=2 -f compare_synth.awk > result.json
#
# slow: factor applied to the pin cost (pin/unpin ns per page up, GiB/s and
# pages/s down); everything else is drawn from the same distributions.
# Hierarchical, like real runs: each of the `rounds` rounds draws its level
# with coefficient of variation bcv around the fixed mean, and its `reps`
# samples scatter around that level with cv; rcv adds a level per run
# (per metric with rcvper=1).
# anchors=1 writes instead the model beside iommufd (pin and map+unmap,
# 4k and thp: what bench/anchors.ini measures in the lab kernel).
# schema=1 writes the old flat
# "samples" array (rounds * reps samples, one round to a reader).

function normal(   u1, u2) {
	do u1 = rand(); while (u1 <= 0)
	u2 = rand()
	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
}

function samples(level, n,   s, i) {
	s = ""
	for (i = 0; i < n; i++)
		s = s (i ? ", " : "") sprintf("%.6g", level * (1 + cv * normal()))
	return s
}

# Every round's samples: [[...], [...]] (schema 2) or one flat list (1).
function rounds_of(mean,   s, r, level) {
	# rcvper: each metric draws its own run level (the run's layout per
	# benchmark) instead of one level for the whole run.
	mean = mean * (rcvper ? 1 + rcv * normal() : runlevel)
	if (schema == 1)
		return samples(mean * (1 + bcv * normal()), rounds * reps)
	s = ""
	for (r = 0; r < rounds; r++) {
		level = mean * (1 + bcv * normal())
		s = s (r ? ", " : "") "[" samples(level, reps) "]"
	}
	return s
}

# One metric object; the summary carries what the loader reads.
function metric(name, unit, better, mean, last) {
	printf "        \"%s\": {\"unit\": \"%s\", \"better\": \"%s\", \"%s\": [%s],\n", name, unit, better, schema == 1 ? "samples" : "rounds", rounds_of(mean)
	printf "          \"summary\": {\"n\": %d, \"ci95_lo\": %.6g, \"ci95_hi\": %.6g, \"cv\": %.4g, \"noisy\": false}}%s\n", rounds * reps, mean * (1 - cv), mean * (1 + cv), cv, last ? "" : ","
}

function bench_open(name, params, key) {
	printf "%s    {\"name\": \"%s\", \"key\": \"%s\", \"params\": {%s}, \"status\": \"ok\", \"reason\": null,\n", nbench++ ? ",\n" : "", name, key, params
	printf "      \"metrics\": {\n"
}

function bench_close() {
	printf "      }}"
}

function pin(backend, page, size, cpu, mem, ns,   key, params, gib) {
	key = sprintf("pin-%s|backend=%s|cpu_node=%d|mem_node=%d|op=pin|page=%s|size=%d|threads=1", backend, backend, cpu, mem, page, size)
	params = sprintf("\"backend\": \"%s\", \"op\": \"pin\", \"page\": \"%s\", \"size\": %d, \"cpu_node\": %d, \"mem_node\": %d, \"threads\": 1", backend, page, size, cpu, mem)
	bench_open("pin-" backend, params, key)
	ns = ns * slow
	gib = 4096 / ns / 1.073741824
	metric("pin_ns_per_page", "ns/page", "lower", ns, 0)
	metric("unpin_ns_per_page", "ns/page", "lower", ns / 3, 0)
	metric("pin_gib_per_s", "GiB/s", "higher", gib, 0)
	metric("pin_pages_per_s", "pages/s", "higher", 1e9 / ns, 1)
	bench_close()
}

function fill(strategy, page, cap, nspp, density,   key, params) {
	key = sprintf("fill|backend=pagemap|batch_runs=%d|fill=%s|op=fill|page=%s|size=67108864", cap, strategy, page)
	params = sprintf("\"backend\": \"pagemap\", \"op\": \"fill\", \"fill\": \"%s\", \"page\": \"%s\", \"batch_runs\": %d, \"size\": 67108864", strategy, page, cap)
	bench_open("fill", params, key)
	metric("fill_ns_per_page", "ns/page", "lower", nspp, 0)
	metric("pfns_per_run", "PFNs/run", "higher", density, 0)
	metric("density_ratio", "ratio", "lower", 1.0, 1)
	bench_close()
}

function iotlb(page, window, misses,   key, params) {
	key = sprintf("iotlb|backend=pagemap|op=iotlb|page=%s|pattern=random|size=268435456|window=%d", page, window)
	params = sprintf("\"backend\": \"pagemap\", \"op\": \"iotlb\", \"page\": \"%s\", \"window\": %d, \"pattern\": \"random\", \"size\": 268435456", page, window)
	bench_open("iotlb", params, key)
	metric("iotlb_misses_per_mib", "misses/MiB", "lower", misses, 0)
	metric("iotlb_hit_rate", "fraction", "higher", 1 - misses / 1e4, 1)
	bench_close()
}

function anchor(backend, op, page, strat, ns, undo_ns,   key, params) {
	key = sprintf("%s-%s|backend=%s|fill=%s|op=%s|page=%s|size=67108864", backend, op, backend, strat, op, page)
	params = sprintf("\"backend\": \"%s\", \"op\": \"%s\", \"fill\": \"%s\", \"page\": \"%s\", \"size\": 67108864", backend, op, strat, page)
	bench_open(backend "-" op, params, key)
	metric(op "_ns_per_page", "ns/page", "lower", ns, 0)
	metric(op == "pin" ? "unpin_ns_per_page" : "unmap_ns_per_page", "ns/page", "lower", undo_ns, 1)
	bench_close()
}

function anchor_benches() {
	anchor("driver", "pin", "4k", "per-page", 720, 300)
	anchor("driver", "pin", "4k", "run-aware", 560, 300)
	anchor("iommufd", "pin", "4k", "run-aware", 400, 200)
	anchor("driver", "pin", "thp", "per-page", 470, 100)
	anchor("driver", "pin", "thp", "run-aware", 470, 100)
	anchor("iommufd", "pin", "thp", "run-aware", 150, 100)
	anchor("driver", "map", "4k", "run-aware", 900, 600)
	anchor("iommufd", "map", "4k", "run-aware", 1100, 900)
	anchor("driver", "map", "thp", "run-aware", 50, 40)
	anchor("iommufd", "map", "thp", "run-aware", 900, 1000)
	# the NUMA matrix's own-node cell: the same parameters, another buffer,
	# later in the file; the table keeps the path's first benchmark
	anchor("driver", "pin", "4k", "run-aware", 1120, 300)
}

BEGIN {
	if (seed == "") seed = 1
	if (rounds == "") rounds = 5
	if (reps == "") reps = 3
	if (bcv == "") bcv = 0.03
	if (cv == "") cv = 0.02
	if (rcv == "") rcv = 0
	if (slow == "") slow = 1.0
	if (schema == "") schema = 2
	if (host == "") host = "testhost"
	if (commit == "") commit = "abc1234"
	if (kernel == "") kernel = "6.12.0"
	if (started == "") started = "2026-01-01T00:00:00Z"
	srand(seed)
	# rcv: one level for the whole run (a process's placement, the host's
	# state), which no round of it sees: the part of run-to-run variance
	# that only earlier runs (--history) can tell.
	runlevel = 1 + rcv * normal()

	printf "{\n  \"schema_version\": %d,\n  \"tool\": {\"name\": \"pfnlab\", \"version\": \"0.1.0\"},\n", schema
	printf "  \"suite_commit\": \"%s\", \"started_utc\": \"%s\", \"finished_utc\": \"%s\", \"complete\": true,\n", commit, started, started
	printf "  \"hostname\": \"%s\",\n", host
	printf "  \"environment\": {\"kernel\": {\"release\": \"%s\", \"cmdline\": \"quiet\"},\n", kernel
	printf "    \"cpu\": {\"model\": \"Synthetic CPU\", \"microcode\": \"0x1\", \"cores\": 2},\n"
	printf "    \"thp\": {\"enabled\": \"madvise\"}, \"iommu\": {\"present\": false, \"mode\": \"none\"},\n"
	printf "    \"numa\": {\"nodes\": [{\"id\": 0, \"hugepages\": {\"2048kB\": {\"total\": 64, \"free\": %d}}}]},\n", int(rand() * 64)
	printf "    \"module\": {\"loaded\": false, \"version\": null, \"build_id\": null}},\n"
	printf "  \"job\": [{\"path\": \"synthetic\", \"text\": \"\"}],\n"
	printf "  \"benchmarks\": [\n"
	if (anchors) {
		anchor_benches()
		printf "\n  ]\n}\n"
		exit
	}
	for (s = 64; s <= 1024; s *= 4) {
		pin("uring", "4k", s * 1048576, 0, 0, 180 + s / 64)
		pin("uring", "thp", s * 1048576, 0, 0, 40 + s / 256)
	}
	for (c = 0; c <= 1; c++)
		for (m = 0; m <= 1; m++)
			pin("driver", "hugetlb-2m", 268435456, c, m, c == m ? 30 : 45)
	for (cap = 16; cap <= 1024; cap *= 4) {
		fill("per-page", "thp", cap, 9.0, cap < 512 ? cap : 512)
		fill("run-aware", "thp", cap, 0.3, cap < 512 ? cap : 512)
	}
	for (w = 1; w <= 256; w *= 4) {
		iotlb("4k", w * 1048576, w < 2 ? 10 : 256)
		iotlb("thp", w * 1048576, w < 64 ? 1 : 2)
	}
	printf ",\n    {\"name\": \"pin-hugetlb\", \"key\": \"pin-hugetlb|page=hugetlb-1g\", \"params\": {\"page\": \"hugetlb-1g\"}, \"status\": \"skipped\", \"reason\": \"hugetlb 1 GiB pool is empty\", \"metrics\": {}}\n"
	printf "  ]\n}\n"
}
