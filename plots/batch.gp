# SPDX-License-Identifier: GPL-2.0
# pfn_batch fill: density (PFNs per run) and fill cost (ns per page) against
# batch capacity, one line per fill strategy and page kind.
#
#   gnuplot -e "data='batch.tsv'; out='batch.svg'" plots/batch.gp
#
# data: one block per series (blocks separated by two blank lines), the first
#   line of a block a header whose column 1 is the series title.
#   columns: series  capacity_runs  pfns_per_run  ci95_lo  ci95_hi
#            fill_ns_per_page  ci95_lo  ci95_hi
# out:  *.svg or *.png;  nodata=1: an empty frame with a note

if (!exists("data")) data = 'batch.tsv'
if (!exists("out")) out = 'batch.svg'
if (!exists("subtitle")) subtitle = ''
if (out[strlen(out)-3:] eq '.png') {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 1500,600 noenhanced font 'sans,11'
	} else {
		set terminal png size 1500,600 noenhanced
	}
} else {
	set terminal svg size 1500,600 noenhanced font 'sans,12' background '#ffffff'
}
set output out

set multiplot layout 1,2 title "pfn_batch fill by strategy and capacity\n".subtitle
set logscale x 2
set grid
set key outside right top box font ',9'
set xlabel 'batch capacity (runs, log scale)'

if (exists("nodata") && nodata) {
	unset key
	set xrange [1:4096]
	set yrange [0:1]
	set label 1 'no fill benchmarks (op=fill)' at graph 0.5, 0.5 center
	set ylabel 'density (PFNs per run)'
	plot NaN notitle
	set ylabel 'fill cost (ns/page)'
	plot NaN notitle
	unset multiplot
	exit
}
stats data using 2 nooutput
# one x value only: widen the (log) range around it instead of a warning
if (STATS_min == STATS_max) set xrange [STATS_min / 2.0 : STATS_max * 2.0]
nblocks = STATS_blocks

set title 'batch density (higher is better)'
set ylabel 'density (PFNs per run, median, 95% CI)'
set logscale y 2
plot for [i=0:nblocks-1] data index i using 2:3:4:5 \
	with yerrorlines lw 2 pt 7 title columnheader(1)

set title 'fill cost (lower is better)'
set ylabel 'fill cost (ns/page, median, 95% CI, log scale)'
set logscale y 10
plot for [i=0:nblocks-1] data index i using 2:6:7:8 \
	with yerrorlines lw 2 pt 7 title columnheader(1)
unset multiplot
