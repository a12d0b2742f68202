#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks pass their scripts to bash -c in single quotes, expanded there.
# shellcheck disable=SC2016
# End-to-end tests of the pfnlab command on the host: help and version,
# job-file errors (file:line, nothing runs, no file written), results that
# validate against results/README.md (harness/tests/results_schema.jq),
# skips with reasons, --strict, --backend, the default results path,
# SIGINT/SIGTERM (partial results, complete: false, every pin released per
# /proc/vmstat) and kill -9 (never a partial results file).
# Needs $PFNLAB (the built binary); run from the repository root.
set -u
cd "$(dirname "$0")/../.." || exit 2
PFNLAB=${PFNLAB:-build/harness/pfnlab}
SCHEMA=harness/tests/results_schema.jq
# shellcheck source=harness/tests/lib/common.sh
. harness/tests/lib/common.sh
tmp=$(mktemp -d /tmp/pfnlab-cli.XXXXXX)
bg_pid=
cleanup() {
	[ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

jqe() { jq -e "$@" >/dev/null; }

valid() {	# valid FILE: schema check prints nothing
	local errs
	errs=$(jq -r -f "$SCHEMA" "$1" 2>&1) || { echo "$errs"; return 1; }
	[ -z "$errs" ] || { echo "$errs" | head -5; return 1; }
}
status_of() { jq -r --arg n "$2" '[.benchmarks[] | select(.name == $n) | .status] | join(",")' "$1"; }
reason_of() { jq -r --arg n "$2" '[.benchmarks[] | select(.name == $n) | .reason] | join(",")' "$1"; }
export -f status_of reason_of
# vm.stat_refresh folds every CPU's pending counter deltas in, so the two
# numbers are exact when read (without it they lag by per-CPU batches).
pins() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	# the fields as printed: as numbers, mawk prints counts past 2^31 as
	# 2.85978e+09, which shell arithmetic refuses
	awk '/^nr_foll_pin_acquired/ {a=$2} /^nr_foll_pin_released/ {r=$2}
	     END {print (a == "" ? 0 : a), (r == "" ? 0 : r)}' /proc/vmstat
}

# --- help, version, every subcommand's --help
check "--version" grep -qx 'pfnlab 0.1.0' <("$PFNLAB" --version)
out=$("$PFNLAB" help)
check "help lists commands and keys" bash -c '
	for w in info list run vm compare history plot report pages_per_call batch_runs noisy_cv; do
		grep -q -- "$w" <<<"$1" || exit 1; done' _ "$out"
for c in info list run; do
	check "$c --help" bash -c '"$1" "$2" --help | grep -q "usage: pfnlab $2"' _ "$PFNLAB" "$c"
done
# vm hands --help to the lab VM runner when it exists
check "vm --help" bash -c '"$1" vm --help 2>&1 | grep -qi "usage\|pfnlab-vm"' _ "$PFNLAB"
check "unknown command exits 2" bash -c '"$1" frobnicate 2>/dev/null; [ $? -eq 2 ]' _ "$PFNLAB"

# --- info
check "info" bash -c '"$1" info | grep -q "^backends"' _ "$PFNLAB"
check "info --json: uring available, driver reason" bash -c '
	"$1" info --json | jq -e ".backends.uring.available == true and
		(.backends.driver.available or (.backends.driver.reason | test(\"module not loaded\")))" >/dev/null' _ "$PFNLAB"

# --- job-file errors: file:line and key, exit 2, nothing written
printf '[ok]\nbackend = uring\nop = pin\nsize = 4M\n\n[broken]\nbackend = uring\nop = pin\npage = 4k, giant\n' >"$tmp/bad.ini"
mkdir -p "$tmp/res-bad"
err=$("$PFNLAB" run -q -d "$tmp/res-bad" -o "$tmp/bad.json" "$tmp/bad.ini" 2>&1); rc=$?
check "bad job file: exit 2" [ "$rc" -eq 2 ]
check "bad job file: file:line and key" grep -q "$tmp/bad.ini:9: key 'page'" <<<"$err"
check "bad job file: no results file" bash -c '[ ! -e "$1" ] && [ -z "$(ls -A "$2")" ]' _ "$tmp/bad.json" "$tmp/res-bad"
err=$("$PFNLAB" list "$tmp/bad.ini" 2>&1); rc=$?
check "list reports the same error" bash -c '[ $1 -eq 2 ] && grep -q ":9: key" <<<"$2"' _ "$rc" "$err"

# --- list without a job file: every backend, every shipped job file with
# the number of cases it expands to (counted independently via --json)
out=$("$PFNLAB" list); rc=$?
check "list: catalogue exits 0 and names the three backends" bash -c '[ $1 -eq 0 ] &&
	for b in driver uring pagemap; do grep -Eq "^  $b +ops:" <<<"$2" || exit 1; done' _ "$rc" "$out"
top=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$top"/bench/*.ini; do
	n=$("$PFNLAB" list --json "$f" | jq length)
	check "list: $(basename "$f") listed with its $n cases" grep -Eq "/bench/$(basename "$f") +$n cases\$" <<<"$out"
done

# --- an unwritable destination is refused before anything runs
printf '[ok]\nbackend = uring\nop = pin\nsize = 4M\n' >"$tmp/ok.ini"
read -r a0 _ < <(pins)
err=$("$PFNLAB" run -q -o "$tmp/no/such/dir/r.json" "$tmp/ok.ini" 2>&1); rc=$?
read -r a1 _ < <(pins)
check "unwritable -o: exit 3 before running" bash -c '[ $1 -eq 3 ] && grep -q "cannot write results" <<<"$2"' _ "$rc" "$err"
check "unwritable -o: nothing pinned meanwhile" [ "$a1" -lt $((a0 + 1024)) ]

# --- a small run: valid JSON, skips with reasons
cat >"$tmp/small.ini" <<'INI'
[defaults]
size = 8M
repetitions = 3
warmup = 1

[pin]
backend = uring
op = pin
page = 4k, thp
threads = 1, 2

[drv]
backend = driver
op = pin

[nonode]
backend = uring
op = pin
mem_node = 63

[huge]
backend = uring
op = pin
page = hugetlb-1g
size = 1G

[fill]
backend = pagemap
op = fill
fill = per-page, run-aware

[null]
backend = uring
op = null
INI
"$PFNLAB" run -q -o "$tmp/small.json" "$tmp/small.ini"; rc=$?
check "small run exits 0" [ "$rc" -eq 0 ]
check "small run validates against the schema" valid "$tmp/small.json"
check "every backend in the results is one the binary registers" bash -c '
	known=$("$1" info --json | jq -c "[.backends | keys[]]")
	jq -e --argjson known "$known" "all(.benchmarks[]; .params.backend as \$b | \$known | index(\$b))" "$2" >/dev/null' _ "$PFNLAB" "$tmp/small.json"
check "complete: true" jqe '.complete == true' "$tmp/small.json"
# the buddy allocator's top order from /proc/pagetypeinfo's own list of
# orders (root only), where the harness counts /proc/buddyinfo's columns
if top=$(awk '/^Free pages count per migrate type at order/ { print $NF; exit }' /proc/pagetypeinfo 2>/dev/null) && [ -n "$top" ]; then
	check "environment: max_page_order is /proc/pagetypeinfo's top order ($top)" jqe --argjson o "$top" '.environment.kernel.max_page_order == $o' "$tmp/small.json"
else
	skip "environment: max_page_order" "/proc/pagetypeinfo unreadable"
fi
check "job text recorded" bash -c 'jq -j ".job[0].text" "$1" | cmp -s - "$2"' _ "$tmp/small.json" "$tmp/small.ini"
check "uring pins ok, 4 cases" [ "$(status_of "$tmp/small.json" pin)" = "ok,ok,ok,ok" ]
check "two-thread case has two per-thread records" jqe \
	'[.benchmarks[] | select(.name == "pin" and .params.threads == 2) | .threads | length] == [2, 2]' "$tmp/small.json"
check "pin samples: repetitions kept in each of the default 3 rounds" jqe \
	'[.benchmarks[] | select(.name == "pin") | .metrics.pin_ns_per_page.rounds | (length == 3) and all(length == 3)] | all' "$tmp/small.json"
check "pin rounds: one record per round, each with its placement" jqe \
	'[.benchmarks[] | select(.name == "pin") | .rounds | (length == 3) and all(.placement.ok and .samples == 3)] | all' "$tmp/small.json"
# Rounds run in order, each case once a round: their start times rise, and
# each round of a case began after the measured time of its earlier rounds.
check "rounds: started_s rises round by round, past the earlier rounds' measured time" jqe \
	'[.benchmarks[] | select(.status == "ok") | .rounds as $r |
	  range(1; $r | length) as $k |
	  $r[$k].started_s - $r[$k - 1].started_s >= $r[$k - 1].measured_s] | (length > 0) and all' "$tmp/small.json"
check "fill variants share each round's buffer: the same layout" jqe \
	'[.benchmarks[] | select(.name == "fill") | [.rounds[].backend_info.layout_min_runs]] | (length == 2) and (.[0] == .[1])' "$tmp/small.json"
check "fill run-aware is paired with per-page, a ratio per round" jqe \
	'[.benchmarks[] | select(.name == "fill")] | (.[0].paired == null) and (.[1].paired.reference == .[0].key) and
	 (.[1].paired.metrics.fill_ns_per_page.round_ratios | length == 3)' "$tmp/small.json"
if [ -e /dev/pfnlab ]; then
	check "driver runs where the module is loaded" [ "$(status_of "$tmp/small.json" drv)" = ok ]
else
	check "driver skipped: module not loaded" bash -c '[ "$(status_of "$1" drv)" = skipped ] &&
		[ "$(reason_of "$1" drv)" = "module not loaded (/dev/pfnlab missing)" ]' _ "$tmp/small.json"
fi
# gup_test: the kernel's benchmark, in debugfs only when CONFIG_GUP_TEST
# is set (Debian's kernels: not; the anchors' lab kernel: anchors-check).
# iommufd likewise needs /dev/iommu (CONFIG_IOMMUFD, also not in Debian's),
# vfio /dev/vfio/vfio (the vfio module).
printf '[gup]\nbackend = gup_test\nop = pin\ngup = pin-longterm, gup-fast\nsize = 4M\n[iofd]\nbackend = iommufd\nop = map\nsize = 4M\n[vf]\nbackend = vfio\nop = map\nsize = 4M\n' >"$tmp/gup.ini"
"$PFNLAB" run -q -o "$tmp/gup.json" "$tmp/gup.ini" 2>"$tmp/gup.err"; rc=$?
if [ -e /sys/kernel/debug/gup_test ]; then
	check "gup_test runs where the kernel has it" bash -c '[ $1 -le 1 ] && [ "$(status_of "$2" gup)" = ok,ok ]' _ "$rc" "$tmp/gup.json"
else
	check "gup_test skipped where the kernel lacks it, naming CONFIG_GUP_TEST" bash -c '[ $1 -le 1 ] &&
		[ "$(status_of "$2" gup)" = skipped,skipped ] && reason_of "$2" gup | grep -q "CONFIG_GUP_TEST is not set"' _ "$rc" "$tmp/gup.json"
fi
if [ ! -e /dev/vfio/vfio ]; then
	check "vfio skipped where the container is missing, naming CONFIG_VFIO_CONTAINER" bash -c '
		[ "$(status_of "$1" vf)" = skipped ] && reason_of "$1" vf | grep -q "CONFIG_VFIO_CONTAINER is not set"' _ "$tmp/gup.json"
fi
if [ ! -e /dev/iommu ]; then
	check "iommufd skipped where the kernel lacks it, naming CONFIG_IOMMUFD" bash -c '[ $1 -eq 0 ] &&
		[ "$(status_of "$2" iofd)" = skipped ] && reason_of "$2" iofd | grep -q "CONFIG_IOMMUFD is not set"' _ "$rc" "$tmp/gup.json"
fi
check "missing node skipped with reason" bash -c '[ "$(status_of "$1" nonode)" = skipped ] &&
	reason_of "$1" nonode | grep -q "mem_node 63 does not exist"' _ "$tmp/small.json"
# Which reason is right depends on the machine: a CPU without 1 GiB pages
# (no pdpe1gb; the sysfs directory is absent) or an empty pool.
pool1g=/sys/kernel/mm/hugepages/hugepages-1048576kB
if [ ! -d "$pool1g" ]; then
	check "1G pages unsupported: skipped with reason" bash -c '[ "$(status_of "$1" huge)" = skipped ] &&
		reason_of "$1" huge | grep -q "hugetlb 1048576 kB pages not supported here"' _ "$tmp/small.json"
elif [ "$(cat "$pool1g/free_hugepages")" -eq 0 ]; then
	check "empty 1G pool skipped with reason" bash -c '[ "$(status_of "$1" huge)" = skipped ] &&
		reason_of "$1" huge | grep -q "hugetlb pool empty"' _ "$tmp/small.json"
fi
if [ "$(id -u)" -eq 0 ]; then
	check "pagemap fill ok, density 1.0 with a large batch" jqe \
		'[.benchmarks[] | select(.name == "fill") | .status == "ok" and .metrics.density_ratio.summary.median >= 1] | all' "$tmp/small.json"
fi
check "null phase has harness_ns" jqe \
	'.benchmarks[] | select(.name == "null") | .metrics.harness_ns.summary.median > 0' "$tmp/small.json"
check "placement recorded on node 0" jqe \
	'[.benchmarks[] | select(.name == "pin") | .placement.on_node_fraction == 1 and .placement.ok] | all' "$tmp/small.json"

# --- --strict turns an impossible case into a failed run
"$PFNLAB" run -q --strict -o "$tmp/strict.json" "$tmp/small.ini"; rc=$?
check "--strict exits 1" [ "$rc" -eq 1 ]
check "--strict marks the impossible case failed" bash -c '[ "$(status_of "$1" nonode)" = failed ] &&
	reason_of "$1" nonode | grep -q "^--strict: "' _ "$tmp/strict.json"
check "--strict result validates" valid "$tmp/strict.json"

# --- --backend filters; overrides; default path under -d
"$PFNLAB" run -q -b pagemap,driver -n 2 -t 0 -d "$tmp/res" "$tmp/small.ini"; rc=$?
f=$(find "$tmp/res" -mindepth 2 -maxdepth 2 -name "*.json" 2>/dev/null | head -n1)
check "default path: DIR/<host>/<UTC>-<commit>.json" bash -c '[ -n "$1" ] &&
	basename "$1" | grep -Eq "^[0-9]{8}T[0-9]{6}Z-.+\.json$" &&
	[ "$(basename "$(dirname "$1")")" = "$(jq -r .hostname "$1")" ]' _ "$f"
check "--backend keeps only those backends" jqe \
	'[.benchmarks[].params.backend] | unique - ["pagemap", "driver"] == []' "${f:-/dev/null}"
check "--repetitions overrides the job" jqe \
	'[.benchmarks[] | select(.status == "ok") | .metrics[] | .rounds[] | length] | all(. == 2)' "${f:-/dev/null}"
"$PFNLAB" run -q -b uring -r 2 -n 1 -o "$tmp/rounds.json" "$tmp/small.ini"
check "--rounds overrides the job" jqe \
	'([.benchmarks[] | select(.status == "ok") | .metrics[] | .rounds | length] | all(. == 2)) and .options.rounds == 2' "$tmp/rounds.json"

# --- SIGINT / SIGTERM: partial results, complete: false, every pin released
cat >"$tmp/long.ini" <<'INI'
[first]
backend = uring
op = pin
size = 8M
repetitions = 2

[long]
backend = uring
op = pin
size = 64M
repetitions = 1000000
min_time = 600

[never]
backend = uring
op = pin
size = 8M
INI
# an arithmetic error below would end the loop silently, its checks unrun
read -r a0 r0 < <(pins)
check "pin counters read as integers ($a0, $r0)" bash -c '[[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]' _ "$a0" "$r0"
for sig in INT TERM; do
	read -r a0 r0 < <(pins)
	"$PFNLAB" run -q -o "$tmp/sig.json" "$tmp/long.ini" 2>/dev/null & bg_pid=$!
	# Wait, at most ~20 s, until the long case has a sample: the short
	# cases pin 3 x 2048 pages each (warmup and 2 repetitions), and in a
	# shuffled round both may run first; the long case pins 16384 a time
	# and records a sample once it has unpinned.  Past 2 x 6144 + 2 x 16384
	# pins, its third pin has begun, so its warmup and first sample are
	# done.  (At 40000 the signal could land in that first sample: samples
	# 0, as one loaded run of `make check` had.)
	for _ in $(seq 200); do
		read -r a1 _ < <(pins)
		[ "$a1" -gt $((a0 + 2 * 6144 + 2 * 16384)) ] && break
		sleep 0.1
	done
	kill -"$sig" "$bg_pid"; wait "$bg_pid"; rc=$?; bg_pid=
	# Other processes' pins (O_DIRECT I/O, long-lived registrations) move
	# the global counters too, so releases of pins taken before the
	# baseline are accepted; a pin this run leaked keeps acquired above
	# released.
	read -r a2 r2 < <(pins)
	check "SIG$sig: exit 130" [ "$rc" -eq 130 ]
	check "SIG$sig: partial results validate" valid "$tmp/sig.json"
	# A round runs its benchmarks in a shuffled order: each short case ran
	# its one round before the long case started, or is missing.
	check "SIG$sig: complete false with the reason, long case interrupted, no case run after it" jqe \
		'.complete == false and (.incomplete_reason | test("signal")) and
		 ([.benchmarks[].name] == ["first", "long", "never"]) and
		 (.benchmarks[1].interrupted == true) and (.benchmarks[1].samples >= 1) and
		 (.benchmarks[1].rounds[0].started_s // 1e9) as $t |
		 [.benchmarks[0], .benchmarks[2]] |
		 all(.status == "missing" or
		     (.interrupted == true and (.rounds | length == 1) and .rounds[0].started_s < $t))' \
		"$tmp/sig.json"
	if grep -q nr_foll_pin_acquired /proc/vmstat; then
		check "SIG$sig: every pin released ($((a2 - a0)) acquired, $((r2 - r0)) released)" [ $((a2 - a0)) -le $((r2 - r0)) ]
	fi
	rm -f "$tmp/sig.json"
done

# --- SIGINT while the buffer is still being faulted in: nothing measured
printf '[big]\nbackend = uring\nop = pin\nsize = 4G\n' >"$tmp/big.ini"
"$PFNLAB" run -q -o "$tmp/big.json" "$tmp/big.ini" 2>/dev/null & bg_pid=$!
for _ in $(seq 200); do	# until it holds 64 MiB of the buffer
	rss=$(awk '/^VmRSS/ {print $2}' /proc/$bg_pid/status 2>/dev/null || echo 0)
	[ "${rss:-0}" -gt 65536 ] && break
	sleep 0.05
done
kill -INT "$bg_pid"; wait "$bg_pid"; rc=$?; bg_pid=
check "SIGINT in setup: exit 130, valid, case missing: never ran" bash -c '[ $1 -eq 130 ] &&
	jq -e ".complete == false and .benchmarks[0].status == \"missing\" and .benchmarks[0].samples == 0 and
	       (.benchmarks[0].reason | test(\"ended before\"))" "$2" >/dev/null' _ "$rc" "$tmp/big.json"
check "SIGINT in setup: result validates" valid "$tmp/big.json"

# --- kill -9 at any moment never leaves a partial results file
partial=0
for delay in 0 0.02 0.05 0.1 0.2 0.3; do
	rm -f "$tmp/k.json"
	"$PFNLAB" run -q -o "$tmp/k.json" "$tmp/small.ini" & bg_pid=$!
	sleep "$delay"
	kill -KILL "$bg_pid" 2>/dev/null; wait "$bg_pid" 2>/dev/null; bg_pid=
	if [ -e "$tmp/k.json" ] && ! jq -e '.complete == true' "$tmp/k.json" >/dev/null 2>&1; then
		partial=$((partial + 1))
	fi
	compgen -G "$tmp/.k.json*" >/dev/null && partial=$((partial + 1))
done
check "kill -9: no partial or temporary file" [ "$partial" -eq 0 ]

# --- --checkpoint: a run killed mid-way leaves every round it finished
cat >"$tmp/cp.ini" <<'INI'
[defaults]
rounds = 3
[quick]
backend = uring
op = pin
size = 4M
repetitions = 2
[slow]
backend = uring
op = pin
size = 4M
repetitions = 1
min_time = 3
INI
rm -f "$tmp/cp.json"
"$PFNLAB" run -q --checkpoint -o "$tmp/cp.json" "$tmp/cp.ini" & bg_pid=$!
for _ in $(seq 300); do	# until the checkpoint after round 1 is there
	jq -e '.incomplete_reason | test("after round 1 of 3")' "$tmp/cp.json" >/dev/null 2>&1 && break
	sleep 0.05
done
kill -KILL "$bg_pid" 2>/dev/null; wait "$bg_pid" 2>/dev/null; bg_pid=
check "--checkpoint: the killed run left a valid document" valid "$tmp/cp.json"
check "--checkpoint: complete false, the reason names the round, round 1 kept" jqe \
	'.complete == false and (.incomplete_reason | test("after round 1 of 3")) and
	 ([.benchmarks[] | .status == "ok" and .interrupted and (.rounds | length == 1) and
	   (.metrics.pin_ns_per_page.rounds | length == 1)] | all)' "$tmp/cp.json"

# --- pfnlab ab: two sides in alternation, merged, compared
synth=$(dirname "$0")/compare_synth.awk
one_round() {	# one_round SLOW: the command of a step writing one synthetic round
	printf 'awk -v seed=$PFNLAB_AB_STEP -v rounds=1 -v bcv=0.02 -v slow=%s -f %q >"$PFNLAB_AB_OUT"' "$1" "$synth"
}
"$PFNLAB" ab -o "$tmp/ab1" -p 4 --a "$(one_round 1.0)" --b "$(one_round 1.25)" >"$tmp/ab1.out" 2>"$tmp/ab1.err"; rc=$?
check "ab: a 25% slower B exits 1" [ "$rc" -eq 1 ]
check "ab: names the metric" grep -q '^REGRESSED: pin-uring|.* pin_ns_per_page' "$tmp/ab1.out"
check "ab: steps alternate A B, B A" bash -c 'cd "$1/steps" && [ "$(ls | tr "
" " ")" = "001-a.json 002-b.json 003-b.json 004-a.json 005-a.json 006-b.json 007-b.json 008-a.json " ]' _ "$tmp/ab1"
check "ab: each side merged, one round per step" jqe \
	'.ab.side == "A" and .ab.steps == 4 and ([.benchmarks[] | select(.status == "ok") | .metrics[].rounds | length] | all(. == 4))' "$tmp/ab1/a.json"
# equal sides with little spread: decided (unchanged) long before --max-pairs
"$PFNLAB" ab -o "$tmp/ab2" -p 3 --until-decided --max-pairs 30 --budget 2m \
	--a "$(one_round 1.0)" --b "$(one_round 1.0)" >"$tmp/ab2.out" 2>"$tmp/ab2.err"; rc=$?
check "ab --until-decided: equal sides exit 0" [ "$rc" -eq 0 ]
check "ab --until-decided: stops once every gated metric is decided" bash -c \
	'grep -q "every gated metric decided" "$1" && [ "$(ls "$2/steps" | wc -l)" -lt 60 ]' _ "$tmp/ab2.err" "$tmp/ab2"
# a 5% shift sits on the threshold: it stays open until the pairs run out
"$PFNLAB" ab -o "$tmp/ab3" -p 2 --until-decided --max-pairs 4 \
	--a "$(one_round 1.0)" --b "$(one_round 1.05)" >"$tmp/ab3.out" 2>"$tmp/ab3.err"
check "ab --until-decided: says what is still open and why it stopped" bash -c \
	'grep -q "max-pairs reached" "$1" && grep -q "^  open: .*pin_ns_per_page" "$1"' _ "$tmp/ab3.err"
# two real pfnlab binaries on a real job: merged documents stay valid
"$PFNLAB" ab -o "$tmp/ab4" -p 2 --a-bin "$PFNLAB" --b-bin "$PFNLAB" "$tmp/small.ini" >"$tmp/ab4.out" 2>"$tmp/ab4.err"; rc=$?
# a real A/A on the host's clock: when it fails, say how (a verdict or a step)
if [ "$rc" -eq 0 ]; then
	ok "ab --a-bin/--b-bin: the same build exits 0"
else
	bad "ab --a-bin/--b-bin: the same build exits 0" \
		"exit $rc; $(grep -h -m 4 -E 'REGRESSED|IMPROVED|step|fail|error' "$tmp/ab4.out" "$tmp/ab4.err" | tr '\n' ' ')"
fi
check "ab: a merged side validates against the schema" valid "$tmp/ab4/b.json"
check "ab: merged pin metrics hold both steps' rounds, each remembering its step" jqe \
	'[.benchmarks[] | select(.name == "pin") | (.metrics.pin_ns_per_page.rounds | length == 2) and
	  ([.rounds[].source] == ["step 2", "step 3"])] | all' "$tmp/ab4/b.json"
"$PFNLAB" ab -o "$tmp/ab5" --a 'exit 3' --b 'exit 0' >/dev/null 2>"$tmp/ab5.err"; rc=$?
check "ab: a failing step exits 2 and names the step" bash -c '[ $1 -eq 2 ] && grep -q "step 1 (A) failed: exit status 3" "$2"' _ "$rc" "$tmp/ab5.err"
"$PFNLAB" ab --a true --b true >/dev/null 2>"$tmp/ab6.err"; rc=$?
check "ab: -o is required" bash -c '[ $1 -eq 2 ] && grep -q "\-o DIR is required" "$2"' _ "$rc" "$tmp/ab6.err"

finish cli
