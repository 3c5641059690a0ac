# Apache Kafka for the tests, sourced (with $here set to this folder) by
# tests/kafka/fetch, tests/kafka/cluster, tests/kafka/tool and the tests
# that talk to Kafka (through test_lib.sh). It knows where the
# fetched jars live, how to run one of Kafka's tools or a small Java program
# on them, and how a test skips when Kafka cannot be had.
#
#   KL_KAFKA_VERSION   Kafka release (default below; 3.9.x works too)
#   KL_KAFKA_CACHE     cache root; the jars go to $KL_KAFKA_CACHE/<version>/
#                      (default /var/cache/kafkalite-kafka when writable,
#                      else ${XDG_CACHE_HOME:-~/.cache}/kafkalite-kafka)
#   KL_KAFKA_TOOL_OPTS JVM options for tools and Java programs
#   KL_TEST_NO_SKIP=1  a test that would skip fails instead
KL_KAFKA_VERSION=${KL_KAFKA_VERSION:-4.4.0}
KL_KAFKA_TOOL_OPTS=${KL_KAFKA_TOOL_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}

kl_kafka_cache_root() {
    if [ -n "${KL_KAFKA_CACHE:-}" ]; then
        echo "$KL_KAFKA_CACHE"
    elif mkdir -p /var/cache/kafkalite-kafka 2>/dev/null && [ -w /var/cache/kafkalite-kafka ]; then
        echo /var/cache/kafkalite-kafka
    else
        echo "${XDG_CACHE_HOME:-$HOME/.cache}/kafkalite-kafka"
    fi
}

# The folder holding the jars of version $1 (default $KL_KAFKA_VERSION),
# whether or not it was fetched yet.
kl_kafka_dir() {
    echo "$(kl_kafka_cache_root)/${1:-$KL_KAFKA_VERSION}"
}

# kl_kafka_skip REASON: the tests' skip (tests/skip.sh): exit 77 with the
# reason, or exit 1 when KL_TEST_NO_SKIP=1 says that a skip is a failure.
# The sourcing script has set $here to tests/kafka.
kl_kafka_skip() {
    . "$here/../skip.sh"
    skip "$@"
}

# Skips (see kl_kafka_skip) unless java and the jars of $KL_KAFKA_VERSION are
# here; sets KL_KAFKA_JARS.
kl_kafka_require() {
    command -v java >/dev/null 2>&1 || kl_kafka_skip "no java: install openjdk-17-jdk-headless (sh .ci/deps)"
    KL_KAFKA_JARS=$(kl_kafka_dir)
    [ -f "$KL_KAFKA_JARS/.complete" ] ||
        kl_kafka_skip "Kafka $KL_KAFKA_VERSION not fetched into $KL_KAFKA_JARS: run sh tests/kafka/fetch"
}

# kl_kafka_main_class TOOL: the main class of a bin/TOOL.sh script (with or
# without .sh), the first of its names (they moved between releases) that the
# fetched jars hold.
kl_kafka_main_class() {
    case ${1%.sh} in
    kafka-server-start) set -- kafka.Kafka ;;
    kafka-storage) set -- kafka.tools.StorageTool ;;
    kafka-topics) set -- org.apache.kafka.tools.TopicCommand ;;
    kafka-configs) set -- org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand ;;
    kafka-consumer-groups) set -- org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    kafka-console-consumer) set -- org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    kafka-console-producer) set -- org.apache.kafka.tools.ConsoleProducer kafka.tools.ConsoleProducer ;;
    kafka-producer-perf-test) set -- org.apache.kafka.tools.ProducerPerformance ;;
    kafka-consumer-perf-test) set -- org.apache.kafka.tools.ConsumerPerformance ;;
    kafka-get-offsets) set -- org.apache.kafka.tools.GetOffsetShell ;;
    kafka-delete-records) set -- org.apache.kafka.tools.DeleteRecordsCommand kafka.admin.DeleteRecordsCommand ;;
    kafka-log-dirs) set -- org.apache.kafka.tools.LogDirsCommand kafka.admin.LogDirsCommand ;;
    kafka-leader-election) set -- org.apache.kafka.tools.LeaderElectionCommand ;;
    kafka-reassign-partitions) set -- org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
    kafka-broker-api-versions) set -- org.apache.kafka.tools.BrokerApiVersionsCommand kafka.admin.BrokerApiVersionsCommand ;;
    kafka-metadata-quorum) set -- org.apache.kafka.tools.MetadataQuorumCommand ;;
    kafka-cluster) set -- org.apache.kafka.tools.ClusterTool ;;
    kafka-features) set -- org.apache.kafka.tools.FeatureCommand ;;
    kafka-acls) set -- org.apache.kafka.tools.AclCommand kafka.admin.AclCommand ;;
    kafka-transactions) set -- org.apache.kafka.tools.TransactionsCommand ;;
    kafka-groups) set -- org.apache.kafka.tools.GroupsCommand ;;
    kafka-verifiable-producer) set -- org.apache.kafka.tools.VerifiableProducer ;;
    kafka-verifiable-consumer) set -- org.apache.kafka.tools.VerifiableConsumer ;;
    *) echo "kafka_lib: no main class known for $1" >&2; return 1 ;;
    esac
    for class in "$@"; do
        if grep -qx "$class" "$KL_KAFKA_JARS/.classes"; then
            echo "$class"
            return 0
        fi
    done
    echo "kafka_lib: Kafka $KL_KAFKA_VERSION has none of $*" >&2
    return 1
}

# kl_kafka_tool TOOL ARGS...: runs one of Kafka's tools (by its bin/ script
# name, e.g. kafka-topics) from the fetched jars. Call kl_kafka_require first.
kl_kafka_tool() {
    class=$(kl_kafka_main_class "$1") || return 1
    shift
    # shellcheck disable=SC2086
    java $KL_KAFKA_TOOL_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$KL_KAFKA_JARS/*" "$class" "$@"
}

# kl_kafka_java FILE.java ARGS...: compiles and runs a single-file Java
# program (its first class has main) with Kafka's jars on the classpath.
kl_kafka_java() {
    src=$1
    shift
    # shellcheck disable=SC2086
    java $KL_KAFKA_TOOL_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$KL_KAFKA_JARS/*" "$src" "$@"
}

# kl_kafka_javac DIR FILE.java...: compiles a Java program of several files
# that uses the client API only into DIR (made here), against the
# kafka-clients jar (not all of Kafka's: 1.5 s less) with javac's JVM on
# the options of the tools (a third of the time on a loaded machine); run
# it with kl_kafka_java_class DIR CLASS ARGS...
kl_kafka_javac() {
    dir=$1
    shift
    for opt in $KL_KAFKA_TOOL_OPTS; do
        set -- "-J$opt" "$@"
    done
    mkdir -p "$dir" &&
        javac -nowarn -encoding UTF-8 -d "$dir" -cp "$KL_KAFKA_JARS/kafka-clients-$KL_KAFKA_VERSION.jar" "$@"
}

kl_kafka_java_class() {
    dir=$1
    shift
    # shellcheck disable=SC2086
    java $KL_KAFKA_TOOL_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$dir:$KL_KAFKA_JARS/*" "$@"
}
