# tools/: the kafkalite command (public API only, linked to libkafkalite),
# its properties-file reader's unit test and the daemon's end-to-end test.
bin_PROGRAMS = tools/kafkalite
tools_kafkalite_SOURCES = \
	tools/kafkalite.c \
	tools/admin_cli.c \
	tools/admin_cli.h \
	tools/cli.h \
	tools/cmd_broker.c \
	tools/cmd_cluster.c \
	tools/cmd_configs.c \
	tools/configs.h \
	tools/configs_quotas.c \
	tools/cmd_users.c \
	tools/cmd_groups.c \
	tools/groups.h \
	tools/groups_describe.c \
	tools/groups_reset.c \
	tools/groups_time.c \
	tools/cmd_offsets.c \
	tools/cmd_topics.c \
	tools/json_out.c \
	tools/json_out.h \
	tools/opt_table.c \
	tools/opt_table.h \
	tools/properties.c \
	tools/properties.h
tools_kafkalite_LDADD = libkafkalite.la

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_properties
TESTS += tests/unit/test_properties
tests_unit_test_properties_SOURCES = tests/unit/test_properties.c tools/properties.c tools/properties.h
tests_unit_test_properties_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_properties_LDADD = $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_json_out
TESTS += tests/unit/test_json_out
tests_unit_test_json_out_SOURCES = tests/unit/test_json_out.c tools/json_out.c tools/json_out.h
tests_unit_test_json_out_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_json_out_LDADD = $(CHECK_LIBS)
endif

TESTS += tests/tools/test_kafkalite_broker.sh tests/tools/test_kafkalite_admin.sh tests/tools/test_console.sh \
	tests/tools/test_console_browse.sh tests/tools/test_console_mutate.sh tests/tools/test_json_output.sh \
	tests/tools/test_kafkalite_offsets.sh tests/tools/test_kafkalite_users.sh
EXTRA_DIST += tests/tools/console_lib.sh tests/tools/test_kafkalite_broker.sh tests/tools/test_kafkalite_admin.sh \
	tests/tools/test_console.sh tests/tools/test_console_browse.sh tests/tools/test_console_mutate.sh \
	tests/tools/test_json_output.sh tests/tools/test_kafkalite_offsets.sh tests/tools/test_kafkalite_users.sh

# bash completion, installed where bash-completion looks for it by name.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = tools/completion/kafkalite
TESTS += tests/tools/test_completion.sh tests/tools/test_man_options.sh
EXTRA_DIST += tests/tools/test_completion.sh tests/tools/test_man_options.sh

# The configuration reference generated from the property tables:
# gen_confdoc (built, not installed) writes CONFIGURATION.md and the man5
# pages; the copies in the tree are what is distributed and installed.
# `make update-docs` refreshes them after a table changes, and a test fails
# with a diff while they are stale.
noinst_PROGRAMS += tools/gen_confdoc
tools_gen_confdoc_SOURCES = \
	tools/gen_confdoc.c \
	tools/confdoc.h \
	tools/confdoc_markdown.c \
	tools/confdoc_pages.c \
	tools/confdoc_roff.c
tools_gen_confdoc_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)

EXTRA_DIST += CONFIGURATION.md

.PHONY: update-docs
update-docs: tools/gen_confdoc$(EXEEXT)
	./tools/gen_confdoc$(EXEEXT) $(srcdir)

TESTS += tests/tools/test_confdoc_fresh.sh
EXTRA_DIST += tests/tools/test_confdoc_fresh.sh

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_confdoc
TESTS += tests/unit/test_confdoc
tests_unit_test_confdoc_SOURCES = \
	tests/unit/test_confdoc.c \
	tools/confdoc.h \
	tools/confdoc_markdown.c \
	tools/confdoc_pages.c \
	tools/confdoc_roff.c
tests_unit_test_confdoc_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_confdoc_LDADD = $(TEST_LIBS)
endif

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
