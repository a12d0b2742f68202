#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ab-modules: two builds of pfnlab.ko measured in alternation in one lab VM
# boot.  Side A is the module of git revision REV, side B the working
# tree's; each `pfnlab ab` step unloads the module, loads its side's, and
# runs one round of JOB (default: pin and map of 4 KiB and THP buffers).
# What a change to the module costs, or saves, with the machine's drift
# falling on both sides alike.
#
#   scripts/ab-modules.sh [-p PAIRS] [-b BUDGET] [-o DIR] REV [JOB]
#
#   -p PAIRS   A-B pairs at least (default 6), then --until-decided
#   -b BUDGET  time for more pairs while undecided (default 5m)
#   -o DIR     where the result goes (default build/ab-modules): a.json,
#              b.json, compare.txt (the table), compare.json, console.log
#
# Exit status: pfnlab ab's (0 no gated metric regressed, 1 one did), 2
# when a build or the VM run failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
top=$PWD
pairs=6 budget=5m out=$top/build/ab-modules
while getopts p:b:o:h opt; do
	case $opt in
	p) pairs=$OPTARG ;;
	b) budget=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '11,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	sed -n '11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
rev=$1
job=${2:-}
. harness/vm/lib.sh
resolve_kernel || exit 2

die() { echo "ab-modules: $*" >&2; exit 2; }
git rev-parse --verify -q "$rev^{commit}" >/dev/null || die "$rev is not a git revision"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/tree" "$rev" || die "cannot check out $rev"
make -s -C "$work/tree/driver" KDIR="$VM_KDIR" >"$work/build-a.log" 2>&1 ||
	die "the module of $rev does not build (log: $work/build-a.log)"
ko_a=$(make -s -C "$work/tree/driver" print-ko KDIR="$VM_KDIR")
cp "$ko_a" "$work/pfnlab-a.ko"
make -s -C driver KDIR="$VM_KDIR" >/dev/null 2>&1 || die "the working tree's module does not build"
make -s -C harness -j2 >/dev/null 2>&1 || die "the harness does not build"

if [ -z "$job" ]; then
	job=$work/job.ini
	cat >"$job" <<'INI'
[defaults]
backend = driver
size = 16M
repetitions = 5
warmup = 1
[pin]
op = pin
page = 4k, thp
[map]
op = map
page = 4k, thp
INI
fi
b64=$(base64 -w0 "$job")
step() {	# step KO: unload, load KO, one round
	# shellcheck disable=SC2016 # $PFNLAB_AB_OUT expands when ab runs the step
	printf 'rmmod pfnlab; insmod %s && pfnlab run -q -r 1 -o "$PFNLAB_AB_OUT" /tmp/job.ini' "$1"
}
rm -rf "$out"
mkdir -p "$out"
guest="echo $b64 | base64 -d >/tmp/job.ini && pfnlab ab -o /out/ab -p $pairs --until-decided --budget $budget \
--a '$(step /with/pfnlab-a.ko)' --b '$(step /pfnlab/pfnlab.ko)' >/out/compare.txt 2>/out/ab.log; r=\$?; \
pfnlab compare --json /out/ab/a.json /out/ab/b.json >/out/compare.json 2>/dev/null; rm -rf /out/ab/steps; exit \$r"
harness/vm/pfnlab-vm --quiet --timeout 3600 --with "$work/pfnlab-a.ko" --out "$out" -- sh -c "$guest"
rc=$?
[ -f "$out/compare.txt" ] || die "the VM run failed (exit $rc; console: $out/console.log)"
echo "A: pfnlab.ko at $rev; B: the working tree's ($(git describe --always --dirty))"
grep -E '^noise model|metrics compared|^REGRESSED' "$out/compare.txt"
cat "$out/ab.log" >&2
exit "$rc"
