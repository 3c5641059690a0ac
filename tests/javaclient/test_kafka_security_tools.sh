#!/bin/bash
# Apache Kafka's Java tools against `kafkalite broker`'s SASL_SSL listener
# (issue 17): kafka-configs adds SCRAM users through
# AlterUserScramCredentials and describes them (DescribeClientQuotas answers
# with no quota) as `kafkalite users` and `kafkalite configs` do, a quota is
# refused (AlterClientQuotas is not served), the console
# producer and consumer go through TLS (a CA made here with openssl, the
# broker's PEM keystore) and SCRAM-SHA-512, and a wrong password is refused
# with Kafka's authentication error. Skips (fails under KL_TEST_NO_SKIP=1)
# without Kafka's jars or openssl.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
. "$srcdir/tests/kafka/kafka_lib.sh"
kl_kafka_require
command -v openssl >/dev/null 2>&1 || skip "openssl not installed (Debian openssl)"

# a CA, and a server certificate for localhost and 127.0.0.1 signed by it;
# the broker's keystore is the key and the certificate in one PEM file
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca \
    -keyout "$work/ca.key" -out "$work/ca.pem" >"$work/openssl.err" 2>&1 || fail "cannot make the CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -keyout "$work/server.key" -out "$work/server.csr" >>"$work/openssl.err" 2>&1 || fail "cannot make a key"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/san.ext" -out "$work/server.crt" >>"$work/openssl.err" 2>&1 || fail "cannot sign"
cat "$work/server.key" "$work/server.crt" >"$work/keystore.pem"

run_broker broker --override listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0 \
    --override "log.dirs=$work/logs" --override "ssl.keystore.location=$work/keystore.pem" \
    --override sasl.enabled.mechanisms=SCRAM-SHA-512
b=$bootstrap
s=$(sed -n 's|^kafkalite broker: listening on SASL_SSL://||p' "$work/broker.out")
[ -n "$s" ] || fail "no SASL_SSL address printed"

kt() { # NAME TOOL ARGS...: must exit 0
    name=$1
    shift
    kl_kafka_tool "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null || fail "$*: exit status $?"
}
has() { grep -q -- "$2" "$work/$1.out" || fail "$1: no '$2' in: $(cat "$work/$1.out")"; }

# client.properties as a Kafka user writes it (PASSWORD as given)
client_properties() {
    cat <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="$1";
ssl.truststore.type=PEM
ssl.truststore.location=$work/ca.pem
PROPS
}
client_properties alice-secret >"$work/client.properties"
client_properties wrong >"$work/wrong.properties"

kt add kafka-configs --bootstrap-server "$b" --alter --entity-type users --entity-name alice \
    --add-config 'SCRAM-SHA-512=[iterations=8192,password=alice-secret]'
has add "Completed updating config for user alice."
kt add-bob kafka-configs --bootstrap-server "$b" --alter --entity-type users --entity-name bob \
    --add-config 'SCRAM-SHA-256=[password=bob-secret]'
has add-bob "Completed updating config for user bob."

# kafka-configs --describe asks DescribeClientQuotas (no quota here: nothing
# listed) and DescribeUserScramCredentials, and prints the credentials
alice_line="SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=8192"
bob_line="SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-256=iterations=4096"
kt describe-all kafka-configs --bootstrap-server "$b" --describe --entity-type users
has describe-all "$alice_line"
has describe-all "$bob_line"
grep -q "^Quota configs" "$work/describe-all.out" && fail "quotas listed: $(cat "$work/describe-all.out")"
kt describe-alice kafka-configs --bootstrap-server "$b" --describe --entity-type users --entity-name alice
[ "$(cat "$work/describe-alice.out")" = "$alice_line" ] || fail "describe alice: $(cat "$work/describe-alice.out")"
# ours prints the same, as `kafkalite users` and as `kafkalite configs`
for cmd in users configs; do
    "$KAFKALITE" $cmd -b "$b" --describe --entity-type users >"$work/$cmd.out" 2>&1 ||
        fail "kafkalite $cmd --describe --entity-type users: $(cat "$work/$cmd.out")"
    has $cmd "$alice_line"
    has $cmd "$bob_line"
    "$KAFKALITE" $cmd -b "$b" --describe --entity-type users --entity-name alice >"$work/$cmd-alice.out" 2>&1 ||
        fail "kafkalite $cmd --describe --entity-name alice: $(cat "$work/$cmd-alice.out")"
    cmp -s "$work/describe-alice.out" "$work/$cmd-alice.out" ||
        fail "kafkalite $cmd differs from kafka-configs: $(cat "$work/$cmd-alice.out")"
done
# a quota is refused, not pretended: the broker does not serve AlterClientQuotas
kl_kafka_tool kafka-configs --bootstrap-server "$b" --alter --entity-type users --entity-name alice \
    --add-config producer_byte_rate=1024 >"$work/quota.out" 2>&1 </dev/null && fail "a quota was accepted"
grep -q "does not support ALTER_CLIENT_QUOTAS" "$work/quota.out" || fail "quota: $(tail -5 "$work/quota.out")"
grep -q alice-secret "$work/logs/scram-credentials" && fail "the password is stored in clear"

seq 1 20 >"$work/sent"
kl_kafka_tool kafka-console-producer --bootstrap-server "$s" --topic secured \
    --command-config "$work/client.properties" <"$work/sent" >"$work/produce.out" 2>"$work/produce.err" ||
    fail "kafka-console-producer over SASL_SSL: exit status $?"
kt consume kafka-console-consumer --bootstrap-server "$s" --topic secured --from-beginning \
    --command-config "$work/client.properties" --max-messages 20 --timeout-ms 60000
cmp -s "$work/sent" "$work/consume.out" || fail "the consumer read other messages: $(head "$work/consume.out")"

kl_kafka_tool kafka-topics --bootstrap-server "$s" --list --command-config "$work/wrong.properties" \
    >"$work/wrong.out" 2>&1 </dev/null && fail "a wrong password listed topics"
grep -q "SaslAuthenticationException" "$work/wrong.out" || fail "wrong password: $(tail -5 "$work/wrong.out")"
grep -q "invalid credentials with SASL mechanism SCRAM-SHA-512" "$work/wrong.out" ||
    fail "wrong password: Kafka's message missing: $(tail -5 "$work/wrong.out")"
stop_broker
exit 0
