#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The injected-slowdown check of `pfnlab compare` (issue 5 acceptance): in
# one lab VM boot, run the driver pin benchmark three times: twice as built,
# then with the module parameter pin_delay_ns (a fixed delay per pinned
# page) set.  Then, on the host:
#   pfnlab compare base again   must exit 0 (same build, nothing regressed)
#   pfnlab compare base slow    must exit 1 and name pin_ns_per_page
#
#   scripts/compare-demo.sh [DELAY_NS]      (default 2000 ns per page)
#
# Results stay in build/compare-demo/ (base.json, again.json, slow.json,
# the two compare outputs and the VM console log).  Exit 0 when both
# verdicts are as expected, 1 otherwise, 2 when the VM run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
delay=${1:-2000}
out=build/compare-demo
PFNLAB=build/harness/pfnlab

make -s -C harness -j2 >/dev/null || { echo "compare-demo: harness build failed" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"

# A pin-only job: 4 KiB pages (one delay per page), enough repetitions for
# the rank test to reach significance after BH correction.
job='[pin-driver]
backend = driver
op = pin
page = 4k
size = 16M
repetitions = 10
warmup = 1
'
b64=$(printf '%s' "$job" | base64 -w0)
param=/sys/module/pfnlab/parameters/pin_delay_ns
harness/vm/pfnlab-vm --quiet --timeout 400 --out "$out" -- sh -c "
echo $b64 | base64 -d >/tmp/pin.ini &&
pfnlab run -q -o /out/base.json /tmp/pin.ini &&
pfnlab run -q -o /out/again.json /tmp/pin.ini &&
echo $delay >$param &&
pfnlab run -q -o /out/slow.json /tmp/pin.ini &&
echo 0 >$param"
rc=$?
if [ $rc -ne 0 ] || [ ! -f "$out/slow.json" ]; then
	echo "compare-demo: the VM run failed (exit $rc; console: $out/console.log)" >&2
	exit 2
fi

"$PFNLAB" compare "$out/base.json" "$out/again.json" >"$out/compare-same.txt" 2>&1
same=$?
"$PFNLAB" compare "$out/base.json" "$out/slow.json" >"$out/compare-slow.txt" 2>&1
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
