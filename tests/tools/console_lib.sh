# Sourced by the HTTP console's shell tests, after broker_lib.sh: skips
# without a console build, curl or promtool, and gives
#   console_start [broker options]: a broker with its console; sets $url
#   get NAME WANT-STATUS PATH [curl options]: GET, the body in $work/NAME.out
#   post NAME WANT-STATUS PATH [curl options]: POST with the session token
#   expect NAME PATTERN: the body of NAME matches (grep)
"$KAFKALITE" broker --help | grep -q "HTTP console" || skip "built without libmicrohttpd (configure --with-microhttpd)"
command -v curl >/dev/null 2>&1 || skip "curl not installed (Debian curl)"

console_start() {
    start_broker "$@"
    url=$(sed -n 's/^kafkalite broker: console on //p' "$work/broker.out")
    case $url in
    http://127.0.0.1:[1-9]*) ;;
    *) fail "no console address with a bound port printed: \"$url\"" ;;
    esac
}

get() {
    name=$1
    want=$2
    path=$3
    shift 3
    got=$(curl -sS --max-time 30 -o "$work/$name.out" -w '%{http_code}' "$@" "$url$path") ||
        fail "$name: curl $path failed"
    [ "$got" = "$want" ] || fail "$name: $path answered $got, want $want: $(head -c 300 "$work/$name.out")"
}

# The token the console page gets, for post().
session_token() {
    get session 200 /api/v1/session
    token=$(sed -n 's/^{"token":"\([0-9a-f]*\)".*/\1/p' "$work/session.out")
    [ -n "$token" ] || fail "no token in /api/v1/session: $(cat "$work/session.out")"
}

post() {
    name=$1
    want=$2
    path=$3
    shift 3
    get "$name" "$want" "$path" -X POST -H "X-Kafkalite-Token: $token" "$@"
}

expect() {
    grep -q -- "$2" "$work/$1.out" || fail "$1: no \"$2\" in: $(head -c 400 "$work/$1.out")"
}
