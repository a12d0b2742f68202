# SPDX-License-Identifier: GPL-2.0
# Checks a pfnlab results document against results/README.md (schema 2).
# Prints one line per violation; no output means the document is valid.
#   jq -r -f harness/tests/results_schema.jq RESULT.json

def num: type == "number";
def str: type == "string";
def bool: type == "boolean";
def obj: type == "object";
def arr: type == "array";
def strnull: . == null or type == "string";
def need($path; test; $what):
  if (try (getpath($path) | test) catch false) then empty
  else "\($path | map(tostring) | join(".")): \($what)" end;

def check_summary($p):
  need($p + ["n"]; num and . >= 1; "integer >= 1"),
  (["median","mean","stddev","min","max","p10","p90","ci95_lo","ci95_hi","cv","center"][]
    as $k | need($p + [$k]; num; "number")),
  need($p + ["noisy"]; bool; "boolean"),
  need($p + ["log_scale"]; bool; "boolean"),
  need($p + ["rounds"]; num and . >= 1; "integer >= 1"),
  need($p + ["round_medians"]; arr and all(.[]; num or . == null); "array of numbers or null"),
  (["between_round_cv","within_round_cv","mde95"][] as $k |
    need($p + [$k]; num or . == null; "number or null")),
  need($p + ["ci_method"]; . == "rounds" or . == "order-statistics"; "rounds|order-statistics"),
  (getpath($p) | if obj and .min <= .median and .median <= .max then empty
     else "\($p | map(tostring) | join(".")): min <= median <= max violated" end),
  (getpath($p) | if obj and ((.ci_method == "rounds" and .ci95_lo <= .center and .center <= .ci95_hi)
       or (.ci_method == "order-statistics" and .ci95_lo <= .median and .median <= .ci95_hi))
     then empty else "\($p | map(tostring) | join(".")): the 95% interval does not hold its estimate" end),
  (getpath($p) | if obj and ((.rounds >= 2) == (.ci_method == "rounds")) then empty
     else "\($p | map(tostring) | join(".")): ci_method must be rounds exactly when rounds >= 2" end);

def check_metric($p):
  need($p + ["unit"]; str; "string"),
  need($p + ["better"]; . == "lower" or . == "higher"; "lower|higher"),
  need($p + ["kind"]; . == "gated" or . == "detail" or . == "layout"; "gated|detail|layout"),
  need($p + ["rounds"]; arr and all(.[]; arr and all(.[]; num)); "array of arrays of numbers"),
  (if getpath($p + ["summary"]) == null then empty else check_summary($p + ["summary"]) end),
  (getpath($p) | if (.summary != null) and (.summary.n != ([.rounds[][]] | length))
     then "\($p | map(tostring) | join(".")): summary.n != number of samples" else empty end),
  (getpath($p) | if (.summary != null) and (.summary.rounds != ([.rounds[] | select(length > 0)] | length))
     then "\($p | map(tostring) | join(".")): summary.rounds != rounds with samples" else empty end);

def check_bench($i):
  ["benchmarks", $i] as $b |
  need($b + ["name"]; str; "string"),
  need($b + ["key"]; str; "string"),
  (.benchmarks[$i] | .name as $n | if (.key | str and startswith($n + "|")) then empty
     else "benchmarks.\($i).key: does not start with name|" end),
  need($b + ["params"]; obj; "object"),
  (["backend","op","page","fill","pattern"][] as $k | need($b + ["params", $k]; str; "string")),
  (["size","mem_node","cpu_node","threads","pages_per_call","batch_runs","window","rounds"][]
    as $k | need($b + ["params", $k]; num; "number")),
  # Which names exist is the binary's registry (cli.sh checks each result's
  # backend against `pfnlab info --json`): here, only that it is a name.
  need($b + ["params","backend"]; test("^[a-z][a-z0-9_]*$"); "a backend name"),
  need($b + ["status"]; . == "ok" or . == "skipped" or . == "failed" or . == "flagged" or . == "missing";
       "ok|skipped|failed|flagged|missing"),
  need($b + ["rounds"]; arr and all(.[]; obj and (.round | num) and (.samples | num) and (.measured_s | num) and
                                               ((.started_s == null) or (.started_s | num and . >= 0)));
       "array of {round, started_s, placement, samples, measured_s, backend_info}"),
  need($b + ["interrupted"]; bool; "boolean"),
  (.benchmarks[$i] | if .paired == null or (.paired | obj and (.reference | str) and (.metrics | obj))
     then empty else "benchmarks.\($i).paired: null or {reference, metrics}" end),
  (.benchmarks[$i] | if (.status == "ok" or .status == "flagged") and (.rounds | length) == 0
     then "benchmarks.\($i).rounds: empty for a measured benchmark" else empty end),
  need($b + ["reason"]; strnull; "string or null"),
  (.benchmarks[$i] | if (.status != "ok") and (.reason | type) != "string"
     then "benchmarks.\($i).reason: required when status is \(.status)" else empty end),
  (.benchmarks[$i] | if .placement == null then empty else
     ( if (.placement | obj and (.on_node_fraction | num) and (.huge_fraction | num)
           and (.ok | bool) and (.page_requested | str) and (.mem_node | num) and (.cpu_node | num))
       then empty else "benchmarks.\($i).placement: malformed" end) end),
  need($b + ["metrics"]; obj; "object"),
  ((.benchmarks[$i].metrics // {} | keys[]) as $m | check_metric($b + ["metrics", $m])),
  (.benchmarks[$i] | if .status == "ok" and (.metrics | length) == 0
     then "benchmarks.\($i).metrics: empty for status ok" else empty end),
  need($b + ["counters"]; obj; "object"),
  (.benchmarks[$i].counters // {} | to_entries[] |
     if (.value.supported == true and (.value.unit | str) and (.value.values | arr))
        or (.value.supported == false and (.value.reason | str))
     then empty else "benchmarks.\($i).counters.\(.key): malformed" end),
  need($b + ["threads"]; arr; "array"),
  (.benchmarks[$i].threads // [] | to_entries[] |
     if (.value.thread | num) and (.value.metrics | obj) then empty
     else "benchmarks.\($i).threads.\(.key): malformed" end);

need(["schema_version"]; . == 2; "2"),
need(["tool","name"]; . == "pfnlab"; "pfnlab"),
need(["tool","version"]; str; "string"),
need(["suite_commit"]; str; "string"),
need(["started_utc"]; str and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"); "UTC time"),
need(["finished_utc"]; str and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"); "UTC time"),
need(["complete"]; bool; "boolean"),
need(["incomplete_reason"]; strnull; "string or null"),
(if .complete == false and (.incomplete_reason | type) != "string"
   then "incomplete_reason: required when complete is false" else empty end),
need(["hostname"]; str; "string"),
need(["environment","kernel","release"]; str; "string"),
need(["environment","kernel","cmdline"]; str; "string"),
need(["environment","kernel","config_sha256"]; strnull; "string or null"),
need(["environment","kernel","max_page_order"]; . == null or (num and . >= 0 and . == floor);
     "non-negative integer or null"),
need(["environment","cpu","cores"]; num; "number"),
need(["environment","cpu","threads"]; num; "number"),
need(["environment","cpu","smt"]; bool; "boolean"),
need(["environment","numa","nodes"]; arr and length >= 1; "non-empty array"),
need(["environment","numa","distances"]; arr; "array"),
need(["environment","thp","enabled"]; str; "string"),
need(["environment","iommu","present"]; bool; "boolean"),
need(["environment","iommu","mode"]; str; "string"),
need(["environment","virtualized"]; bool; "boolean"),
need(["environment","vm_clock"]; . == null or . == "instructions" or . == "host";
     "\"instructions\", \"host\" or null"),
need(["environment","module","loaded"]; bool; "boolean"),
need(["environment","perf","hardware_counters"]; bool; "boolean"),
# A document pfnlab lava import wrote (lava/README.md): filed under its device.
(if .environment.lava == null then empty else
   need(["environment","lava","job_id"]; str; "string"),
   need(["environment","lava","device"]; str and length > 0; "string"),
   need(["environment","lava","device_type"]; strnull; "string or null"),
   need(["environment","lava","server"]; strnull; "string or null"),
   need(["environment","lava","guest_hostname"]; str; "string"),
   (if .environment.lava.device != .hostname then "hostname: not the LAVA device" else empty end)
 end),
need(["job"]; arr and length >= 1 and all(.[]; (.path | str) and (.text | str)); "array of {path, text}"),
need(["benchmarks"]; arr; "array"),
(range(0; .benchmarks | length) as $i | check_bench($i))
