# The console page in headless Chromium (Debian's chromium) driven by
# Playwright (playwright-core from npm, pinned in tests/browser/package.json,
# brought once per machine by tests/clients/fetch, which .ci/deps runs).
# Without them it skips (fails under KL_TEST_NO_SKIP=1). An outside peer:
# run once per CI (`./configure --disable-kafka-tests` leaves it out).
if KAFKA_TESTS
TESTS += tests/browser/test_console_browser.sh
endif
EXTRA_DIST += tests/browser/test_console_browser.sh tests/browser/console_check.js tests/browser/package.json
CLEANFILES += tests/browser/console_failure.png
