#!/bin/sh
# Runs examples/exactly_once against `kafkalite broker`: every input line
# comes out upper-cased once, the input offsets are committed with the
# output (a second run transforms only the lines added since), SIGTERM
# stops it with status 0, and a bad command line exits 2.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
EXACTLY_ONCE=${EXACTLY_ONCE:-./examples/exactly_once}

start_broker --override num.partitions=2

# produce_words FIRST LAST: input lines "word FIRST" .. "word LAST".
produce_words() {
    seq "$1" "$2" | sed 's/^/word /' >>"$work/input"
    seq "$1" "$2" | sed 's/^/word /' | "$KAFKALITE" produce -b "$bootstrap" -t words >/dev/null \
        2>"$work/produce.err" || fail "could not produce the input"
}
# True when the output topic holds at least $1 messages.
output_has() {
    "$KAFKALITE" consume -b "$bootstrap" -t loud -o beginning -e >"$work/loud" 2>"$work/consume.err" &&
        [ "$(wc -l <"$work/loud")" -ge "$1" ]
}
# run_until COUNT NAME: runs the example until the output holds COUNT
# messages, then stops it with SIGTERM; it must exit 0.
run_until() {
    "$EXACTLY_ONCE" "$bootstrap" shouters words loud eo-1 >"$work/$2.out" 2>"$work/$2.err" &
    eopid=$!
    background="$background $eopid"
    wait_for output_has "$1" || fail "$2: the output holds $(wc -l <"$work/loud") of $1 messages"
    kill -TERM "$eopid"
    wait "$eopid" || fail "$2: exit status $? after SIGTERM"
}
# The output is the input upper-cased, each line once.
check_output() {
    output_has 0 || fail "could not read the output"
    tr 'a-z' 'A-Z' <"$work/input" | sort >"$work/want"
    sort "$work/loud" >"$work/got"
    cmp -s "$work/want" "$work/got" || fail "the output is not the input upper-cased once each"
}

produce_words 1 400
run_until 400 first
check_output
grep -q "^400 messages transformed exactly once$" "$work/first.err" || fail "first run: no count of 400"

produce_words 401 450
run_until 450 second
check_output
grep -q "^50 messages transformed exactly once$" "$work/second.err" || fail "second run: not only the 50 new ones"

"$EXACTLY_ONCE" "$bootstrap" shouters words >/dev/null 2>&1
[ $? -eq 2 ] || fail "exactly_once without its arguments: not a usage error"

stop_broker
echo "examples/exactly_once: each input line transformed once, offsets committed with the output"
exit 0
