# tests/fuzz: libFuzzer targets, built by `make fuzz` with clang (not part
# of make check). Run e.g. ./tests/fuzz/fuzz_request -max_total_time=60
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir)/include \
	-I$(top_srcdir)/lib -I$(top_builddir) -D_GNU_SOURCE -DKL_BUILDING_LIB $(KL_DEP_CFLAGS)
FUZZ_LIB_FILES = $(filter %.c,$(libkafkalite_internal_la_SOURCES))
EXTRA_DIST += tests/fuzz/fuzz_request.c
CLEANFILES += tests/fuzz/fuzz_request

fuzz: tests/fuzz/fuzz_request
tests/fuzz/fuzz_request: $(top_srcdir)/tests/fuzz/fuzz_request.c $(FUZZ_LIB_FILES)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(top_srcdir)/tests/fuzz/fuzz_request.c \
		$(addprefix $(top_srcdir)/,$(FUZZ_LIB_FILES)) $(KL_DEP_LIBS) $(LIBS)
.PHONY: fuzz
