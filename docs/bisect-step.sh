#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# One step of `git bisect run` over a kernel tree: build the kernel at the
# commit git checked out, and measure it against the good commit's kernel
# with `pfnlab ab`: the two kernels boot in the lab VM in alternation (base,
# test, test, base, ...), each boot one round of the driver pin benchmark,
# so that the machine's drift falls on both alike, and the verdict is on
# those rounds.  CONTRIBUTING.md ("The per-commit recipe") shows it in use.
#
#   cd linux && git checkout GOOD
#   /path/to/pfnlab/docs/bisect-step.sh --base     # builds the base kernel once
#   git bisect start BAD GOOD
#   git bisect run /path/to/pfnlab/docs/bisect-step.sh
#
# Run it from the top of the kernel tree (git bisect run does).
#
# Exit status, as git bisect run reads it:
#   0    good: the metric did not regress beyond the threshold
#   1    bad: it did (the REGRESSED: line names the benchmark)
#   125  skip: the kernel or the module does not build at this commit, a lab
#        VM boot did not finish (panic, oops, timeout), or the rounds could
#        not decide within the budget
#   128  abort: a setup error that no commit is to blame for (no base kernel,
#        not a kernel tree, the pfnlab command does not build)
# With --base: 0 when the base kernel is built, 125 or 128 as above.
#
# Environment:
#   BASE_OUT   the base (good) kernel's build directory (default:
#              build/kernel-bisect-base in the pfnlab tree), from --base
#   OUT        this step's kernel build directory (default:
#              build/kernel-bisect); reused, so each rebuild is incremental
#   METRIC     metric the verdict is about (default pin_ns_per_page)
#   THRESHOLD  effect threshold in percent (default 5)
#   PAIRS      base/test boot pairs at least (default 3)
#   BUDGET     time for more pairs while undecided (default 15m; 0: none)
#   JOB        job file to run instead of the built-in driver pin job
#   STEP_DIR   where this step's results go (default: build/bisect/step)
#   VM_TIMEOUT seconds before one lab VM boot is cut (default 300)
# Commands, replaceable (another kernel recipe, or a test of this script):
#   BUILD_KERNEL  run as "$BUILD_KERNEL SRC OUT" (default
#                 harness/vm/kconfig/build-kernel.sh)
#   BUILD_MODULE  run as "$BUILD_MODULE OUT" (default: make -C driver KDIR=OUT)
#   VM_RUNNER     the lab VM runner (default harness/vm/pfnlab-vm)
set -uo pipefail

PFNLAB_TOP=$(cd "$(dirname "$0")/.." && pwd)
PFNLAB=$PFNLAB_TOP/build/harness/pfnlab

say() { printf 'bisect-step: %s\n' "$*" >&2; }
skip() { say "$* (skipping this commit)"; exit 125; }
abort() { say "$*"; exit 128; }

mode=step
case "${1:-}" in
--base) [ $# -eq 1 ] || abort "usage: bisect-step.sh [--base]"; mode=base ;;
'') ;;
-h | --help)
	sed -n '4,/^set /{/^set /d;p;}' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*) abort "usage: bisect-step.sh [--base]" ;;
esac

ktree=$PWD
# Absolute: the module build and the VM runner run in other directories.
base_out=$(readlink -m "${BASE_OUT:-$PFNLAB_TOP/build/kernel-bisect-base}")
out=$(readlink -m "${OUT:-$PFNLAB_TOP/build/kernel-bisect}")
metric=${METRIC:-pin_ns_per_page}
threshold=${THRESHOLD:-5}
pairs=${PAIRS:-3}
budget=${BUDGET:-15m}
step_dir=$(readlink -m "${STEP_DIR:-$PFNLAB_TOP/build/bisect/step}")
vm_timeout=${VM_TIMEOUT:-300}
build_kernel=${BUILD_KERNEL:-$PFNLAB_TOP/harness/vm/kconfig/build-kernel.sh}
vm_runner=${VM_RUNNER:-$PFNLAB_TOP/harness/vm/pfnlab-vm}

case "$pairs" in '' | *[!0-9]* | 0) abort "PAIRS must be a positive integer, not '$pairs'" ;; esac
if [ ! -f "$ktree/Makefile" ] || [ ! -d "$ktree/arch/x86" ]; then
	abort "$ktree is not a kernel source tree (run from the top of the tree)"
fi
[ "$base_out" != "$out" ] || abort "BASE_OUT and OUT must differ"

# The job the guest runs: 4 KiB pages pay the pin cost once per page, so a
# slower pin path shows most there; 16 MiB keeps a TCG boot short.
default_job='[pin-driver]
backend = driver
op = pin
page = 4k
size = 16M
repetitions = 10
warmup = 1
'
if [ -n "${JOB:-}" ]; then
	[ -r "$JOB" ] || abort "JOB=$JOB is not readable"
	job_text=$(cat "$JOB")
else
	job_text=$default_job
fi

# pfnlab itself: not the kernel's fault when it does not build.
make -s -C "$PFNLAB_TOP/harness" -j2 >/dev/null || abort "the pfnlab command does not build"

# build TREE DIR LOCALVERSION: the kernel and pfnlab.ko for it.  The two
# kernels get different release names, so that their modules are built
# (build/driver/<release>/) and booted apart.
build() {
	local dir=$1 localversion=$2 label=$ktree
	mkdir -p "$(dirname "$dir")" || abort "cannot create the parent of $dir"
	# Name the commit only when the tree is a git checkout of its own.
	if [ "$(git -C "$ktree" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$ktree" && pwd -P)" ]; then
		label=$(git -C "$ktree" describe --always 2>/dev/null || echo "$ktree")
	fi
	say "building the kernel at $label into $dir"
	MAKEFLAGS_EXTRA="LOCALVERSION=$localversion ${MAKEFLAGS_EXTRA:-}" \
		"$build_kernel" "$ktree" "$dir" >"$dir.log" 2>&1 || skip "the kernel does not build (log: $dir.log)"
	if [ -n "${BUILD_MODULE:-}" ]; then
		$BUILD_MODULE "$dir" >>"$dir.log" 2>&1
	else
		make -s -C "$PFNLAB_TOP/driver" KDIR="$dir" >>"$dir.log" 2>&1
	fi || skip "pfnlab.ko does not build against this kernel (log: $dir.log)"
}

if [ "$mode" = base ]; then
	build "$base_out" -bisect-base
	say "base kernel ready in $base_out"
	exit 0
fi
[ -f "$base_out/arch/x86/boot/bzImage" ] || abort "no base kernel in $base_out: run bisect-step.sh --base on the good commit first"
build "$out" -bisect-test

rm -rf "$step_dir"
mkdir -p "$step_dir" || abort "cannot create $step_dir"
# One boot per ab step: the job travels base64-encoded in the command, the
# result comes back through the VM's out directory to $PFNLAB_AB_OUT.
b64=$(printf '%s\n' "$job_text" | base64 -w0)
commit=$(git -C "$PFNLAB_TOP" describe --always --dirty 2>/dev/null || echo unknown)
guest="echo $b64 | base64 -d >/tmp/job.ini && PFNLAB_SUITE_COMMIT=$commit pfnlab run -q -r 1 -o /out/step.json /tmp/job.ini"
boot() {	# boot KERNEL_DIR: the command of one ab step on that kernel
	# shellcheck disable=SC2016 # $PFNLAB_AB_* expand when ab runs the step
	printf 'd=$(dirname "$PFNLAB_AB_OUT")/vm-$PFNLAB_AB_STEP && KERNEL=%q KBUILD=%q %q --quiet --timeout %q --out "$d" -- sh -c %q && mv "$d/step.json" "$PFNLAB_AB_OUT"' \
		"$1/arch/x86/boot/bzImage" "$1" "$vm_runner" "$vm_timeout" "$guest"
}
until_args=()
[ "$budget" != 0 ] && until_args=(--until-decided --budget "$budget")
say "measuring base and test kernels in alternation ($pairs pairs at least)"
"$PFNLAB" ab --bisect -o "$step_dir" --pairs "$pairs" "${until_args[@]}" \
	--metric "$metric" --threshold "$threshold" \
	--a "$(boot "$base_out")" --b "$(boot "$out")" >"$step_dir/compare.txt" 2>"$step_dir/ab.log"
verdict=$?
grep -E 'metrics compared|^REGRESSED' "$step_dir/compare.txt" >&2
case $verdict in
0) say "good" ;;
1) say "bad" ;;
125) say "undecided within the budget" ;;
*) verdict=125; say "a lab VM boot failed (see $step_dir/ab.log and $step_dir/steps/)" ;;
esac
exit "$verdict"
