# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by pfnlab-lava and lava-check: how a LAVA log is read.

# lava_log_records LOG: the log's records, one JSON object a line.  A
# server serves its log as a YAML list ("- {...}"); lava-run prints the
# objects bare.  Either marks some strings with a YAML tag ('! "622"')
# that JSON has no word for: dropped.  A line that is not JSON is skipped.
lava_log_records() {
	sed -E 's/^- //; s/(: |, |\[)! "/\1"/g' "$1" | jq -c -R 'fromjson? // empty | select(type == "object")'
}
