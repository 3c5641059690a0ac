#!/bin/sh
# Lists the N (default 15) slowest tests of the last `make check` in this
# build tree, from the "kl-test-seconds:" line tests/timed.sh ends each
# test's .log with, and the sum of all their wall times.
n=${1:-15}
find . -name '*.log' ! -name test-suite.log ! -path './autom4te.cache/*' -exec grep -h '^kl-test-seconds: ' {} + 2>/dev/null |
    sort -k2,2 -rn |
    awk -v n="$n" '{ sum += $2; if (NR <= n) printf "%9s s  %s\n", $2, $3 }
        END { if (NR) printf "%9.3f s  in all, %d tests\n", sum, NR }'
