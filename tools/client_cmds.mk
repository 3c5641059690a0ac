# The kafkalite command's client subcommands (produce, consume, perf) and their
# shared option helpers; their tests: the latency percentiles' unit test
# and end-to-end scripts against `kafkalite broker`.
tools_kafkalite_SOURCES += \
	tools/client_opts.c \
	tools/client_opts.h \
	tools/client_watch.c \
	tools/client_watch.h \
	tools/cmd_consume.c \
	tools/cmd_perf.c \
	tools/cmd_produce.c \
	tools/kafka_format.c \
	tools/kafka_format.h \
	tools/latency.c \
	tools/latency.h \
	tools/line_input.c \
	tools/line_input.h \
	tools/line_reader.c \
	tools/line_reader.h \
	tools/msg_format.c \
	tools/msg_format.h \
	tools/msg_json.c \
	tools/partition_ends.c \
	tools/partition_ends.h \
	tools/perf_consume.c \
	tools/perf_window.c \
	tools/produce_opts.c \
	tools/produce_opts.h \
	tools/perf_window.h \
	tools/progress_line.c \
	tools/progress_line.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_latency
TESTS += tests/unit/test_latency
tests_unit_test_latency_SOURCES = tests/unit/test_latency.c tools/latency.c tools/latency.h
tests_unit_test_latency_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_latency_LDADD = $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_line_reader
TESTS += tests/unit/test_line_reader
tests_unit_test_line_reader_SOURCES = tests/unit/test_line_reader.c tools/line_reader.c tools/line_reader.h
tests_unit_test_line_reader_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_line_reader_LDADD = libkafkalite.la $(CHECK_LIBS)
endif

TESTS += tests/tools/test_kafkalite_produce.sh tests/tools/test_kafkalite_consume.sh tests/tools/test_kafka_tutorial.sh tests/tools/test_progress_line.sh
EXTRA_DIST += tests/tools/test_kafkalite_produce.sh tests/tools/test_kafkalite_consume.sh tests/tools/test_kafka_tutorial.sh tests/tools/test_progress_line.sh

# A corrupt compressed batch with a valid CRC, planted in a log the broker
# then serves: `kafkalite consume` reports it with its partition and offset.
if HAVE_CHECK
check_PROGRAMS += tests/tools/plant_corrupt_batch
tests_tools_plant_corrupt_batch_SOURCES = tests/tools/plant_corrupt_batch.c $(CORRUPT_BATCH_TEST_SOURCES)
tests_tools_plant_corrupt_batch_CFLAGS = $(TEST_CFLAGS)
tests_tools_plant_corrupt_batch_LDADD = $(TEST_LIBS)
TESTS += tests/tools/test_kafkalite_consume_corrupt.sh
endif
EXTRA_DIST += tests/tools/test_kafkalite_consume_corrupt.sh
