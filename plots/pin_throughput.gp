# SPDX-License-Identifier: GPL-2.0
# Pin throughput against buffer size: one line per page kind and backend.
#
#   gnuplot -e "data='pin_throughput.tsv'; out='pin_throughput.svg'" plots/pin_throughput.gp
#
# data: blocks separated by two blank lines, one block per series; the first
#   line of a block is its header, column 1 of which is the series title.
#   columns: series  size_MiB  GiB_per_s(median)  ci95_lo  ci95_hi
# out:  *.svg or *.png (the extension picks the terminal)
# nodata=1: draw the empty frame with a note instead (no data in the results)

if (!exists("data")) data = 'pin_throughput.tsv'
if (!exists("out")) out = 'pin_throughput.svg'
if (!exists("subtitle")) subtitle = ''
if (out[strlen(out)-3:] eq '.png') {
	# pngcairo is in gnuplot-nox; plain (libgd) png is the fallback
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 960,600 noenhanced font 'sans,11'
	} else {
		set terminal png size 960,600 noenhanced
	}
} else {
	set terminal svg size 960,600 noenhanced font 'sans,12' background '#ffffff'
}
set output out

set title "Pin throughput vs buffer size\n".subtitle
set xlabel 'buffer size (MiB, log scale)'
set ylabel 'pin throughput (GiB/s, median, 95% CI, log scale)'
# log y: huge pages pin two or three orders of magnitude faster than 4 KiB
# pages, and the TCG lab VM far slower than the host; all must stay visible
set logscale x 2
set logscale y 10
set grid
set key outside right top box

if (exists("nodata") && nodata) {
	unset key
	set label 1 'no pin benchmarks (op=pin) in these results' at graph 0.5, 0.5 center
	set xrange [1:1024]
	set yrange [0.1:1]
	plot NaN notitle
	exit
}
stats data using 2 nooutput
# one x value only: widen the (log) range around it instead of a warning
if (STATS_min == STATS_max) set xrange [STATS_min / 2.0 : STATS_max * 2.0]
plot for [i=0:STATS_blocks-1] data index i using 2:3:4:5 \
	with yerrorlines lw 2 pt 7 title columnheader(1)
