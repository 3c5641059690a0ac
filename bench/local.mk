# bench/: benchmarks, built by 'make bench', not part of make check.
# Add a benchmark to BENCHMARKS and give it _SOURCES and _LDADD.
BENCHMARKS = bench/bench_record bench/bench_storage bench/bench_groups
if HAVE_RDKAFKA
BENCHMARKS += bench/bench_producer bench/bench_consumer bench/bench_broker bench/bench_brokers bench/bench_txn
endif
EXTRA_PROGRAMS = $(BENCHMARKS)
CLEANFILES += $(BENCHMARKS)

bench_bench_record_SOURCES = bench/bench_record.c
bench_bench_record_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)

bench_bench_storage_SOURCES = bench/bench_storage.c
bench_bench_storage_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)

# kafkalite's producer against librdkafka's, on the embedded broker and on
# librdkafka's mock cluster.
bench_bench_producer_SOURCES = bench/bench_producer.c bench/bench_producer.h bench/bench_producer_clients.c \
	bench/bench_targets.c bench/bench_targets.h bench/bench_security.c bench/bench_security.h \
	bench/bench_util.c bench/bench_util.h
bench_bench_producer_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
bench_bench_producer_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS) $(RDKAFKA_LIBS)

# kafkalite's consumer against librdkafka's: throughput, peak memory and
# end-to-end latency, on the embedded broker and on librdkafka's mock cluster.
bench_bench_consumer_SOURCES = bench/bench_consumer.c bench/bench_consumer.h bench/bench_consumer_clients.c \
	bench/bench_consumer_table.c bench/bench_consumer_table.h \
	bench/bench_targets.c bench/bench_targets.h bench/bench_security.c bench/bench_security.h bench/bench_util.c bench/bench_util.h
bench_bench_consumer_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
bench_bench_consumer_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS) $(RDKAFKA_LIBS)

EXTRA_DIST += bench/README.md bench/bench_console.sh

# Transactional throughput: kafkalite's transactional producer against
# librdkafka's on the embedded broker (issue 20).
bench_bench_txn_SOURCES = bench/bench_txn.c bench/bench_targets.c bench/bench_targets.h bench/bench_security.c bench/bench_security.h \
	bench/bench_util.c bench/bench_util.h
bench_bench_txn_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
bench_bench_txn_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS) $(RDKAFKA_LIBS)

bench: $(BENCHMARKS)
.PHONY: bench

bench_bench_groups_SOURCES = bench/bench_groups.c tests/interop/wire_client.c tests/interop/wire_client.h
bench_bench_groups_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)

# librdkafka's producer and consumer against the kafkalite broker daemon and
# librdkafka's mock cluster (needs tools/kafkalite built).
bench_bench_broker_SOURCES = bench/bench_broker.c bench/ingest_floor.c bench/ingest_floor.h \
	bench/bench_util.c bench/bench_util.h
bench_bench_broker_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
bench_bench_broker_LDADD = $(RDKAFKA_LIBS)

# Apache Kafka, franz-go's kfake and the kafkalite broker side by side, each
# fed and read by librdkafka (run by bench/vs_kafka, which prepares them).
bench_bench_brokers_SOURCES = bench/bench_brokers.c bench/bench_brokers_proc.c bench/bench_brokers_proc.h bench/bench_producer.h bench/bench_producer_clients.c \
	bench/bench_consumer.h bench/bench_consumer_clients.c bench/bench_util.c bench/bench_util.h
bench_bench_brokers_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
bench_bench_brokers_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS) $(RDKAFKA_LIBS) -lm
EXTRA_DIST += bench/vs_kafka bench/broker_prepare bench/go/go.mod bench/go/go.sum bench/go/kfake/main.go
