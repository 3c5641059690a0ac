# Sourced by the shell tests that need a running `kafkalite broker`: a
# temporary work directory removed at exit (with the broker killed if it
# still runs), fail() showing the logs, wait_for() polling a condition with
# a deadline, and start_broker/stop_broker. Sets $work, $pid, $bootstrap.
KAFKALITE=${KAFKALITE:-./tools/kafkalite}
TIMEOUT_TENTHS=${TIMEOUT_TENTHS:-300} # 30 s for any condition to come true

work=$(mktemp -d /tmp/kl-tool-test-XXXXXX)
pid=
bootstrap=
broker_lib_cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap broker_lib_cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*"
    for f in "$work"/*.out "$work"/*.err; do
        [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
    exit 1
}

# Polls (up to TIMEOUT_TENTHS tenths of a second) until the command succeeds.
wait_for() {
    n=0
    until "$@"; do
        n=$((n + 1))
        [ "$n" -ge "$TIMEOUT_TENTHS" ] && return 1
        sleep 0.1
    done
}

# Starts a broker on a free loopback port with its logs under $work/logs;
# extra arguments are more `--override name=value`s.
start_broker() {
    set -- --override listeners=PLAINTEXT://127.0.0.1:0 --override "log.dirs=$work/logs" "$@"
    "$KAFKALITE" broker "$@" >"$work/broker.out" 2>"$work/broker.err" &
    pid=$!
    wait_for grep -q 'bootstrap.servers=' "$work/broker.out" || fail "the broker never said it was ready"
    bootstrap=$(sed -n 's/.*bootstrap.servers=//p' "$work/broker.out")
}

# Stops the broker with SIGTERM and checks it exited cleanly.
stop_broker() {
    kill -TERM "$pid"
    wait "$pid"
    status=$?
    pid=
    [ "$status" -eq 0 ] || fail "the broker exited with status $status"
}
