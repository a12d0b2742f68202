#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# One step of `git bisect run` over a kernel tree: build the kernel at the
# commit git checked out, run the driver pin benchmark on it in the lab VM,
# and let `pfnlab compare --bisect` judge it against a baseline measured on
# the good commit.  CONTRIBUTING.md ("The per-commit recipe") shows it in use.
#
#   cd linux && git checkout GOOD
#   /path/to/pfnlab/docs/bisect-step.sh --measure /path/to/pfnlab/build/bisect/base
#   git bisect start BAD GOOD
#   BASE=/path/to/pfnlab/build/bisect/base git bisect run /path/to/pfnlab/docs/bisect-step.sh
#
# Run it from the top of the kernel tree (git bisect run does).  Without
# --measure, BASE (a result file or directory) is required.
#
# Exit status, as git bisect run reads it:
#   0    good: nothing regressed beyond the threshold
#   1    bad: the metric regressed (the REGRESSED: line names the benchmark)
#   125  skip: the kernel or the module does not build at this commit, the
#        lab VM did not finish (panic, oops, timeout), or the samples are too
#        noisy to decide
#   128  abort: a setup error that no commit is to blame for (no BASE, not a
#        kernel tree, the pfnlab command does not build, unreadable results)
# With --measure: 0 when the baseline was written, 125 or 128 as above.
#
# Environment:
#   BASE       baseline results (file or directory), from --measure
#   OUT        kernel build directory (default: build/kernel-bisect in the
#              pfnlab tree); reused from step to step, so each rebuild is
#              incremental
#   METRIC     metric the verdict is about (default pin_ns_per_page)
#   THRESHOLD  effect threshold in percent (default 5)
#   ROUNDS     benchmark runs per boot, pooled by compare (default 3)
#   JOB        job file to run instead of the built-in driver pin job
#   STEP_DIR   where this step's results go (default: build/bisect/step)
#   VM_TIMEOUT seconds before the lab VM run is cut (default 600)
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

measure_dir=
case "${1:-}" in
--measure)
	[ $# -eq 2 ] || abort "usage: bisect-step.sh [--measure DIR]"
	measure_dir=$2
	;;
'') ;;
-h | --help)
	sed -n '4,/^set /{/^set /d;p;}' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*) abort "usage: bisect-step.sh [--measure DIR]" ;;
esac

ktree=$PWD
# Absolute: the module build and the VM runner run in other directories.
out=$(readlink -m "${OUT:-$PFNLAB_TOP/build/kernel-bisect}")
metric=${METRIC:-pin_ns_per_page}
threshold=${THRESHOLD:-5}
rounds=${ROUNDS:-3}
step_dir=${STEP_DIR:-$PFNLAB_TOP/build/bisect/step}
vm_timeout=${VM_TIMEOUT:-600}
build_kernel=${BUILD_KERNEL:-$PFNLAB_TOP/harness/vm/kconfig/build-kernel.sh}
vm_runner=${VM_RUNNER:-$PFNLAB_TOP/harness/vm/pfnlab-vm}

case "$rounds" in '' | *[!0-9]* | 0) abort "ROUNDS must be a positive integer, not '$rounds'" ;; esac
if [ -z "$measure_dir" ]; then
	[ -n "${BASE:-}" ] || abort "BASE is not set: measure the good commit first (--measure DIR)"
	[ -e "$BASE" ] || abort "BASE=$BASE does not exist"
fi
if [ ! -f "$ktree/Makefile" ] || [ ! -d "$ktree/arch/x86" ]; then
	abort "$ktree is not a kernel source tree (run from the top of the tree)"
fi

# Results of this step go to an empty directory of their own; a baseline
# is never overwritten, nor emptied by a step.
if [ -n "$measure_dir" ]; then
	dest=$measure_dir
	if [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
		abort "$dest is not empty: name a new directory for the baseline"
	fi
else
	dest=$step_dir
	case "$(readlink -m "$BASE")/" in
	"$(readlink -m "$dest")"/*) abort "STEP_DIR=$dest holds BASE=$BASE: name another" ;;
	esac
fi

# The job the guest runs: 4 KiB pages pay the pin cost once per page, so a
# slower pin path shows most there; 16 MiB keeps a TCG run short.
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

mkdir -p "$(dirname "$out")" || abort "cannot create the parent of $out"
# Name the commit only when the tree is a git checkout of its own (a tree
# unpacked inside another repository would name that one's commit).
label=$ktree
if [ "$(git -C "$ktree" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$ktree" && pwd -P)" ]; then
	label=$(git -C "$ktree" describe --always 2>/dev/null || echo "$ktree")
fi
say "building the kernel at $label into $out"
"$build_kernel" "$ktree" "$out" >"$out.log" 2>&1 || skip "the kernel does not build (log: $out.log)"
# Built here, although the VM runner rebuilds it too (incrementally): a
# module that does not build at this commit is a skip with its own message.
if [ -n "${BUILD_MODULE:-}" ]; then
	$BUILD_MODULE "$out" >>"$out.log" 2>&1
else
	make -s -C "$PFNLAB_TOP/driver" KDIR="$out" >>"$out.log" 2>&1
fi || skip "pfnlab.ko does not build against this kernel (log: $out.log)"

[ -n "$measure_dir" ] || rm -rf "$dest"
mkdir -p "$dest" || abort "cannot create $dest"
dest=$(cd "$dest" && pwd)

# One boot, ROUNDS runs; the job travels base64-encoded in the command.
b64=$(printf '%s\n' "$job_text" | base64 -w0)
commit=$(git -C "$PFNLAB_TOP" describe --always --dirty 2>/dev/null || echo unknown)
guest="echo $b64 | base64 -d >/tmp/job.ini && r=1 && while [ \$r -le $rounds ]; do"
guest+=" PFNLAB_SUITE_COMMIT=$commit pfnlab run -q -o /out/round\$r.json /tmp/job.ini || exit \$?;"
guest+=" r=\$((r + 1)); done"
say "running the benchmark in the lab VM ($rounds round(s))"
KERNEL=$out/arch/x86/boot/bzImage KBUILD=$out \
	"$vm_runner" --quiet --timeout "$vm_timeout" --out "$dest" -- sh -c "$guest"
rc=$?
nres=$(find "$dest" -maxdepth 1 -name 'round*.json' | wc -l)
# A round that failed, or a guest that died, leaves fewer result files.
if [ $rc -gt 1 ] || [ "$nres" -ne "$rounds" ]; then
	skip "the lab VM run ended with status $rc and $nres of $rounds result file(s) (console: $dest/console.log)"
fi

if [ -n "$measure_dir" ]; then
	say "baseline written to $dest"
	exit 0
fi
"$PFNLAB" compare --bisect --metric "$metric" --threshold "$threshold" "$BASE" "$dest" \
	>"$dest/compare.txt"
verdict=$?
grep -E 'metrics compared|^REGRESSED' "$dest/compare.txt" >&2
case $verdict in
0) say "good" ;;
1) say "bad" ;;
125) say "too noisy to decide" ;;
*) say "compare failed (exit $verdict; see $dest/compare.txt)" ;;
esac
exit "$verdict"
