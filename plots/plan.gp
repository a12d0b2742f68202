# SPDX-License-Identifier: GPL-2.0
# Capacity plan: the time of one operation against its size, per planned
# series (pfnlab plan; docs/plan.md), on log-log axes: the measured sizes
# (20% trimmed mean of their rounds, bars from the fastest to the slowest round), the
# fitted line (dashed) carried to the plan's target, and the 95% interval of
# one operation around it (band).
#
#   gnuplot -e "data='plan.tsv'; out='plan.svg'" plots/plan.gp
#
# data: blocks separated by two blank lines, two per series: first the
#   measured sizes (series  size_MiB  center_ns  min_ns  max_ns), then the
#   fit (series  size_MiB  ns  lo_ns  hi_ns); the first line of a block is
#   its header, column 1 of which is the series title.
# out:  *.svg or *.png (the extension picks the terminal)
# nodata=1: draw the empty frame with a note instead (no size sweep planned)

if (!exists("data")) data = 'plan.tsv'
if (!exists("out")) out = 'plan.svg'
if (!exists("subtitle")) subtitle = ''
if (out[strlen(out)-3:] eq '.png') {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 960,600 noenhanced font 'sans,11'
	} else {
		set terminal png size 960,600 noenhanced
	}
} else {
	set terminal svg size 960,600 noenhanced font 'sans,12' background '#ffffff'
}
set output out

set title "Capacity plan: time of one operation vs size\n".subtitle
set xlabel 'size (MiB, log scale)'
set ylabel 'time (ms, log scale)'
# log-log: a cost per page is a line of slope 1 whatever its size, and the
# fixed cost shows as the bend at the small end
set logscale x 2
set logscale y 10
set grid
set key outside right top box

if (exists("nodata") && nodata) {
	unset key
	set label 1 'no size sweep to plan (pin, map or read at 3 or more sizes)' at graph 0.5, 0.5 center
	set xrange [1:1024]
	set yrange [0.1:1]
	plot NaN notitle
	exit
}
stats data using 2 nooutput
nseries = STATS_blocks / 2
plot for [i=0:nseries-1] data index 2*i+1 using 2:($4/1e6):($5/1e6) \
		with filledcurves lc i+1 fs transparent solid 0.15 noborder notitle, \
	for [i=0:nseries-1] data index 2*i+1 using 2:($3/1e6) \
		with lines lc i+1 dt 2 lw 1.5 notitle, \
	for [i=0:nseries-1] data index 2*i using 2:($3/1e6):($4/1e6):($5/1e6) \
		with yerrorbars lc i+1 pt 7 ps 0.8 title columnheader(1)
