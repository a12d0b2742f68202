# SPDX-License-Identifier: GPL-2.0
#
# cases.jq: the LAVA test cases of one pfnlab results document, one line
# each, tab-separated: CASE, RESULT (pass, fail or skip), MEASUREMENT and
# UNITS (both empty for a case without one).
#
# The guest's test script (pfnlab-lava-test) reports these through
# lava-test-case; `pfnlab lava import` runs the same filter on the document
# that came back and checks that LAVA recorded every case with the same
# measurement.  One filter for both sides, so the two cannot disagree on
# what is expected.
#
#   a benchmark that ran (ok, or flagged: measured, but its placement or
#   page kind did not come true) gives one case per gated metric, its
#   median over every sample, pass when ok and fail when flagged (fail,
#   and no measurement, for a metric with no median);
#   a skipped one gives one case, skip; a failed or missing one, fail.
#
# Case names: the section, the values of the parameters that differ
# between the cases of that section, and the metric, joined by dots, with
# every character LAVA does not take in a name replaced by "_" (it keeps
# letters, digits, "." "_" and "-"): "smoke-pin.4k.pin_ns_per_page".
# LAVA keeps names of up to 100 characters; a longer one becomes the
# section and the case's position in it: "sweep.3.pin_ns_per_page".

def clean: gsub("[^A-Za-z0-9._-]"; "_");

# The parameters of a section's cases whose values differ between them.
def varying($cases):
	[$cases[0].params | keys[] as $k
	 | select(([$cases[] | .params[$k] | tostring] | unique | length) > 1) | $k];

# A number as LAVA stores it: plain decimal, never an exponent (a
# measurement it cannot parse silently drops the case).
def decimal:
	if . == (. | floor) and (. | fabs) < 1e15 then tostring
	else (. * 1e6 | round / 1e6) as $r
		| if ($r | fabs) < 1e-6 then "0" else ($r | tostring) end
	end;

.benchmarks as $all
| [$all | to_entries[] | {i: .key, b: .value}]
| group_by(.b.name)
| map(varying([.[].b]) as $vary | to_entries[]
	| .key as $pos | .value
	| .b.name as $name
	| ([$vary[] as $k | .b.params[$k] | tostring] | join(".")) as $which
	| {i, b, base: (if $which == "" then $name else $name + "." + $which end | clean),
	   short: ($name + "." + ($pos + 1 | tostring) | clean)})
| flatten
| sort_by(.i)[]
| .b as $b
| if $b.status == "ok" or $b.status == "flagged" then
	($b.metrics | to_entries[] | select(.value.kind == "gated")) as $m
	| (.base + "." + $m.key) as $long
	| (if ($long | length) <= 100 then $long else .short + "." + $m.key end) as $case
	| $m.value.summary.median as $median
	| if ($median | type) == "number" then
		[$case, (if $b.status == "ok" then "pass" else "fail" end), ($median | decimal), $m.value.unit]
	  else [$case, "fail", "", ""] end
  else
	[(if (.base | length) <= 100 then .base else .short end),
	 (if $b.status == "skipped" then "skip" else "fail" end), "", ""]
  end
| @tsv
