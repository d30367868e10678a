#!/usr/bin/env bash
# Benchmark of `switchboard plugins install` from a local HTTP artifact store, compared with a
# raw baseline over the same artifacts measured in the same run:
#
#   install:   10 artifacts (8 tar.gz, 2 jars; about 105 MB, incompressible content) into an
#              empty folder must take at most 1.3x a `curl | tar xz` / `curl > file` loop.
#   reinstall: a second install with nothing changed must take under 1 s.
#
# Results: bench/results/plugins.json. Usage: bench/plugins.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bench/plugins.sh [--runs N]" >&2; exit 2 ;;
  esac
done

work=.switchboard/bench-plugins
sb=.build/release/switchboard
token=bench-$RANDOM$RANDOM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
store=http://127.0.0.1:$port/artifactory/plugins
mkdir -p bench/results
rm -rf "$work"; mkdir -p "$work/upstream" "$work/store"

scripts/build -c release --product switchboard

echo "==> Building 10 artifacts (about 105 MB)"
python3 - "$work/upstream" <<'EOF'
import io, os, sys, tarfile
out = sys.argv[1]
for i in range(8):
    with tarfile.open(os.path.join(out, f"plugin-{i}.tar.gz"), "w:gz", compresslevel=1) as tar:
        for j in range(4):
            data = os.urandom(3 * 1024 * 1024)
            info = tarfile.TarInfo(f"plugin-{i}/lib/part-{j}.jar"); info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
for i in range(8, 10):
    with open(os.path.join(out, f"plugin-{i}.jar"), "wb") as f:
        f.write(os.urandom(4 * 1024 * 1024))
EOF
du -sh "$work/upstream"

python3 scripts/artifact-server.py "$port" "$work/store" "$token" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_until 30 "the artifact server on port $port" curl -s -o /dev/null "http://127.0.0.1:$port/"

{
  printf 'store:\n  url: %s\n  bearerTokenEnv: BENCH_STORE_TOKEN\nartifacts:\n' "$store"
  for file in "$work"/upstream/*; do
    name=$(basename "$file"); base=${name%%.*}; type=${name#*.}
    printf '  - name: %s\n    version: "1.0"\n    type: %s\n    source: %s\n    sha256: %s\n' "$base" "$type" "$(realpath "$file")" "$(sha256sum "$file" | cut -d' ' -f1)"
  done
  printf 'clusters:\n  bench: [%s]\n' "$(ls "$work/upstream" | sed 's/\..*//' | paste -sd, | sed 's/,/, /g')"
} > "$work/plugins.yaml"
export BENCH_STORE_TOKEN=$token
$sb plugins mirror --manifest "$work/plugins.yaml" > /dev/null

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

baseline() { # $1: destination
  for file in "$work"/upstream/*; do
    name=$(basename "$file"); base=${name%%.*}
    mkdir -p "$1/$base"
    case "$name" in
      *.tar.gz) curl -sf -H "Authorization: Bearer $token" "$store/$base/1.0/$base-1.0.tar.gz" | tar xzf - -C "$1/$base" ;;
      *.jar) curl -sf -H "Authorization: Bearer $token" -o "$1/$base/$base-1.0.jar" "$store/$base/1.0/$base-1.0.jar" ;;
    esac
  done
}

echo "==> Timing $runs installs and $runs baselines, interleaved (page cache warmed by the mirror)"
: > "$work/install.times"; : > "$work/baseline.times"; : > "$work/reinstall.times"
for run in $(seq 1 "$runs"); do
  rm -rf "$work/dest-base" "$work/dest"
  t0=$(now); baseline "$work/dest-base"; t1=$(now); elapsed "$t0" "$t1" >> "$work/baseline.times"
  t0=$(now); $sb plugins install --manifest "$work/plugins.yaml" --cluster bench --dest "$work/dest" > "$work/install.out"; t1=$(now)
  elapsed "$t0" "$t1" >> "$work/install.times"
  t0=$(now); $sb plugins install --manifest "$work/plugins.yaml" --cluster bench --dest "$work/dest" > "$work/reinstall.out"; t1=$(now)
  elapsed "$t0" "$t1" >> "$work/reinstall.times"
done
grep -q 'Installed 10, unchanged 0' "$work/install.out" || { echo "error: install did not install 10 plugins:"; cat "$work/install.out"; exit 1; }
grep -q 'Installed 0, unchanged 10' "$work/reinstall.out" || { echo "error: reinstall was not a no-op:"; cat "$work/reinstall.out"; exit 1; }
diff -r "$work/dest-base" "$work/dest" -x '.switchboard-plugins.json' > /dev/null || { echo "error: install and baseline unpacked different files"; exit 1; }

install_s=$(median < "$work/install.times"); base_s=$(median < "$work/baseline.times"); reinstall_s=$(median < "$work/reinstall.times")
ratio=$(awk -v a="$install_s" -v b="$base_s" 'BEGIN { printf "%.3f", a / b }')
cat > bench/results/plugins.json <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": {"cores": $(nproc), "kernel": "$(uname -r)"},
  "artifacts": 10,
  "bytes": $(du -sb "$work/upstream" | cut -f1),
  "runs": $runs,
  "switchboard_install_s": [$(paste -sd, "$work/install.times")],
  "curl_tar_baseline_s": [$(paste -sd, "$work/baseline.times")],
  "switchboard_reinstall_s": [$(paste -sd, "$work/reinstall.times")],
  "switchboard_install_median_s": $install_s,
  "curl_tar_baseline_median_s": $base_s,
  "ratio": $ratio,
  "ratio_target": 1.3,
  "reinstall_median_s": $reinstall_s,
  "reinstall_target_s": 1.0,
  "pass": $(awk -v r="$ratio" -v s="$reinstall_s" 'BEGIN { print (r <= 1.3 && s < 1.0) ? "true" : "false" }')
}
EOF
cat bench/results/plugins.json
