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
