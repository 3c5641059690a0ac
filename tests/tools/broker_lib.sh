# Sourced by the shell tests that need a running `kafkalite broker`: a
# temporary work directory removed at exit (with the broker and the
# processes listed in $background killed if they still run), fail()
# showing the logs, wait_for() polling a condition with a deadline,
# run (a kafkalite command and its exit status), require_kcat, and
# start_broker/stop_broker (or, for a broker started
# from a properties file or stopped by another signal, run_broker and
# stop_broker_run). Sets $work, $pid, $bootstrap.
. "${srcdir:-.}/tests/skip.sh"
KAFKALITE=${KAFKALITE:-./tools/kafkalite}
TIMEOUT_TENTHS=${TIMEOUT_TENTHS:-300} # 30 s for any condition to come true

work=$(mktemp -d /tmp/kl-tool-test-XXXXXX)
pid=
bootstrap=
background=
broker_lib_cleanup() {
    for p in $background $pid; do
        if kill -0 "$p" 2>/dev/null; then
            kill -KILL "$p" 2>/dev/null
            wait "$p" 2>/dev/null
        fi
    done
    rm -rf "$work"
}
trap broker_lib_cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*"
    for f in "$work"/*.out "$work"/*.err; do
        [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
    done
    exit 1
}

# Skips the test (tests/skip.sh) when kcat is not installed.
require_kcat() {
    if ! command -v kcat >/dev/null 2>&1; then
        skip "kcat not installed (Debian kcat)"
    fi
}

# run NAME EXPECTED-STATUS kafkalite-arguments...: runs the command with
# its output in $work/NAME.out and .err, and fails unless it exits with
# EXPECTED-STATUS. (test_kafka_tutorial.sh defines a run of its own.)
run() {
    name=$1
    want=$2
    shift 2
    "$KAFKALITE" "$@" >"$work/$name.out" 2>"$work/$name.err"
    got=$?
    [ "$got" -eq "$want" ] || fail "$name: kafkalite $*: exit $got, want $want"
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

# Succeeds once process $1 runs the kafkalite binary itself (not libtool's
# wrapper script, a shell that would take the signal before its exec) and
# catches SIGINT (its handler is installed: bit 2 of SigCgt in
# /proc/PID/status), so that a test's SIGINT is handled, not fatal.
catches_sigint() {
    case $(readlink "/proc/$1/exe" 2>/dev/null) in
    */kafkalite) ;;
    *) return 1 ;;
    esac
    mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
    [ -n "$mask" ] && [ $((0x$mask & 2)) -ne 0 ]
}

# run_broker NAME ARGUMENTS...: starts `kafkalite broker ARGUMENTS` with its
# output in $work/NAME.out and .err, and waits until it prints its address.
run_broker() {
    name=$1
    shift
    # The HTTP console's default port would collide between tests run at
    # once: a free one instead (when the build has the console).
    if "$KAFKALITE" broker --help | grep -q "HTTP console"; then
        set -- "$@" --override console.listeners=http://127.0.0.1:0
    fi
    # A restart must not read the last run's address: the old output goes
    # before the new broker (whose shell truncates it only once forked).
    rm -f "$work/$name.out" "$work/$name.err"
    "$KAFKALITE" broker "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pid=$!
    wait_for grep -qs 'bootstrap.servers=' "$work/$name.out" || fail "$name: the broker never said it was ready"
    bootstrap=$(sed -n 's/.*bootstrap.servers=//p' "$work/$name.out")
}

# Starts a broker on a free loopback port with its logs under $work/logs;
# extra arguments are more `--override name=value`s.
start_broker() {
    run_broker broker --override listeners=PLAINTEXT://127.0.0.1:0 --override "log.dirs=$work/logs" "$@"
}

# stop_broker_run NAME SIGNAL: stops the broker with SIGNAL and checks it
# exited with status 0.
stop_broker_run() {
    kill "-$2" "$pid"
    wait "$pid"
    status=$?
    pid=
    [ "$status" -eq 0 ] || fail "$1: the broker exited with status $status after SIG$2"
}

# Stops the broker with SIGTERM and checks it exited cleanly.
stop_broker() {
    stop_broker_run broker TERM
}
