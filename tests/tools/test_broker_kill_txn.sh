#!/bin/sh
# The broker's SIGKILL loop during transactions (issue 20): while
# txn_kill_writer commits and aborts transactions of TXN_RECORDS numbered
# records (every third one aborted on purpose), `kafkalite broker` is
# SIGKILLed TXN_KILLS times (20 by default) at random points and restarted
# on the same port and log dir. Then read_committed (kafkalite consume,
# and kcat when installed) must show every transaction whole or not at
# all, every transaction the writer saw committed, and no record of a
# transaction meant to be aborted. The kill points come from TXN_SEED
# (printed; set it to replay a failure's schedule).
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
WRITER=${TXN_KILL_WRITER:-./tests/tools/txn_kill_writer}
kills=${TXN_KILLS:-20}
records=${TXN_RECORDS:-20}
partitions=3
seed=${TXN_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "TXN_SEED=$seed TXN_KILLS=$kills TXN_RECORDS=$records"

start_broker --override num.partitions=$partitions
port=${bootstrap##*:}
run create 0 topics --bootstrap-server "$bootstrap" --create --topic txn --partitions $partitions

# Per kill, the delay (0..400 ms) between the writer's progress after a
# restart and the SIGKILL, and how long the broker then stays down
# (0..1.5 s: longer than the writer's 1 s call timeout at times, so that
# its calls fail retriably and are retried).
awk -v seed="$seed" -v n="$kills" 'BEGIN {
    srand(seed)
    for (i = 0; i < n; i++)
        printf "%.3f %.3f\n", rand() * 0.4, rand() * 1.5
}' >"$work/schedule"

: >"$work/writer.out" # counted below before the writer's shell opens it
"$WRITER" "$bootstrap" txn $partitions "$records" "$work/stop" >"$work/writer.out" 2>"$work/writer.err" &
writer=$!
background="$background $writer"

# True once the writer has reported more than $1 transactions.
progressed() {
    [ "$(wc -l <"$work/writer.out")" -gt "$1" ]
}

started=$(date +%s)
i=0
while read -r delay down; do
    i=$((i + 1))
    wait_for progressed "$(wc -l <"$work/writer.out")" || fail "kill $i: the writer made no progress in time"
    sleep "$delay" # the schedule's random point, not a wait
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    pid=
    kill -0 "$writer" 2>/dev/null || fail "kill $i: the writer died"
    sleep "$down" # the schedule's downtime, not a wait
    run_broker broker --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$work/logs" \
        --override num.partitions=$partitions
done <"$work/schedule"
[ "$i" -eq "$kills" ] || fail "the schedule has $i kills, not $kills"
# A few transactions after the last restart, then the writer stops.
wait_for progressed "$(($(wc -l <"$work/writer.out") + 3))" || fail "the writer made no progress after the kills"
touch "$work/stop"
wait "$writer" || fail "the writer exited with status $?"

# check NAME: $work/NAME holds the topic read committed, one value a line.
check() {
    awk -v n="$records" -v name="$1" '
    FNR == NR { if ($1 == "committed") want[$2] = 1; next }
    NF != 4 || $3 != n { print name ": malformed record: " $0; bad++; next }
    $4 == "a" { aborted++ }
    { seen[$1]++; key = $1 " " $2; if (dup[key]++) dups++ }
    END {
        for (t in seen) {
            txns++
            if (seen[t] != n) { print name ": transaction " t " partly visible: " seen[t] " of " n " records"; partial++ }
        }
        for (t in want) if (!(t in seen)) { print name ": committed transaction " t " missing"; missing++ }
        printf "%s: %d transactions visible, %d partial, %d aborted records, %d duplicates, %d committed missing\n",
            name, txns, partial, aborted, dups, missing
        exit (bad + partial + aborted + dups + missing > 0 ? 1 : 0)
    }' "$work/writer.out" "$work/$1"
}
"$KAFKALITE" consume -b "$bootstrap" -t txn -o beginning -e --isolation-level read_committed \
    >"$work/kafkalite.read" 2>"$work/consume.err" || fail "could not read the topic read committed"
check kafkalite.read || fail "read committed with kafkalite (TXN_SEED=$seed)"
if command -v kcat >/dev/null 2>&1; then
    kcat -b "$bootstrap" -C -t txn -o beginning -e -q -X isolation.level=read_committed \
        >"$work/kcat.read" 2>"$work/kcat.err" || fail "kcat could not read the topic"
    check kcat.read || fail "read committed with kcat (TXN_SEED=$seed)"
fi
# Read uncommitted, the aborted transactions' records are there: the
# reader above had something to hide.
"$KAFKALITE" consume -b "$bootstrap" -t txn -o beginning -e --isolation-level read_uncommitted \
    >"$work/uncommitted.read" 2>"$work/consume.err" || fail "could not read the topic read uncommitted"
leftovers=$(awk '$4 == "a"' "$work/uncommitted.read" | wc -l)
[ "$leftovers" -gt 0 ] || fail "no aborted record in the log: read committed hid nothing"
committed=$(grep -c '^committed' "$work/writer.out")
aborted=$(grep -c '^aborted' "$work/writer.out")
unknown=$(grep -c '^unknown' "$work/writer.out")
echo "$kills kills, $(wc -l <"$work/writer.out") transactions: $committed committed, $aborted aborted," \
    "$unknown unknown; $(grep -c '^commit:' "$work/writer.err") commits and" \
    "$(grep -c '^abort:' "$work/writer.err") aborts retried or failed, $(grep -c '^init:' "$work/writer.err") inits retried;" \
    "$leftovers aborted records read uncommitted; $(($(date +%s) - started)) s"
[ "$committed" -gt 0 ] && [ "$aborted" -gt 0 ] || fail "the writer did not both commit and abort"

stop_broker
exit 0
