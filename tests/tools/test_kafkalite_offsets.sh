#!/bin/sh
# End-to-end test of `kafkalite offsets` (kafka-get-offsets.sh) against
# `kafkalite broker` on an OS-picked port: latest, earliest and
# timestamp offsets of the partitions the topic regex and --partitions
# choose, in Kafka's topic:partition:offset lines and as JSON, internal
# topics left out on demand, and the refused inputs.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"

# same NAME TEXT: NAME's output is exactly TEXT (printf escapes)
same() {
    [ "$(cat "$work/$1.out")" = "$(printf "$2")" ] || fail "$1: \"$(cat "$work/$1.out")\", want \"$(printf "$2")\""
}

start_broker
B=$bootstrap
run c1 0 topics -b "$B" --create --topic a1 --partitions 2
run c2 0 topics -b "$B" --create --topic a2
run c3 0 topics -b "$B" --create --topic b
printf 'x\ny\nz\n' | "$KAFKALITE" produce -b "$B" -t a1 -p 0 >"$work/p0.out" 2>&1 || fail "produce to a1/0"
printf 'x\ny\n' | "$KAFKALITE" produce -b "$B" -t a1 -p 1 >"$work/p1.out" 2>&1 || fail "produce to a1/1"

run latest 0 offsets -b "$B" --topic a1
same latest 'a1:0:3\na1:1:2'
run latest-1 0 offsets -b "$B" --topic a1 --time -1
same latest-1 'a1:0:3\na1:1:2'
run earliest 0 offsets -b "$B" --topic a1 --time earliest
same earliest 'a1:0:0\na1:1:0'
run regex 0 offsets -b "$B" --topic 'a.*' --partitions 0
same regex 'a1:0:3\na2:0:0'
run whole-name 1 offsets -b "$B" --topic a --exclude-internal-topics --partitions 0,1
grep -q . "$work/whole-name.out" && fail "--topic a matched more than a topic named a"
run since-epoch 0 offsets -b "$B" --topic a1 --time 0
same since-epoch 'a1:0:0\na1:1:0'
run future 0 offsets -b "$B" --topic a1 --time 4102444800000
same future 'a1:0:\na1:1:'
run all 0 offsets -b "$B" --exclude-internal-topics
same all 'a1:0:3\na1:1:2\na2:0:0\nb:0:0'
# a commit makes the group coordinator create __consumer_offsets
run commit 0 groups -b "$B" --reset-offsets --group g --topic b:0 --to-offset 0 --execute
run internal 0 offsets -b "$B" --time=earliest
grep -q '^__consumer_offsets:0:0$' "$work/internal.out" || fail "internal topics not listed without the flag"

if command -v python3 >/dev/null 2>&1; then
    run json 0 offsets -b "$B" --topic a1 --time 4102444800000 --format json
    python3 -c '
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert rows == [{"topic": "a1", "partition": 0, "offset": None}, {"topic": "a1", "partition": 1, "offset": None}], rows
' "$work/json.out" || fail "json: $(cat "$work/json.out")"
    run json2 0 offsets -b "$B" --topic b --format json
    python3 -c '
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert rows == [{"topic": "b", "partition": 0, "offset": 0}], rows
' "$work/json2.out" || fail "json: $(cat "$work/json2.out")"
else
    skip "python3 not installed (Debian python3): the JSON output is not checked"
fi

# ---- refused: nothing matches (1), unsupported time (1), bad usage (2)
run none 1 offsets -b "$B" --topic nope
grep -q "no partition matches" "$work/none.err" || fail "none: no reason given"
run max-ts 1 offsets -b "$B" --topic a1 --time -3
grep -q "not supported" "$work/max-ts.err" || fail "max-ts: no reason given"
run bad-parts 2 offsets -b "$B" --topic a1 --partitions 0,x
run bad-regex 2 offsets -b "$B" --topic '('
run bad-time 2 offsets -b "$B" --topic a1 --time yesterday
run help 0 offsets --help
grep -q "usage: kafkalite offsets" "$work/help.out" || fail "offsets --help"

stop_broker
echo "kafkalite offsets: latest, earliest and timestamp offsets, regex and partitions, JSON"
exit 0
