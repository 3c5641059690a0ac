#!/bin/sh
# kafka-python 2.2 against `kafkalite broker`'s secured listeners (issue
# 17): python/kafka_python_security.py's round trips and refusals, on one
# broker serving SSL, mutual TLS (a listener MTLS mapped to SSL with
# ssl.client.auth=required), SASL_SSL with PLAIN, SCRAM-SHA-256,
# SCRAM-SHA-512 and OAUTHBEARER, and two SSL listeners with a certificate
# for another name and an expired one; the certificates are made here with
# openssl, alice's SCRAM credentials added with `kafkalite users`. The
# broker must log why it refused each connection. Skips (fails under
# KL_TEST_NO_SKIP=1) when tests/clients/fetch has not brought kafka-python,
# or without openssl.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
clients=$srcdir/tests/clients
. "$clients/clients_lib.sh"
venv=$(kl_clients_venv) || skip "no python3 for kafka-python"
[ -f "$venv/.complete" ] || skip "the Python clients are not installed in $venv (run sh tests/clients/fetch)"
certs=$work/certs
. "$srcdir/tests/security/openssl_certs.sh"

certs_ca ca
certs_ca rogue
certs_issue server ca server DNS:localhost,IP:127.0.0.1
certs_issue othername ca server DNS:broker.example
certs_issue expired ca server DNS:localhost,IP:127.0.0.1 -1
certs_issue client ca client
certs_issue expired-client ca client "" -1
certs_issue rogue-client rogue client # the client's key, signed by the other CA
for c in server othername expired; do
    cat "$certs/server.key" "$certs/$c.crt" >"$certs/$c.keystore"
done

run_broker broker --override log.dirs="$work/logs" --override group.initial.rebalance.delay.ms=0 \
    --override listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0,SASL_SSL://127.0.0.1:0,OTHERNAME://127.0.0.1:0,EXPIRED://127.0.0.1:0 \
    --override listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL,OTHERNAME:SSL,EXPIRED:SSL \
    --override listener.name.mtls.ssl.client.auth=required --override "ssl.truststore.location=$certs/ca.pem" \
    --override "ssl.keystore.location=$certs/server.keystore" \
    --override "listener.name.othername.ssl.keystore.location=$certs/othername.keystore" \
    --override "listener.name.expired.ssl.keystore.location=$certs/expired.keystore" \
    --override sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
# localhost:PORT of a listener: the client checks the certificate's DNS
# name there, and its IP address at the address the broker advertises
address() {
    port=$(sed -n "s|^kafkalite broker: listening on $1://127.0.0.1:||p" "$work/broker.out")
    [ -n "$port" ] || fail "no $1 address printed"
    echo "localhost:$port"
}
ssl=$(address SSL) && mtls=$(address MTLS) && sasl_ssl=$(address SASL_SSL) &&
    othername=$(address OTHERNAME) && expired=$(address EXPIRED) || exit 1
run users 0 users -b "$bootstrap" --alter --entity-name alice \
    --add-config 'SCRAM-SHA-256=[password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'

export PYTHONDONTWRITEBYTECODE=1 # nothing written into the source tree
# The program's own deadlines are 90 s a step; timeout only guards a hang.
timeout 600 "$venv/bin/python" "$clients/python/kafka_python_security.py" "$certs" "$ssl" "$mtls" "$sasl_ssl" \
    "$othername" "$expired" \
    >"$work/client.out" 2>"$work/client.err" </dev/null
status=$?
cat "$work/client.out"
[ "$status" -eq 0 ] || fail "kafka-python failed (exit status $status)"
[ "$(grep -c '^ok ' "$work/client.out")" -eq 17 ] || fail "kafka-python did not run every step"

# the README's command line for a SASL_SSL cluster (with the test CA)
# reads what kafka-python wrote with SCRAM-SHA-512
run readme 0 consume -b "$sasl_ssl" -t kafka-python-scram-sha-512 -o beginning -e \
    -X security.protocol=sasl_ssl -X sasl.mechanisms=SCRAM-SHA-512 \
    -X sasl.username=alice -X sasl.password=alice-secret -X "ssl.ca.location=$certs/ca.pem"
[ "$(grep -c '^value-' "$work/readme.out")" -eq 10 ] || fail "kafkalite consume over SASL_SSL read other records"

# the broker says why it refused each connection (it may say it just
# after the client saw the connection end); the refusals that are the
# client's (its checks of the broker's certificate) are not looked for:
# the broker logs 5 TLS failures in 10 s at most
logged() { [ "$(grep -c -- "$2" "$work/broker.err")" -ge "$1" ]; }
said() {
    wait_for logged "$1" "$2" && ! logged $(($1 + 1)) "$2" ||
        fail "the broker logged $(grep -c -- "$2" "$work/broker.err") times, not $1: $2"
}
said 1 "failed authentication on SASL_SSL with PLAIN as alice: wrong password"
said 1 "failed authentication on SASL_SSL with SCRAM-SHA-256 as alice: invalid credentials"
said 1 "failed authentication on SASL_SSL with SCRAM-SHA-512 as alice: invalid credentials"
said 1 "failed authentication on SASL_SSL with SCRAM-SHA-512 as mallory: unknown user"
said 1 "OAUTHBEARER token refused on SASL_SSL: the token expired"
said 1 "closing the connection on MTLS: TLS handshake failed: .*peer did not return a certificate"
said 1 "closing the connection on MTLS: TLS handshake failed: certificate verify failed: unknown CA"
said 1 "closing the connection on MTLS: TLS handshake failed: certificate verify failed: .*expired"
stop_broker
echo "PASS: kafka-python over SSL, mutual TLS and SASL_SSL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER) against kafkalite broker"
