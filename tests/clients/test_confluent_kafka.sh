#!/bin/sh
# confluent-kafka (Python) against `kafkalite broker`: see client_test.sh.
exec sh "${srcdir:-.}/tests/clients/client_test.sh" confluent
