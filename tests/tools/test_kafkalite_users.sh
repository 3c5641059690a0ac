#!/bin/sh
# `kafkalite users` against `kafkalite broker` with a PLAINTEXT and a
# SASL_PLAINTEXT listener on OS-picked ports: a user added with Kafka's
# kafka-configs form (--add-config 'SCRAM-SHA-256=[password=...]') is
# listed with its iteration counts, stored salted (the password is not in
# the log directory), can produce over SASL with each mechanism; a wrong
# password and a deleted credential are refused; `kafkalite configs
# --entity-type users` describes them the same; deleting what is not
# there, describing an unknown user and bad usage fail with the reason.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"

run_broker broker --override listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0 \
    --override "log.dirs=$work/logs"
B=$bootstrap
S=$(sed -n 's|^kafkalite broker: listening on SASL_PLAINTEXT://||p' "$work/broker.out")
[ -n "$S" ] || fail "no SASL_PLAINTEXT address printed"

users() { "$KAFKALITE" users -b "$B" "$@"; }
# sasl_produce MECHANISM PASSWORD: one message to topic t as alice
sasl_produce() {
    echo hello | "$KAFKALITE" produce -b "$S" -t t -X security.protocol=sasl_plaintext -X "sasl.mechanism=$1" \
        -X sasl.username=alice -X "sasl.password=$2" -X message.timeout.ms=20000
}

users --alter --entity-type users --entity-name alice \
    --add-config 'SCRAM-SHA-256=[password=secret-256],SCRAM-SHA-512=[iterations=8192,password=secret,512]' \
    >"$work/alter.out" 2>&1 || fail "cannot add alice"
grep -q "Completed updating config for user alice" "$work/alter.out" || fail "no completion line"
users --describe >"$work/describe.out" 2>&1 || fail "describe failed"
grep -q "user-principal 'alice' are SCRAM-SHA-256=iterations=4096, SCRAM-SHA-512=iterations=8192" \
    "$work/describe.out" || fail "alice is not described as set"
"$KAFKALITE" configs -b "$B" --describe --entity-type users >"$work/configs.out" 2>&1 ||
    fail "kafkalite configs --entity-type users failed: $(cat "$work/configs.out")"
cmp -s "$work/describe.out" "$work/configs.out" || fail "kafkalite configs describes users otherwise: $(cat "$work/configs.out")"
grep -q "secret" "$work/logs/scram-credentials" && fail "a password is stored in clear"
grep -q "^alice SCRAM-SHA-512 8192 " "$work/logs/scram-credentials" || fail "alice's salted credential is not stored"

sasl_produce SCRAM-SHA-256 secret-256 >"$work/p1.out" 2>&1 || fail "SCRAM-SHA-256 produce failed"
sasl_produce SCRAM-SHA-512 'secret,512' >"$work/p2.out" 2>&1 || fail "SCRAM-SHA-512 produce (a comma in the password) failed"
sasl_produce PLAIN secret-256 >"$work/p3.out" 2>&1 || fail "PLAIN produce failed"
sasl_produce SCRAM-SHA-256 wrong >"$work/p4.out" 2>&1 && fail "a wrong password was accepted"
grep -q "Authentication" "$work/p4.out" || fail "the wrong password's failure does not say authentication"

users --alter --entity-name alice --delete-config SCRAM-SHA-256 >"$work/delete.out" 2>&1 || fail "cannot delete"
sasl_produce SCRAM-SHA-256 secret-256 >"$work/p5.out" 2>&1 && fail "a deleted credential was accepted"
users --alter --entity-name alice --delete-config SCRAM-SHA-256 >"$work/delete2.out" 2>&1 &&
    fail "deleting a missing credential succeeded"
grep -q "RESOURCE_NOT_FOUND" "$work/delete2.out" || fail "deleting a missing credential does not say why"
users --describe --entity-name bob >"$work/bob.out" 2>&1 && fail "describing an unknown user succeeded"
grep -q "does not exist: bob" "$work/bob.out" || fail "the unknown user is not named"

users --alter --entity-name alice --add-config 'SCRAM-SHA-1=[password=x]' >"$work/usage.out" 2>&1
[ $? -eq 2 ] || fail "an unknown mechanism is not a usage error"
users --alter --add-config 'SCRAM-SHA-256=[password=x]' >"$work/usage2.out" 2>&1
[ $? -eq 2 ] || fail "--alter without a user is not a usage error"

# the credentials survive a restart
stop_broker
run_broker broker2 --override listeners=PLAINTEXT://127.0.0.1:0 --override "log.dirs=$work/logs"
B=$bootstrap
users --describe >"$work/describe2.out" 2>&1 || fail "describe after restart failed"
grep -q "user-principal 'alice' are SCRAM-SHA-512=iterations=8192$" "$work/describe2.out" ||
    fail "alice's credentials did not survive the restart"
stop_broker_run broker2 TERM
exit 0
