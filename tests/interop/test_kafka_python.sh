#!/bin/sh
# kafka-python 2.0 against `kafkalite broker`: runs the phases of
# kafka_python_check.py (producer, manual-assignment and group consumers,
# admin client), restarts the broker on the same log.dirs, and checks the
# data and the committed offsets survived. Skips (tests/skip.sh) when no python3 on
# the PATH (or Debian's /usr/bin/python3) can import kafka.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
SCRIPT="${srcdir:-.}/tests/interop/kafka_python_check.py"

python=
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c "import kafka" >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    skip "kafka-python not installed (Debian python3-kafka)"
fi

run_phase() {
    "$python" "$SCRIPT" "$bootstrap" "$1" >"$work/$1.out" 2>&1 || fail "phase $1 failed"
    cat "$work/$1.out"
}

start_broker --override group.initial.rebalance.delay.ms=0
run_phase produce
run_phase group
run_phase admin
stop_broker
start_broker --override group.initial.rebalance.delay.ms=0
run_phase after-restart
stop_broker
if grep -q "^SKIP: " "$work/produce.out"; then
    skip "kafka-python lacks a codec module: $(grep "^SKIP: " "$work/produce.out" | sed 's/^SKIP: //' | tr '\n' ' ')"
fi
echo "kafka-python: produced, consumed, grouped, administered, restarted (codecs: none gzip lz4 snappy zstd)"
exit 0
