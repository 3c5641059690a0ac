#!/bin/sh
# The progress line of `kafkalite produce` and `consume`: drawn on a
# terminal (a pseudo-terminal from util-linux's script(1)) while the run
# lasts, erased at the end, and never written when standard error is a
# file or a pipe, nor when the command's own data is on the terminal
# (consume printing there). The runs last on purpose: consume waits 4 s
# after its last message (--timeout-ms), produce retries an unreachable
# broker for 4 s (delivery.timeout.ms), so drawings (due every second)
# fall inside each with seconds to spare on a loaded machine.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
command -v script >/dev/null 2>&1 || skip "script(1) not installed (Debian bsdutils)"

esc=$(printf '\033')
cr=$(printf '\r')

# on_tty NAME COMMAND: runs the shell command with a terminal for its
# standard input, output and error; what the terminal showed in
# $work/NAME.tty.
on_tty() {
    script -qec "$2" "$work/$1.tty" >/dev/null 2>&1
}

start_broker
B=$bootstrap
"$KAFKALITE" topics -b "$B" --create --topic t >"$work/create.out" 2>&1 || fail "cannot create the topic"
seq 5 >"$work/lines"

# produce in a pipe: no progress line
"$KAFKALITE" produce -b "$B" -t t <"$work/lines" 2>"$work/produce.err" | cat >"$work/produce.out" ||
    fail "produce failed"
grep -q "[$esc$cr]" "$work/produce.err" "$work/produce.out" && fail "produce drew a progress line into a file"

# consume to a file, errors to the terminal: the line is drawn, then erased
on_tty consume "'$KAFKALITE' consume -b '$B' -t t -o beginning --timeout-ms 4000 >'$work/consumed'" ||
    fail "consume on a terminal failed"
[ "$(cat "$work/consumed")" = "$(cat "$work/lines")" ] || fail "consume printed something else than the 5 lines"
grep -q "${cr}kafkalite consume: 5 messages, [0-9]* msg/s${esc}\[K" "$work/consume.tty" ||
    fail "no progress line on the terminal"
grep -q "${cr}${esc}\[K\$" "$work/consume.tty" || fail "the progress line was not erased at the end"

# consume printing on the terminal itself: no progress line between the messages
on_tty consume-here "'$KAFKALITE' consume -b '$B' -t t -o beginning --timeout-ms 1500" ||
    fail "consume on a terminal failed"
grep -q "msg/s" "$work/consume-here.tty" && fail "a progress line among the messages on the terminal"
grep -q "^5" "$work/consume-here.tty" || fail "consume did not print on the terminal"

# consume with errors to a file: nothing but messages
"$KAFKALITE" consume -b "$B" -t t -o beginning --timeout-ms 1500 >"$work/consume2.out" 2>"$work/consume2.err" ||
    fail "consume failed"
grep -q "[$esc$cr]" "$work/consume2.err" && fail "consume drew a progress line into a file"

# produce from a file to an unreachable broker: the line while it retries,
# erased before the failures are reported
on_tty produce "'$KAFKALITE' produce -b 127.0.0.1:1 -t t -X delivery.timeout.ms=4000 <'$work/lines'"
grep -q "${cr}kafkalite produce: 5 lines read, 0 delivered, 0 failed, 0 msg/s${esc}\[K" "$work/produce.tty" ||
    fail "no progress line while produce retried"
grep -q "${cr}${esc}\[Kkafkalite produce: delivery failed" "$work/produce.tty" ||
    fail "the progress line was not erased before the failures"

stop_broker
echo "progress line: drawn and erased on a terminal, absent in files and beside the messages"
exit 0
