#!/bin/sh
# The crash test of examples/exactly_once (issue 20): while input is
# produced, the example is SIGKILLed EOS_KILLS times (50 by default) at
# random points inside its transactions and restarted; a last run then
# finishes the input. Read committed, the output must hold each input line
# upper-cased exactly once (0 duplicates, 0 losses); read uncommitted, it
# must also hold the aborted leftovers of killed transactions (at least
# one: the kills landed mid-transaction). The random delays come from
# EOS_SEED (printed; set it to replay a failure's kill schedule).
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
EXACTLY_ONCE=${EXACTLY_ONCE:-./examples/exactly_once}
kills=${EOS_KILLS:-50}
seed=${EOS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "EOS_SEED=$seed EOS_KILLS=$kills"

start_broker --override num.partitions=2
for topic in words loud; do
    run "create-$topic" 0 topics --bootstrap-server "$bootstrap" --create --topic "$topic" --partitions 2
done

# The kill schedule: per kill, the delay (0..250 ms) between the run's
# first output and its SIGKILL.
awk -v seed="$seed" -v n="$kills" 'BEGIN {
    srand(seed)
    for (i = 0; i < n; i++)
        printf "%.3f\n", rand() * 0.25
}' >"$work/schedule"

# The input: "line N" at about 200 lines a second (the pace is the test's
# input, not a wait), copied to $work/input, until $work/stop exists, so
# that the example is always inside a transaction when killed.
trickle() {
    n=0
    while [ ! -e "$work/stop" ] && [ "$n" -lt 100000 ]; do
        n=$((n + 1))
        echo "line $n"
        [ $((n % 10)) -ne 0 ] || sleep 0.05
    done
}
trickle | tee "$work/input" | "$KAFKALITE" produce -b "$bootstrap" -t words >/dev/null 2>"$work/produce.err" &
producer=$!
background="$background $producer"
# read_output ISOLATION: the output topic's messages into $work/ISOLATION.
read_output() {
    "$KAFKALITE" consume -b "$bootstrap" -t loud -o beginning -e --isolation-level "$1" \
        >"$work/$1" 2>"$work/consume.err"
}
# True when the output, read uncommitted, has more than $1 messages.
output_grew() {
    read_output read_uncommitted && [ "$(wc -l <"$work/read_uncommitted")" -gt "$1" ]
}
# start_run NAME: starts the example (static member eo-1, so a restart
# takes the partitions over at once) with its logs in $work/NAME.*.
start_run() {
    "$EXACTLY_ONCE" "$bootstrap" shouters words loud eo-1 eo-1 >"$work/$1.out" 2>"$work/$1.err" &
    eopid=$!
    background="$background $eopid"
}

started=$(date +%s)
i=0
while read -r delay; do
    i=$((i + 1))
    read_output read_uncommitted || fail "kill $i: could not read the output"
    before=$(wc -l <"$work/read_uncommitted")
    start_run run
    wait_for output_grew "$before" || fail "kill $i: no output from the run in time"
    sleep "$delay" # the schedule's random point in the run, not a wait
    kill -KILL "$eopid"
    wait "$eopid" 2>/dev/null
    [ $? -eq 137 ] || fail "kill $i: the run had ended before its SIGKILL"
done <"$work/schedule"
[ "$i" -eq "$kills" ] || fail "the schedule has $i kills, not $kills"
touch "$work/stop"
wait "$producer" || fail "could not produce the input"

# A last run transforms what is left; it is stopped once the committed
# output holds every input line.
tr 'a-z' 'A-Z' <"$work/input" | sort >"$work/want"
all_out() {
    read_output read_committed && sort -u "$work/read_committed" | comm -23 "$work/want" - | cmp -s - /dev/null
}
start_run last
wait_for all_out || echo "the last run did not output every line in time"
kill -TERM "$eopid"
wait "$eopid" || fail "last run: exit status $? after SIGTERM"

read_output read_committed || fail "could not read the output read committed"
read_output read_uncommitted || fail "could not read the output read uncommitted"
sort "$work/read_committed" >"$work/got"
lines=$(wc -l <"$work/want")
duplicates=$(($(wc -l <"$work/got") - $(sort -u "$work/got" | wc -l)))
losses=$(sort -u "$work/got" | comm -23 "$work/want" - | wc -l)
strangers=$(sort -u "$work/got" | comm -13 "$work/want" - | wc -l)
leftovers=$(($(wc -l <"$work/read_uncommitted") - $(wc -l <"$work/got")))
echo "$kills kills, $lines input lines: $duplicates duplicates, $losses losses, $strangers unknown lines;" \
    "$leftovers aborted messages read uncommitted; $(($(date +%s) - started)) s"
[ "$duplicates" -eq 0 ] && [ "$losses" -eq 0 ] && [ "$strangers" -eq 0 ] ||
    fail "read committed, the output is not each input line once (EOS_SEED=$seed)"
[ "$leftovers" -gt 0 ] || fail "no kill left an aborted transaction behind (EOS_SEED=$seed)"

stop_broker
exit 0
