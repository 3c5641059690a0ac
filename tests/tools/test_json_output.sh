#!/bin/sh
# `--format json` of `kafkalite topics`, `configs` and `groups` against
# `kafkalite broker` on an OS-picked port, and of `consume` and `perf`: every line of the output is one
# JSON object (parsed by python3's json module) holding the documented
# fields with the values the cluster has; --format json with an action
# that prints no listing, or a format other than text|json, is bad usage.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed (Debian python3)"

# json NAME PYTHON-CONDITION: NAME's output is JSON Lines, each line an
# object, and the condition on `rows` (the parsed lines) holds.
json() {
    python3 - "$work/$1.out" "$2" <<'PY' || fail "$1: $2"
import json, sys
path, cond = sys.argv[1], sys.argv[2]
rows = []
with open(path, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        try:
            row = json.loads(line)
        except ValueError as e:
            sys.exit("line %d is not JSON (%s): %r" % (n, e, line))
        if not isinstance(row, dict):
            sys.exit("line %d is not an object: %r" % (n, line))
        rows.append(row)
if not eval(cond, {"rows": rows}):
    sys.exit("condition false on %r" % rows)
PY
}

start_broker --override group.initial.rebalance.delay.ms=0
B=$bootstrap

run create 0 topics -b "$B" --create --topic orders --partitions 3 --config retention.ms=600000
run plain 0 topics -b "$B" --create --topic plain

# ---- topics
run list 0 topics -b "$B" --list --format json
json list 'sorted(r["topic"] for r in rows if r["internal"] is False) == ["orders", "plain"]'
# a fresh broker has no __consumer_offsets until a group needs it (below)
json list '[r["topic"] for r in rows if r["internal"] is True] == []'
run list-external 0 topics -b "$B" --list --exclude-internal --format json
json list-external 'sorted(r["topic"] for r in rows) == ["orders", "plain"]'
run describe 0 topics -b "$B" --describe --topic orders --format=json
json describe 'len(rows) == 1'
json describe 'rows[0]["topic"] == "orders" and rows[0]["partition_count"] == 3'
json describe 'rows[0]["replication_factor"] == 1 and rows[0]["internal"] is False'
json describe 'isinstance(rows[0]["topic_id"], str) and len(rows[0]["topic_id"]) > 0'
json describe 'rows[0]["configs"] == {"retention.ms": "600000"}'
json describe '[p["partition"] for p in rows[0]["partitions"]] == [0, 1, 2]'
json describe 'all(p["leader"] == 1 and p["replicas"] == [1] and p["isr"] == [1] for p in rows[0]["partitions"])'
run describe-all 0 topics -b "$B" --describe --exclude-internal --format json
json describe-all 'sorted(r["topic"] for r in rows) == ["orders", "plain"]'
json describe-all '[r["configs"] for r in rows if r["topic"] != "orders"] == [{}]'
run overrides 0 topics -b "$B" --describe --topics-with-overrides --exclude-internal --format json
json overrides '[r["topic"] for r in rows] == ["orders"]'
run healthy 0 topics -b "$B" --describe --under-replicated-partitions --format json
json healthy 'rows == []'

# ---- configs
run conf 0 configs -b "$B" --describe --topic orders --format json
json conf 'len(rows) == 1'
json conf 'rows[0] == {"entity_type": "topics", "entity_name": "orders", "name": "retention.ms", "value": "600000", "source": "DYNAMIC_TOPIC_CONFIG", "default": False, "read_only": False, "sensitive": False}'
run conf-all 0 configs -b "$B" --describe --entity-type brokers --entity-name 1 --all --format json
json conf-all 'any(r["name"] == "log.dirs" and r["read_only"] is True for r in rows)'
json conf-all 'all(set(r) == {"entity_type", "entity_name", "name", "value", "source", "default", "read_only", "sensitive"} for r in rows)'

# ---- groups: 30 messages on partition 0, a group committed at 10
i=1
while [ "$i" -le 30 ]; do echo "m$i"; i=$((i + 1)); done >"$work/lines"
"$KAFKALITE" produce -b "$B" -t orders -p 0 <"$work/lines" >"$work/produce.out" 2>"$work/produce.err" ||
    fail "kafkalite produce failed"
run reset 0 groups -b "$B" --reset-offsets --group g1 --topic orders:0 --to-offset 10 --execute
# a group id that needs escaping: quote, backslash, tab
odd=$(printf 'q"\\\tx')
run reset-odd 0 groups -b "$B" --reset-offsets --group "$odd" --topic orders:0 --to-offset 5 --execute
run glist 0 groups -b "$B" --list --format json
json glist 'sorted((r["group"], r["state"]) for r in rows) == [("g1", "Empty"), ("q\"\\\tx", "Empty")]'
run list-internal 0 topics -b "$B" --list --format json
json list-internal '[r["topic"] for r in rows if r["internal"] is True] == ["__consumer_offsets"]'
run gdesc 0 groups -b "$B" --describe --group g1 --format json
json gdesc 'len(rows) == 1'
json gdesc 'rows[0] == {"group": "g1", "topic": "orders", "partition": 0, "current_offset": 10, "log_end_offset": 30, "lag": 20, "consumer_id": None, "host": None, "client_id": None}'
run gstate 0 groups -b "$B" --describe --group g1 --state --format json
json gstate 'len(rows) == 1 and rows[0]["group"] == "g1" and rows[0]["state"] == "Empty" and rows[0]["members"] == 0'
json gstate 'rows[0]["coordinator"] == 1'
run gmembers 0 groups -b "$B" --describe --group g1 --members --format json
json gmembers 'rows == []'
# --reset-offsets: one object per partition, clamped (offset 99 > the end 30), nothing but JSON on stdout
run greset 0 groups -b "$B" --reset-offsets --group g1 --topic orders --to-offset 99 --format json
json greset 'rows == [{"group": "g1", "topic": "orders", "partition": p, "new_offset": o, "executed": False} for p, o in ((0, 30), (1, 0), (2, 0))]'
run greset-x 0 groups -b "$B" --reset-offsets --group g1 --topic orders:0 --shift-by -4 --execute --format json
json greset-x 'rows == [{"group": "g1", "topic": "orders", "partition": 0, "new_offset": 6, "executed": True}]'
run greset-all 0 groups -b "$B" --reset-offsets --all-groups --topic orders:0 --to-earliest --dry-run --format json
json greset-all 'sorted((r["group"], r["new_offset"]) for r in rows) == [("g1", 0), ("q\"\\\tx", 0)]'
run gdesc2 0 groups -b "$B" --describe --group g1 --format json
json gdesc2 'rows[0]["current_offset"] == 6'

# ---- consume: keys, headers, text needing escapes, bytes that are not UTF-8
printf 'k1:v1\nk2:say "hi"\tthere\nk3:\377\376\n' >"$work/keyed"
"$KAFKALITE" produce -b "$B" -t plain -K : -H origin=test <"$work/keyed" >"$work/produce2.out" 2>"$work/produce2.err" ||
    fail "kafkalite produce (keyed) failed"
run consume 0 consume -b "$B" -t plain -o beginning -e --format json
json consume 'len(rows) == 3'
json consume '[(r["topic"], r["partition"], r["offset"]) for r in rows] == [("plain", 0, 0), ("plain", 0, 1), ("plain", 0, 2)]'
json consume '[r["key"] for r in rows] == ["k1", "k2", "k3"]'
json consume 'rows[0]["value"] == "v1" and rows[1]["value"] == "say \"hi\"\tthere"'
json consume '"value" not in rows[2] and rows[2]["value_base64"] == "//4="'
json consume 'all(r["headers"] == [{"name": "origin", "value": "test"}] for r in rows)'
json consume 'all(r["timestamp_type"] == "CreateTime" and r["timestamp"] > 1500000000000 for r in rows)'
run consume-null 0 consume -b "$B" -t orders -p 0 -o 29 -e --format=json
json consume-null 'len(rows) == 1 and rows[0]["key"] is None and rows[0]["value"] == "m30" and rows[0]["headers"] == []'

# ---- perf: the summary (and any 5-second line) as JSON
run perf-topic 0 topics -b "$B" --create --topic perf --partitions 2
run perf 0 perf produce -b "$B" -t perf -n 300 -s 50 --format json
json perf 'rows[-1]["kind"] == "summary" and all(r["kind"] == "window" for r in rows[:-1])'
json perf 'rows[-1]["records"] == 300 and rows[-1]["failed"] == 0 and rows[-1]["record_size"] == 50 and rows[-1]["topic"] == "perf"'
json perf 'rows[-1]["seconds"] > 0 and rows[-1]["records_per_sec"] > 0 and rows[-1]["mb_per_sec"] > 0'
json perf '0 < rows[-1]["latency_ms"]["p50"] <= rows[-1]["latency_ms"]["p99"] <= rows[-1]["latency_ms"]["max"]'
run perf-consume 0 perf consume -b "$B" -t perf -n 300 --format json
json perf-consume 'rows[-1]["kind"] == "summary" and all(r["kind"] == "window" for r in rows[:-1])'
json perf-consume 'rows[-1]["records"] == 300 and rows[-1]["bytes"] == 300 * 50 and rows[-1]["errors"] == 0'

# ---- bad usage
run u1 2 topics -b "$B" --create --topic x --format json
run u2 2 topics -b "$B" --list --format yaml
run u3 2 groups -b "$B" --reset-offsets --group g1 --topic orders --to-earliest --export --format json
grep -q "does not go with --format json" "$work/u3.err" || fail "u3: no reason given"
run u4 2 configs -b "$B" --alter --topic orders --add-config retention.ms=1 --format json
grep -q "goes with --list or --describe" "$work/u1.err" || fail "u1: no reason given"
run u5 2 consume -b "$B" -t plain --format '%s'
grep -q "a kcat format goes to -f" "$work/u5.err" || fail "u5: no reason given"
run u6 2 consume -b "$B" -t plain --format json -f '%s\n'
run u7 2 perf produce -b "$B" -t perf --format csv

stop_broker
echo "kafkalite topics, configs, groups, consume, perf --format json: every listing parsed and checked"
exit 0
