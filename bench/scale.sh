#!/usr/bin/env bash
# Benchmark of Switchboard at company scale: 1,000, 5,000 and 20,000 connectors on 10 clusters
# and 300 teams, served by a simulated fleet (connect-fleet, Sources/ConnectFleet: Connect's REST
# API from generated answers with a real 3.9 worker's fields and types; a share of connectors
# failed or degraded and a slice changing between polls). Real Connect cannot run 20,000
# connectors on this machine; the simulation is for cost, real workers stay the test of behaviour.
# It shares the two cores with the server: read the figures as a baseline, and compare sizes.
#
# Per size, in one run: `plan` of the whole catalog and of one team's (time, peak RSS); `serve`:
# time to the first snapshot served, snapshot build time and CPU per poll, reads of Connect per
# poll (one bulk read per cluster), auto-restart's decisions (restarts) per poll, RSS after the
# first polls and after load, overview / team / lineage (a team's, the page's default at scale;
# the whole platform apart, asked for) / connector page and list API p50/p99 under wrk
# (8 connections), the connector page's offsets reads of Connect while it is loaded (cached and
# coalesced per connector), /metrics scrape time and size; then a GitOps sync
# of the unchanged catalog (serve --git-repository, its switchboard_gitops_last_sync_duration_seconds).
# From the three sizes, the exponent of each figure in N (log-log fit): about 1 for totals,
# about 0 for requests that page or filter.
#
# Targets at 20,000 connectors: page and API p99 < 50 ms, RSS < 300 MB, first snapshot < 10 s,
# snapshot build < 1 s, /metrics scrape < 1 s, plan of one team < 1 s, of the whole catalog < 10 s,
# a no-change GitOps sync < 5 s, one bulk read per cluster per poll.
#
# Results: bench/results/scale.json. Usage: bench/scale.sh [--sizes "1000 5000 20000"] [--duration SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

sizes="1000 5000 20000" duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "usage: bench/scale.sh [--sizes \"1000 5000 20000\"] [--duration SECONDS]" >&2; exit 2 ;;
  esac
done

sb=${SWITCHBOARD_BIN:-.build/release/switchboard}
fleet=.build/release/connect-fleet
results=${BENCH_RESULTS:-bench/results}
work=.switchboard/bench/scale
rm -rf "$work" && mkdir -p "$results" "$work"
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  scripts/build -c release --product switchboard
fi
scripts/build -c release --product connect-fleet
ensure_wrk

pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT
auth=(-H "X-Forwarded-User: bench" -H "X-Forwarded-Groups: platform")
port=38380
base=http://127.0.0.1:$port
fleet_args=(--clusters 10 --teams 300 --base-port 48000)
export SWITCHBOARD_SESSION_SECRET=bench-scale-secret

# stats: every cluster's request counts, as one JSON object {cluster index: counts}.
stats() { python3 -c '
import json, urllib.request
print(json.dumps({i: json.load(urllib.request.urlopen(f"http://127.0.0.1:{48000 + i}/__fleet/stats", timeout=10)) for i in range(10)}))'; }
# timed NAME COMMAND...: wall seconds and peak RSS (KB) of COMMAND, as "seconds kb".
timed() { local name=$1; shift; /usr/bin/time -f "%e %M" -o "$dir/$name.time" "$@" > "$dir/$name.out" 2>&1; cat "$dir/$name.time"; }
load() { # name url [header args]: wrk's rate, p50 and p99 as JSON
  local name=$1 url=$2; shift 2
  wrk_json "$dir/$name.wrk" "$duration" "$url" "$@"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for n in $sizes; do
  dir=$work/$n
  mkdir -p "$dir"
  echo "==> $n connectors: the simulated fleet"
  $fleet serve --connectors "$n" "${fleet_args[@]}" > "$dir/fleet.log" 2>&1 &
  pids+=($!)
  fleet_up() { curl -s http://127.0.0.1:48009/health; }
  wait_until 60 "the simulated fleet" fleet_up
  $fleet catalog --connectors "$n" "${fleet_args[@]}" --out "$dir/catalog" > /dev/null
  $fleet catalog --connectors "$n" "${fleet_args[@]}" --out "$dir/team" --team team-001 > /dev/null

  echo "==> $n: plan of the whole catalog, and of one team's"
  plan_all=$(timed plan-all "$sb" plan --catalog "$dir/catalog")
  grep -q "No changes" "$dir/plan-all.out" || { echo "error: the fleet's catalog does not match the fleet:"; tail -5 "$dir/plan-all.out"; exit 1; }
  plan_team=$(timed plan-team "$sb" plan --catalog "$dir/team")

  echo "==> $n: serve"
  stats_before=$(stats)
  started=$(date +%s%N)
  SWITCHBOARD_LOG_LEVEL=debug $sb serve --catalog "$dir/catalog" --port $port --trusted-proxy 127.0.0.1 --audit-db "$dir/audit.sqlite" > "$dir/serve.log" 2>&1 &
  server=$!
  pids+=($server)
  sees_all() { curl -s "${auth[@]}" "$base/api/v1/connectors?limit=1" | python3 -c "import json,sys; t=json.load(sys.stdin)['total']; print(f'sees {t}'); sys.exit(0 if t >= $n else 1)"; }
  wait_until 600 "the server to see $n connectors" sees_all
  first_s=$(python3 -c "print(round(($(date +%s%N) - $started) / 1e9, 2))")
  echo "    first snapshot served after ${first_s}s"
  # The polls: 30 s after the first snapshot, counted from the server's log.
  sleep 5
  lines_from=$(wc -l < "$dir/serve.log")
  ticks_before=$(cpu_ticks "$server") stats_polls=$(stats)
  sleep 30
  ticks_after=$(cpu_ticks "$server") stats_polled=$(stats)
  tail -n +"$((lines_from + 1))" "$dir/serve.log" > "$dir/window.log"
  grep "Refreshed the snapshot" "$dir/window.log" > "$dir/polls.log" || true
  # The server's reads of cluster fleet-01 in the window (a debug line each), beside the bulk reads the fleet counted.
  reads_logged=$(grep -c "cluster=fleet-01 took=.*Read the cluster" "$dir/window.log" || true)
  rss_polls_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$server/status")

  echo "==> $n: pages and API under wrk, ${duration}s each"
  overview=$(load overview "$base/" "${auth[@]}")
  team=$(load team "$base/teams/team-001" "${auth[@]}")
  lineage=$(load lineage "$base/lineage?team=team-001" "${auth[@]}")
  lineage_all=$(load lineage_all "$base/lineage?team=" "${auth[@]}")
  api=$(load api "$base/api/v1/connectors?limit=100" "${auth[@]}")
  api_team=$(load api_team "$base/api/v1/connectors?team=team-001&limit=100" "${auth[@]}")
  stats_page=$(stats)
  connector=$(load connector "$base/clusters/fleet-01/connectors/team-001_c00000" "${auth[@]}")
  stats_paged=$(stats)
  echo "==> $n: /metrics"
  metrics=$(python3 - <<PY
import json, time, urllib.request
samples, size = [], 0
for _ in range(20):
    start = time.perf_counter()
    size = len(urllib.request.urlopen("$base/metrics", timeout=60).read())
    samples.append((time.perf_counter() - start) * 1000)
samples.sort()
print(json.dumps({"p50_ms": round(samples[10], 1), "p99_ms": round(samples[-1], 1), "bytes": size}))
PY
)
  rss_load_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$server/status")
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")
  kill "$server"; wait "$server" 2>/dev/null || true

  echo "==> $n: a GitOps sync of the unchanged catalog"
  cp -r "$dir/catalog" "$dir/repo"
  git -C "$dir/repo" init -q -b main
  git -C "$dir/repo" add -A
  git -C "$dir/repo" -c user.name=bench -c user.email=bench@example.com commit -qm "$n connectors"
  $sb serve --git-repository "$dir/repo" --sync-interval 5 --poll-interval 3600 --port $((port + 1)) --trusted-proxy 127.0.0.1 \
    --gitops-state "$dir/gitops" --audit-db "$dir/gitops.sqlite" > "$dir/gitops.log" 2>&1 &
  syncer=$!
  pids+=($syncer)
  synced() { curl -s "http://127.0.0.1:$((port + 1))/metrics" | awk '/^switchboard_gitops_last_sync_duration_seconds/ { print $2; found = 1 } END { exit !found }'; }
  wait_until 600 "the first GitOps sync" synced
  sleep 12  # a second sync: the first one loads the commit
  sync_s=$(synced)
  sync_pending=$(curl -s "${auth[@]}" "http://127.0.0.1:$((port + 1))/metrics" | awk '/^switchboard_gitops_pending_changes/ { s += $2 } END { print s + 0 }')
  stop_all

  python3 - "$dir" "$n" <<PY > "$dir/result.json"
import json, re, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
def delta(a, b, kind, clusters=range(10)):
    a, b = json.loads(a), json.loads(b)
    return sum(b[str(i)].get(kind, 0) - a[str(i)].get(kind, 0) for i in clusters)
builds = [float(m.group(1)) for m in re.finditer(r"build=([\d.]+) seconds", open(f"{d}/polls.log").read())]
polls = max(len(builds), 1)
plan_all, plan_team = "$plan_all".split(), "$plan_team".split()
ticks = ($ticks_after - $ticks_before) / 100
print(json.dumps({
    "connectors": n, "clusters": 10, "teams": 300, "duration_s": $duration,
    "plan_whole_catalog_s": float(plan_all[0]), "plan_whole_catalog_peak_rss_mb": round(int(plan_all[1]) / 1024, 1),
    "plan_one_team_s": float(plan_team[0]), "plan_one_team_peak_rss_mb": round(int(plan_team[1]) / 1024, 1),
    "first_snapshot_s": $first_s,
    "polls_in_30s": len(builds),
    "snapshot_build_s": {"median": round(statistics.median(builds), 3) if builds else None, "max": round(max(builds), 3) if builds else None},
    "cpu_s_per_poll": round(ticks / polls, 3),
    "bulk_reads_per_cluster_per_poll": round(delta('$stats_polls', '$stats_polled', "bulk", [0]) / max($reads_logged, 1), 2),
    "polls_of_fleet_01_in_30s": $reads_logged,
    "other_reads_per_poll": round(sum(delta('$stats_polls', '$stats_polled', k) for k in ("status", "config", "offsets", "list")) / polls, 2),
    "topic_reads_per_poll": round(delta('$stats_polls', '$stats_polled', "topics") / polls, 2),
    "auto_restarts_per_poll": round(delta('$stats_polls', '$stats_polled', "restart") / polls, 2),
    "rss_after_first_polls_mb": round($rss_polls_kb / 1024, 1), "rss_after_load_mb": round($rss_load_kb / 1024, 1), "peak_rss_mb": round($peak_kb / 1024, 1),
    "overview_page": $overview, "team_page": $team, "lineage_page": $lineage, "lineage_whole_platform_asked": $lineage_all, "list_api_limit_100": $api, "list_api_team_filter": $api_team,
    "connector_page_admin": $connector,
    # Offsets are read only by connector pages (topics are also the topic poller's, so not counted here).
    "connector_page_offsets_reads": delta('$stats_page', '$stats_paged', "offsets", [0]),
    "metrics": $metrics,
    "gitops_sync_no_change_s": float("$sync_s"), "gitops_sync_pending_changes": int("$sync_pending"),
}))
PY
  cat "$dir/result.json"
done

python3 - "$work" "$sizes" <<'PY' > "$results/scale.json"
import json, math, sys, datetime, os
work, sizes = sys.argv[1], [int(s) for s in sys.argv[2].split()]
runs = [json.load(open(f"{work}/{n}/result.json")) for n in sizes]
def get(run, path):
    for part in path.split("."):
        run = run[part]
    return run
def exponent(path):
    """The slope of log(figure) over log(N): 1 grows as N, 0 stays flat."""
    points = [(math.log(r["connectors"]), math.log(max(get(r, path), 1e-6))) for r in runs]
    if len(points) < 2:
        return None
    mx, my = sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)
    return round(sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points), 2)
totals = ["plan_whole_catalog_s", "first_snapshot_s", "snapshot_build_s.median", "cpu_s_per_poll", "rss_after_load_mb", "metrics.bytes", "metrics.p99_ms", "gitops_sync_no_change_s"]
paged = ["overview_page.p99_ms", "team_page.p99_ms", "lineage_page.p99_ms", "list_api_limit_100.p99_ms", "list_api_team_filter.p99_ms", "connector_page_admin.p99_ms", "plan_one_team_s"]
largest = runs[-1]
pages = ["overview_page", "team_page", "lineage_page", "list_api_limit_100", "list_api_team_filter", "connector_page_admin"]
targets = {
    "page_and_api_p99_below_50ms": all(largest[p]["p99_ms"] < 50 and largest[p]["non_2xx"] == 0 for p in pages),
    "rss_below_300mb": largest["peak_rss_mb"] < 300,
    "first_snapshot_below_10s": largest["first_snapshot_s"] < 10,
    "snapshot_build_below_1s": (largest["snapshot_build_s"]["median"] or 99) < 1,
    "metrics_scrape_below_1s": largest["metrics"]["p99_ms"] < 1000,
    "plan_one_team_below_1s": largest["plan_one_team_s"] < 1,
    "plan_whole_catalog_below_10s": largest["plan_whole_catalog_s"] < 10,
    "gitops_no_change_sync_below_5s": largest["gitops_sync_no_change_s"] < 5 and largest["gitops_sync_pending_changes"] == 0,
    # One bulk read per poll, give or take the poll the window cuts.
    "one_bulk_read_per_cluster_per_poll": all(r["bulk_reads_per_cluster_per_poll"] <= (r["polls_of_fleet_01_in_30s"] + 1) / max(r["polls_of_fleet_01_in_30s"], 1) and r["other_reads_per_poll"] == 0 for r in runs),
    # wrk's thousands of views of one connector page: one offsets read per 5 s lifetime, plus one.
    "connector_page_reads_coalesced": all(r["connector_page_offsets_reads"] <= r["duration_s"] / 5 + 2 for r in runs),
}
print(json.dumps({
    "benchmark": "Switchboard over a simulated fleet (connect-fleet) of 10 clusters and 300 teams, three sizes in one run",
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
    "note": "the simulator shares the two cores with the server and wrk; compare sizes, not absolute figures",
    "sizes": runs,
    "exponents": {"totals (about 1 or less)": {p: exponent(p) for p in totals}, "paged or filtered (about 0)": {p: exponent(p) for p in paged}},
    "targets_at_largest": targets,
    "pass": all(targets.values()),
}, indent=2))
PY
cat "$results/scale.json"
