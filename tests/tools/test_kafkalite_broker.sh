#!/bin/sh
# End-to-end test of `kafkalite broker`: a Kafka KRaft quickstart-style
# server.properties starts it (cluster-only settings warned about once
# each), kcat produces and consumes through the printed address, SIGTERM
# stops it with status 0, a restart on the same log.dirs still has the
# data, and bad configurations exit non-zero naming the property.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
require_kcat

cat >"$work/server.properties" <<PROPS
# Kafka's KRaft quickstart (config/kraft/server.properties), trimmed
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,\\
    SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=$work/logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes : 1073741824
log.retention.check.interval.ms=300000
PROPS

# start_run NAME: the broker from server.properties, output in $work/NAME.*;
# only the PLAINTEXT listener opened
start_run() {
    run_broker "$1" "$work/server.properties" --override auto.create.topics.enable=true
    grep -q "listening on PLAINTEXT://127.0.0.1:[1-9]" "$work/$1.out" || fail "$1: no listener printed"
    ! grep -q "CONTROLLER://" "$work/$1.out" || fail "$1: the controller listener was opened"
}

stop_run() { # $1: run name, $2: signal
    stop_broker_run "$1" "$2"
    grep -q "stopped" "$work/$1.err" || fail "$1: no clean stop logged"
}

consume() {
    kcat -b "$bootstrap" -C -t quickstart -o beginning -e -q -f '%k=%s\n' >"$work/consumed" ||
        fail "kcat could not consume"
    cmp -s "$work/consumed" "$work/lines" || fail "consumed lines differ from produced ones"
}

# ---- first run: produce and consume
start_run first
for w in process.roles controller.quorum.voters inter.broker.listener.name controller.listener.names; do
    [ "$(grep -c "\"$w\"" "$work/first.err")" -eq 1 ] || fail "expected one warning about $w"
done
i=1
: >"$work/lines"
while [ "$i" -le 1000 ]; do
    echo "k$i=line $i" >>"$work/lines"
    i=$((i + 1))
done
kcat -b "$bootstrap" -P -t quickstart -K = -X acks=all <"$work/lines" || fail "kcat could not produce"
consume
stop_run first TERM
[ -f "$work/logs/quickstart-0/recovery-point-offset-checkpoint" ] || fail "no recovery checkpoint written"

# ---- second run on the same directory: the data is still there
start_run second
consume
stop_run second INT

# ---- bad configurations: non-zero exit, the property named
expect_refused() { # $1: what must appear in the message; the rest: arguments
    what=$1
    shift
    "$KAFKALITE" broker "$@" >"$work/bad.out" 2>"$work/bad.err" && fail "accepted: $*"
    grep -q -- "$what" "$work/bad.err" || fail "the message for $* does not name $what"
}
expect_refused no.such.property "$work/server.properties" --override no.such.property=1
expect_refused num.partitions "$work/server.properties" --override num.partitions=many
printf 'node.id=1\nlog.dirz=/tmp\n' >"$work/typo.properties"
expect_refused 'typo.properties:2:.*log.dirz' "$work/typo.properties"
! grep -q "out of memory" "$work/bad.err" || fail "an unknown property is reported as out of memory"
[ "$(wc -l <"$work/bad.err")" -eq 1 ] || fail "an unknown property gets more than one line: $(cat "$work/bad.err")"
expect_refused 'cannot open' "$work/missing.properties"
"$KAFKALITE" broker --override >/dev/null 2>&1
[ $? -eq 2 ] || fail "--override without a value is not a usage error"

# ---- usage
"$KAFKALITE" >/dev/null 2>"$work/usage.err"
[ $? -eq 2 ] || fail "kafkalite without arguments must exit 2"
grep -q "usage: kafkalite" "$work/usage.err" || fail "no usage printed"
"$KAFKALITE" --help | grep -q broker || fail "--help does not list broker"
"$KAFKALITE" broker --help | grep -q -- "--override" || fail "broker --help"
echo "kafkalite broker: started, produced, stopped, restarted, consumed; bad configurations refused"
exit 0
