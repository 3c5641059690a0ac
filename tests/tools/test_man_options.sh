#!/bin/sh
# Every long option a subcommand's --help lists is documented in its man
# page (kafkalite-SUB(1); the broker's in kafkalite(1); the admin
# subcommands' common options in kafkalite-topics(1)), so a new option
# cannot ship undocumented. The bash completion reads --help itself
# (tests/tools/test_completion.sh).
set -u
top=${srcdir:-.}
bin=${KAFKALITE:-./tools/kafkalite}
status=0
checked=0
for sub in broker produce consume perf topics configs groups offsets users cluster; do
    case $sub in
    broker) pages="$top/man/man1/kafkalite.1" ;;
    configs | groups | offsets | users | cluster) pages="$top/man/man1/kafkalite-$sub.1 $top/man/man1/kafkalite-topics.1" ;;
    *) pages="$top/man/man1/kafkalite-$sub.1" ;;
    esac
    opts=$("$bin" "$sub" --help | grep -oE '(^|[][ ,(|])--[A-Za-z][A-Za-z0-9.-]*[A-Za-z0-9]' |
        sed 's/^[][ ,(|]*//' | sort -u)
    [ -n "$opts" ] || { echo "FAIL: kafkalite $sub --help lists no long option"; exit 1; }
    for opt in $opts; do
        roff=$(printf '%s' "$opt" | sed 's/-/\\-/g')
        # shellcheck disable=SC2086
        if ! cat $pages | grep -qF -- "$roff"; then
            echo "FAIL: kafkalite $sub: $opt is in --help but not in $pages"
            status=1
        fi
        checked=$((checked + 1))
    done
done
[ "$status" -eq 0 ] && echo "man pages: all $checked long options of the subcommands' --help documented"
exit "$status"
