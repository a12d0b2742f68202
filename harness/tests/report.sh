#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pfnlab plot and pfnlab report on synthetic results: every chart of the registry exists
# as TSV, SVG and PNG with titled axes; the HTML page is self-contained; it
# renders in headless Chromium with every image loaded and no console
# message; a screenshot is saved (build/harness/report-test/report.png).
# The same browser check is run on a deliberately broken page first, to
# show that it can fail.  Without gnuplot, one line says what to install.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PFNLAB=${PFNLAB:-$top/build/harness/pfnlab}
synth=$here/compare_synth.awk
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
keep=$top/build/harness/report-test
tmp=$(mktemp -d)
[ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
# shellcheck source=harness/tests/lib/common.sh
. "$here/lib/common.sh"


# browser PAGE OUTPREFIX [extra chromium args]: headless Chromium with a
# throw-away profile and nothing that reaches the network; the DOM after
# the load event goes to OUTPREFIX.dom, the browser's log to OUTPREFIX.log.
browser() {
	local page=$1 out=$2 profile
	shift 2
	profile=$(mktemp -d -p "$tmp")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" --enable-logging=stderr --v=0 \
		--virtual-time-budget=10000 "$@" "file://$page" >"$out.dom" 2>"$out.log"
}

# page_ok PREFIX WANT_IMAGES: the page's own script marked it loaded with
# every image decoded, recorded no error, and the browser logged no console
# message (console.log/error, CSP violations, uncaught exceptions all appear
# as ":CONSOLE" lines).
page_ok() {
	local body
	body=$(grep -o '<body[^>]*>' "$1.dom" | head -n 1)
	[[ $body == *'data-loaded="yes"'* ]] || { echo "  not loaded: $body"; return 1; }
	[[ $body == *"data-images=\"$2/$2\""* ]] || { echo "  images: $body"; return 1; }
	[[ $body != *data-errors* ]] || { echo "  script error: $body"; return 1; }
	if grep -q ':CONSOLE' "$1.log"; then
		grep ':CONSOLE' "$1.log" | sed 's/^/  /'
		return 1
	fi
	return 0
}

gen "$tmp/base.json" -v seed=1 -v started=2026-01-01T00:00:00Z
gen "$tmp/new.json" -v seed=3 -v slow=1.2 -v commit=def5678 -v started=2026-01-09T00:00:00Z
mkdir -p "$tmp/hist"
for i in 1 2 3 4 5 6; do
	s=1.0
	[ "$i" -ge 4 ] && s=1.2
	gen "$tmp/hist/r$i.json" -v seed=$((30 + i)) -v slow=$s -v commit=c$i -v started=2026-01-0${i}T00:00:00Z
done

# the model beside iommufd, from the lab VM's lab kernel: another host
gen "$tmp/anchors.json" -v seed=5 -v anchors=1 -v bcv=0.005 -v cv=0.005 -v host=labvm -v started=2026-01-09T00:00:00Z

# 1. plot: every chart, each TSV + SVG + PNG
"$PFNLAB" plot -o "$tmp/plots" --base "$tmp/base.json" --history "$tmp/hist" "$tmp/new.json" "$tmp/anchors.json" >"$tmp/out" 2>"$tmp/err"
check "plot exits 0" test $? -eq 0
# The chart registry, as `pfnlab plot --help` names it (harness/plot_charts.c).
charts=$("$PFNLAB" plot --help | sed -n 's/.*Charts: \(.*\)$/\1/p' | tr -d ',')
ncharts=$(wc -w <<<"$charts")
check "plot --help names the charts ($ncharts)" [ "$ncharts" -ge 7 ]
for c in $charts; do
	check "plot: $c.tsv has data" test "$(grep -cv '^$' "$tmp/plots/$c.tsv")" -gt 1
	check "plot: $c.svg is SVG" grep -q '<svg' "$tmp/plots/$c.svg"
	check "plot: $c.png is PNG" bash -c "head -c 8 '$tmp/plots/$c.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
done
check "plot: no gnuplot warnings" test ! -s "$tmp/err"
# titled axes with units, read from the rendered SVG text
axis() { grep -q -- "$2" "$tmp/plots/$1.svg" || { echo "  $1.svg lacks '$2'"; return 1; }; }
check "pin axes titled with units" bash -c "$(declare -f axis); tmp='$tmp'; axis pin_throughput 'buffer size (MiB' && axis pin_throughput 'GiB/s'"
check "batch axes titled with units" bash -c "$(declare -f axis); tmp='$tmp'; axis batch 'capacity (runs' && axis batch 'PFNs per run' && axis batch 'ns/page'"
check "iotlb axes titled with units" bash -c "$(declare -f axis); tmp='$tmp'; axis iotlb 'window (MiB' && axis iotlb 'misses per MiB'"
check "numa axes titled" bash -c "$(declare -f axis); tmp='$tmp'; axis numa 'CPU node' && axis numa 'memory node' && axis numa 'GiB/s'"
check "trend axes titled with units" bash -c "$(declare -f axis); tmp='$tmp'; axis trend 'pin_ns_per_page (ns/page' && axis trend 'suite commit'"
check "plan axes titled with units" bash -c "$(declare -f axis); tmp='$tmp'; axis plan 'size (MiB' && axis plan 'time (ms'"
check "anchors axes titled with units" bash -c "$(declare -f axis); tmp='$tmp'; axis anchors 'ns per 4 KiB page' && axis anchors 'kernel 6.12.0'"
check "compare axes titled" bash -c "$(declare -f axis); tmp='$tmp'; axis compare 'ratio NEW/BASE' && axis compare 'benchmark : metric'"
# the data behind the charts is the data in the results
check "numa heatmap: the 2 x 2 node pairs" test "$(tail -n +2 "$tmp/plots/numa.tsv" | wc -l)" -eq 4
# gated rows only: pin and unpin ns per page of 10 pin series, fill ns per page of 8
check "compare chart: the 28 gated rows, regressions first" bash -c "[ \$(tail -n +2 '$tmp/plots/compare.tsv' | wc -l) -eq 28 ] && sed -n 2p '$tmp/plots/compare.tsv' | grep -q regressed"
check "trend: change point marked at run 3" bash -c "awk -F'\t' '\$6 != \"NaN\" && \$2 == 3' '$tmp/plots/trend.tsv' | grep -q ."

# model vs kernel: a row per page kind, a column per path that ran the op
check "anchors chart: pin of 3 paths, map of 2, on 4k and thp" bash -c \
	"awk -v RS= 'NR == 1' '$tmp/plots/anchors.tsv' | grep -c . | grep -qx 3 &&
	 head -n 1 '$tmp/plots/anchors.tsv' | awk -F'\t' '{ exit NF != 4 }' &&
	 awk -v RS= 'NR == 2' '$tmp/plots/anchors.tsv' | head -n 1 | awk -F'\t' '{ exit NF != 3 }'"

# 2. empty charts say so instead of failing
jq '.benchmarks |= map(select(.params.op != "iotlb"))' "$tmp/new.json" >"$tmp/noiotlb.json"
"$PFNLAB" plot -o "$tmp/plots2" "$tmp/noiotlb.json" >"$tmp/out" 2>&1
check "plot without iotlb data still exits 0" test $? -eq 0
check "iotlb chart drawn empty" bash -c "grep -q 'no data' '$tmp/out' && grep -q 'no IOTLB benchmarks' '$tmp/plots2/iotlb.svg'"

# 3. report: one self-contained page
"$PFNLAB" report -o "$tmp/report" --base "$tmp/base.json" --history "$tmp/hist" "$tmp/new.json" "$tmp/anchors.json" >"$tmp/out" 2>"$tmp/err"
check "report exits 0" test $? -eq 0
page=$tmp/report/index.html
check "report prints the page path" grep -qx "$page" "$tmp/out"
check "report embeds every chart ($ncharts)" test "$(grep -o '<img ' "$page" | wc -l)" -eq "$ncharts"
check "report has the capacity plan section" grep -q '<h2 id="plan">Capacity plan</h2>' "$page"
# the synthetic pin sweeps are 64, 256 and 1024 MiB: planned, and checked against 1 GiB
check "report plans the uring 4k pin sweep with its check" bash -c "grep -A0 '<td>uring pin 4k</td><td>3: 64 MiB .. 1 GiB</td>' '$page' | grep -Eq 'class=\"(ok|bad)\">1 GiB: '"
# each path against iommufd's: 720/400, 560/400 (not the later 1120 of the
# same parameters) and 470/150 ns per page
check "report: model vs kernel, each path's ratio to iommufd" bash -c \
	"grep -q '<h2 id=\"anchors\">Model vs kernel</h2>' '$page' &&
	 grep -Eq '<tr><td>model, per-page fill</td><td class=\"n\">[0-9.]+ \(1\.[78][0-9]x\)</td><td class=\"n\">[0-9.]+ \(3\.[0-2][0-9]x\)' '$page' &&
	 grep -Eq '<tr><td>model, run-aware fill</td><td class=\"n\">[0-9.]+ \(1\.[34][0-9]x\)' '$page' &&
	 grep -Eq '<tr><td>iommufd</td><td class=\"n\">[0-9.]+ \(1\)' '$page'"
check "report has no external reference" bash -c "! grep -Eo '(src|href)=\"[^\"#][^\"]*\"' '$page' | grep -v '^src=\"data:image/svg+xml;base64,'"
check "report forbids network by CSP" grep -q "default-src 'none'" "$page"
check "report shows the compare verdicts" grep -q '<tr class="regressed">' "$page"
check "report shows the skipped benchmark and why" grep -q 'hugetlb 1 GiB pool is empty' "$page"
check "report shows the environment record" grep -q 'Synthetic CPU' "$page"

# 4. the browser check, first on a broken page: it must fail
if [ -x "$CHROMIUM" ]; then
	cat >"$tmp/broken.html" <<-'EOF'
	<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
	<script>
	window.addEventListener('load', function () {
	  var imgs = document.images, ok = 0;
	  for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
	  document.body.setAttribute('data-images', ok + '/' + imgs.length);
	  document.body.setAttribute('data-loaded', 'yes');
	});
	</script>
	<img src="data:image/png;base64,AAAA"><script>console.error('x');</script>
	</body></html>
	EOF
	browser "$tmp/broken.html" "$tmp/broken" --dump-dom
	check "broken page: loaded, so the browser ran" grep -q 'data-loaded="yes"' "$tmp/broken.dom"
	check "broken page: the image is reported undecoded" grep -q 'data-images="0/1"' "$tmp/broken.dom"
	check "broken page: the console message is seen" grep -q ':CONSOLE' "$tmp/broken.log"
	check "browser check fails on the broken page" bash -c "$(declare -f page_ok); ! page_ok '$tmp/broken' 1 >/dev/null"

	browser "$page" "$tmp/page" --dump-dom
	check "report renders: loaded, $ncharts/$ncharts images, no console message" page_ok "$tmp/page" "$ncharts"
	check "rendered DOM holds the report" grep -q '<h1>pfnlab report</h1>' "$tmp/page.dom"
	mkdir -p "$keep"
	rm -f "$keep/report.png"
	browser "$page" "$tmp/shot" --hide-scrollbars --window-size=1280,3000 --screenshot="$keep/report.png"
	check "screenshot saved ($keep/report.png)" bash -c "head -c 8 '$keep/report.png' | od -An -tx1 | grep -q '89 50 4e 47' && [ \$(stat -c %s '$keep/report.png') -gt 20000 ]"
else
	bad "chromium not found at $CHROMIUM (apt-get install chromium)"
fi

# 5. gnuplot missing: one line naming the package; the page is still written
PATH=/nonexistent "$PFNLAB" report -o "$tmp/report-nognuplot" "$tmp/new.json" >"$tmp/out" 2>"$tmp/err"
check "report without gnuplot exits 0" test $? -eq 0
check "without gnuplot: one line saying what to install" bash -c "[ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'apt-get install gnuplot-nox' '$tmp/err'"
check "without gnuplot: page says so" grep -q 'gnuplot is not installed' "$tmp/report-nognuplot/index.html"
PATH=/nonexistent "$PFNLAB" plot -o "$tmp/plots3" "$tmp/new.json" >"$tmp/out" 2>"$tmp/err"
check "plot without gnuplot exits 2 with the install line" bash -c "[ $? -eq 2 ] && grep -q 'apt-get install gnuplot-nox' '$tmp/err'"

# 6. bad input: nothing written
head -c 300 "$tmp/new.json" >"$tmp/trunc.json"
"$PFNLAB" report -o "$tmp/report-bad" "$tmp/trunc.json" >"$tmp/out" 2>"$tmp/err"
check "report on a truncated file exits 2" test $? -eq 2
check "report names the truncated file" grep -q 'trunc.json: truncated JSON' "$tmp/err"
check "report on bad input leaves nothing behind" test ! -e "$tmp/report-bad"

finish report.sh
