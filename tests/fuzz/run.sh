#!/bin/sh
# Runs libFuzzer targets for a bounded time, JOBS at a time, and prints
# for each the number of runs, the coverage reached and the corpus size.
# Usage: run.sh SECONDS JOBS SEEDS WORKDIR TARGET...
# FUZZ_SEED (environment) fixes libFuzzer's random seed and FUZZ_RUNS
# ("target=runs ...") caps a target's runs: with both, a run is
# reproducible, and a slower machine that hits SECONDS first executes a
# prefix of the same inputs (CI uses this, so what passed here passes
# there; `make fuzz` without them explores anew each time).
# Each target tests/fuzz/fuzz_T starts from SEEDS/T plus what earlier runs
# found (WORKDIR/corpus/T, kept between runs); a crash, leak, timeout or
# broken invariant leaves its input in WORKDIR/artifacts/ (outside the
# source tree, emptied at each run) and fails the run, with the target's
# log tail printed.
set -eu
if [ "${1:-}" = --one ]; then
    shift
    seconds=$1 seeds=$2 work=$3 t=$4
    mkdir -p "$work/corpus/$t" "$work/artifacts"
    export UBSAN_OPTIONS=print_stacktrace=1
    set --
    [ -z "${FUZZ_SEED:-}" ] || set -- "$@" -seed="$FUZZ_SEED"
    for tr in ${FUZZ_RUNS:-}; do
        [ "${tr%%=*}" != "$t" ] || set -- "$@" -runs="${tr#*=}"
    done
    # -rss_limit_mb and -timeout: a slow or growing input is a bug too
    if ./tests/fuzz/fuzz_"$t" "$@" -max_total_time="$seconds" -print_final_stats=1 -detect_leaks=1 \
        -timeout=30 -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/$t-" \
        "$work/corpus/$t" "$seeds/$t" >"$work/$t.log" 2>&1; then
        echo ok >"$work/$t.status"
    else
        echo "failed ($?)" >"$work/$t.status"
    fi
    exit 0
fi

seconds=$1 jobs=$2 seeds=$3 work=$4
shift 4
mkdir -p "$work"
rm -rf "$work"/*.status "$work/artifacts" # the inputs of this run only
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$seconds" "$seeds" "$work" {}

failed=0
printf '%-12s %10s %8s %8s %8s  %s\n' target runs cov ft corpus result
for t in "$@"; do
    log=$work/$t.log
    status=$(cat "$work/$t.status" 2>/dev/null || echo "did not run")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    printf '%-12s %10s %8s %8s %8s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status"
    if [ "$status" != ok ]; then
        failed=1
        echo "--- $log (tail)"
        tail -40 "$log"
    fi
done
if [ "$failed" -ne 0 ]; then
    echo "fuzzing failed; inputs kept in $work/artifacts/:"
    ls -l "$work/artifacts/" || true
    exit 1
fi
