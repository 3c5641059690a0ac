#!/bin/sh
# franz-go against `kafkalite broker`: see client_test.sh.
exec sh "${srcdir:-.}/tests/clients/client_test.sh" franz
