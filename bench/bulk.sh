#!/usr/bin/env bash
# Benchmark of a bulk restart through Switchboard against a raw loop of the same restarts, in
# the same run, on the bench cluster's real worker:
#
#   switchboard: one POST /api/v1/connectors/actions/restart naming 500 RUNNING connectors by
#                filter (team bench, q=bulk, state RUNNING), as a platform admin: each connector
#                authorised, written with at most 8 restarts in flight and the apply's retries,
#                audited with one bulk id; timed until the answer, then until all 500 run again.
#   raw:         xargs -P 8 curl -X POST /connectors/{name}/restart over the same 500 names (the
#                same concurrency), timed the same way.
#   Each is run --runs times, interleaved. Targets: Switchboard's median <= 1.5x the raw loop's
#   median until the answer (authorisation and an audit row per connector are its cost), and
#   <= 1.25x until all run again; every connector done, none failed.
#
# Results: bench/results/bulk.json. Usage: bench/bulk.sh [--connectors N] [--runs N]
# Uses the bench stack in .switchboard/bench (see bench/catalog.sh); the N RUNNING connectors
# bench_bulk0000... are created once and kept (stop the stack with
#   .build/release/switchboard dev down --home .switchboard/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

connectors=500 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --connectors) connectors=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bench/bulk.sh [--connectors N (at most 500)] [--runs N]" >&2; exit 2 ;;
  esac
done
[ "$connectors" -le 500 ] || { echo "error: --connectors is at most 500 (one bulk action's limit)" >&2; exit 2; }

home=.switchboard/bench
url=http://127.0.0.1:38083
sb=${SWITCHBOARD_BIN:-.build/release/switchboard}
results=${BENCH_RESULTS:-bench/results}
work=$home/bulk
mkdir -p "$results" "$work"

[ -n "${SWITCHBOARD_BIN:-}" ] || scripts/build -c release --product switchboard
$sb dev up --home "$home" --cluster bench --broker-port 39092 --connect-port 38083

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
names() { seq -f 'bench_bulk%04g' 0 $((connectors - 1)); }

# RUNNING FileStream sources (their file does not exist: the task waits for it, running).
running_json='{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"/tmp/switchboard-bench-none","topic":"bench","tasks.max":"1"}'
all_running() { running_at "$url" bench_bulk "$connectors"; }
if ! all_running > /dev/null; then
  echo "==> Creating $connectors RUNNING connectors bench_bulk* (once; each create is a rebalance)"
  names | xargs -P 16 -I{} curl -s --max-time 60 -o /dev/null -X PUT -H 'Content-Type: application/json' "$url/connectors/{}/config" -d "$running_json"
fi
wait_until 1800 "$connectors bench_bulk connectors running" all_running

write_bench_catalog "$work/catalog"
$sb serve --catalog "$work/catalog" --port 38081 --trusted-proxy 127.0.0.1 --audit-db "$work/audit.sqlite" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
auth=(-H "X-Forwarded-User: bench" -H "X-Forwarded-Groups: platform" -b "$work/cookies" -c "$work/cookies")
selected() { # the server's snapshot has every bench_bulk connector RUNNING
  curl -s "${auth[@]}" 'http://127.0.0.1:38081/api/v1/connectors?limit=1&team=bench&state=RUNNING&q=bulk' \
    | python3 -c "import json,sys; t=json.load(sys.stdin)['total']; print(f'the server sees {t} running'); sys.exit(0 if t >= $connectors else 1)"
}
wait_until 300 "the server to see $connectors running bench_bulk connectors" selected
csrf=$(curl -s "${auth[@]}" http://127.0.0.1:38081/api/v1/me | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrfToken"])')

: > "$work/times.txt"
for run in $(seq 1 "$runs"); do
  echo "==> Run $run: Switchboard's bulk restart of $connectors connectors"
  t0=$(now)
  curl -s --max-time 900 "${auth[@]}" -H "X-CSRF-Token: $csrf" -X POST \
    "http://127.0.0.1:38081/api/v1/connectors/actions/restart?team=bench&q=bulk&state=RUNNING" > "$work/answer-$run.json"
  t1=$(now)
  wait_until 900 "all bench_bulk connectors running again" all_running
  t2=$(now)
  python3 -c "
import json, sys
a = json.load(open('$work/answer-$run.json'))
print(f\"    {a['done']} done, {a['refused']} refused, {a['failed']} failed\")
sys.exit(0 if a['done'] == $connectors and a['failed'] == 0 and a['refused'] == 0 else 1)" \
    || { echo "error: the bulk restart did not restart all $connectors: see $work/answer-$run.json" >&2; exit 1; }
  echo "switchboard $(elapsed "$t0" "$t1") $(elapsed "$t0" "$t2")" >> "$work/times.txt"
  wait_until 300 "the server to see $connectors running bench_bulk connectors" selected

  echo "==> Run $run: raw 8-way loop of the same $connectors restarts"
  t0=$(now)
  names | xargs -P 8 -I{} curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' -X POST "$url/connectors/{}/restart" > "$work/raw-codes-$run.txt"
  t1=$(now)
  wait_until 900 "all bench_bulk connectors running again" all_running
  t2=$(now)
  echo "raw $(elapsed "$t0" "$t1") $(elapsed "$t0" "$t2")" >> "$work/times.txt"
  echo "    raw answers: $(sort "$work/raw-codes-$run.txt" | uniq -c | tr '\n' ' ')"
  wait_until 300 "the server to see $connectors running bench_bulk connectors" selected
done

python3 - "$work/times.txt" "$connectors" "$runs" "$(nproc)" "$(uname -r)" > "$results/bulk.json" <<'PY'
import json, sys, statistics, datetime
times, connectors, runs, cores, kernel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
t = {"switchboard": {"answered": [], "running": []}, "raw": {"answered": [], "running": []}}
for line in open(times):
    who, answered, running = line.split()
    t[who]["answered"].append(float(answered)); t[who]["running"].append(float(running))
med = {who: {k: statistics.median(v) for k, v in d.items()} for who, d in t.items()}
answered = round(med["switchboard"]["answered"] / med["raw"]["answered"], 3)
running = round(med["switchboard"]["running"] / med["raw"]["running"], 3)
print(json.dumps({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": cores, "kernel": kernel}, "connectors": connectors, "runs": runs, "concurrency": 8,
    "switchboard_s": t["switchboard"], "raw_8way_s": t["raw"],
    "median_s": med,
    "ratio_until_answered": answered, "ratio_until_answered_target": 1.5,
    "ratio_until_running": running, "ratio_until_running_target": 1.25,
    "pass": answered <= 1.5 and running <= 1.25,
}, indent=2))
PY
cat "$results/bulk.json"
