#!/bin/sh
# KafkaJS (Node.js) against `kafkalite broker`: see client_test.sh.
exec sh "${srcdir:-.}/tests/clients/client_test.sh" kafkajs
