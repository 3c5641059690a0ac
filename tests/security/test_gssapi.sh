#!/bin/bash
# SASL/GSSAPI (Kerberos) against a throw-away MIT KDC (kdc_lib.sh), started
# and stopped here: our client against our broker
# (tests/security/test_gssapi), then librdkafka against our broker
# (tests/security/test_broker_rdkafka_security's "gssapi" case, when built). No KDC packages: SKIP
# (a failure under KL_TEST_NO_SKIP=1).
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/skip.sh"
. "$srcdir/tests/security/kdc_lib.sh"
kdc_up
# cyrus-sasl's GSSAPI plugin leaks a credential per client authentication
# (lsan_gssapi.supp says which); everything else stays checked.
supp=$(cd "$srcdir" && pwd)/tests/security/lsan_gssapi.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$supp"
rc=0
./tests/security/test_gssapi || rc=1
# librdkafka: its suite's "gssapi" case, there only with a KDC.
if [ -x ./tests/security/test_broker_rdkafka_security ]; then
    CK_RUN_CASE=gssapi ./tests/security/test_broker_rdkafka_security || rc=1
elif [ "${KL_TEST_NO_SKIP:-}" = 1 ]; then
    echo "FAIL: KL_TEST_NO_SKIP=1 but librdkafka's GSSAPI case is not built (no librdkafka-dev)"
    rc=1
fi
exit $rc
