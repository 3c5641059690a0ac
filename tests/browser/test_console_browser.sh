#!/bin/sh
# The console page in a browser (issue 19): headless Chromium (Debian's
# chromium) driven by Playwright (playwright-core, pinned in package.json,
# brought by tests/clients/fetch) against `kafkalite broker`; the scenario
# is console_check.js's. On a failure the page's screenshot is left in
# tests/browser/console_failure.png. Skips (fails under KL_TEST_NO_SKIP=1)
# without node, chromium or playwright-core.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
. "$srcdir/tests/tools/console_lib.sh"
clients=$srcdir/tests/clients
. "$clients/clients_lib.sh"
chromium=${KL_CHROMIUM:-/usr/bin/chromium}
command -v node >/dev/null 2>&1 || skip "no node to drive the browser"
[ -x "$chromium" ] || skip "no $chromium (Debian chromium)"
nodedir=$(kl_browser_nodedir)
[ -f "$nodedir/.complete" ] || skip "playwright-core is not installed in $nodedir (run sh tests/clients/fetch)"
export NODE_PATH="$nodedir/node_modules"
# Chromium's own files (its crash reports' folder) go under $work, not $HOME.
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"

shot=tests/browser/console_failure.png
mkdir -p tests/browser
rm -f "$shot"
console_start --override group.initial.rebalance.delay.ms=0
"$KAFKALITE" topics -b "$bootstrap" --create --topic shell-made --partitions 3 >/dev/null 2>&1 ||
    fail "cannot create shell-made"
# The script's own waits have deadlines; timeout only guards a hang.
timeout 300 node "$srcdir/tests/browser/console_check.js" "$url" "$bootstrap" "$KAFKALITE" shell-made \
    "$chromium" "$shot" >"$work/browser.out" 2>"$work/browser.err" </dev/null
status=$?
cat "$work/browser.out"
[ "$status" -eq 0 ] || fail "the browser scenario failed (exit status $status)"
[ "$(grep -c '^ok ' "$work/browser.out")" -eq 5 ] || fail "the browser scenario did not run every step"
stop_broker
echo "console in Chromium: topics seen and created, messages browsed, lag watched to 0, offsets reset"
