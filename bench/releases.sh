#!/usr/bin/env bash
# Connect 4.3 beside 3.9, in one run, with the targets of the 3.9 benchmarks:
#   plan over the bench cluster's 1,000 connectors on Connect 3.9, then on 4.3 (its worker
#   restarted on the other release; the connectors stay in the broker), each against the raw bulk
#   GET of the same cluster (bench/catalog.sh --only plan --connect R);
#   the server over a mixed platform: bench on 3.9 and bench2 on 4.3, 1,000 connectors each
#   (bench/server.sh --connect2 4.3): pages and API under wrk, RSS, /metrics, bulk reads per poll.
# Results: bench/results/releases.json (and each run's files under bench/results/releases/).
# The bench cluster is put back on 3.9 at the end. Usage: bench/releases.sh [--duration SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=20
[ "${1:-}" = "--duration" ] && duration=$2

out=bench/results/releases
mkdir -p "$out/plan-3.9" "$out/plan-4.3" "$out/server"
scripts/build -c release --product switchboard
export SWITCHBOARD_BIN=.build/release/switchboard
BENCH_RESULTS="$out/plan-3.9" bench/catalog.sh --only plan --connect 3.9
BENCH_RESULTS="$out/plan-4.3" bench/catalog.sh --only plan --connect 4.3
BENCH_RESULTS="$out/server" bench/server.sh --duration "$duration" --connect2 4.3
# Back to the release the other benchmarks measure.
.build/release/switchboard dev up --home .switchboard/bench --cluster bench --broker-port 39092 --connect-port 38083 > /dev/null

python3 - "$out" <<'PY' > bench/results/releases.json
import json, sys, datetime, os
out = sys.argv[1]
plan = {release: json.load(open(f"{out}/plan-{release}/catalog-plan.json")) for release in ("3.9", "4.3")}
server = json.load(open(f"{out}/server/server.json"))
metrics = json.load(open(f"{out}/server/metrics.json"))
print(json.dumps({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
    "plan_1000_connectors": {release: {"plan_median_s": p["switchboard_plan_median_s"], "raw_bulk_get_median_s": p["raw_bulk_get_and_parse_median_s"],
                                       "ratio": p["ratio"], "rest_calls": p["rest_calls_to_read_state"], "pass": p["pass"]} for release, p in plan.items()},
    "server_mixed_platform": {"connect_releases": server["connect_releases"], "overview_page": server["overview_page"], "list_api": server["list_api"],
                              "data_flow_pages": server["data_flow_pages"], "server_peak_rss_mb": server["server_peak_rss_mb"],
                              "bulk_reads_per_poll": server["auto_restart"]["bulk_reads_per_poll"], "metrics_scrape_p99_ms": metrics["metrics_scrape"]["p99_ms"],
                              "pass": server["pass"], "metrics_pass": metrics["pass"]},
    "targets": "as the 3.9 benchmarks: plan <= 2 REST calls and <= 1.5x the raw bulk GET; pages p99 < 50 ms and >= 10x Connect's rate; RSS < 150 MB; /metrics p99 <= 100 ms",
    "pass": all(p["pass"] for p in plan.values()) and server["pass"] and metrics["pass"],
}, indent=2))
PY
cat bench/results/releases.json
