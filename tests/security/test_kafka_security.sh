#!/bin/bash
# Our client against Apache Kafka's secured listeners (issue 17): one node
# with SSL, SASL_SSL (SCRAM-SHA-512 and -256) and SASL_PLAINTEXT (PLAIN and
# OAUTHBEARER with Kafka's unsecured validator) listeners, GSSAPI on the
# SASL_SSL one too when a throw-away KDC can run (kdc_lib.sh), a CA and the broker's certificate made here with the openssl
# command, SCRAM credentials added when the storage is formatted; then the
# Check program tests/security/test_kafka_security runs its cases against it.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/kafka/test_lib.sh"
. "$srcdir/tests/skip.sh"
. "$srcdir/tests/security/kdc_lib.sh"
command -v openssl >/dev/null 2>&1 || kl_kafka_skip "no openssl command (apt-get install openssl)"
kl_kafka_require

certs=$kafka_dir/certs
mkdir -p "$certs"
make_ca() { # NAME: a self-signed CA, NAME.pem and NAME.key
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$1" \
        -keyout "$certs/$1.key" -out "$certs/$1.pem" 2>/dev/null
}
make_ca test-ca && make_ca untrusted-ca || { echo "FAIL: openssl could not make the CAs"; exit 1; }
# The broker's key, encrypted PKCS#8 as Kafka's PEM key store wants it (with a
# PBE scheme Java knows: it has no PBES2 SecretKeyFactory).
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -keyout "$certs/broker.key" -out "$certs/broker.csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$certs/san.ext" &&
    openssl x509 -req -in "$certs/broker.csr" -CA "$certs/test-ca.pem" -CAkey "$certs/test-ca.key" \
        -CAcreateserial -days 30 -extfile "$certs/san.ext" -out "$certs/broker.pem" 2>/dev/null &&
    openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout pass:key-secret -in "$certs/broker.key" \
        -out "$certs/broker.p8" &&
    cat "$certs/broker.p8" "$certs/broker.pem" >"$certs/keystore.pem" ||
    { echo "FAIL: openssl could not make the broker's certificate"; exit 1; }

scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
export KL_KAFKA_EXTRA_LISTENERS="SSL SASL_SSL SASL_PLAINTEXT"
export KL_KAFKA_FORMAT_ARGS="--add-scram 'SCRAM-SHA-512=[name=alice,password=alice-secret]' \
--add-scram 'SCRAM-SHA-256=[name=alice,password=alice-secret]'"
export KL_KAFKA_BROKER_PROPS="ssl.keystore.type=PEM
ssl.keystore.location=$certs/keystore.pem
ssl.key.password=key-secret
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,OAUTHBEARER
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";
listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"broker\";"
# GSSAPI: the KDC first (the broker logs in at start), Kafka's JAAS form.
# Without the krb5 packages the GSSAPI case skips (fails in CI).
if [ -z "$(kdc_missing)" ]; then
    kdc_up
    trap 'kdc_down; kafka_cleanup' EXIT
    export KL_KAFKA_JAVA_DEFINES="-Djava.security.krb5.conf=$KRB5_CONFIG"
    KL_KAFKA_BROKER_PROPS="$KL_KAFKA_BROKER_PROPS
sasl.kerberos.service.name=kafka
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,GSSAPI
listener.name.sasl_ssl.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"$kdc_dir/broker.keytab\" principal=\"kafka/localhost@$KDC_REALM\";"
fi
KL_KAFKA_HEAP=${KL_KAFKA_HEAP:-320m} kafka_cluster_up 1

node=$kafka_dir/cluster/node1
export KL_SEC_SSL_PORT KL_SEC_SASL_SSL_PORT KL_SEC_SASL_PLAINTEXT_PORT
KL_SEC_SSL_PORT=$(cat "$node/port_SSL")
KL_SEC_SASL_SSL_PORT=$(cat "$node/port_SASL_SSL")
KL_SEC_SASL_PLAINTEXT_PORT=$(cat "$node/port_SASL_PLAINTEXT")
export KL_SEC_CA=$certs/test-ca.pem KL_SEC_UNTRUSTED_CA=$certs/untrusted-ca.pem
./tests/security/test_kafka_security
