#!/usr/bin/env bash
# Benchmark of the audit log at a million rows, on SQLite and on PostgreSQL (the bench stack's):
# the queries the pages make (the audit page's newest 100, a connector page's newest 20, a team
# page's newest 15), recording one entry, and retention deleting the oldest tenth, each measured
# first at a baseline of 10,000 rows and then at 1,000,000 in the same run, through Switchboard's
# own storage code (`connect-fleet audit`).
#
# Target: every page query's p99 at 1,000,000 rows under 50 ms (the pages' target at scale), and
# its median within 3x of its own median at the baseline (indexed: the cost does not grow with
# the log; medians, because a p99 of sub-millisecond queries is one disk flush or scheduler hiccup).
#
# Results: bench/results/audit.json. Usage: bench/audit.sh [--rows N] [--sqlite-only]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

rows=1000000
sqlite_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --sqlite-only) sqlite_only=true; shift ;;
    *) echo "usage: bench/audit.sh [--rows N] [--sqlite-only]" >&2; exit 2 ;;
  esac
done

home=.switchboard/bench
results=${BENCH_RESULTS:-bench/results}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$results"
scripts/build -c release --product connect-fleet
scripts/build -c release --product switchboard
fleet=.build/release/connect-fleet

echo "==> SQLite, $rows rows"
"$fleet" audit --sqlite "$work/audit.sqlite" --rows "$rows" > "$work/sqlite.json"
ls -l "$work/audit.sqlite" | awk '{print "    file size: " $5 " bytes"}'

if [ "$sqlite_only" = false ]; then
  echo "==> PostgreSQL (the bench stack's), $rows rows"
  .build/release/switchboard dev up --home "$home" --cluster bench --cluster bench2 --broker-port 39092 --connect-port 38083 --postgres --postgres-port 35432
  psql=$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
  database="audit_bench_$(date +%s)"
  "$psql" -h 127.0.0.1 -p 35432 -U postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $database"
  "$fleet" audit --database "postgres://postgres@127.0.0.1:35432/$database?sslmode=disable" --rows "$rows" > "$work/postgres.json"
  "$psql" -h 127.0.0.1 -p 35432 -U postgres -q -c "DROP DATABASE $database" || true
fi

python3 - "$work" "$results/audit.json" <<'PY'
import json, os, sys, datetime
work, out = sys.argv[1], sys.argv[2]
runs = [json.load(open(os.path.join(work, f"{name}.json"))) for name in ("sqlite", "postgres") if os.path.exists(os.path.join(work, f"{name}.json"))]
verdicts = []
for run in runs:
    base, full = run["sizes"][str(run["baseline"])], run["sizes"][str(run["rows"])]
    for query in base:
        if query == "record one entry":
            continue
        p99, p50, p50_base = full[query]["p99_ms"], full[query]["p50_ms"], base[query]["p50_ms"]
        ratio = p50 / max(p50_base, 0.05)
        ok = p99 < 50 and ratio < 3
        verdicts.append({"backend": run["backend"], "query": query, "p99_ms": p99, "p50_ms": p50, "baseline_p50_ms": p50_base, "median_growth": round(ratio, 2), "pass": ok})
        print(f"    {run['backend']:10} {query:42} p99 {p99:6.2f} ms, median {p50:5.2f} ms at {run['rows']:,} rows (median {p50_base:5.2f} ms at {run['baseline']:,}): {'pass' if ok else 'FAIL'}")
    print(f"    {run['backend']:10} retention deleted {run['retention']['deleted']:,} rows in {run['retention']['seconds']} s; inserts {run['insert_rows_per_second']:,} rows/s")
json.dump({"measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "runs": runs, "verdicts": verdicts,
           "pass": all(v["pass"] for v in verdicts)}, open(out, "w"), indent=2, sort_keys=True)
print(f"==> Wrote {out}")
sys.exit(0 if all(v["pass"] for v in verdicts) else 1)
PY
