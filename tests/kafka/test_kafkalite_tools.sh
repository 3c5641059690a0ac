#!/bin/bash
# The `kafkalite` commands against Apache Kafka (three KRaft nodes), each
# result checked with Kafka's own tools or Java client: topics (create with
# replication factor 3, list, describe, alter, delete), produce (acks=all,
# every codec, keys and headers; keys land where the Java partitioner puts
# them), consume (partition, group with commits), groups (list, describe,
# reset offsets, delete), configs (alter, describe; topics, groups and
# client quotas), cluster cluster-id and perf.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/kafka/test_lib.sh"
KAFKALITE=${KAFKALITE:-./tools/kafkalite}
kafka_cluster_up 3
w=$kafka_dir

fail() {
    echo "FAIL: $*"
    for f in "$w"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
    exit 1
}
# kl NAME ARGS...: runs `kafkalite ARGS` (output in $w/NAME.out, .err), fails
# the test unless it exits 0.
kl() {
    name=$1
    shift
    "$KAFKALITE" "$@" >"$w/$name.out" 2>"$w/$name.err" || fail "kafkalite $*: exit status $?"
}
# kt NAME TOOL ARGS...: runs one of Kafka's tools the same way.
kt() {
    name=$1
    shift
    kafka_tool "$@" >"$w/$name.out" 2>"$w/$name.err" || fail "$1 $*: exit status $?"
}
has() { grep -q -- "$2" "$w/$1.out" || fail "$1: no '$2' in: $(cat "$w/$1.out")"; }

# topics
kl create topics -b "$bootstrap" --create --topic tools --partitions 6 --replication-factor 3 \
    --config min.insync.replicas=2
kt kdescribe kafka-topics --bootstrap-server "$bootstrap" --describe --topic tools
has kdescribe "PartitionCount: 6"
has kdescribe "ReplicationFactor: 3"
has kdescribe "min.insync.replicas=2"
kl list topics -b "$bootstrap" --list
grep -qx tools "$w/list.out" || fail "topics --list: $(cat "$w/list.out")"
kl describe topics -b "$bootstrap" --describe --topic tools
[ "$(grep -c 'Replicas: [1-3],[1-3],[1-3]' "$w/describe.out")" -eq 6 ] ||
    fail "topics --describe: $(cat "$w/describe.out")"

# produce: 200 keyed messages with a header per codec, acks=all; with
# partitioner=murmur2_random keys go where the Java client puts them (the
# default, consistent_random, hashes with CRC-32 as librdkafka does)
: >"$w/sent"
for codec in none gzip snappy lz4 zstd; do
    seq 1 200 | sed "s/.*/k$codec-&:v$codec-&/" | tee -a "$w/sent" >"$w/in.$codec"
    "$KAFKALITE" produce -b "$bootstrap" -t tools -K : -H "codec=$codec" -c \
        -X acks=all -X compression.type=$codec -X partitioner=murmur2_random <"$w/in.$codec" >"$w/produce.out" 2>"$w/produce.err" ||
        fail "kafkalite produce ($codec): exit status $?"
    has produce "200 delivered, 0 failed"
done
kafka_java "$srcdir/tests/kafka/java/Consume.java" "$bootstrap" tools 1000 60000 \
    >"$w/java.out" 2>"$w/java.err" || fail "the Java consumer did not read 1000 messages"
# Every message once, with its header...
awk -F'\t' '{ print $3 ":" $4 }' "$w/java.out" | sort >"$w/got"
sort "$w/sent" | cmp -s - "$w/got" || fail "the Java consumer read other messages: $(diff <(sort "$w/sent") "$w/got" | head)"
awk -F'\t' '{ c = $3; sub(/^k/, "", c); sub(/-[0-9]+$/, "", c); if ($5 != ("codec=" c)) print }' \
    "$w/java.out" >"$w/badheaders"
[ ! -s "$w/badheaders" ] || fail "wrong headers: $(head -3 "$w/badheaders")"
# ...in the partition the Java client's partitioner gives its key.
cut -d: -f1 "$w/sent" | kafka_java "$srcdir/tests/kafka/java/Partition.java" 6 >"$w/want.part" 2>"$w/part.err" ||
    fail "Partition.java"
awk -F'\t' '{ print $1 "\t" $3 }' "$w/java.out" | sort >"$w/got.part"
sort "$w/want.part" | cmp -s - "$w/got.part" ||
    fail "keys in other partitions than Java's: $(diff <(sort "$w/want.part") "$w/got.part" | head)"

# consume: one partition to its end, then through a group that commits
kl part consume -b "$bootstrap" -t tools -p 3 -o beginning -e -f '%k\n'
[ "$(sort "$w/part.out")" = "$(awk -F'\t' '$1 == 3 { print $2 }' "$w/want.part" | sort)" ] ||
    fail "consume -p 3 read: $(head -5 "$w/part.out")"
kl group consume -b "$bootstrap" -t tools -g tg --from-beginning -c 1000 -f '%k:%s\n'
sort "$w/group.out" | cmp -s - <(sort "$w/sent") || fail "consume -g read other messages"
kt kgroup kafka-consumer-groups --bootstrap-server "$bootstrap" --describe --group tg
[ "$(awk '$1 == "tg" && $2 == "tools" && $4 == $5 && $6 == 0' "$w/kgroup.out" | wc -l)" -eq 6 ] ||
    fail "Kafka sees other committed offsets: $(cat "$w/kgroup.out")"

# groups
kl glist groups -b "$bootstrap" --list --state
grep -q '^tg  *Empty' "$w/glist.out" || fail "groups --list: $(cat "$w/glist.out")"
kl gdesc groups -b "$bootstrap" --describe --group tg
[ "$(awk '$2 == "tools" && $6 == 0' "$w/gdesc.out" | wc -l)" -eq 6 ] || fail "groups --describe: $(cat "$w/gdesc.out")"
kl reset groups -b "$bootstrap" --reset-offsets --group tg --topic tools --to-earliest --execute
kt kgroup kafka-consumer-groups --bootstrap-server "$bootstrap" --describe --group tg
[ "$(awk '$1 == "tg" && $2 == "tools" && $4 == 0 && $6 == $5' "$w/kgroup.out" | wc -l)" -eq 6 ] ||
    fail "Kafka sees no reset: $(cat "$w/kgroup.out")"
kl gdelete groups -b "$bootstrap" --delete --group tg
kt kgroups kafka-consumer-groups --bootstrap-server "$bootstrap" --list
! grep -qx tg "$w/kgroups.out" || fail "the group outlived groups --delete"

# configs
kl alter configs -b "$bootstrap" --entity-type topics --entity-name tools --alter \
    --add-config retention.ms=3600000,segment.bytes=1048576 --delete-config min.insync.replicas
kt kconfigs kafka-configs --bootstrap-server "$bootstrap" --entity-type topics --entity-name tools --describe
has kconfigs "retention.ms=3600000"
has kconfigs "segment.bytes=1048576"
! grep -q "min.insync.replicas=2" "$w/kconfigs.out" || fail "--delete-config did not: $(cat "$w/kconfigs.out")"
kl cdesc configs -b "$bootstrap" --entity-type topics --entity-name tools --describe
has cdesc "retention.ms=3600000"
kl bdesc configs -b "$bootstrap" --entity-type brokers --entity-name 2 --describe --all
has bdesc "log.dirs="

# group configs (resource type GROUP): set by kafkalite, read by Kafka's tool, and back
kl galter configs -b "$bootstrap" --alter --entity-type groups --entity-name cfg-group \
    --add-config consumer.session.timeout.ms=50000
has galter "Completed updating config for group cfg-group."
kt kgdesc kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type groups --entity-name cfg-group
has kgdesc "consumer.session.timeout.ms=50000"
kt kgalter kafka-configs --bootstrap-server "$bootstrap" --alter --entity-type groups --entity-name cfg-group \
    --add-config consumer.heartbeat.interval.ms=6000
kl gcdesc configs -b "$bootstrap" --describe --group cfg-group
has gcdesc "^Dynamic configs for group cfg-group are:"
has gcdesc "consumer.session.timeout.ms=50000.source=DYNAMIC_GROUP_CONFIG"
has gcdesc "consumer.heartbeat.interval.ms=6000.source=DYNAMIC_GROUP_CONFIG"
kl gcdel configs -b "$bootstrap" --alter --group cfg-group --delete-config consumer.session.timeout.ms
kt kgdesc kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type groups --entity-name cfg-group
! grep -q "consumer.session.timeout.ms=" "$w/kgdesc.out" || fail "--delete-config of a group config: $(cat "$w/kgdesc.out")"

# client quotas: set by kafkalite, each line the same as Kafka's tool prints
# (Kafka's order of the values is its hash map's: compare them sorted)
quota_lines() {
    while IFS= read -r line; do
        printf '%s are %s\n' "${line%% are *}" "$(printf '%s\n' "${line#* are }" | sed 's/, /\n/g' | sort | paste -sd, - | sed 's/,/, /g')"
    done <"$w/$1.out" | sort
}
kl qalter configs -b "$bootstrap" --alter --entity-type clients --entity-name c1 \
    --add-config producer_byte_rate=1024,consumer_byte_rate=15000000
has qalter "Completed updating config for client c1."
kl qdefault configs -b "$bootstrap" --alter --entity-type clients --entity-default --add-config request_percentage=50
has qdefault "Completed updating default config for clients in the cluster."
kt kqdesc kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type clients --entity-name c1
has kqdesc "producer_byte_rate=1024.0"
kl qdesc configs -b "$bootstrap" --describe --entity-type clients --entity-name c1
[ "$(cat "$w/qdesc.out")" = "Quota configs for client-id 'c1' are consumer_byte_rate=1.5E7, producer_byte_rate=1024.0" ] ||
    fail "configs --describe --entity-type clients: $(cat "$w/qdesc.out")"
[ "$(quota_lines qdesc)" = "$(quota_lines kqdesc)" ] || fail "Kafka prints $(cat "$w/kqdesc.out")"
kt kqdefault kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type clients --entity-default
kl qdefdesc configs -b "$bootstrap" --describe --client-defaults
[ "$(cat "$w/qdefdesc.out")" = "$(cat "$w/kqdefault.out")" ] || fail "default: $(cat "$w/qdefdesc.out") vs Kafka's $(cat "$w/kqdefault.out")"
kt kqall kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type clients
kl qall configs -b "$bootstrap" --describe --entity-type clients
[ "$(quota_lines qall)" = "$(quota_lines kqall)" ] || fail "every client: $(cat "$w/qall.out") vs Kafka's $(cat "$w/kqall.out")"
kl qjson configs -b "$bootstrap" --describe --entity-type clients --format json
python3 -c 'import json, sys; rows = [json.loads(l) for l in open(sys.argv[1])]; sys.exit(sorted((r["entity_name"], r["name"], r["value"]) for r in rows) != [("", "request_percentage", "50.0"), ("c1", "consumer_byte_rate", "1.5E7"), ("c1", "producer_byte_rate", "1024.0")])' \
    "$w/qjson.out" || fail "clients --format json: $(cat "$w/qjson.out")"
kl qdel configs -b "$bootstrap" --alter --client c1 --delete-config producer_byte_rate,consumer_byte_rate
kt kqdesc kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type clients --entity-name c1
! grep -q "byte_rate" "$w/kqdesc.out" || fail "--delete-config of quotas: $(cat "$w/kqdesc.out")"

# cluster id, as kafka-cluster.sh prints it
kt kcid kafka-cluster cluster-id --bootstrap-server "$bootstrap"
kl cid cluster cluster-id -b "$bootstrap"
cmp -s "$w/cid.out" "$w/kcid.out" || fail "cluster-id: $(cat "$w/cid.out") vs Kafka's $(cat "$w/kcid.out")"

# alter partitions, perf, delete
kl grow topics -b "$bootstrap" --alter --topic tools --partitions 8
kt kdescribe kafka-topics --bootstrap-server "$bootstrap" --describe --topic tools
has kdescribe "PartitionCount: 8"
kl perfp perf produce -b "$bootstrap" -t tools -n 20000 -X acks=all
kl perfc perf consume -b "$bootstrap" -t tools -n 21000
has perfc "^21000 messages"
kl delete topics -b "$bootstrap" --delete --topic tools
kt klist kafka-topics --bootstrap-server "$bootstrap" --list
! grep -qx tools "$w/klist.out" || fail "the topic outlived topics --delete"
echo "PASS: kafkalite topics, produce, consume, groups, configs, cluster and perf against Kafka $KL_KAFKA_VERSION"
