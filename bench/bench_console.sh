#!/bin/sh
# The broker's produce throughput with its HTTP console open against it
# closed (issue 19). Each round starts `kafkalite broker` twice on a fresh
# log.dirs, in the two modes in turn (the order alternates from round to
# round), and times `kafkalite perf produce` of MESSAGES 100-byte messages
# to a 4-partition topic:
#   closed: console.listeners empty (no HTTP listener at all);
#   open:   the console on 127.0.0.1 (port 0), /metrics scraped every
#           second, and the console page's overview refresh (cluster,
#           topics, groups of the JSON API) every 3 s, as a browser on the
#           page does, all through curl while the producer runs.
# Prints each round's msgs/s and the ratio open/closed, then the medians
# and spreads (min-max); the ratio is taken per round. After each open
# run, the broker's CPU time for one /metrics scrape is measured too (its
# process_cpu_seconds_total over 50 scrapes in a row): a figure the
# machine's load disturbs far less than a throughput.
#   sh bench/bench_console.sh [ROUNDS (5)] [MESSAGES (1000000)]
# The broker is ./tools/kafkalite unless KAFKALITE names another.
set -u
rounds=${1:-5}
messages=${2:-1000000}
KAFKALITE=${KAFKALITE:-./tools/kafkalite}
command -v curl >/dev/null 2>&1 || { echo "bench_console: needs curl" >&2; exit 1; }
"$KAFKALITE" broker --help | grep -q "HTTP console" ||
    { echo "bench_console: $KAFKALITE is built without the console" >&2; exit 1; }

work=$(mktemp -d /tmp/kl-bench-console-XXXXXX)
broker=
scraper=
cleanup() {
    for p in $scraper $broker; do
        kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
    echo "bench_console: $*" >&2
    tail -n 20 "$work/broker.err" >&2 2>/dev/null
    exit 1
}

# Polls for the broker's "ready" line, 30 s at most.
wait_ready() {
    n=0
    until grep -qs 'bootstrap.servers=' "$work/broker.out"; do
        n=$((n + 1))
        [ "$n" -le 300 ] && kill -0 "$broker" 2>/dev/null || die "the broker never said it was ready"
        sleep 0.1
    done
}

# What a Prometheus server and a browser on the console page ask for.
scrape() {
    n=0
    while :; do
        curl -sS --max-time 5 -o /dev/null "$1/metrics"
        if [ $((n % 3)) -eq 0 ]; then
            for api in cluster topics groups; do
                curl -sS --max-time 5 -o /dev/null "$1/api/v1/$api"
            done
        fi
        n=$((n + 1))
        sleep 1
    done
}

# The broker's CPU time (its own process_cpu_seconds_total) over
# SCRAPES scrapes of /metrics in a row, after the produce: sets $cost, the
# CPU milliseconds of one scrape (a 1 s scrape interval costs cost/1000 of
# a core).
SCRAPES=50
cpu_seconds() {
    curl -sS --max-time 5 "$1/metrics" | sed -n 's/^process_cpu_seconds_total //p'
}
scrape_cost() {
    cpu0=$(cpu_seconds "$1")
    for i in $(seq 1 $SCRAPES); do
        curl -sS --max-time 5 -o /dev/null "$1/metrics" || die "cannot scrape $1/metrics"
    done
    cpu1=$(cpu_seconds "$1")
    [ -n "$cpu0" ] && [ -n "$cpu1" ] || die "no process_cpu_seconds_total in $1/metrics"
    cost=$(awk -v a="$cpu0" -v b="$cpu1" -v n=$SCRAPES 'BEGIN { printf "%.3f", (b - a) * 1000 / (n + 1) }')
}

# run MODE: one broker, one timed produce; sets $rate (msgs/s).
run() {
    rm -rf "$work/logs" "$work/broker.out" "$work/broker.err"
    if [ "$1" = open ]; then
        console=http://127.0.0.1:0
    else
        console=
    fi
    "$KAFKALITE" broker --override listeners=PLAINTEXT://127.0.0.1:0 --override "log.dirs=$work/logs" \
        --override "console.listeners=$console" >"$work/broker.out" 2>"$work/broker.err" &
    broker=$!
    wait_ready
    bootstrap=$(sed -n 's/.*bootstrap.servers=//p' "$work/broker.out")
    url=$(sed -n 's/^kafkalite broker: console on //p' "$work/broker.out")
    if [ "$1" = open ]; then
        [ -n "$url" ] || die "no console address printed"
        curl -sS --max-time 5 -o "$work/metrics.out" "$url/metrics" || die "cannot scrape $url/metrics"
        scrape "$url" 2>"$work/scrape.err" &
        scraper=$!
    elif [ -n "$url" ]; then
        die "the console is on although console.listeners is empty"
    fi
    "$KAFKALITE" topics -b "$bootstrap" --create --topic bench --partitions 4 >/dev/null 2>&1 ||
        die "cannot create the topic"
    "$KAFKALITE" perf produce -b "$bootstrap" -t bench -n "$messages" -s 100 >"$work/perf.out" 2>&1 ||
        die "perf produce failed: $(tail -n 3 "$work/perf.out")"
    if [ -n "$scraper" ]; then
        kill "$scraper" && wait "$scraper" 2>/dev/null
        scraper=
        [ -s "$work/scrape.err" ] && die "a scrape failed: $(head -n 3 "$work/scrape.err")"
        scrape_cost "$url"
    fi
    kill -TERM "$broker" && wait "$broker"
    broker=
    rate=$(sed -n 's/.* s: \([0-9]*\) msg\/s,.*/\1/p' "$work/perf.out")
    [ -n "$rate" ] || die "no msgs/s in the perf output: $(cat "$work/perf.out")"
}

echo "round closed_msgs/s open_msgs/s ratio_open/closed (first) cpu_ms_per_scrape"
: >"$work/rounds"
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
        run closed && closed=$rate
        run open && open=$rate
        first=closed
    else
        run open && open=$rate
        run closed && closed=$rate
        first=open
    fi
    ratio=$(awk -v o="$open" -v c="$closed" 'BEGIN { printf "%.3f", o / c }')
    echo "$r $closed $open $ratio ($first) $cost"
    echo "$closed $open $ratio $cost" >>"$work/rounds"
done

# median and min-max of column $1 of the rounds
stat() {
    sort -g -k "$1,$1" "$work/rounds" | awk -v c="$1" '{ v[NR] = $c }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%s (%s-%s)", m, v[1], v[NR] }'
}
echo
echo "$rounds rounds of $messages messages, median (min-max):"
echo "closed: $(stat 1) msgs/s"
echo "open:   $(stat 2) msgs/s"
echo "ratio open/closed: $(stat 3)"
echo "broker CPU per /metrics scrape: $(stat 4) ms"
