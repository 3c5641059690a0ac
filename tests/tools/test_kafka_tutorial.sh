#!/bin/sh
# The commands a Kafka user already types, run as written against
# `kafkalite broker`: every line of the README's tutorial block (between
# <!-- tutorial:begin --> and <!-- tutorial:end -->), then each command of
# issue 18's "Why" (the Kafka-script forms that used to fail). `kafkalite`
# is found on PATH (a wrapper around the built binary) and the address the
# text uses is replaced by the test broker's; nothing else changes.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"

kafkalite_abs=$(cd "$(dirname "$KAFKALITE")" && pwd)/$(basename "$KAFKALITE")
KAFKALITE=$kafkalite_abs # run_broker runs it from $work
mkdir -p "$work/bin" "$work/config"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$kafkalite_abs" >"$work/bin/kafkalite"
chmod +x "$work/bin/kafkalite"
PATH=$work/bin:$PATH
export PATH

# Kafka's quickstart config/server.properties, on a free loopback port.
cat >"$work/config/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:0
log.dirs=$work/logs
num.partitions=1
offsets.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
PROPS

# run NAME ADDRESS LINE: runs LINE with ADDRESS replaced by the broker's,
# from $work, output in $work/NAME.out and .err; checks exit status 0.
run() {
    name=$1 address=$2 line=$3
    cmd=$(printf '%s\n' "$line" | sed "s/$address/$bootstrap/g")
    (cd "$work" && sh -c "$cmd") <&- >"$work/$name.out" 2>"$work/$name.err" </dev/null
    status=$?
    [ "$status" -eq 0 ] || fail "$name: \`$line\` exited $status"
}
expect() { # NAME PATTERN: the output of NAME matches
    grep -q -- "$2" "$work/$1.out" "$work/$1.err" || fail "$1: no \"$2\" in its output"
}

# ---- the README's tutorial, line by line
readme="${srcdir:-.}/README.md"
sed -n '/<!-- tutorial:begin -->/,/<!-- tutorial:end -->/p' "$readme" | sed '1d;$d' | sed 's/^    //' \
    >"$work/tutorial"
[ "$(wc -l <"$work/tutorial")" -ge 10 ] || fail "the README's tutorial block is missing or short"
n=0
while IFS= read -r line; do
    n=$((n + 1))
    case $line in
    "kafkalite broker "*" &")
        args=${line#kafkalite broker }
        args=${args% &}
        cd "$work" && run_broker broker "$args" && cd - >/dev/null || fail "the tutorial's broker did not start"
        ;;
    *) run "tutorial-$n" localhost:9092 "$line" ;;
    esac
done <"$work/tutorial"
[ -n "$bootstrap" ] || fail "the tutorial never started a broker"
echo "README tutorial: $n lines ran"

# What some of those lines printed.
find_out() { grep -l -- "$1" "$work"/tutorial-*.out 2>/dev/null | head -n 1; }
grep -qx "This is my first event" "$work"/tutorial-*.out || fail "no consume printed the first event"
grep -q "$(printf 'Partition:[0-2]\tuser1\tlogged in')" "$work"/tutorial-*.out ||
    fail "print.partition/print.key: no \"Partition:N<TAB>user1<TAB>logged in\" line"
grep -q "GROUP *COORDINATOR (ID) *ASSIGNMENT-STRATEGY *STATE *#MEMBERS" "$work"/tutorial-*.out ||
    fail "--describe --state did not print the group's state"
[ -n "$(find_out 'retention.ms=86400000')" ] || fail "configs --describe --topic did not show the override"
[ -n "$(find_out '[0-9]* records sent\|messages of 100 bytes')" ] || fail "perf produce printed no summary"

# ---- issue 18's "Why": each command as the issue quotes it
W=localhost:19092
run why-produce $W 'echo hi | kafkalite produce --broker-list localhost:19092 --topic hello-world'

# The consumer runs until interrupted, as Kafka's does: SIGINT ends it at once, exit 0.
: >"$work/why-consume.out"
(cd "$work" && exec kafkalite consume --bootstrap-server "$bootstrap" --topic hello-world --from-beginning) \
    </dev/null >"$work/why-consume.out" 2>"$work/why-consume.err" &
consumer=$!
background=$consumer
wait_for grep -qx hi "$work/why-consume.out" || fail "consume --from-beginning never printed hi"
kill -INT "$consumer"
wait "$consumer"
status=$?
background=
[ "$status" -eq 0 ] || fail "consume --bootstrap-server ... --from-beginning: exit $status after SIGINT"

run why-parse-key $W 'printf "k1\tv1\n" | kafkalite produce --bootstrap-server localhost:19092 --topic t --property parse.key=true'
run why-max $W 'kafkalite consume --bootstrap-server localhost:19092 --topic t --from-beginning --max-messages 1 --property print.key=true'
[ "$(cat "$work/why-max.out")" = "$(printf 'k1\tv1')" ] || fail "parse.key/print.key: \"$(cat "$work/why-max.out")\""
run why-whitelist $W "kafkalite consume --bootstrap-server localhost:19092 --whitelist 'hello-.*' --from-beginning --max-messages 1"
expect why-whitelist "^hi$"

# A group with committed offsets on t (two messages there now).
run why-more $W 'printf "k2\tv2\n" | kafkalite produce --bootstrap-server localhost:19092 --topic t --property parse.key=true'
run why-g2 $W 'kafkalite consume --bootstrap-server localhost:19092 --topic t --group g2 --from-beginning --max-messages 2'
run why-shift $W 'kafkalite groups --bootstrap-server localhost:19092 --reset-offsets --group g2 --topic t --shift-by -1 --execute'
expect why-shift "g2 *t *0 *1"
run why-current $W 'kafkalite groups --bootstrap-server localhost:19092 --reset-offsets --group g2 --topic t --to-current --dry-run'
expect why-current "g2 *t *0 *1"
run why-duration $W 'kafkalite groups --bootstrap-server localhost:19092 --reset-offsets --group g2 --topic t --by-duration PT1H --dry-run'
expect why-duration "g2 *t *0 *0"
run why-export $W 'kafkalite groups --bootstrap-server localhost:19092 --reset-offsets --group g2 --topic t --to-earliest --export > plan.csv'
[ "$(cat "$work/plan.csv")" = "t,0,0" ] || fail "--export: \"$(cat "$work/plan.csv")\""
run why-file $W 'kafkalite groups --bootstrap-server localhost:19092 --reset-offsets --group g2 --from-file plan.csv --execute'
expect why-file "g2 *t *0 *0"
run why-all-groups $W 'kafkalite groups --bootstrap-server localhost:19092 --describe --all-groups'
expect why-all-groups "g2 *t *0 *0 *2 *2"
run why-offsets $W 'kafkalite groups --bootstrap-server localhost:19092 --describe --group g2 --offsets'
expect why-offsets "CURRENT-OFFSET"
run why-members $W 'kafkalite groups --bootstrap-server localhost:19092 --describe --group g2 --members'
expect why-members "has no active members"
run why-state $W 'kafkalite groups --bootstrap-server localhost:19092 --describe --group g2 --state'
expect why-state "g2 .*Empty *0"
run why-delete-offsets $W 'kafkalite groups --bootstrap-server localhost:19092 --delete-offsets --group g2 --topic t'
expect why-delete-offsets "t *0 *Successful"
run why-after-delete $W 'kafkalite groups --bootstrap-server localhost:19092 --describe --group g2'
grep -q "g2 *t " "$work/why-after-delete.out" && fail "--delete-offsets left g2's offset of t"

run why-create $W 'kafkalite topics --bootstrap-server localhost:19092 --create --topic boot --partitions 2 --if-not-exists'
run why-create-again $W 'kafkalite topics --bootstrap-server localhost:19092 --create --topic boot --partitions 2 --if-not-exists'
run why-configs $W 'kafkalite configs --bootstrap-server localhost:19092 --describe --topic boot'
expect why-configs "Dynamic configs for topic boot are:"

# Kafka's group configs are not kept by kafkalite's broker: a clear refusal.
(cd "$work" && kafkalite configs --bootstrap-server "$bootstrap" --describe --entity-type groups --entity-name g2) \
    >"$work/why-groups.out" 2>"$work/why-groups.err"
[ $? -eq 1 ] || fail "--entity-type groups: not exit 1"
expect why-groups "Unsupported resource type 32"
expect why-groups "classic groups"

# An unknown option is named, with the nearest one.
(cd "$work" && kafkalite groups --bootstrap-server "$bootstrap" --reset-offsets --group g2 --topic t --shift-bye 1) \
    >"$work/typo.out" 2>"$work/typo.err"
[ $? -eq 2 ] || fail "a misspelt option: not exit 2"
expect typo "unknown option --shift-bye (did you mean --shift-by?)"

stop_broker
echo "issue 18's commands: all ran as Kafka's scripts would"
