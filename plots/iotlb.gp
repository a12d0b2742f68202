# SPDX-License-Identifier: GPL-2.0
# IOTLB model: misses per MiB touched against the access window, one line per
# page size (the knee is where the window outgrows the IOTLB's reach).
#
#   gnuplot -e "data='iotlb.tsv'; out='iotlb.svg'" plots/iotlb.gp
#
# data: one block per series (two blank lines between blocks); the first line
#   of a block is a header whose column 1 is the series title.
#   columns: series  window_MiB  misses_per_MiB  ci95_lo  ci95_hi
# out:  *.svg or *.png;  nodata=1: an empty frame with a note

if (!exists("data")) data = 'iotlb.tsv'
if (!exists("out")) out = 'iotlb.svg'
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

set title "IOTLB misses vs access window\n".subtitle
set xlabel 'access window (MiB, log scale)'
set ylabel 'IOTLB misses per MiB (median, 95% CI)'
set logscale x 2
set grid
set key outside right top box

if (exists("nodata") && nodata) {
	unset key
	set xrange [1:1024]
	set yrange [0:1]
	set label 1 'no IOTLB benchmarks (op=iotlb) in these results' at graph 0.5, 0.5 center
	plot NaN notitle
	exit
}
set yrange [0:*]
stats data using 2 nooutput
# one x value only: widen the (log) range around it instead of a warning
if (STATS_min == STATS_max) set xrange [STATS_min / 2.0 : STATS_max * 2.0]
plot for [i=0:STATS_blocks-1] data index i using 2:3:4:5 \
	with yerrorlines lw 2 pt 7 title columnheader(1)
