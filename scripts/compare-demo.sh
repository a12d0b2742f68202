#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The injected-slowdown check of `pfnlab compare` (issue 5 acceptance): in
# one lab VM boot, run the driver pin benchmark as built ("base" and "again")
# and with the module parameter pin_delay_ns (a fixed delay per pinned page)
# set ("slow").  The three are interleaved in three rounds with the order
# rotated (base again slow / again slow base / slow base again), so that a
# drift of the machine's speed during the boot (TCG on a shared host) falls
# on every side alike instead of posing as a regression.  Then, on the host,
# with the rounds of each side pooled:
#   pfnlab compare base again   must exit 0 (same build, nothing regressed)
#   pfnlab compare base slow    must exit 1 and name pin_ns_per_page
#
#   scripts/compare-demo.sh [DELAY_NS]      (default 2000 ns per page)
#
# Results stay in build/compare-demo/ (base/, again/, slow/ with one file per
# round, the two compare outputs and the VM console log).  Exit 0 when both
# verdicts are as expected, 1 otherwise, 2 when the VM run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
delay=${1:-2000}
out=build/compare-demo
PFNLAB=build/harness/pfnlab

make -s -C harness -j2 >/dev/null || { echo "compare-demo: harness build failed" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"

# A pin-only job: 4 KiB pages (one delay per page); 5 samples per run,
# 15 per side after pooling the rounds.
job='[pin-driver]
backend = driver
op = pin
page = 4k
size = 16M
repetitions = 5
warmup = 1
'
b64=$(printf '%s' "$job" | base64 -w0)
param=/sys/module/pfnlab/parameters/pin_delay_ns
# One line: the runner quotes the command for the guest's busybox sh.
guest="echo $b64 | base64 -d >/tmp/pin.ini && mkdir -p /out/base /out/again /out/slow &&"
guest+=" one() { if [ \$1 = slow ]; then echo $delay >$param; fi;"
guest+=" pfnlab run -q -o /out/\$1/round\$2.json /tmp/pin.ini; r=\$?; echo 0 >$param; return \$r; } &&"
guest+=" one base 1 && one again 1 && one slow 1 && one again 2 && one slow 2 && one base 2 &&"
guest+=" one slow 3 && one base 3 && one again 3"
harness/vm/pfnlab-vm --quiet --timeout 500 --out "$out" -- sh -c "$guest"
rc=$?
if [ $rc -ne 0 ] || [ "$(ls "$out"/slow/*.json 2>/dev/null | wc -l)" -ne 3 ]; then
	echo "compare-demo: the VM run failed (exit $rc; console: $out/console.log)" >&2
	exit 2
fi

"$PFNLAB" compare "$out/base" "$out/again" >"$out/compare-same.txt" 2>&1
same=$?
"$PFNLAB" compare "$out/base" "$out/slow" >"$out/compare-slow.txt" 2>&1
slow=$?
echo "== same build: pfnlab compare exit $same (want 0)"
grep -E 'metrics compared|^  pin_ns_per_page' "$out/compare-same.txt"
echo "== pin_delay_ns=$delay: pfnlab compare exit $slow (want 1)"
grep -E 'metrics compared|^  pin_ns_per_page|^REGRESSED' "$out/compare-slow.txt"
if [ $same -eq 0 ] && [ $slow -eq 1 ] && grep -q '^REGRESSED: .* pin_ns_per_page' "$out/compare-slow.txt"; then
	echo "compare-demo: ok"
	exit 0
fi
echo "compare-demo: unexpected verdicts (see $out/compare-*.txt)"
exit 1
