#!/usr/bin/env bash
# Before and after, in one run: builds the release binary of BASELINE (a git ref, default the
# commit before the module split) in a worktree of its own, and of this checkout, then runs the
# server benchmark (bench/server.sh) and plan's benchmark (bench/catalog.sh --only plan) with each
# binary in turn, on the same bench stack, alternating, and writes both sets of figures side by
# side with their ratios to bench/results/compare.json.
#
# Usage: bench/compare.sh [BASELINE] [--duration SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

baseline=0bb2d77 duration=20
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    -*) echo "usage: bench/compare.sh [BASELINE] [--duration SECONDS]" >&2; exit 2 ;;
    *) baseline=$1; shift ;;
  esac
done
git rev-parse --verify --quiet "$baseline^{commit}" > /dev/null || { echo "error: $baseline is not a commit of this repository" >&2; exit 2; }

work=.build-compare
mkdir -p "$work"
if [ ! -d "$work/baseline" ]; then
  git worktree add --detach "$work/baseline" "$baseline" > /dev/null
fi
git -C "$work/baseline" checkout --quiet --detach "$baseline"
echo "==> Building the baseline ($baseline) in $work/baseline (release)"
(cd "$work/baseline" && swift build -c release --product switchboard --scratch-path "$PWD/../build-baseline" 2>&1 | tail -1)
echo "==> Building this checkout (release)"
scripts/build -c release --product switchboard | tail -1
cp .build/release/switchboard "$work/switchboard-current"
cp "$work/build-baseline/release/switchboard" "$work/switchboard-baseline"
# Both run from .build-compare/bin/release, three levels below the project: their RUNPATH
# ($ORIGIN/../../../.switchboard/cache/librdkafka) finds the project's librdkafka there.
mkdir -p "$work/bin/release"

for round in 1 2; do
  for which in baseline current; do
    echo "==> Round $round: $which"
    out="$work/results-$which-$round"
    mkdir -p "$out"
    cp "$work/switchboard-$which" "$work/bin/release/switchboard"
    SWITCHBOARD_BIN="$work/bin/release/switchboard" BENCH_RESULTS="$out" bench/server.sh --duration "$duration" > "$out/server.log" 2>&1
    SWITCHBOARD_BIN="$work/bin/release/switchboard" BENCH_RESULTS="$out" bench/catalog.sh --only plan > "$out/catalog.log" 2>&1
  done
done

python3 - "$work" "$baseline" "$(git rev-parse --short HEAD)" <<'PY' > bench/results/compare.json
import json, sys, datetime, os
work, baseline, current = sys.argv[1:4]
def load(which, round, name):
    return json.load(open(f"{work}/results-{which}-{round}/{name}"))
def figures(which, round):
    server, metrics, plan = load(which, round, "server.json"), load(which, round, "metrics.json"), load(which, round, "catalog-plan.json")
    pages = {"overview_page": server["overview_page"], "list_api": server["list_api"], **server["data_flow_pages"]}
    return {
        "pages": {name: {"requests_per_s": page["requests_per_s"], "p99_ms": page["p99_ms"]} for name, page in pages.items()},
        "connect_requests_per_s": server["connect_expand_status"]["requests_per_s"],
        "server_peak_rss_mb": server["server_peak_rss_mb"],
        "metrics_scrape_p99_ms": metrics["metrics_scrape"]["p99_ms"],
        "plan_s": plan["switchboard_plan_median_s"],
        "bulk_reads_per_poll": server["auto_restart"]["bulk_reads_per_poll"],
    }
rounds = {which: [figures(which, r) for r in (1, 2)] for which in ("baseline", "current")}
def best(which, key):
    return [r[key] for r in rounds[which]]
summary = {}
for page in rounds["baseline"][0]["pages"]:
    b = max(r["pages"][page]["requests_per_s"] for r in rounds["baseline"])
    c = max(r["pages"][page]["requests_per_s"] for r in rounds["current"])
    bp = min(r["pages"][page]["p99_ms"] for r in rounds["baseline"])
    cp = min(r["pages"][page]["p99_ms"] for r in rounds["current"])
    summary[page] = {"rate_current_vs_baseline": round(c / b, 2), "p99_ms_baseline": bp, "p99_ms_current": cp}
rss = (min(best("baseline", "server_peak_rss_mb")), min(best("current", "server_peak_rss_mb")))
print(json.dumps({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
    "baseline": baseline, "current": current,
    "method": "two rounds each, alternating baseline and current on the same bench stack; best of the two rounds per figure",
    "rounds": rounds,
    "summary": {"pages": summary, "server_peak_rss_mb": {"baseline": rss[0], "current": rss[1]},
                "metrics_scrape_p99_ms": {"baseline": min(best("baseline", "metrics_scrape_p99_ms")), "current": min(best("current", "metrics_scrape_p99_ms"))},
                "plan_s": {"baseline": best("baseline", "plan_s"), "current": best("current", "plan_s")}},
    "regression": any(v["rate_current_vs_baseline"] < 0.8 for v in summary.values()) or rss[1] > rss[0] * 1.2,
}, indent=2))
PY
cat bench/results/compare.json
