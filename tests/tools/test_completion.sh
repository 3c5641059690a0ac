#!/bin/bash
# The bash completion offers the subcommands and each subcommand's options
# as the command's own --help lists them.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${KAFKALITE:-$top/tools/kafkalite}
# shellcheck disable=SC1091
source "${srcdir:-$top}/tools/completion/kafkalite"
complete_line() {
    # shellcheck disable=SC2206
    COMP_WORDS=("$bin" $1)
    [ "${1: -1}" = " " ] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _kafkalite
    printf '%s\n' "${COMPREPLY[@]}"
}
fail() { echo "FAIL: $*"; exit 1; }
subs=$(complete_line " ")
for s in broker produce consume perf topics configs groups offsets users cluster; do
    grep -qx "$s" <<<"$subs" || fail "subcommand $s not offered: $subs"
done
[ "$(complete_line "gr")" = groups ] || fail "\"gr\" does not complete to groups"
topic_opts=$(complete_line "topics --")
for o in --create --describe --list --delete --partitions --bootstrap-server; do
    grep -qx -- "$o" <<<"$topic_opts" || fail "topics: $o not offered"
done
[ "$(complete_line "topics --cre")" = --create ] || fail "topics --cre does not complete to --create"
[ "$(complete_line "topics --form")" = --format ] || fail "topics --form does not complete to --format"
[ "$(complete_line "cluster --clu")" = --cluster-id ] || fail "cluster --clu does not complete to --cluster-id"
[ "$(complete_line "cluster ")" = cluster-id ] || fail "cluster: the action cluster-id not offered"
perf=$(complete_line "perf ")
grep -qx produce <<<"$perf" && grep -qx consume <<<"$perf" || fail "perf: produce/consume not offered"
echo "completion: $(wc -l <<<"$subs") subcommands, $(wc -l <<<"$topic_opts") topics options"
