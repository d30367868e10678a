#!/usr/bin/env bash
# Benchmark of `switchboard serve` as two replicas on PostgreSQL beside one, over the bench
# stack's 2,000 connectors (clusters bench and bench2): what the servers ask of Connect in the
# same window, counted from the bench worker's request log, one replica first, then two.
#
#   topic reads (GET /connectors/<name>/topics, the topic poller): with two replicas no more than
#   with one (only the lease holder reads topics and lag; the other takes its rounds from the
#   database), within 10% and one poller budget (100) for where the window cuts a round;
#   bulk reads (?expand=info&expand=status): each replica reads its own snapshot, one bulk read
#   per cluster per poll each (pages never wait on another replica), reported per replica;
#   anything else: none.
#
# Results: bench/results/replicas.json. Usage: bench/replicas.sh [--window SECONDS]
# Uses the bench stack in .switchboard/bench (see bench/server.sh), with its PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

window=75
while [ $# -gt 0 ]; do
  case "$1" in
    --window) window=$2; shift 2 ;;
    *) echo "usage: bench/replicas.sh [--window SECONDS]" >&2; exit 2 ;;
  esac
done

home=.switchboard/bench
sb=${SWITCHBOARD_BIN:-.build/release/switchboard}
results=${BENCH_RESULTS:-bench/results}
work=$home/replicas
mkdir -p "$results" "$work"
[ -n "${SWITCHBOARD_BIN:-}" ] || scripts/build -c release --product switchboard
$sb dev up --home "$home" --cluster bench --cluster bench2 --broker-port 39092 --connect-port 38083 --postgres --postgres-port 35432
ensure_connectors http://127.0.0.1:38083 bench_c 1000
ensure_connectors http://127.0.0.1:38093 other_c 1000
write_bench_catalog "$work/catalog"

export SWITCHBOARD_SESSION_SECRET=bench-replicas-secret
worker_log=$home/clusters/bench/worker-1/worker.log
# Debian's psql, installed with PostgreSQL by `dev up --postgres` (not on PATH).
psql=$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT

# measure NAME REPLICAS: starts REPLICAS servers on a fresh database, waits until one holds the
# lease and each sees the 2,000 connectors, then counts the bench worker's requests over the window.
measure() {
  local name=$1 count=$2 database="bench_$1_$(date +%s)"
  "$psql" -h 127.0.0.1 -p 35432 -U postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $database"
  for i in $(seq 1 "$count"); do
    $sb serve --catalog "$work/catalog" --port $((38180 + i)) --trusted-proxy 127.0.0.1 \
      --database "postgres://postgres@127.0.0.1:35432/$database?sslmode=disable" > "$work/$name-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$count"); do
    sees() { curl -s -H "X-Forwarded-User: bench" -H "X-Forwarded-Groups: platform" "http://127.0.0.1:$1/api/v1/connectors?limit=1" \
      | python3 -c 'import json,sys; t=json.load(sys.stdin)["total"]; print(f"sees {t}"); sys.exit(0 if t >= 2000 else 1)'; }
    wait_until 300 "replica $i ($name) to see 2,000 connectors" sees $((38180 + i))
  done
  holds() { grep -l "This replica runs the controllers" "$work/$name"-*.log; }
  wait_until 60 "a replica ($name) to hold the lease" holds
  local before; before=$(wc -l < "$worker_log")
  echo "==> $name: $count replica(s), counting Connect's requests for ${window}s"
  sleep "$window"
  tail -n +"$((before + 1))" "$worker_log" | grep 'RestServer' > "$work/$name-window.log" || true
  stop_all
}

measure one 1
measure two 2

python3 - "$work" "$window" <<'EOF' > "$results"/replicas.json
import json, re, sys, datetime, os
work, window = sys.argv[1], int(sys.argv[2])
def counts(name):
    lines = open(os.path.join(work, f"{name}-window.log")).read().splitlines()
    bulk = sum('"GET /connectors?expand=info' in l for l in lines)
    topics = sum(bool(re.search(r'"GET /connectors/[^ ]*/topics', l)) for l in lines)
    other = sum(not re.search(r'"GET /connectors\?expand=|"GET /connector-plugins|"GET / HTTP|"GET /connectors/[^ ]*/topics', l) for l in lines)
    return {"bulk_reads": bulk, "topic_reads": topics, "other_requests": other}
one, two = counts("one"), counts("two")
polls = window / 5
topics_ok = two["topic_reads"] <= one["topic_reads"] * 1.1 + 100
print(json.dumps({
    "benchmark": "two serve replicas on PostgreSQL beside one, over 2,000 connectors: Connect's requests to cluster bench in the same window",
    "date": datetime.date.today().isoformat(),
    "window_s": window,
    "one_replica": dict(one, bulk_reads_per_poll=round(one["bulk_reads"] / polls, 2)),
    "two_replicas": dict(two, bulk_reads_per_poll_per_replica=round(two["bulk_reads"] / polls / 2, 2)),
    "topic_reads_two_vs_one": round(two["topic_reads"] / max(one["topic_reads"], 1), 2),
    "targets": {"topic_reads_two_at_most": "one's x1.1 + 100", "bulk_reads_per_poll_per_replica_at_most": 1, "other_requests": 0},
    "pass": topics_ok and two["bulk_reads"] / polls / 2 <= 1.1 and one["other_requests"] == 0 and two["other_requests"] == 0,
}, indent=2))
EOF
cat "$results"/replicas.json
