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
