#!/bin/sh
# The HTTP console's JSON API for one topic against `kafkalite broker`: its
# configs as DescribeConfigs gives them (own, broker and default values
# told apart), and the message browser: a partition from an offset or a
# timestamp, keys, values (text or hex) and headers, bounded by count and
# bytes, stopping at the high watermark; bad parameters answered 400 with
# the reason, unknown topics and partitions 404; nothing served outside the
# API and the page's files.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
. "${srcdir:-.}/tests/tools/console_lib.sh"

console_start --override log.retention.bytes=123456789
B=$bootstrap
"$KAFKALITE" topics -b "$B" --create --topic b --partitions 2 --config retention.ms=3600000 >/dev/null 2>&1 ||
    fail "cannot create b"

# ---- configs: the topic's own, the broker's, Kafka's defaults
get configs 200 /api/v1/topics/b/configs
expect configs '^{"topic":"b","configs":\['
expect configs '{"name":"retention.ms","value":"3600000","source":"DYNAMIC_TOPIC_CONFIG",'
expect configs '{"name":"retention.bytes","value":"123456789","source":"STATIC_BROKER_CONFIG",'
expect configs '{"name":"cleanup.policy","value":"delete","source":"DEFAULT_CONFIG",'
get configs-param 400 '/api/v1/topics/b/configs?all=1'
expect configs-param 'unknown parameter: all'
get configs-none 404 /api/v1/topics/nothere/configs

# ---- messages: 3 keyed lines with a header, then 2 binary values on b-0
printf 'k1:v1\nk2:v2\nk3:v3\n' | "$KAFKALITE" produce -b "$B" -t b -p 0 -K : -H trace=abc >/dev/null 2>&1 ||
    fail "cannot produce to b-0"
before=$(($(date +%s) * 1000))
printf '\377\376\n\303\n' | "$KAFKALITE" produce -b "$B" -t b -p 0 >/dev/null 2>&1 || fail "cannot produce binary values"

get from-start 200 /api/v1/topics/b/partitions/0/messages
expect from-start '"partition":0,"log_start_offset":0,"high_watermark":5,"messages":\['
expect from-start '{"offset":0,"timestamp":[0-9]*,"timestamp_type":"CreateTime","key":"k1","key_encoding":"text","value":"v1","value_encoding":"text","headers":\[{"key":"trace","key_encoding":"text","value":"abc","value_encoding":"text"}\]}'
expect from-start '{"offset":3,[^}]*"key":null,"value":"fffe","value_encoding":"hex"'
expect from-start '{"offset":4,[^}]*"value":"c3","value_encoding":"hex"'
expect from-start '"next_offset":5}$'

get from-offset 200 '/api/v1/topics/b/partitions/0/messages?offset=1&count=1'
expect from-offset '"messages":\[{"offset":1,[^]]*\]}\],"next_offset":2}$'
grep -q '"offset":2' "$work/from-offset.out" && fail "count=1 showed more than one message"

get as-hex 200 '/api/v1/topics/b/partitions/0/messages?offset=2&count=1&format=hex'
expect as-hex '"key":"6b33","key_encoding":"hex","value":"7633","value_encoding":"hex"'

# max_bytes: the first record always, then no more than the bytes allow
get bytes 200 '/api/v1/topics/b/partitions/0/messages?max_bytes=1'
expect bytes '"messages":\[{"offset":0,[^]]*\]}\],"next_offset":1}$'

# a timestamp: the first record at or after it; one in the future: none
get by-time 200 "/api/v1/topics/b/partitions/0/messages?timestamp=$before"
first=$(sed -n 's/.*"messages":\[{"offset":\([0-9]*\),.*/\1/p' "$work/by-time.out")
case $first in
0 | 3) ;; # 0 when the first lines came in the same millisecond, else 3
*) fail "timestamp=$before started at offset \"$first\": $(cat "$work/by-time.out")" ;;
esac
get future 200 '/api/v1/topics/b/partitions/0/messages?timestamp=99999999999999'
expect future '"messages":\[\],"next_offset":5}$'

get empty 200 /api/v1/topics/b/partitions/1/messages
expect empty '"high_watermark":0,"messages":\[\],"next_offset":0}$'

# ---- what is refused
get bad-offset 400 '/api/v1/topics/b/partitions/0/messages?offset=6'
expect bad-offset 'offset 6 is outside b-0'
get bad-count 400 '/api/v1/topics/b/partitions/0/messages?count=0'
expect bad-count 'count must be an integer from 1 to 1000'
get bad-count2 400 '/api/v1/topics/b/partitions/0/messages?count=ten'
get bad-bytes 400 '/api/v1/topics/b/partitions/0/messages?max_bytes=-1'
get bad-format 400 '/api/v1/topics/b/partitions/0/messages?format=base64'
expect bad-format 'format must be text or hex'
get both 400 '/api/v1/topics/b/partitions/0/messages?offset=0&timestamp=0'
expect both 'offset or timestamp, not both'
get bad-param 400 '/api/v1/topics/b/partitions/0/messages?from=0'
get no-partition 404 /api/v1/topics/b/partitions/2/messages
expect no-partition 'topic b has no partition 2'
get no-topic 404 /api/v1/topics/nothere/partitions/0/messages
get bad-topic 400 '/api/v1/topics/bad!name/configs'
get no-api 404 /api/v1/topics/b/leaders
get no-api2 404 /api/v1/topics/b/partitions/0

# ---- nothing outside the API and the page's files
get page 200 /
expect page '<!doctype html>'
get css 200 /console.css
get js 200 /console.js
for path in /index.html /console /api /api/v1 /../etc/passwd /console.js/x /favicon.ico; do
    get outside 404 "$path" --path-as-is
done

stop_broker
echo "console browse: topic configs, messages by offset and time (text, hex, headers, bounds), refusals checked"
