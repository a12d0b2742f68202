# SPDX-License-Identifier: GPL-2.0
# Per-commit trend of one metric: the median of each run with its 95% CI as a
# band, one line per benchmark; detected change points are ringed.
#
#   gnuplot -e "data='trend.tsv'; out='trend.svg'; ylabel='pin_ns_per_page (ns/page)'" plots/trend.gp
#
# data: one block per benchmark (two blank lines between blocks); the first
#   line of a block is a header whose column 1 is the series title.
#   columns: series  run_index  median  ci95_lo  ci95_hi
#            change_point (the median where a new segment starts, else NaN)
#            run_label (suite commit / kernel, for the x tics)
# ylabel: the metric and its unit;  nodata=1: an empty frame with a note

if (!exists("data")) data = 'trend.tsv'
if (!exists("out")) out = 'trend.svg'
if (!exists("subtitle")) subtitle = ''
if (!exists("ylabel")) ylabel = 'median'
if (out[strlen(out)-3:] eq '.png') {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 1100,700 noenhanced font 'sans,11'
	} else {
		set terminal png size 1100,700 noenhanced
	}
} else {
	set terminal svg size 1100,700 noenhanced font 'sans,12' background '#ffffff'
}
set output out

set title "Per-commit trend with change points\n".subtitle
set xlabel 'run (suite commit / kernel, in run order)'
set ylabel ylabel
set grid
set key below box
set xtics rotate by -30 font ',9'
set style fill transparent solid 0.2 noborder

if (exists("nodata") && nodata) {
	unset key
	set xrange [0:1]
	set yrange [0:1]
	set label 1 'no runs with this metric' at graph 0.5, 0.5 center
	plot NaN notitle
	exit
}
stats data using 2 nooutput
nblocks = STATS_blocks
set xrange [STATS_min - 0.5:STATS_max + 0.5]
plot for [i=0:nblocks-1] data index i using 2:4:5:xtic(7) with filledcurves lc i+1 notitle, \
	for [i=0:nblocks-1] data index i using 2:3 with linespoints lw 2 pt 7 lc i+1 title columnheader(1), \
	for [i=0:nblocks-1] data index i using 2:6 with points pt 6 ps 3 lw 2 lc rgb '#d62728' \
		title (i == 0 ? 'change point' : '')
