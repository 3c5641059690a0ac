#!/bin/bash
# Apache Kafka's Java tools against `kafkalite broker`'s secured listeners
# (issue 17): kafka-configs adds SCRAM users through
# AlterUserScramCredentials and describes them (DescribeClientQuotas answers
# with no quota) as `kafkalite users` and `kafkalite configs` do, a quota is
# refused (AlterClientQuotas is not served). Each tool run goes through
# another kind of security (no JVM started for that alone): SASL_SSL with
# PLAIN, OAUTHBEARER (the Java client's unsecured JWT), SCRAM-SHA-512 (the
# console producer) and SCRAM-SHA-256 (the console consumer), and mutual
# TLS (a listener MTLS mapped to SSL, ssl.client.auth=required, the
# client's PEM keystore); a CA made here with openssl, the broker's PEM
# keystore. A wrong password is refused with Kafka's authentication error.
# Skips (fails under KL_TEST_NO_SKIP=1) without Kafka's jars or openssl.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
. "$srcdir/tests/kafka/kafka_lib.sh"
kl_kafka_require
certs=$work/certs
. "$srcdir/tests/security/openssl_certs.sh"

# a CA, a server certificate for localhost and 127.0.0.1 and a client one
# signed by it; a keystore is a key and its certificate in one PEM file
certs_ca ca
certs_issue server ca server DNS:localhost,IP:127.0.0.1
certs_issue client ca client
for c in server client; do
    cat "$certs/$c.key" "$certs/$c.crt" >"$certs/$c.keystore"
done

run_broker broker --override "log.dirs=$work/logs" \
    --override listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,MTLS://127.0.0.1:0 \
    --override listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL \
    --override "ssl.keystore.location=$certs/server.keystore" --override "ssl.truststore.location=$certs/ca.pem" \
    --override listener.name.mtls.ssl.client.auth=required \
    --override sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
b=$bootstrap
s=$(sed -n 's|^kafkalite broker: listening on SASL_SSL://||p' "$work/broker.out")
m=$(sed -n 's|^kafkalite broker: listening on MTLS://||p' "$work/broker.out")
[ -n "$s" ] && [ -n "$m" ] || fail "no SASL_SSL or MTLS address printed"

kt() { # NAME TOOL ARGS...: must exit 0
    name=$1
    shift
    kl_kafka_tool "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null || fail "$*: exit status $?"
}
has() { grep -q -- "$2" "$work/$1.out" || fail "$1: no '$2' in: $(cat "$work/$1.out")"; }

# client.properties as a Kafka user writes them: SASL_SSL with MECHANISM
# and the login module's options...
sasl_properties() {
    cat <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=$1
sasl.jaas.config=$2 required $3;
ssl.truststore.type=PEM
ssl.truststore.location=$certs/ca.pem
PROPS
}
scram=org.apache.kafka.common.security.scram.ScramLoginModule
sasl_properties SCRAM-SHA-512 $scram 'username="alice" password="alice-secret"' >"$work/scram512.properties"
sasl_properties SCRAM-SHA-512 $scram 'username="alice" password="wrong"' >"$work/wrong.properties"
sasl_properties SCRAM-SHA-256 $scram 'username="bob" password="bob-secret"' >"$work/scram256.properties"
sasl_properties PLAIN org.apache.kafka.common.security.plain.PlainLoginModule \
    'username="alice" password="alice-secret"' >"$work/plain.properties"
sasl_properties OAUTHBEARER org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule \
    'unsecuredLoginStringClaim_sub="carol"' >"$work/oauth.properties"
# ...and mutual TLS
cat >"$work/mtls.properties" <<PROPS
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=$certs/ca.pem
ssl.keystore.type=PEM
ssl.keystore.location=$certs/client.keystore
PROPS

kt add kafka-configs --bootstrap-server "$b" --alter --entity-type users --entity-name alice \
    --add-config 'SCRAM-SHA-512=[iterations=8192,password=alice-secret]'
has add "Completed updating config for user alice."
# alice, just added, adds bob over SASL_SSL with PLAIN
kt add-bob kafka-configs --bootstrap-server "$s" --command-config "$work/plain.properties" --alter --entity-type users --entity-name bob \
    --add-config 'SCRAM-SHA-256=[password=bob-secret]'
has add-bob "Completed updating config for user bob."

# kafka-configs --describe (through OAUTHBEARER, then mutual TLS) asks DescribeClientQuotas (no quota here: nothing
# listed) and DescribeUserScramCredentials, and prints the credentials
alice_line="SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=8192"
bob_line="SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-256=iterations=4096"
kt describe-all kafka-configs --bootstrap-server "$s" --command-config "$work/oauth.properties" \
    --describe --entity-type users
has describe-all "$alice_line"
has describe-all "$bob_line"
grep -q "^Quota configs" "$work/describe-all.out" && fail "quotas listed: $(cat "$work/describe-all.out")"
kt describe-alice kafka-configs --bootstrap-server "$m" --command-config "$work/mtls.properties" --describe --entity-type users --entity-name alice
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
    --command-config "$work/scram512.properties" <"$work/sent" >"$work/produce.out" 2>"$work/produce.err" ||
    fail "kafka-console-producer over SASL_SSL: exit status $?"
kt consume kafka-console-consumer --bootstrap-server "$s" --topic secured --from-beginning \
    --command-config "$work/scram256.properties" --max-messages 20 --timeout-ms 60000
cmp -s "$work/sent" "$work/consume.out" || fail "the consumer read other messages: $(head "$work/consume.out")"

kl_kafka_tool kafka-topics --bootstrap-server "$s" --list --command-config "$work/wrong.properties" \
    >"$work/wrong.out" 2>&1 </dev/null && fail "a wrong password listed topics"
grep -q "SaslAuthenticationException" "$work/wrong.out" || fail "wrong password: $(tail -5 "$work/wrong.out")"
grep -q "invalid credentials with SASL mechanism SCRAM-SHA-512" "$work/wrong.out" ||
    fail "wrong password: Kafka's message missing: $(tail -5 "$work/wrong.out")"
stop_broker
exit 0
