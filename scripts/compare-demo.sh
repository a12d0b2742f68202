#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The injected-slowdown check of the verdict method, on real runs, in one
# lab VM boot.  The module parameter pin_delay_ns busy-waits a fixed time
# per pinned page; set so that it adds PCT% to the 4 KiB pin, it is a known
# regression of a known size.  Each trial is one `pfnlab ab` inside the
# guest: side A with the delay off, side B with it on (or off too, for the
# A/A control), steps alternating A B B A ..., each step a new `pfnlab run`
# of one round of the driver pin benchmark (4 KiB pages, 16 MiB).
#
#   scripts/compare-demo.sh [-n TRIALS] [-a AA] [-p PAIRS] [-b BUDGET]
#                           [-m MAXPAIRS] [-x PCT]
#
#   -n TRIALS  A/B trials (default 20)
#   -a AA      A/A trials, spread evenly over the A/B ones (default 10, at
#              most TRIALS)
#   -p PAIRS   pairs each trial takes at least (default 5), then
#              --until-decided within -b BUDGET (default 240s per side)
#              and -m MAXPAIRS (default 250)
#   -x PCT     the slowdown injected, in percent of the 4 KiB pin (default 10)
#
# Prints one line per trial and two summary lines:
#   A/B: R of N trials regressed naming pin_ns_per_page, O with another
#        gated metric flagged, U undecided
#   A/A: F of AA trials flagged
# Results stay in build/compare-demo/ (each trial's ab directory, the VM
# console).  Exit 0 when the A/B trials are regressed in >= 95% with nothing
# else flagged and the A/A trials flagged in <= 5%; 1 otherwise; 2 when the
# VM run failed.  Not part of `make check`: the defaults take about 7
# minutes under TCG with the lab VM's instruction clock (90 with the
# host's clock).  docs/verdicts.md records its numbers.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
trials=20 aa='' pairs=5 budget=240s maxpairs=250 pct=10
while getopts n:a:p:b:m:x:h opt; do
	case $opt in
	n) trials=$OPTARG ;;
	a) aa=$OPTARG ;;
	p) pairs=$OPTARG ;;
	b) budget=$OPTARG ;;
	m) maxpairs=$OPTARG ;;
	x) pct=$OPTARG ;;
	*) sed -n '12,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
for v in "$trials" "$pairs" "$maxpairs" "$pct"; do
	case "$v" in '' | *[!0-9]* | 0) echo "compare-demo: -n, -p, -m and -x take positive integers" >&2; exit 2 ;; esac
done
[ -n "$aa" ] || aa=$((trials < 10 ? trials : 10))
case "$aa" in *[!0-9]*) echo "compare-demo: -a takes a count" >&2; exit 2 ;; esac
[ "$aa" -le "$trials" ] || { echo "compare-demo: -a is at most -n" >&2; exit 2; }
case "$budget" in
*s) budget_s=${budget%s} ;; *m) budget_s=$((${budget%m} * 60)) ;; *h) budget_s=$((${budget%h} * 3600)) ;; *) budget_s=$budget ;;
esac
case "$budget_s" in '' | *[!0-9]*) echo "compare-demo: -b takes a time such as 90s or 3m" >&2; exit 2 ;; esac
# The VM's limit: every side may use its whole budget, plus calibration.
vm_timeout=$(((trials + aa) * (budget_s + 30) + 600))
out=build/compare-demo
make -s -C harness -j2 >/dev/null || { echo "compare-demo: harness build failed" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"

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
# The guest script: ten rounds first, which get the guest past its first
# minute, when the measurement drifts (the first trial of an earlier run
# flagged its A/A side); then each trial sizes the delay from three rounds
# of its own, so that what is injected is PCT% of the pin as fast as the
# machine is then (a host that slows down for a while made a delay sized
# once as small as +8% of its pin: docs/verdicts.md, run 4), and runs its
# A/B and A/A sides.  $PFNLAB_AB_OUT and friends are set by pfnlab ab for
# each step.
guest=$(cat <<EOF
echo $b64 | base64 -d >/tmp/pin.ini
calibrate() {
	pfnlab run -q -r \$1 -o /tmp/cal.json /tmp/pin.ini || exit 2
	ns=\$(awk '/"pin_ns_per_page"/ { f = 1 } f && /"center"/ { gsub(/[^0-9.]/, "", \$2); print \$2; exit }' /tmp/cal.json)
	delay=\$(awk -v ns="\$ns" -v pct=$pct 'BEGIN { printf "%d", ns * pct / 100 + 0.5 }')
}
calibrate 10
echo "compare-demo: 4 KiB pin \$ns ns/page: pin_delay_ns \$delay for +$pct%" | tee /out/delay.txt
t=1
while [ \$t -le $trials ]; do
	calibrate 3
	echo "\$ns \$delay" >/out/delay-\$t.txt
	kinds=slow
	# A/A on AA of the TRIALS trials, spread evenly.
	[ \$(( t * $aa / $trials )) -gt \$(( (t - 1) * $aa / $trials )) ] && kinds="slow same"
	for kind in \$kinds; do
		d=\$delay; [ \$kind = same ] && d=0
		pfnlab ab -o /out/\$kind-\$t -p $pairs --until-decided --budget $budget --max-pairs $maxpairs --json \
			--a "echo 0 >$param; pfnlab run -q -r 1 -o \\"\\\$PFNLAB_AB_OUT\\" /tmp/pin.ini" \
			--b "echo \$d >$param; pfnlab run -q -r 1 -o \\"\\\$PFNLAB_AB_OUT\\" /tmp/pin.ini; r=\\\$?; echo 0 >$param; exit \\\$r" \
			>/out/\$kind-\$t.json 2>/out/\$kind-\$t.log
		echo "compare-demo: trial \$t \$kind: ab exit \$?"
		rm -rf /out/\$kind-\$t/steps
	done
	t=\$((t + 1))
done
EOF
)
harness/vm/pfnlab-vm --quiet --timeout "$vm_timeout" --out "$out" -- sh -c "$guest"
rc=$?
if [ $rc -ne 0 ] || [ ! -f "$out/delay.txt" ]; then
	echo "compare-demo: the VM run failed (exit $rc; console: $out/console.log)" >&2
	exit 2
fi
cat "$out/delay.txt"

named=0 other=0 undecided=0 aa_flagged=0
for ((t = 1; t <= trials; t++)); do
	s=$out/slow-$t.json a=$out/same-$t.json
	jq -e '.exit_status == 1 and any(.metrics[]; .kind == "gated" and .metric == "pin_ns_per_page" and .verdict == "regressed")' "$s" >/dev/null 2>&1 && named=$((named + 1))
	jq -e 'any(.metrics[]; .kind == "gated" and .metric != "pin_ns_per_page" and (.verdict == "regressed" or .verdict == "improved"))' "$s" >/dev/null 2>&1 && other=$((other + 1))
	jq -e 'all(.metrics[]; .metric != "pin_ns_per_page" or .verdict == "undecided")' "$s" >/dev/null 2>&1 && undecided=$((undecided + 1))
	jq -e '.summary.gated.regressed + .summary.gated.improved > 0' "$a" >/dev/null 2>&1 && aa_flagged=$((aa_flagged + 1))
	printf 'trial %2d (delay %s ns at %s ns/page): A/B %s, A/A %s\n' "$t" \
		"$(cut -d' ' -f2 "$out/delay-$t.txt" 2>/dev/null)" "$(cut -d' ' -f1 "$out/delay-$t.txt" 2>/dev/null | cut -c1-6)" \
		"$(jq -r '[.metrics[] | select(.kind == "gated") | "\(.metric) \(.verdict) \(((.ratio // 0) - 1) * 100 | floor)% (\(.base.rounds)+\(.new.rounds) rounds)"] | join(", ")' "$s" 2>/dev/null)" \
		"$( [ -f "$a" ] && jq -r '[.metrics[] | select(.kind == "gated") | "\(.metric) \(.verdict)"] | join(", ")' "$a" 2>/dev/null || echo -)"
done
echo "A/B: $named of $trials trials regressed naming pin_ns_per_page, $other with another gated metric flagged, $undecided undecided"
echo "A/A: $aa_flagged of $aa trials flagged"
[ $((named * 100)) -ge $((trials * 95)) ] && [ "$other" -eq 0 ] && [ $((aa_flagged * 100)) -le $((aa * 5)) ]
