# lib/storage: build fragment (see Makefile.am): the partition log
# (segments, offset and time indexes, recovery).
libkafkalite_internal_la_SOURCES += \
	lib/storage/checkpoint.c \
	lib/storage/cleaner.c \
	lib/storage/cleaner_damage.c \
	lib/storage/cleaner_map.c \
	lib/storage/cleaner_swap.c \
	lib/storage/cleaner_txn.c \
	lib/storage/file.c \
	lib/storage/flush.c \
	lib/storage/index.c \
	lib/storage/log.c \
	lib/storage/log_open.c \
	lib/storage/log_repair.c \
	lib/storage/log_scan.c \
	lib/storage/log_time.c \
	lib/storage/retention.c \
	lib/storage/segment.c \
	lib/storage/timeindex.c \
	lib/storage/txn_index.c
noinst_HEADERS += \
	lib/storage/checkpoint.h \
	lib/storage/cleaner.h \
	lib/storage/cleaner_map.h \
	lib/storage/cleaner_txn.h \
	lib/storage/file.h \
	lib/storage/log.h \
	lib/storage/log_internal.h \
	lib/storage/segment.h \
	lib/storage/segment_index.h \
	lib/storage/txn_index.h

if HAVE_CHECK
STORAGE_FIXTURE = tests/unit/storage_fixture.c tests/unit/storage_fixture.h
check_PROGRAMS += tests/unit/test_storage
TESTS += tests/unit/test_storage
tests_unit_test_storage_SOURCES = tests/unit/test_storage.c $(STORAGE_FIXTURE)
tests_unit_test_storage_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_storage_time
TESTS += tests/unit/test_storage_time
tests_unit_test_storage_time_SOURCES = tests/unit/test_storage_time.c $(STORAGE_FIXTURE)
tests_unit_test_storage_time_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_time_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_storage_retention
TESTS += tests/unit/test_storage_retention
tests_unit_test_storage_retention_SOURCES = tests/unit/test_storage_retention.c $(STORAGE_FIXTURE)
tests_unit_test_storage_retention_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_retention_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_storage_recovery
TESTS += tests/unit/test_storage_recovery
tests_unit_test_storage_recovery_SOURCES = tests/unit/test_storage_recovery.c $(STORAGE_FIXTURE)
tests_unit_test_storage_recovery_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_recovery_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_storage_cleaner
TESTS += tests/unit/test_storage_cleaner
tests_unit_test_storage_cleaner_SOURCES = tests/unit/test_storage_cleaner.c $(STORAGE_FIXTURE)
tests_unit_test_storage_cleaner_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_cleaner_LDADD = $(TEST_LIBS)

# The cleaner and transactions.
check_PROGRAMS += tests/unit/test_storage_cleaner_txn
TESTS += tests/unit/test_storage_cleaner_txn
tests_unit_test_storage_cleaner_txn_SOURCES = tests/unit/test_storage_cleaner_txn.c $(STORAGE_FIXTURE)
tests_unit_test_storage_cleaner_txn_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_cleaner_txn_LDADD = $(TEST_LIBS)

# The cleaner meeting a decompression bomb.
check_PROGRAMS += tests/unit/test_storage_cleaner_damage
TESTS += tests/unit/test_storage_cleaner_damage
tests_unit_test_storage_cleaner_damage_SOURCES = tests/unit/test_storage_cleaner_damage.c tests/test_skip.h \
	$(STORAGE_FIXTURE)
tests_unit_test_storage_cleaner_damage_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_cleaner_damage_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_storage_fds
TESTS += tests/unit/test_storage_fds
tests_unit_test_storage_fds_SOURCES = tests/unit/test_storage_fds.c $(STORAGE_FIXTURE)
tests_unit_test_storage_fds_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_fds_LDADD = $(TEST_LIBS)
endif
