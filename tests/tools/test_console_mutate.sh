#!/bin/sh
# The HTTP console's changes against `kafkalite broker`: create and delete
# a topic, add partitions, alter a topic's configs, reset an inactive
# group's offsets (refused while it has members, as Kafka refuses), delete
# a group; each seen by the Kafka tools afterwards, and Kafka's refusals
# answered with their reason. Only a same-origin POST carrying the
# session's token is taken (no token, a wrong one, another Origin or Host,
# a cross-site fetch: 403), and console.read.only=true refuses them all.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
. "${srcdir:-.}/tests/tools/console_lib.sh"

console_start
B=$bootstrap
session_token
expect session '"read_only":false}'

# ---- what is refused before anything is done
get no-token 403 /api/v1/topics -X POST -d name=x
expect no-token 'X-Kafkalite-Token'
get bad-token 403 /api/v1/topics -X POST -H "X-Kafkalite-Token: 0$token" -d name=x
post other-origin 403 /api/v1/topics -H 'Origin: http://evil.example' -d name=x
expect other-origin 'cross-site'
post cross-site 403 /api/v1/topics -H 'Sec-Fetch-Site: cross-site' -d name=x
post other-host 403 /api/v1/topics -H 'Host: evil.example:80' -d name=x
expect other-host 'Host is not'
get session-other-host 403 /api/v1/session -H 'Host: evil.example'
post json-body 400 /api/v1/topics -H 'Content-Type: application/json' -d '{"name":"x"}'
expect json-body 'must be a form'
get post-page 405 / -X POST
"$KAFKALITE" topics -b "$B" --list >"$work/list.out" 2>&1 || fail "topics --list failed"
grep -qx x "$work/list.out" && fail "a refused POST created topic x"

# ---- topics
post create 201 /api/v1/topics -d name=m -d partitions=2 -d config.retention.ms=600000
expect create '{"created":"m","partitions":2,"replication_factor":1}'
grep -q "created topic m with 2 partitions" "$work/broker.err" || fail "the creation was not logged"
"$KAFKALITE" topics -b "$B" --describe --topic m >"$work/describe.out" 2>&1 || fail "topics --describe m failed"
grep -q 'retention.ms=600000' "$work/describe.out" || fail "m lacks its config: $(cat "$work/describe.out")"
post exists 409 /api/v1/topics -d name=m
expect exists 'TOPIC_ALREADY_EXISTS'
post bad-name 400 /api/v1/topics -d 'name=bad!name'
expect bad-name 'INVALID_TOPIC_EXCEPTION'
post no-name 400 /api/v1/topics -d partitions=1
expect no-name 'name is required'
post zero 400 /api/v1/topics -d name=z -d partitions=0
expect zero 'partitions must be an integer'
post rf 400 /api/v1/topics -d name=z -d replication_factor=3
expect rf 'INVALID_REPLICATION_FACTOR'
post bad-config 400 /api/v1/topics -d name=z -d config.retention.ms=soon
expect bad-config 'INVALID_CONFIG'
post bad-param 400 /api/v1/topics -d name=z -d colour=red
expect bad-param 'unknown parameter: colour'

post grow 200 /api/v1/topics/m/partitions -d count=3
get m 200 /api/v1/topics/m
expect m '"partition_count":3'
post shrink 400 /api/v1/topics/m/partitions -d count=2
expect shrink 'INVALID_PARTITIONS'
post grow-none 404 /api/v1/topics/none/partitions -d count=2

post alter 200 /api/v1/topics/m/configs -d set.max.message.bytes=2000000 -d delete=retention.ms
get configs 200 /api/v1/topics/m/configs
expect configs '{"name":"max.message.bytes","value":"2000000","source":"DYNAMIC_TOPIC_CONFIG"'
expect configs '{"name":"retention.ms","value":"604800000","source":"DEFAULT_CONFIG"'
post alter-bad 400 /api/v1/topics/m/configs -d set.cleanup.policy=sometimes
post alter-empty 400 /api/v1/topics/m/configs
expect alter-empty 'nothing to change'

# ---- groups: g at offset 3 of m-0 (10 messages there)
seq 1 10 | "$KAFKALITE" produce -b "$B" -t m -p 0 >/dev/null 2>&1 || fail "cannot produce to m-0"
"$KAFKALITE" groups -b "$B" --reset-offsets --group g --topic m --to-offset 3 --execute >/dev/null 2>&1 ||
    fail "cannot commit offsets for g"
lag_of() { # GROUP PARTITION: the LAG column of groups --describe for m-PARTITION
    "$KAFKALITE" groups -b "$B" --describe --group "$1" >"$work/lag.out" 2>&1 || fail "groups --describe $1 failed"
    awk -v p="$2" '$2 == "m" && $3 == p { print $6 }' "$work/lag.out"
}
post reset-earliest 200 /api/v1/groups/g/reset-offsets -d topic=m -d to=earliest
expect reset-earliest '"offsets":\[{"partition":0,"offset":0},{"partition":1,"offset":0},{"partition":2,"offset":0}\]'
[ "$(lag_of g 0)" = 10 ] || fail "after to=earliest the lag of m-0 is not 10: $(cat "$work/lag.out")"
post reset-offset 200 /api/v1/groups/g/reset-offsets -d topic=m -d partition=0 -d to=offset -d offset=7
[ "$(lag_of g 0)" = 3 ] || fail "after to=offset 7 the lag of m-0 is not 3: $(cat "$work/lag.out")"
post reset-latest 200 /api/v1/groups/g/reset-offsets -d topic=m -d to=latest
get g 200 /api/v1/groups/g
expect g '"partition":0,"committed_offset":10,"log_end_offset":10,"lag":0'
post reset-past 400 /api/v1/groups/g/reset-offsets -d topic=m -d partition=0 -d to=offset -d offset=11
expect reset-past 'outside m-0'
post reset-to 400 /api/v1/groups/g/reset-offsets -d topic=m -d to=yesterday
post reset-topic 404 /api/v1/groups/g/reset-offsets -d topic=none -d to=latest

# An active group: its offsets are not reset, nor is it deleted.
"$KAFKALITE" consume -b "$B" -t m -g active >/dev/null 2>"$work/consumer.err" &
background=$!
is_stable() {
    curl -sS --max-time 30 -o "$work/active.out" "$url/api/v1/groups/active" &&
        grep -q '"state":"Stable"' "$work/active.out"
}
wait_for is_stable || fail "the consumer's group never became Stable: $(cat "$work/active.out")"
post reset-active 409 /api/v1/groups/active/reset-offsets -d topic=m -d to=earliest
expect reset-active 'group active is Stable with 1 members: offsets can be reset only while it is inactive'
post delete-active 409 /api/v1/groups/active/delete
expect delete-active 'NON_EMPTY_GROUP'
kill -TERM "$background"
wait "$background"
background=

post delete-group 200 /api/v1/groups/g/delete
expect delete-group '{"deleted":"g"}'
get g-gone 404 /api/v1/groups/g
post delete-group-again 404 /api/v1/groups/g/delete
expect delete-group-again 'GROUP_ID_NOT_FOUND'

# A group id may hold '/': the change is the last path segment.
post reset-slash 200 /api/v1/groups/team%2Fa/reset-offsets -d topic=m -d to=earliest
get slash 200 /api/v1/groups/team%2Fa
expect slash '{"group":"team/a","state":"Empty"'
post delete-slash 200 /api/v1/groups/team%2Fa/delete
expect delete-slash '{"deleted":"team/a"}'

post delete-topic 200 /api/v1/topics/m/delete
expect delete-topic '{"deleted":"m"}'
get m-gone 404 /api/v1/topics/m
post delete-topic-again 404 /api/v1/topics/m/delete
post no-change 404 /api/v1/topics/m/rename
stop_broker

# ---- console.read.only=true: shown, never changed
# (the first broker's output goes first: the new one's lines are awaited)
rm -f "$work/broker.out" "$work/broker.err"
console_start --override console.read.only=true
B=$bootstrap
session_token
expect session '"read_only":true}'
post read-only 403 /api/v1/topics -d name=ro
expect read-only 'console.read.only=true'
"$KAFKALITE" topics -b "$B" --list >"$work/list.out" 2>&1 || fail "topics --list failed"
grep -qx ro "$work/list.out" && fail "a read-only console created topic ro"
stop_broker
echo "console changes: topics, partitions, configs, group offsets and deletion, token and read-only checked"
