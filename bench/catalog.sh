#!/usr/bin/env bash
# Benchmarks of connectors-as-code against a real Connect worker, each compared with a raw
# baseline measured in the same run.
#
#   plan:  `switchboard plan` over 1,000 connectors on one cluster (created STOPPED with
#          initial_state) must make at most 2 REST calls to read state, and take at most 1.5x
#          the wall time of a raw single bulk GET (curl) plus JSON parse (python3).
#          -> bench/results/catalog-plan.json
#   apply: `switchboard apply` creates 200 new connectors (until all are RUNNING) and then
#          deletes them (until all are gone), with the write concurrency it finds by itself. In the
#          same run, on the same cluster, raw loops do the same at fixed 8, 16, 32 and 64 writes
#          in flight (xargs -P curl, then polling the bulk status like apply does). Targets, for
#          creates and for deletes: apply <= 0.75x the raw 8-way loop and <= 1.1x the best fixed
#          loop of the run.
#          -> bench/results/catalog-apply.json
#
# Usage: bench/catalog.sh [--only plan|apply] [--connectors N] [--new N] [--runs N] [--connect 3.9|4.3]
# (--connect: the Connect release the bench cluster runs; its worker restarts on it, its connectors stay)
# Uses its own stack in .switchboard/bench (broker 39092, Connect 38083), left running so the
# 1,000 connectors are reused by the next run (creating them takes 10-20 minutes); stop it with
#   .build/release/switchboard dev down --home .switchboard/bench
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

connectors=1000 new=200 runs=5 only="" connect=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only=$2; shift 2 ;;
    --connectors) connectors=$2; shift 2 ;;
    --new) new=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --connect) connect=$2; shift 2 ;;
    *) echo "usage: bench/catalog.sh [--only plan|apply] [--connectors N] [--new N] [--runs N] [--connect 3.9|4.3]" >&2; exit 2 ;;
  esac
done
case "$only" in plan|apply|"") ;; *) echo "error: --only takes plan or apply" >&2; exit 2 ;; esac

home=.switchboard/bench
url=http://127.0.0.1:38083
# SWITCHBOARD_BIN: a binary to measure instead of building this checkout's (bench/compare.sh);
# BENCH_RESULTS: where the results go (default bench/results).
sb=${SWITCHBOARD_BIN:-.build/release/switchboard}
results=${BENCH_RESULTS:-bench/results}
work=$home/work
log=$home/clusters/bench/worker-1/worker.log
mkdir -p "$results" "$work"

[ -n "${SWITCHBOARD_BIN:-}" ] || scripts/build -c release --product switchboard
$sb dev up --home "$home" --cluster "bench${connect:+:$connect}" --broker-port 39092 --connect-port 38083

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "true" : "false" }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
rest_calls() { grep -cE '"(GET|PUT|POST|DELETE|PATCH) /' "$log" || true; }
machine() { printf '{"cores": %s, "kernel": "%s"}' "$(nproc)" "$(uname -r)"; }
count_prefix() { # connectors whose name starts with $1, in the bulk (expanded) view
  curl -s "$url/connectors?expand=status" | python3 -c "import json,sys; print(sum(1 for n in json.load(sys.stdin) if n.startswith('$1')))"
}
delete_prefix() {
  curl -s "$url/connectors" | python3 -c "import json,sys; print('\n'.join(n for n in json.load(sys.stdin) if n.startswith('$1')))" \
    | xargs -r -P 32 -I{} curl -s --max-time 60 -o /dev/null -X DELETE "$url/connectors/{}"
}
connector_json='{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"/tmp/switchboard-bench-none","topic":"bench","tasks.max":"1"}'
make_catalog() { # dir team count state
  rm -rf "$1"; mkdir -p "$1/teams/$2/connectors"
  printf 'clusters:\n  - name: bench\n    url: %s\npolicy:\n  maxTasks: 4\n' "$url" > "$1/switchboard.yaml"
  printf 'members: [bench]\n' > "$1/teams/$2/team.yaml"
  for i in $(seq -f '%04g' 0 $(($3 - 1))); do
    printf 'name: c%s\ncluster: bench\nclass: org.apache.kafka.connect.file.FileStreamSourceConnector\nstate: %s\nconfig:\n  file: /tmp/switchboard-bench-none\n  topic: bench\n' \
      "$i" "$4" > "$1/teams/$2/connectors/c$i.yaml"
  done
}

bench_plan() {
  local existing
  existing=$(count_prefix bench_c)
  if [ "$existing" -lt "$connectors" ]; then
    echo "==> Creating $((connectors - existing)) STOPPED connectors (64 at once; each create is a rebalance, this takes a while once)"
    seq -f 'bench_c%04g' 0 $((connectors - 1)) | xargs -P 64 -I{} curl -s --max-time 60 -o /dev/null -X POST -H 'Content-Type: application/json' \
      "$url/connectors" -d "{\"name\":\"{}\",\"config\":$connector_json,\"initial_state\":\"STOPPED\"}"
    enough() { local n; n=$(count_prefix bench_c); echo "$n connectors"; [ "$n" -ge "$connectors" ]; }
    wait_until 1800 "$connectors connectors on the bench cluster" enough
  fi
  make_catalog "$work/plan-catalog" bench "$connectors" stopped

  echo "==> Checking the plan is clean and counting its REST calls"
  local before calls
  before=$(rest_calls)
  $sb plan --catalog "$work/plan-catalog" --detailed-exitcode > "$work/plan.txt" || { echo "error: the plan is not clean:"; tail -5 "$work/plan.txt"; exit 1; }
  sleep 1
  calls=$(( $(rest_calls) - before ))

  echo "==> Timing $runs plans and $runs raw bulk GET + JSON parse, interleaved"
  : > "$work/plan.times"; : > "$work/raw.times"
  local t0 t1
  for _ in $(seq 1 "$runs"); do
    t0=$(now); curl -s "$url/connectors?expand=info&expand=status" | python3 -c 'import json,sys; json.load(sys.stdin)'; t1=$(now)
    elapsed "$t0" "$t1" >> "$work/raw.times"
    t0=$(now); $sb plan --catalog "$work/plan-catalog" > /dev/null; t1=$(now)
    elapsed "$t0" "$t1" >> "$work/plan.times"
  done
  local plan_s raw_s plan_ratio
  plan_s=$(median < "$work/plan.times"); raw_s=$(median < "$work/raw.times")
  plan_ratio=$(ratio "$plan_s" "$raw_s")
  cat > "$results"/catalog-plan.json <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": $(machine),
  "connectors": $connectors,
  "runs": $runs,
  "rest_calls_to_read_state": $calls,
  "rest_calls_target": 2,
  "switchboard_plan_s": [$(paste -sd, "$work/plan.times")],
  "raw_bulk_get_and_parse_s": [$(paste -sd, "$work/raw.times")],
  "switchboard_plan_median_s": $plan_s,
  "raw_bulk_get_and_parse_median_s": $raw_s,
  "ratio": $plan_ratio,
  "ratio_target": 1.5,
  "pass": $( [ "$calls" -le 2 ] && [ "$(at_most "$plan_ratio" 1.5)" = true ] && echo true || echo false)
}
EOF
  cat "$results"/catalog-plan.json
}

# Polls the bulk status every 0.5 s until `$2` connectors named `$1*` run with all their tasks
# running (what apply waits for), or, with `$2` = 0, until none is left.
settled() { running_at "$url" "$1" "$2"; }
wait_for() { wait_until 900 "$2 connectors named $1* running (or none, for 0)" settled "$1" "$2"; }

bench_apply() {
  local run t0 t1 team
  run=$(date +%s)
  : > "$work/apply-times.txt"
  record() { echo "$1 $2 $3" >> "$work/apply-times.txt"; echo "    $1 $2: $3 s"; }

  team="fresh$run"
  echo "==> switchboard apply: $new creates, then $new deletes (concurrency found as it goes)"
  make_catalog "$work/apply-catalog" "$team" "$new" running
  t0=$(now); $sb apply --catalog "$work/apply-catalog" --auto-approve --output json > "$work/apply-create.json" 2> "$work/apply-create.log"; t1=$(now)
  record apply create "$(elapsed "$t0" "$t1")"
  rm -rf "$work/apply-catalog/teams/$team/connectors"
  t0=$(now); $sb apply --catalog "$work/apply-catalog" --auto-approve --allow-mass-delete --output json > "$work/apply-delete.json" 2> "$work/apply-delete.log"; t1=$(now)
  record apply delete "$(elapsed "$t0" "$t1")"
  wait_for "${team}_" 0

  for k in 8 16 32 64; do
    local prefix="raw${run}k${k}_"
    echo "==> Baseline: raw $k-way loop, $new creates then $new deletes"
    t0=$(now)
    seq -f "${prefix}c%04g" 0 $((new - 1)) | xargs -P "$k" -I{} curl -s --max-time 60 -o /dev/null -X PUT -H 'Content-Type: application/json' \
      "$url/connectors/{}/config" -d "$connector_json"
    wait_for "$prefix" "$new"
    t1=$(now)
    record "raw$k" create "$(elapsed "$t0" "$t1")"
    t0=$(now)
    seq -f "${prefix}c%04g" 0 $((new - 1)) | xargs -P "$k" -I{} curl -s --max-time 60 -o /dev/null -X DELETE "$url/connectors/{}"
    wait_for "$prefix" 0
    t1=$(now)
    record "raw$k" delete "$(elapsed "$t0" "$t1")"
  done

  python3 - "$work/apply-times.txt" "$work/apply-create.json" "$work/apply-delete.json" "$new" "$(machine)" > "$results"/catalog-apply.json <<'PY'
import json, sys, datetime
times, create_json, delete_json, new, machine = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5])
t = {}
for line in open(times):
    mode, op, seconds = line.split()
    t.setdefault(op, {})[mode] = float(seconds)
result = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine,
          "connectors": new, "targets": {"vs_raw_8way": 0.75, "vs_best_fixed": 1.1}, "pass": True}
for op, summary_file in (("create", create_json), ("delete", delete_json)):
    raw = {k: v for k, v in t[op].items() if k.startswith("raw")}
    best = min(raw, key=raw.get)
    writes = json.load(open(summary_file)).get("writes", [])
    entry = {"switchboard_apply_s": t[op]["apply"], "raw_s": raw, "best_fixed": best,
             "ratio_vs_raw_8way": round(t[op]["apply"] / raw["raw8"], 3), "ratio_vs_best_fixed": round(t[op]["apply"] / raw[best], 3),
             "apply_concurrency": [{k: w[k] for k in ("cluster", "initialConcurrency", "peakConcurrency", "finalConcurrency", "steps")} for w in writes]}
    entry["pass"] = entry["ratio_vs_raw_8way"] <= 0.75 and entry["ratio_vs_best_fixed"] <= 1.1
    result["pass"] = result["pass"] and entry["pass"]
    result[op] = entry
print(json.dumps(result, indent=2))
PY
  cat "$results"/catalog-apply.json
}

[ "$only" = apply ] || bench_plan
[ "$only" = plan ] || bench_apply
