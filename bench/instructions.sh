#!/usr/bin/env bash
# Client instructions per small GET on HTTP/1.1 loopback, counted by
# callgrind: each client runs N1 and N2 sequential requests against a
# server in another process; the difference of the two totals over N2-N1
# leaves start-up and connection set-up out. Instruction counts do not
# depend on the machine's load, unlike timings; GODEBUG=asyncpreemptoff=1
# keeps the runtime's preemption signals out, so that runs repeat. The
# output is a markdown table (ratios to net/http and net/http-headers).
#   ./instructions.sh [client ...]   (default: net/http net/http-headers httpx resty\ v2 req\ v3 fasthttp)
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
go build -o /tmp/gohttpx-bench .
coproc SRV { exec /tmp/gohttpx-bench -serve; }
read -r ready h1 _ <&"${SRV[0]}"
[ "$ready" = READY ] || { echo "server did not start"; exit 1; }
url="$h1/small"
N1=${N1:-1000}
N2=${N2:-3000}
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=("net/http" "net/http-headers" "httpx" "resty v2" "req v3" "fasthttp")
count() {
  local log; log=$(mktemp)
  if ! GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/gohttpx-bench -loop "$2" -clients "$1" -url "$url" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  awk '/Collected :/ {print $NF}' "$log"
  rm -f "$log"
}
echo "| Client | instructions/request | vs net/http | vs net/http-headers |"
echo "|---|--:|--:|--:|"
base=0; baseh=0
for c in "${clients[@]}"; do
  a=$(count "$c" "$N1"); b=$(count "$c" "$N2")
  per=$(( (b - a) / (N2 - N1) ))
  [ "$c" = net/http ] && base=$per
  [ "$c" = net/http-headers ] && baseh=$per
  r1=n/a; r2=n/a
  [ "$base" -gt 0 ] && r1=$(awk -v x="$per" -v y="$base" 'BEGIN{printf "%.2f×", x/y}')
  [ "$baseh" -gt 0 ] && r2=$(awk -v x="$per" -v y="$baseh" 'BEGIN{printf "%.2f×", x/y}')
  printf '| %s | %d | %s | %s |\n' "$c" "$per" "$r1" "$r2"
done
echo
echo "($N2 minus $N1 sequential requests per client, GOMAXPROCS=1, GODEBUG=asyncpreemptoff=1.)"
kill "$SRV_PID" 2>/dev/null || true
