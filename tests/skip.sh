# Sourced by the shell tests: skip REASON... says SKIP with its reason and
# exits 77 (automake's SKIP), never 0; with KL_TEST_NO_SKIP=1 (CI) a skip
# is a failure (exit 1) instead.
skip() {
    if [ "${KL_TEST_NO_SKIP:-}" = 1 ]; then
        echo "FAIL: KL_TEST_NO_SKIP=1 but this test would skip: $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}
