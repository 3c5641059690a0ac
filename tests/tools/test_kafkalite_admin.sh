#!/bin/sh
# End-to-end test of `kafkalite topics`, `configs` and `groups` against
# `kafkalite broker` on an OS-picked port: each action's output and exit
# status, a group reset refused while kcat consumes in it and accepted once
# it left, bad usage (exit 2) and an unreachable bootstrap (exit 1 within
# the timeout).
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
require_kcat

expect() { # NAME PATTERN: the output of NAME matches
    grep -q -- "$2" "$work/$1.out" "$work/$1.err" || fail "$1: no \"$2\" in its output"
}

start_broker --override group.initial.rebalance.delay.ms=0 --override offsets.topic.num.partitions=3
B=$bootstrap

# ---- topics
run create 0 topics -b "$B" --create --topic orders --partitions 3 --config retention.ms=600000
expect create "Created topic orders."
run create-again 1 topics -b "$B" --create --topic orders --partitions 3
expect create-again "TOPIC_ALREADY_EXISTS"
run validate 0 topics -b "$B" --create --topic dry --validate-only
run list 0 topics -b "$B" --list
grep -qx orders "$work/list.out" || fail "--list does not show orders"
grep -qx dry "$work/list.out" && fail "--validate-only created the topic"
run describe 0 topics -b "$B" --describe --topic orders
expect describe "PartitionCount: 3.*Configs: retention.ms=600000"
[ "$(grep -c 'Partition: [0-9].*Leader: 1.*Replicas: 1.*Isr: 1' "$work/describe.out")" -eq 3 ] ||
    fail "--describe does not show three partitions led by node 1"
run alter 0 topics -b "$B" --alter --topic orders --partitions 4
run describe4 0 topics -X "bootstrap.servers=$B" --describe --topic orders
expect describe4 "PartitionCount: 4"
run shrink 1 topics -b "$B" --alter --topic orders --partitions 2
expect shrink "INVALID_PARTITIONS"
run scratch 0 topics -b "$B" --create --topic scratch
run delete 0 topics -b "$B" --delete --topic scratch
run gone 1 topics -b "$B" --describe --topic scratch
expect gone "UNKNOWN_TOPIC_OR_PARTITION"

# ---- configs
run conf 0 configs -b "$B" --describe --entity-type topics --entity-name orders
expect conf "retention.ms=600000.*source=DYNAMIC_TOPIC_CONFIG"
run conf-alter 0 configs -b "$B" --alter --entity-type topics --entity-name orders \
    --add-config 'cleanup.policy=[compact,delete],segment.ms=3600000' --delete-config retention.ms
expect conf-alter "Completed updating config for topic orders."
run conf2 0 configs -b "$B" --describe --entity-type topics --entity-name orders
expect conf2 "cleanup.policy=compact,delete"
expect conf2 "segment.ms=3600000"
grep -q retention.ms "$work/conf2.out" && fail "retention.ms was not deleted"
run conf-all 0 configs -b "$B" --describe --entity-type topics --entity-name orders --all
expect conf-all "retention.ms=.*source=DEFAULT_CONFIG default=true"
run conf-broker 0 configs -b "$B" --describe --entity-type brokers --entity-name 1 --all
expect conf-broker "log.dirs=$work/logs.*read-only=true"
run conf-bad 1 configs -b "$B" --alter --entity-type topics --entity-name orders --add-config no.such=1
expect conf-bad "INVALID_CONFIG"

# ---- groups: 40 messages on partition 0, a group that read 10 of them
# (keyed: orders is compacted now, and a compacted topic refuses keyless
# records)
i=1
while [ "$i" -le 40 ]; do echo "k$i:m$i"; i=$((i + 1)); done | kcat -b "$B" -P -t orders -p 0 -K : ||
    fail "kcat could not produce"
run reset-dry 0 groups -b "$B" --reset-offsets --group g1 --topic orders:0 --to-offset 10
expect reset-dry "dry run"
run none 1 groups -b "$B" --describe --group g1
expect none "does not exist"
run reset 0 groups -b "$B" --reset-offsets --group g1 --topic orders --to-offset 10 --execute
expect reset "g1 *orders *0 *10"
expect reset "g1 *orders *1 *0" # clamped to the partition's end
run gdesc 0 groups -b "$B" --describe --group g1
expect gdesc "has no active members"
expect gdesc "g1 *orders *0 *10 *40 *30 "
run glist 0 groups -b "$B" --list --state
expect glist "g1 *Empty"
run reset-dt 0 groups -b "$B" --reset-offsets --group g1 --topic orders:0 --to-datetime 2000-01-01T00:00:00Z --execute
expect reset-dt "g1 *orders *0 *0"
run reset-late 0 groups -b "$B" --reset-offsets --group g1 --all-topics --to-latest --execute
expect reset-late "g1 *orders *0 *40"

# a member in the group: resets and deletion refused
kcat -b "$B" -G g1 orders -q -X auto.offset.reset=earliest >"$work/kcat.out" 2>"$work/kcat.err" &
consumer=$!
background=$consumer
member_joined() {
    "$KAFKALITE" groups -b "$B" --describe --group g1 >"$work/member.out" 2>&1 && grep -q rdkafka "$work/member.out"
}
wait_for member_joined || fail "kcat never showed up as a member"
expect member "g1 *orders *0 *40 *40 *0 .*127.0.0.1"
run busy 1 groups -b "$B" --reset-offsets --group g1 --topic orders --to-earliest --execute
expect busy "inactive, but the current state is Stable"
run busy-delete 1 groups -b "$B" --delete --group g1
expect busy-delete "NON_EMPTY_GROUP"
kill -TERM "$consumer"
wait "$consumer"
background=
group_empty() {
    "$KAFKALITE" groups -b "$B" --list --state >"$work/state.out" 2>&1 && grep -q "g1 *Empty" "$work/state.out"
}
wait_for group_empty || fail "the group did not become empty after kcat left"
run gdelete 0 groups -b "$B" --delete --group g1
expect gdelete "Deletion of requested consumer groups ('g1') was successful."
run glist2 0 groups -b "$B" --list
grep -qx g1 "$work/glist2.out" && fail "g1 still listed after deletion"

# ---- configs of groups and client quotas: the broker has neither, and says so
run qdesc 0 configs -b "$B" --describe --entity-type clients --entity-name c1
[ ! -s "$work/qdesc.out" ] || fail "quotas listed by a broker that has none: $(cat "$work/qdesc.out")"
run qdesc-all 0 configs -b "$B" --describe --entity-type clients
[ ! -s "$work/qdesc-all.out" ] || fail "quotas listed: $(cat "$work/qdesc-all.out")"
run qalter 1 configs -b "$B" --alter --entity-type clients --entity-name c1 --add-config producer_byte_rate=1024
expect qalter "UNSUPPORTED_VERSION: The broker does not support ALTER_CLIENT_QUOTAS"
expect qalter "enforces no client quotas"
run qalter-default 1 configs -b "$B" --alter --client-defaults --delete-config consumer_byte_rate
expect qalter-default "client-id=<default>: UNSUPPORTED_VERSION"
run qalter-nan 2 configs -b "$B" --alter --client c1 --add-config producer_byte_rate=fast
expect qalter-nan "a client quota is a number"
run gcdesc 1 configs -b "$B" --describe --entity-type groups --entity-name g1
expect gcdesc "cannot describe group g1: INVALID_REQUEST: Unsupported resource type 32"
expect gcdesc "classic groups"
run gcalter 1 configs -b "$B" --alter --group g1 --add-config consumer.session.timeout.ms=50000
expect gcalter "cannot alter group g1: INVALID_REQUEST: Unsupported resource type 32"
run gcdefault 2 configs -b "$B" --describe --entity-type groups --entity-default
expect gcdefault "--entity-default is for --entity-type brokers or clients"

# ---- cluster (kafka-cluster.sh cluster-id): the id the broker keeps in meta.properties
id=$(sed -n 's/^cluster.id=//p' "$work/logs/meta.properties")
[ -n "$id" ] || fail "no cluster.id in $work/logs/meta.properties"
run cid 0 cluster cluster-id -b "$B"
[ "$(cat "$work/cid.out")" = "Cluster ID: $id" ] || fail "cluster cluster-id: want \"Cluster ID: $id\""
run cid2 0 cluster --bootstrap-server "$B" --cluster-id
cmp -s "$work/cid.out" "$work/cid2.out" || fail "cluster --cluster-id differs from cluster cluster-id"
run cid-json 0 cluster -b "$B" cluster-id --format json
[ "$(cat "$work/cid-json.out")" = "{\"cluster_id\":\"$id\",\"controller_id\":1}" ] || fail "cluster-id --format json"
run cid-u1 2 cluster -b "$B"
run cid-u2 2 cluster -b "$B" unregister --id 1
expect cid-u2 "the action is cluster-id"

# ---- bad usage: exit 2
run u1 2 topics -b "$B"
run u2 2 topics -b "$B" --create
run u3 2 topics -b "$B" --create --topic x --partitions zero
run u4 1 configs -b "$B" --describe --entity-type users --entity-name x
expect u4 "does not exist: x" # configs --entity-type users is `kafkalite users`
run u5 2 groups -b "$B" --reset-offsets --group g --topic t
run u6 2 groups -b "$B" --reset-offsets --group g --topic t --to-datetime yesterday
run u7 2 groups -X no.such.property=1 --list
run u8 2 topics --list --timeout
for cmd in topics configs groups cluster; do
    run "help-$cmd" 0 "$cmd" --help
    expect "help-$cmd" "Exit status"
done
run usage 0 --help
expect usage "groups"

# ---- unreachable bootstrap: exit 1 within the timeout
start=$(date +%s)
run lost 1 topics -b 127.0.0.1:1 --list --timeout 2000
[ $(($(date +%s) - start)) -lt 15 ] || fail "an unreachable bootstrap took too long"
expect lost "TIMED_OUT"

stop_broker
echo "kafkalite topics, configs, groups: every action and bad usage checked"
exit 0
