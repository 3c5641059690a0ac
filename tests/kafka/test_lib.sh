# Sourced by the shell tests that need Apache Kafka: kafka_cluster_up N
# starts a cluster of N nodes (tests/kafka/cluster) under a temporary folder
# and sets $bootstrap; the cluster and the folder go away when the test
# exits, however it exits. Skips (exit 77, or fails under KL_TEST_NO_SKIP=1)
# when Kafka cannot be had. kafka_tool and kafka_java run Kafka's tools and
# single-file Java programs (tests/kafka/tool).
here=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
# shellcheck source=tests/kafka/kafka_lib.sh
. "$here/kafka_lib.sh"
kafka_dir=$(mktemp -d /tmp/kl-kafka-XXXXXX)
bootstrap=
kafka_cleanup() {
    "$here/cluster" stop "$kafka_dir/cluster" 2>/dev/null
    rm -rf "$kafka_dir"
}
trap kafka_cleanup EXIT
trap 'exit 1' INT TERM

kafka_cluster_up() {
    kl_kafka_require
    KL_KAFKA_OWNER=$$ "$here/cluster" start "$kafka_dir/cluster" "$1" >"$kafka_dir/start.out"
    status=$?
    [ "$status" -eq 0 ] || exit "$status"
    bootstrap=$(cat "$kafka_dir/cluster/bootstrap")
}

kafka_tool() { kl_kafka_tool "$@"; }
kafka_java() { kl_kafka_java "$@"; }
