# SPDX-License-Identifier: GPL-2.0
# NUMA heatmap: pin throughput for each CPU node x memory node pair.  The
# diagonal is local memory; off-diagonal cells show the remote penalty.
#
#   gnuplot -e "data='numa.tsv'; out='numa.svg'" plots/numa.gp
#
# data: one header line, then one line per measured pair:
#   cpu_node  mem_node  GiB_per_s(median)
# out:  *.svg or *.png;  nodata=1: an empty frame with a note
# subtitle: which benchmark group the cells come from

if (!exists("data")) data = 'numa.tsv'
if (!exists("out")) out = 'numa.svg'
if (!exists("subtitle")) subtitle = ''
if (out[strlen(out)-3:] eq '.png') {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 760,640 noenhanced font 'sans,11'
	} else {
		set terminal png size 760,640 noenhanced
	}
} else {
	set terminal svg size 760,640 noenhanced font 'sans,12' background '#ffffff'
}
set output out

set title "Pin throughput by CPU node and memory node\n".subtitle
set xlabel 'CPU node (threads bound to its cpuset)'
set ylabel 'memory node (buffer bound with libnuma)'
set cblabel 'pin throughput (GiB/s, median)'
set palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#7f2704')
unset key
set size ratio -1

if (exists("nodata") && nodata) {
	set xrange [-0.5:1.5]
	set yrange [-0.5:1.5]
	set label 1 'no pin benchmarks with node placement' at graph 0.5, 0.5 center
	plot NaN notitle
	exit
}
stats data using 1 nooutput
xmax = STATS_max
stats data using 2 nooutput
ymax = STATS_max
set xrange [-0.5:xmax + 0.5]
set yrange [-0.5:ymax + 0.5]
set xtics 1
set ytics 1
set cbrange [0:*]
plot data using 1:2:(0.5):(0.5):3 with boxxyerror fill solid 1.0 noborder lc palette, \
	'' using 1:2:(sprintf('%.3g', $3)) with labels font ',14'
