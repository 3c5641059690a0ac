#!/bin/sh
# One client of tests/clients/ against `kafkalite broker`:
#   sh tests/clients/client_test.sh franz|sarama|confluent|aiokafka|kafka_python|kafkajs
# (the test_*.sh beside it). The client's program (go/NAME,
# python/NAME_check.py or node/NAME_check.js) creates a topic, produces
# idempotently with acks=all and a codec, consumes in a group with commits,
# looks at the group with its admin client, and resumes from the commit;
# each of its 4 steps says "ok ..." (KafkaJS and confluent-kafka run a 5th:
# transactions).
# The broker must refuse none of its requests, and franz-go must warn of
# nothing. Skips (fails under
# KL_TEST_NO_SKIP=1) when tests/clients/fetch has not brought the client.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
clients=$srcdir/tests/clients
. "$clients/clients_lib.sh"
client=$1

case $client in
franz | sarama)
    kl_clients_go_ok || skip "no go $KL_GO_MIN or newer on the PATH for the $client client"
    gobin=$(kl_clients_gobin)
    # After a change of go/, the first test builds it (offline, from the
    # module cache that fetch filled); a missing module is a skip.
    if [ ! -x "$gobin/$client" ]; then
        mkdir -p "$gobin" 2>/dev/null
        kl_clients_go_build "$client" "$gobin" >"$work/build.err" 2>&1 ||
            skip "the $client client is not built and cannot be built offline (run sh tests/clients/fetch): $(tail -n 3 "$work/build.err" | tr '\n' ' ')"
    fi
    set -- "$gobin/$client"
    ;;
confluent | aiokafka | kafka_python)
    venv=$(kl_clients_venv) || skip "no python3 for the $client client"
    [ -f "$venv/.complete" ] || skip "the Python clients are not installed in $venv (run sh tests/clients/fetch)"
    set -- "$venv/bin/python" "$clients/python/${client}_check.py"
    ;;
kafkajs)
    command -v node >/dev/null 2>&1 || skip "no node for the KafkaJS client"
    nodedir=$(kl_clients_nodedir)
    [ -f "$nodedir/.complete" ] || skip "KafkaJS is not installed in $nodedir (run sh tests/clients/fetch)"
    export NODE_PATH="$nodedir/node_modules" KAFKAJS_NO_PARTITIONER_WARNING=1
    set -- node "$clients/node/kafkajs_check.js"
    ;;
*)
    echo "client_test.sh: unknown client $client" >&2
    exit 1
    ;;
esac

start_broker --override group.initial.rebalance.delay.ms=0
export PYTHONDONTWRITEBYTECODE=1 # nothing written into the source tree
# The program's own deadlines are 90 s a step; timeout only guards a hang.
timeout 600 "$@" "$bootstrap" >"$work/client.out" 2>"$work/client.err" </dev/null
status=$?
cat "$work/client.out"
[ "$status" -eq 0 ] || fail "the $client client failed (exit status $status)"
case $client in
kafkajs | confluent) steps=5 ;; # they also run transactions
*) steps=4 ;;
esac
[ "$(grep -c '^ok ' "$work/client.out")" -eq "$steps" ] || fail "the $client client did not run every step"
if grep -q "closing the connection" "$work/broker.err"; then
    fail "the broker refused a request of the $client client: $(grep "closing the connection" "$work/broker.err" | head -n 3)"
fi
if [ "$client" = franz ] && grep -q '^\[\(WARN\|ERROR\)\]' "$work/client.err"; then
    fail "franz-go warned: $(grep '^\[\(WARN\|ERROR\)\]' "$work/client.err" | head -n 3)"
fi
stop_broker
echo "PASS: the $client client against kafkalite broker"
