# Sourced by the bench scripts: waits that end. Every HTTP call has a deadline (curl is wrapped;
# xargs lines pass --max-time themselves) and every poll loop gives up after its limit, saying what
# it waited for and what it saw last, instead of hanging a benchmark run forever.

curl() { command curl --connect-timeout 5 --max-time 120 "$@"; }

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every half second until it succeeds; after
# SECONDS, exits 1 naming WHAT and the last output COMMAND gave.
wait_until() {
  local limit=$1 what=$2 deadline out
  shift 2
  deadline=$(( $(date +%s) + limit ))
  until out=$("$@" 2>&1); do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "error: gave up after ${limit}s waiting for $what; last seen: ${out:-nothing}" >&2
      exit 1
    fi
    sleep 0.5
  done
}

# running_at URL PREFIX WANT: succeeds when WANT connectors named PREFIX* on the worker at URL run
# with all their tasks running (what apply waits for), or, with WANT = 0, when none is left; prints
# what it saw.
running_at() {
  curl -s "$1/connectors?expand=status" | python3 -c "
import json, sys
d = json.load(sys.stdin)
mine = {n: v for n, v in d.items() if n.startswith('$2')}
running = sum(1 for v in mine.values() if v['status']['connector']['state'] == 'RUNNING'
              and v['status']['tasks'] and all(t['state'] == 'RUNNING' for t in v['status']['tasks']))
print(f'{len(mine)} connectors named $2*, {running} running')
sys.exit(0 if ($3 == 0 and not mine) or ($3 > 0 and running >= $3) else 1)"
}

# ensure_connectors URL PREFIX COUNT: COUNT STOPPED FileStream connectors named PREFIX0000... on
# the worker at URL, created once (the bench stack keeps them).
connector_json='{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"/tmp/switchboard-bench-none","topic":"bench","tasks.max":"1"}'
ensure_connectors() {
  local have
  have=$(curl -s "$1/connectors?expand=status" | python3 -c "import json,sys; print(sum(1 for n in json.load(sys.stdin) if n.startswith('$2')))")
  if [ "$have" -lt "$3" ]; then
    echo "==> Creating $(($3 - have)) STOPPED connectors on $1 (once; this takes a while)"
    seq -f "${2}%04g" 0 $(($3 - 1)) | xargs -P 64 -I{} curl -s --max-time 60 -o /dev/null -X POST -H 'Content-Type: application/json' \
      "$1/connectors" -d "{\"name\":\"{}\",\"config\":$connector_json,\"initial_state\":\"STOPPED\"}"
  fi
}

# write_bench_catalog DIR: the catalog over the bench stack's clusters bench and bench2 (teams
# bench and other, auto-restart on), as the server benchmarks serve it.
write_bench_catalog() {
  mkdir -p "$1/teams/bench" "$1/teams/other"
  printf 'clusters:\n  - name: bench\n    url: http://127.0.0.1:38083\n    kafka: {bootstrapServers: "127.0.0.1:39092"}\n  - name: bench2\n    url: http://127.0.0.1:38093\n    kafka: {bootstrapServers: "127.0.0.1:39092"}\nadmins:\n  groups: [platform]\naccess:\n  signedIn: viewer\nautoRestart:\n  enabled: true\n' > "$1/switchboard.yaml"
  printf 'members: [bench]\n' > "$1/teams/bench/team.yaml"
  printf 'members: [other]\n' > "$1/teams/other/team.yaml"
}

# ensure_wrk: wrk from Debian, installed once.
ensure_wrk() {
  command -v wrk > /dev/null && return
  echo "==> Installing wrk (apt-get install wrk)"
  local sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo -n"
  ls /var/lib/apt/lists/*_Packages* > /dev/null 2>&1 || $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q wrk > /dev/null
}

# wrk_json FILE SECONDS URL [wrk args]: wrk with one thread and 8 connections (two cores: the load
# generator needs one of them) for SECONDS, its output kept in FILE; prints rate, p50, p99 and
# non-2xx answers as JSON.
wrk_json() {
  local file=$1 seconds=$2 url=$3; shift 3
  wrk -t1 -c8 -d"${seconds}s" --latency "$@" "$url" > "$file"
  python3 - "$file" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", text, re.M)
p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", text, re.M)
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f'{{"requests_per_s": {float(rps.group(1)):.1f}, "p50_ms": {ms(*p50.groups()):.2f}, "p99_ms": {ms(*p99.groups()):.2f}, "non_2xx": {int(errors.group(1)) if errors else 0}}}')
PY
}
