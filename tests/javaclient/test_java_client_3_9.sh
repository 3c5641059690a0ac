#!/bin/bash
# The Java client scenarios of test_java_client.sh with kafka-clients 3.9
# (fetched by .ci/deps: sh tests/kafka/fetch 3.9.1).
KL_KAFKA_VERSION=3.9.1
export KL_KAFKA_VERSION
. "${srcdir:-.}/tests/javaclient/test_java_client.sh"
