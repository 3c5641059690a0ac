#!/bin/sh
# Sarama against `kafkalite broker`: see client_test.sh.
exec sh "${srcdir:-.}/tests/clients/client_test.sh" sarama
