#!/usr/bin/env bash
# Benchmark of the GitOps controller: syncs of an unchanged catalog of 1,000 connectors.
#
#   `switchboard serve --git-repository` follows a local repository whose catalog defines the
#   bench cluster's 1,000 STOPPED connectors exactly as they run. Over a window of several
#   syncs, the worker's own request log must show at most one bulk read per sync
#   (GET /connectors?expand=info&expand=status) and no write (POST, PUT, PATCH, DELETE).
#   Baseline, same run: `switchboard plan` of the same catalog (one bulk read, by design), its
#   request count and wall time beside the controller's per sync.
#   -> bench/results/gitops.json
#
# Usage: bench/gitops.sh [--window SECONDS]
# Uses the bench stack in .switchboard/bench (see bench/catalog.sh; its 1,000 connectors are
# created once and reused).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

window=40
while [ $# -gt 0 ]; do
  case "$1" in
    --window) window=$2; shift 2 ;;
    *) echo "usage: bench/gitops.sh [--window SECONDS]" >&2; exit 2 ;;
  esac
done

home=.switchboard/bench
sb=.build/release/switchboard
work=$home/gitops
url=http://127.0.0.1:38083
log=$home/clusters/bench/worker-1/worker.log
mkdir -p bench/results
rm -rf "$work" && mkdir -p "$work"

scripts/build -c release --product switchboard
$sb dev up --home "$home" --cluster bench --broker-port 39092 --connect-port 38083

connector_json='{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"/tmp/switchboard-bench-none","topic":"bench","tasks.max":"1"}'
# Creates race rebalances (409): missing ones are created again, a few rounds at most.
for round in 1 2 3 4 5; do
  missing=$(curl -s "$url/connectors" | python3 -c "import json,sys; have=set(json.load(sys.stdin)); print(' '.join(n for n in (f'bench_c{i:04d}' for i in range(1000)) if n not in have))")
  [ -z "$missing" ] && break
  echo "==> Creating $(echo "$missing" | wc -w) STOPPED connectors (round $round; once, then reused)"
  echo "$missing" | tr ' ' '\n' | xargs -P 32 -I{} curl -s --max-time 60 -o /dev/null -X POST -H 'Content-Type: application/json' \
    "$url/connectors" -d "{\"name\":\"{}\",\"config\":$connector_json,\"initial_state\":\"STOPPED\"}"
  sleep 5
done
echo "==> A repository whose catalog defines the 1,000 connectors as they run"
repo=$work/repo
python3 - "$repo" <<'PY'
import os, sys
root = sys.argv[1]
os.makedirs(f"{root}/teams/bench/connectors")
open(f"{root}/switchboard.yaml", "w").write("clusters:\n  - name: bench\n    url: http://127.0.0.1:38083\nadmins:\n  groups: [platform]\npolicy:\n  maxTasks: 4\n")
open(f"{root}/teams/bench/team.yaml", "w").write("members: [bench]\n")
for i in range(1000):
    open(f"{root}/teams/bench/connectors/c{i:04d}.yaml", "w").write(
        f"name: c{i:04d}\ncluster: bench\nclass: org.apache.kafka.connect.file.FileStreamSourceConnector\nstate: stopped\n"
        "config:\n  file: /tmp/switchboard-bench-none\n  topic: bench\n")
PY
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -qm "1,000 connectors"

requests_since() { # first-line: the worker's REST requests logged after that line
  tail -n +"$(($1 + 1))" "$log" | grep 'RestServer' || true
}

echo "==> Baseline: switchboard plan of the same catalog"
before=$(wc -l < "$log")
started=$(date +%s%N)
$sb plan --catalog "$repo" > "$work/plan.txt"
plan_s=$(python3 -c "print(($(date +%s%N) - $started) / 1e9)")
requests_since "$before" > "$work/plan-requests.log"
grep -q "No changes" "$work/plan.txt" || { echo "error: the bench catalog does not match the cluster:"; tail -5 "$work/plan.txt"; exit 1; }

echo "==> The controller: serve --git-repository, a sync every 5 s, for ${window} s"
# The snapshot poller reads the same bulk call: it polls once at start, then hourly, so that
# what the window counts is the controller's.
$sb serve --git-repository "$repo" --sync-interval 5 --poll-interval 3600 --port 38081 --trusted-proxy 127.0.0.1 \
  --gitops-state "$work/state" --audit-db "$work/audit.sqlite" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sync_time() { curl -s http://127.0.0.1:38081/metrics | awk '/^switchboard_gitops_last_sync_timestamp_seconds/ { print $2 }'; }
synced() { local t; t=$(sync_time); echo "last sync: ${t:-none yet}"; [ -n "$t" ]; }
wait_until 300 "the first GitOps sync" synced
before=$(wc -l < "$log")
seen=$(sync_time) syncs=0
end=$(( $(date +%s) + window ))
while [ "$(date +%s)" -lt "$end" ]; do
  now=$(sync_time)
  if [ "$now" != "$seen" ]; then syncs=$((syncs + 1)); seen=$now; fi
  sleep 0.5
done
requests_since "$before" > "$work/sync-requests.log"
kill $server 2>/dev/null || true

python3 - "$work" "$syncs" "$plan_s" "$window" <<'PY' > bench/results/gitops.json
import json, re, sys, datetime, os
work, syncs, plan_s, window = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
def count(path):
    lines = open(path).read().splitlines()
    bulk = sum(1 for l in lines if '"GET /connectors?expand=info&expand=status' in l)
    writes = sum(1 for l in lines if re.search(r'"(POST|PUT|PATCH|DELETE) ', l))
    return {"requests": len(lines), "bulk_reads": bulk, "writes": writes}
plan, controller = count(f"{work}/plan-requests.log"), count(f"{work}/sync-requests.log")
result = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
    "connectors": 1000, "window_s": window, "sync_interval_s": 5,
    "baseline_plan": dict(plan, seconds=round(plan_s, 2)),
    "controller": dict(controller, syncs=syncs, bulk_reads_per_sync=round(controller["bulk_reads"] / max(syncs, 1), 2),
                       requests_per_sync=round(controller["requests"] / max(syncs, 1), 2)),
    "targets": {"bulk_reads_per_sync_at_most": 1, "writes": 0, "requests_per_sync_at_most_plan": plan["requests"]},
    "pass": syncs >= 2 and controller["bulk_reads"] <= syncs and controller["writes"] == 0
            and controller["requests"] <= syncs * plan["requests"],
}
print(json.dumps(result, indent=2))
PY
cat bench/results/gitops.json
