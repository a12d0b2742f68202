# SPDX-License-Identifier: GPL-2.0
# Compare: NEW/BASE ratio of medians per metric with its bootstrap 95% CI,
# coloured by verdict (red regressed, green improved, orange noisy, grey
# unchanged).  The dashed lines are 1 +- threshold.
#
#   gnuplot -e "data='compare.tsv'; out='compare.svg'; threshold=0.05" plots/compare.gp
#
# data: one header line, then one line per metric:
#   row  label  ratio  ci95_lo  ci95_hi  colour(0xRRGGBB)  verdict
# threshold: the effect threshold as a fraction;  nrows: rows (sizes the chart)
# nodata=1: an empty frame with a note (no BASE given, or nothing in common)

if (!exists("data")) data = 'compare.tsv'
if (!exists("out")) out = 'compare.svg'
if (!exists("subtitle")) subtitle = ''
if (!exists("threshold")) threshold = 0.05
if (!exists("nrows")) nrows = 10
height = 220 + 22 * nrows
if (out[strlen(out)-3:] eq '.png') {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 1300,height noenhanced font 'sans,10'
	} else {
		set terminal png size 1300,height noenhanced
	}
} else {
	set terminal svg size 1300,height noenhanced font 'sans,11' background '#ffffff'
}
set output out

# Titles centred on the canvas: the long y labels push the plot area right.
set label 100 'Compare: NEW / BASE ratio of medians per metric' at screen 0.5, screen 1 - 22.0 / height center font ',13'
set label 101 subtitle at screen 0.5, screen 1 - 42.0 / height center
set tmargin 4
set xlabel 'ratio NEW/BASE of medians (log scale; 1 = no change; bootstrap 95% CI)'
set ylabel 'benchmark : metric' offset 1,0
set grid x
unset key
set ytics font ',9'

if (exists("nodata") && nodata) {
	set xrange [0.8:1.2]
	set yrange [0:1]
	set label 1 'nothing to compare (no baseline given, or no benchmark in common)' at graph 0.5, 0.5 center
	plot NaN notitle
	exit
}
set yrange [nrows - 0.3:-0.7]
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb '#000000' lw 1.5
set arrow 2 from 1 - threshold, graph 0 to 1 - threshold, graph 1 nohead dt 2 lc rgb '#555555'
set arrow 3 from 1 + threshold, graph 0 to 1 + threshold, graph 1 nohead dt 2 lc rgb '#555555'
# log x: a halving and a doubling are the same distance from 1
set logscale x 2
plot data using 3:1:($3 < 1 ? $3 : 1):($3 > 1 ? $3 : 1):($1 - 0.35):($1 + 0.35):6:ytic(2) \
		with boxxyerror fill solid 0.8 noborder lc rgb variable, \
	'' using 3:1:4:5 with xerrorbars pt 7 ps 0.6 lc rgb '#000000'
