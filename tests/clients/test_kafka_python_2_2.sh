#!/bin/sh
# kafka-python 2.2 against `kafkalite broker`: see client_test.sh.
exec sh "${srcdir:-.}/tests/clients/client_test.sh" kafka_python
