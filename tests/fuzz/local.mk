# tests/fuzz: fuzz targets with invariants (see tests/fuzz/README).
#
# make check: every target, built with the ordinary compiler against
# replay_main.c, runs once over its seed corpus (test_fuzz_replay.sh).
# make fuzz: the same targets built with clang and libFuzzer (ASan and
# UBSan), each run FUZZ_SECONDS (default 60), FUZZ_JOBS at a time
# (default 2), from seeds made by make_seeds.sh; the corpus grown and any
# crashing input are kept in FUZZ_WORKDIR, outside the tree.
FUZZ_TARGETS = request response batch msgset fetch storage properties
FUZZ_SECONDS = 60
FUZZ_JOBS = 2
FUZZ_WORKDIR = $${TMPDIR:-/tmp}/kafkalite-fuzz
# Empty: a new random seed and no run cap; CI fixes both (see run.sh).
FUZZ_SEED =
FUZZ_RUNS =
FUZZ_CC = clang
FUZZ_CPPFLAGS = -I$(top_srcdir)/include -I$(top_srcdir)/lib -I$(top_builddir) -D_GNU_SOURCE -DKL_BUILDING_LIB
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
	-pthread $(KL_DEP_CFLAGS)
FUZZ_LIB_FILES = $(filter %.c,$(libkafkalite_internal_la_SOURCES))
# Sources the build generates (the console's embedded page) are compiled
# from the build tree.
FUZZ_BUILT_FILES = $(filter %.c,$(nodist_libkafkalite_internal_la_SOURCES))
FUZZ_SUPPORT = tests/fuzz/proto_roundtrip.c tools/properties.c
FUZZ_OBJS = $(patsubst %.c,tests/fuzz/obj/%.o,$(FUZZ_LIB_FILES) $(FUZZ_SUPPORT))
FUZZ_BUILT_OBJS = $(patsubst %.c,tests/fuzz/obj/built/%.o,$(FUZZ_BUILT_FILES))
FUZZ_BINS = $(addprefix tests/fuzz/fuzz_,$(FUZZ_TARGETS))

EXTRA_DIST += tests/fuzz/README tests/fuzz/fuzz.h tests/fuzz/proto_roundtrip.h tests/fuzz/proto_roundtrip.c \
	tests/fuzz/make_seeds.sh tests/fuzz/run.sh tests/fuzz/test_fuzz_replay.sh \
	$(addsuffix .c,$(FUZZ_BINS))
CLEANFILES += $(FUZZ_BINS)
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/obj tests/fuzz/seeds

# The library, harnesses and support files, compiled once with clang
# (again when any header changes).
FUZZ_INCLUDES = $(addprefix $(top_srcdir)/,$(noinst_HEADERS) $(include_HEADERS) $(kafkaliteinclude_HEADERS)) \
	$(top_builddir)/config.h
tests/fuzz/obj/%.o: $(top_srcdir)/%.c $(FUZZ_INCLUDES)
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
tests/fuzz/obj/built/%.o: %.c $(FUZZ_INCLUDES)
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
tests/fuzz/obj/tests/fuzz/%.o: $(top_srcdir)/tests/fuzz/%.c $(FUZZ_INCLUDES) $(top_srcdir)/tests/fuzz/fuzz.h \
		$(top_srcdir)/tests/fuzz/proto_roundtrip.h
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -Wall -Wextra -Werror -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_BINS): tests/fuzz/fuzz_%: tests/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS) $(FUZZ_BUILT_OBJS)
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(KL_DEP_LIBS) $(LIBS)

fuzz-build: $(FUZZ_BINS)
tests/fuzz/seeds: tests/fuzz/gen_seeds$(EXEEXT) tests/unit/test_proto_core$(EXEEXT) \
		tests/unit/test_proto_group$(EXEEXT) tests/unit/test_proto_admin$(EXEEXT)
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/tests/fuzz/make_seeds.sh $@ .
fuzz: fuzz-build tests/fuzz/seeds
	FUZZ_SEED="$(FUZZ_SEED)" FUZZ_RUNS="$(FUZZ_RUNS)" $(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) tests/fuzz/seeds \
		"$(FUZZ_WORKDIR)" $(FUZZ_TARGETS)
.PHONY: fuzz fuzz-build clean-fuzz

# The replay build for make check (plain compiler, no libFuzzer).
REPLAY_MAIN = tests/fuzz/replay_main.c tests/fuzz/fuzz.h
REPLAY_LIBS = libkafkalite-internal.la $(KL_DEP_LIBS)
check_PROGRAMS += tests/fuzz/gen_seeds tests/fuzz/replay_request tests/fuzz/replay_response \
	tests/fuzz/replay_batch tests/fuzz/replay_msgset tests/fuzz/replay_fetch tests/fuzz/replay_storage \
	tests/fuzz/replay_properties
TESTS += tests/fuzz/test_fuzz_replay.sh
tests_fuzz_gen_seeds_SOURCES = tests/fuzz/gen_seeds.c tests/unit/legacy_message.c tests/unit/legacy_message.h
tests_fuzz_gen_seeds_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_request_SOURCES = tests/fuzz/fuzz_request.c tests/fuzz/proto_roundtrip.c \
	tests/fuzz/proto_roundtrip.h $(REPLAY_MAIN)
tests_fuzz_replay_request_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_response_SOURCES = tests/fuzz/fuzz_response.c tests/fuzz/proto_roundtrip.c \
	tests/fuzz/proto_roundtrip.h $(REPLAY_MAIN)
tests_fuzz_replay_response_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_batch_SOURCES = tests/fuzz/fuzz_batch.c $(REPLAY_MAIN)
tests_fuzz_replay_batch_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_msgset_SOURCES = tests/fuzz/fuzz_msgset.c $(REPLAY_MAIN)
tests_fuzz_replay_msgset_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_fetch_SOURCES = tests/fuzz/fuzz_fetch.c $(REPLAY_MAIN)
tests_fuzz_replay_fetch_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_storage_SOURCES = tests/fuzz/fuzz_storage.c $(REPLAY_MAIN)
tests_fuzz_replay_storage_LDADD = $(REPLAY_LIBS)
tests_fuzz_replay_properties_SOURCES = tests/fuzz/fuzz_properties.c tools/properties.c tools/properties.h \
	$(REPLAY_MAIN)
tests_fuzz_replay_properties_LDADD = $(REPLAY_LIBS)
