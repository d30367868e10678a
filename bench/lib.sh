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
