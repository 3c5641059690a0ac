#!/bin/sh
# The LOG_COMPILER of every test: runs the test (its arguments) and ends
# its .log with one line "kl-test-seconds: SECONDS TEST", the test's wall
# time. `sh tests/slowest.sh [N]` lists the N slowest of the last
# `make check` (.ci/run prints them); the exit status is the test's.
start=$(date +%s%N)
"$@"
status=$?
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
printf 'kl-test-seconds: %d.%03d %s\n' $((ms / 1000)) $((ms % 1000)) "${1#./}"
exit $status
