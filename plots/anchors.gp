# SPDX-License-Identifier: GPL-2.0
# Model vs kernel: ns per 4 KiB page of the module's pin and map beside the
# kernel paths it models (iommufd, VFIO type1, io_uring, gup_test), on the
# same buffers; clustered bars by page kind, one bar per path.
#
#   gnuplot -e "data='anchors.tsv'; out='anchors.svg'; npin=5; nmap=4" plots/anchors.gp
#
# data: two blocks separated by two blank lines, pin then map+unmap; the
#   first line of a block names its columns (the block, then one per path),
#   then one line per page kind and size: its name and ns per 4 KiB page
#   for each path ("-": not measured on that page kind).
# npin, nmap: the path columns of each block (0: the block is empty)
# subtitle: host, kernel and hypervisor (the lab VM's TCG says: emulated)
# out:  *.svg or *.png;  nodata=1: an empty frame with a note

if (!exists("data")) data = 'anchors.tsv'
if (!exists("out")) out = 'anchors.svg'
if (!exists("subtitle")) subtitle = ''
if (!exists("npin")) npin = 0
if (!exists("nmap")) nmap = 0
if (out[strlen(out)-3:] eq '.png') {
	if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
		set terminal pngcairo size 1100,900 noenhanced font 'sans,11'
	} else {
		set terminal png size 1100,900 noenhanced
	}
} else {
	set terminal svg size 1100,900 noenhanced font 'sans,12' background '#ffffff'
}
set output out

if (exists("nodata") && nodata) {
	set title "Model vs kernel: ns per 4 KiB page"
	unset key
	set label 1 'no kernel anchors (iommufd, vfio, gup_test) in these results' at graph 0.5, 0.5 center
	plot [0:1] [0:1] NaN notitle
	exit
}
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
# log y: huge pages cost one to two orders of magnitude less per 4 KiB page
set logscale y 10
set yrange [1:*]
set grid ytics
set key outside right top box
set ylabel 'ns per 4 KiB page (log scale)'
# the same plot width in both panels, whatever their legends' widths
set lmargin at screen 0.08
set rmargin at screen 0.68

# one panel above the other, each with its legend at its right
set multiplot layout 2,1 title "Model vs kernel, same buffers, center of the rounds\n".subtitle
set title 'pin (model: ACCESS_PIN; iommufd: ACCESS_PAGES into its xarray)'
if (npin > 0) {
	plot for [c=2:npin+1] data index 0 using c:xtic(1) title columnheader(c)
} else {
	unset key
	plot [0:1] [1:10] NaN notitle
}
set title 'map + unmap (model: MAP/UNMAP; iommufd: IOAS_MAP/UNMAP; VFIO: MAP_DMA/UNMAP_DMA)'
set key outside right top box
set key
if (nmap > 0) {
	plot for [c=2:nmap+1] data index 1 using c:xtic(1) title columnheader(c)
} else {
	unset key
	plot [0:1] [1:10] NaN notitle
}
unset multiplot
