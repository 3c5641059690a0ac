#!/bin/bash
# SASL/GSSAPI (Kerberos) against a throw-away MIT KDC (kdc_lib.sh), started
# and stopped here: our client against our broker
# (tests/security/test_gssapi), then librdkafka against our broker
# (tests/security/test_gssapi_rdkafka, when built). No KDC packages: SKIP
# (a failure under KL_TEST_NO_SKIP=1).
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/skip.sh"
. "$srcdir/tests/security/kdc_lib.sh"
kdc_up
rc=0
./tests/security/test_gssapi || rc=1
if [ -x ./tests/security/test_gssapi_rdkafka ]; then
    ./tests/security/test_gssapi_rdkafka || rc=1
fi
exit $rc
