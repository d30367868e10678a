#!/usr/bin/env bash
# Benchmark of `switchboard serve` with 2,000 connectors over two clusters, under load from wrk
# (Debian) on loopback, compared in the same run with Connect's own
# GET /connectors?expand=status served by one worker:
#
#   the overview page and the list API: p99 under 50 ms, and at least 10x Connect's request rate;
#   the server's peak RSS under 150 MB;
#   a scrape of /metrics within 100 ms (p99 of 100 scrapes), beside a raw bulk GET
#   (?expand=info&expand=status) of both clusters timed in the same run;
#   with the auto-restart controller on, at most one bulk read per cluster per poll: the
#   workers' own request logs are counted over the load window (results in server.json);
#   the pages with lineage and charts (the platform's lineage, a team dashboard over 1,000
#   connectors, a connector page as a viewer, the lineage API): p99 under 50 ms, with the lag and
#   throughput poller reading the bench broker and the topic poller reading active topics (its
#   requests are counted apart, at most its budget of 100 per cluster per 30 s round).
#
# Results: bench/results/server.json and bench/results/metrics.json. Usage: bench/server.sh [--duration SECONDS] [--connect2 RELEASE]
# (--connect2: the Connect release of cluster bench2, for a mixed-version platform; bench stays on 3.9)
# Uses the bench stack in .switchboard/bench (see bench/catalog.sh): cluster `bench` with 1,000
# STOPPED connectors and cluster `bench2` with 1,000 more, created once and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

duration=20 connect2=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connect2) connect2=$2; shift 2 ;;
    *) echo "usage: bench/server.sh [--duration SECONDS] [--connect2 3.9|4.3]" >&2; exit 2 ;;
  esac
done

home=.switchboard/bench
# SWITCHBOARD_BIN: a binary to measure instead of building this checkout's (bench/compare.sh);
# BENCH_RESULTS: where the results go (default bench/results).
sb=${SWITCHBOARD_BIN:-.build/release/switchboard}
results=${BENCH_RESULTS:-bench/results}
work=$home/server
mkdir -p "$results" "$work"

[ -n "${SWITCHBOARD_BIN:-}" ] || scripts/build -c release --product switchboard
ensure_wrk
$sb dev up --home "$home" --cluster bench --cluster "bench2${connect2:+:$connect2}" --broker-port 39092 --connect-port 38083

ensure_connectors http://127.0.0.1:38083 bench_c 1000
ensure_connectors http://127.0.0.1:38093 other_c 1000
write_bench_catalog "$work/catalog"

$sb serve --catalog "$work/catalog" --port 38080 --trusted-proxy 127.0.0.1 --audit-db "$work/audit.sqlite" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
auth=(-H "X-Forwarded-User: bench" -H "X-Forwarded-Groups: platform")
server_total() { curl -s "${auth[@]}" 'http://127.0.0.1:38080/api/v1/connectors?limit=1' | python3 -c 'import json,sys; t=json.load(sys.stdin)["total"]; print(f"the server sees {t}"); sys.exit(0 if t >= 2000 else 1)'; }
wait_until 300 "the server to see 2,000 connectors" server_total
echo "==> The server sees 2,000 connectors"

load() { # name url [header args]: wrk's rate, p50 and p99 as JSON
  local name=$1 url=$2; shift 2
  wrk_json "$work/$name.wrk" "$duration" "$url" "$@"
}
# Connect's requests over the load window, from the bench worker's request log (the server polls every 5 s).
worker_log=$home/clusters/bench/worker-1/worker.log
log_lines_before=$(wc -l < "$worker_log")
window_started=$(date +%s)
echo "==> Connect's own GET /connectors?expand=status (1,000 connectors, one worker), ${duration}s"
connect=$(load connect 'http://127.0.0.1:38083/connectors?expand=status')
echo "==> Overview page, ${duration}s"
overview=$(load overview 'http://127.0.0.1:38080/' "${auth[@]}")
echo "==> List API, ${duration}s"
api=$(load api 'http://127.0.0.1:38080/api/v1/connectors' "${auth[@]}")
echo "==> Lineage of the platform, ${duration}s"
lineage=$(load lineage 'http://127.0.0.1:38080/lineage' "${auth[@]}")
echo "==> Team dashboard (1,000 connectors), ${duration}s"
team=$(load team 'http://127.0.0.1:38080/teams/bench' "${auth[@]}")
# A viewer (access.signedIn: viewer above): the page with its lineage and charts, without the
# two Connect reads (topics, offsets) that a reader's view makes on every visit.
echo "==> Connector page with lineage and charts (a viewer), ${duration}s"
connector_page=$(load connector 'http://127.0.0.1:38080/clusters/bench/connectors/bench_c0001' -H "X-Forwarded-User: viewer")
echo "==> Lineage API of a team, ${duration}s"
lineage_api=$(load lineage_api 'http://127.0.0.1:38080/api/v1/lineage?team=bench' "${auth[@]}")
# The window ends here: what follows times raw bulk GETs of its own.
window_s=$(( $(date +%s) - window_started ))
window_log=$work/worker-window.log
tail -n +"$((log_lines_before + 1))" "$worker_log" | grep 'RestServer' > "$window_log" || true
echo "==> /metrics scrapes beside raw bulk GETs of both clusters"
python3 - <<'EOF' > "$results"/metrics.json
import json, time, urllib.request, datetime, os
def timed(url, times):
    samples, size = [], 0
    for _ in range(times):
        start = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            size = len(response.read())
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": round(samples[len(samples) // 2], 2), "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2),
            "max_ms": round(samples[-1], 2), "bytes": size, "samples": times}
scrape = timed("http://127.0.0.1:38080/metrics", 100)
bulk = [timed(f"http://127.0.0.1:{port}/connectors?expand=info&expand=status", 20) for port in (38083, 38093)]
raw_ms = sum(b["median_ms"] for b in bulk)
series = sum(1 for line in urllib.request.urlopen("http://127.0.0.1:38080/metrics").read().decode().splitlines() if line and not line.startswith("#"))
print(json.dumps({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
    "connectors": 2000, "clusters": 2, "series": series,
    "metrics_scrape": scrape,
    "raw_bulk_get_bench": bulk[0], "raw_bulk_get_bench2": bulk[1],
    "raw_bulk_get_both_clusters_median_ms": round(raw_ms, 2),
    "scrape_vs_raw_bulk_get": round(scrape["median_ms"] / raw_ms, 2),
    "targets": {"scrape_p99_ms_below": 100},
    "pass": scrape["p99_ms"] < 100,
}, indent=2))
EOF
cat "$results"/metrics.json
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")
release() { curl -s --max-time 10 "$1/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])'; }
releases="{\"bench\": \"$(release http://127.0.0.1:38083)\", \"bench2\": \"$(release http://127.0.0.1:38093)\"}"
# The server's bulk reads ask for ?expand=info&expand=status; wrk's load on Connect itself is
# ?expand=status alone; the server's details read / and /connector-plugins. Anything else (a
# restart, a per-connector read) would be the controller's or a page's doing.
bulk_reads=$(grep -c '"GET /connectors?expand=info' "$window_log" || true)
# The topic poller reads GET /connectors/<name>/topics, a budget at a time: counted apart.
topic_reads=$(grep -c '"GET /connectors/[^ ]*/topics' "$window_log" || true)
other_requests=$(grep -v -e '"GET /connectors?expand=' -e '"GET /connector-plugins' -e '"GET / HTTP' -e '"GET /connectors/[^ ]*/topics' "$window_log" | grep -c . || true)

python3 - "$connect" "$overview" "$api" "$rss_kb" "$window_s" "$bulk_reads" "$other_requests" "$topic_reads" "$lineage" "$team" "$connector_page" "$lineage_api" <<EOF > "$results"/server.json
import json, sys, datetime, os
connect, overview, api = (json.loads(a) for a in sys.argv[1:4])
rss_mb = int(sys.argv[4]) / 1024
window_s, bulk_reads, other_requests, topic_reads = (int(a) for a in sys.argv[5:9])
flow = dict(zip(["lineage_page", "team_page", "connector_page_viewer", "lineage_api"], (json.loads(a) for a in sys.argv[9:13])))
topic_reads_allowed = 100 * (window_s // 30 + 1)
flow_pass = all(page["p99_ms"] < 50 and page["non_2xx"] == 0 for page in flow.values())
polls = max(window_s / 5, 1)
def verdict(page):
    return page["p99_ms"] < 50 and page["requests_per_s"] >= 10 * connect["requests_per_s"] and page["non_2xx"] == 0
result = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
    "connectors": 2000, "clusters": 2, "connect_releases": $releases, "duration_s": $duration, "load": "wrk -t1 -c8",
    "connect_expand_status": connect,
    "overview_page": overview,
    "list_api": api,
    "overview_rate_vs_connect": round(overview["requests_per_s"] / connect["requests_per_s"], 1),
    "api_rate_vs_connect": round(api["requests_per_s"] / connect["requests_per_s"], 1),
    "data_flow_pages": flow,
    "data_flow_pass": flow_pass,
    "server_peak_rss_mb": round(rss_mb, 1),
    "auto_restart": {"enabled": True, "window_s": window_s, "bulk_reads_of_cluster_bench": bulk_reads,
                     "bulk_reads_per_poll": round(bulk_reads / polls, 2), "other_requests": other_requests,
                     "topic_reads_of_cluster_bench": topic_reads, "topic_reads_allowed": topic_reads_allowed},
    "targets": {"p99_ms_below": 50, "rate_vs_connect_at_least": 10, "rss_mb_below": 150, "bulk_reads_per_poll_at_most": 1, "other_requests": 0},
    "pass": verdict(overview) and verdict(api) and flow_pass and rss_mb < 150 and bulk_reads <= polls + 1 and other_requests == 0 and topic_reads <= topic_reads_allowed,
}
print(json.dumps(result, indent=2))
EOF
cat "$results"/server.json
