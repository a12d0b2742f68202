#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-soak: a benchmark of the lab's reliability.  Boots the lab VM N times
# in a row; each boot runs what the guest runs for `make bench` (the driver
# part of bench/quick.ini) and then what it runs for `make vm-check` (every
# integration test, the harness smoke run, rmmod, the kernel-log check).
# Every tenth boot is vm-check's second machine instead (no IOMMU, one
# vCPU).  Each boot is classified from its console log and exit status:
#
#   clean    the command finished, exit 0, and the kernel printed no oops,
#            panic, BUG, WARN, lockdep or hung-task report
#   oops     Oops / BUG / general protection fault / Kernel panic
#   warn     WARNING / lockdep / hung task (no oops)
#   hang     no end before the timeout (pfnlab-vm exit 124)
#   failed   the kernel stayed quiet but a test or the run failed
#
#   scripts/vm-soak.sh [-o DIR] [-t SECONDS] [-r ROUNDS] N
#
# -r ROUNDS runs the bench part with that many rounds instead of the job's
# (quick.ini: 10, about 70 s a boot under TCG): every round opens and
# closes the same perf events and module objects, so fewer rounds soak
# more boots in the same hour.
#
# Logs: DIR/boot-NNN/ (console.log and the guest's files), DIR/soak.log (one
# line per boot).  Default DIR: build/vm/soak.  The last line is the summary
#   vm-soak: N boots (ACCEL): C clean, O oops/panic, W WARN, H hangs, F failed; ...
# Exit status 0 only when every boot was clean.  VM_TCG_THREAD=multi
# reproduces the failure that harness/vm/README.md explains.  Not part of
# `make check`: 100 boots take about an hour on 2 cores with -r 2.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
top=$PWD

out=$top/build/vm/soak
timeout_s=600
rounds=
usage() {
	sed -n '17,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while getopts o:t:r:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	r) case $OPTARG in '' | *[!0-9]* | 0) echo "vm-soak: -r wants a positive number of rounds, not '$OPTARG'" >&2; exit 2 ;; esac
	   rounds=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
n=$1
case "$n" in '' | *[!0-9]* | 0) echo "vm-soak: N must be a positive number of boots, not '$n'" >&2; exit 2 ;; esac

# Build once, exactly as vm-check and bench do.
make -s -C driver >/dev/null || { echo "vm-soak: the module does not build" >&2; exit 2; }
make -s -C harness -j2 >/dev/null || { echo "vm-soak: the harness does not build" >&2; exit 2; }
make -s -C harness/vm tests >/dev/null || { echo "vm-soak: the VM tests do not build" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
log=$out/soak.log
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
job=bench/quick.ini
b64=$(base64 -w0 "$job")
# The bench part as scripts/bench.sh runs it (job file inside the command),
# then the vm-check part; the boot's status is the tests' status, and a
# failed bench run makes it non-zero too.
bench_and_check="mkdir -p /tmp/job/bench && echo $b64 | base64 -d >/tmp/job/$job && \
cd /tmp/job && PFNLAB_SUITE_COMMIT=$commit pfnlab run -q --backend driver -n 3 ${rounds:+-r $rounds} -o /out/vm.json $job; \
brc=\$?; cd /out && PFNLAB_SUITE_COMMIT=$commit pfnlab-vm-tests; trc=\$?; \
[ \$brc -le 1 ] && [ \$trc -eq 0 ]"

# classify CONSOLE RC -> one of clean oops warn hang failed, and a detail.
classify() {
	local console=$1 rc=$2 first
	# -o: the console may carry a progress line on the same line.
	first=$(grep -m1 -oE '(Oops:|BUG:|general protection fault|Kernel panic|kernel BUG at).*' "$console" 2>/dev/null)
	if [ -n "$first" ]; then
		echo "oops $first"
		return
	fi
	first=$(grep -m1 -oE '(WARNING:|possible circular locking|INFO: task .* blocked|hung_task).*' "$console" 2>/dev/null)
	if [ -n "$first" ]; then
		echo "warn $first"
		return
	fi
	if [ "$rc" -eq 124 ]; then
		echo "hang no end within $timeout_s s"
	elif [ "$rc" -ne 0 ]; then
		echo "failed exit $rc: $(grep -m1 -E '^not ok|failed' "$console" 2>/dev/null)"
	else
		echo "clean"
	fi
}

clean=0 oops=0 warn=0 hang=0 failed=0
durations=()
accel=
for ((i = 1; i <= n; i++)); do
	dir=$(printf '%s/boot-%03d' "$out" "$i")
	t0=$SECONDS
	if [ $((i % 10)) -eq 0 ]; then
		what="no-iommu tests"
		VM_HUGEPAGES_2M=0 harness/vm/pfnlab-vm --quiet --timeout "$timeout_s" --out "$dir" \
			--no-iommu --cpus 1 -- pfnlab-vm-tests --no-iommu >"$dir.runner.log" 2>&1
	else
		what="bench driver part + vm-check tests"
		harness/vm/pfnlab-vm --quiet --timeout "$timeout_s" --out "$dir" -- \
			sh -c "$bench_and_check" >"$dir.runner.log" 2>&1
	fi
	rc=$?
	dt=$((SECONDS - t0))
	durations+=("$dt")
	[ -n "$accel" ] || accel=$(sed -n 's/^pfnlab-vm: \([a-z]*\) run took.*/\1/p' "$dir.runner.log" | head -n 1)
	verdict=$(classify "$dir/console.log" "$rc")
	case ${verdict%% *} in
	clean) clean=$((clean + 1)) ;;
	oops) oops=$((oops + 1)) ;;
	warn) warn=$((warn + 1)) ;;
	hang) hang=$((hang + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	printf 'boot %d/%d (%s): %s, %d s\n' "$i" "$n" "$what" "$verdict" "$dt" | tee -a "$log"
done

median=$(printf '%s\n' "${durations[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
[ "${accel:-}" = tcg ] && accel="tcg thread=${VM_TCG_THREAD:-single}"
line="vm-soak: $n boots (${accel:-unknown accelerator}): $clean clean, $oops oops/panic, $warn WARN, $hang hangs, $failed failed; median $median s per boot; logs in $out"
echo "$line" | tee -a "$log"
[ "$clean" -eq "$n" ]
