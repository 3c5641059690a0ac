# Where the client peers of tests/clients/ live, sourced by tests/clients/fetch
# (which brings them, from .ci/deps) and by client_test.sh (which only uses
# them, offline). Both are cached per machine and per content of the pins:
#   Python: a virtual environment with requirements.txt installed
#           ($root/python-HASH, HASH of the pins and the python3 version)
#   Node:   KafkaJS, node/package.json installed ($root/node-HASH); and
#           playwright-core for tests/browser/ (../browser/package.json)
#   Go:     franz-go and Sarama from the Go module proxy (go.mod, go.sum:
#           pinned), in Go's module cache; the two programs are built once
#           into $root/go-HASH (HASH of go/*)
#
#   KL_CLIENTS_CACHE  cache root (default /var/cache/kafkalite-clients when
#                     writable, else ${XDG_CACHE_HOME:-~/.cache}/kafkalite-clients)
#   KL_CLIENTS_PYTHON the python3 that makes the environment (default python3)
# $clients must name this folder.
KL_GO_MIN=1.26 # go.mod's go line: franz-go and Sarama need it

kl_clients_root() {
    if [ -n "${KL_CLIENTS_CACHE:-}" ]; then
        echo "$KL_CLIENTS_CACHE"
    elif mkdir -p /var/cache/kafkalite-clients 2>/dev/null && [ -w /var/cache/kafkalite-clients ]; then
        echo /var/cache/kafkalite-clients
    else
        echo "${XDG_CACHE_HOME:-$HOME/.cache}/kafkalite-clients"
    fi
}

kl_clients_hash() {
    cat "$@" | sha256sum | cut -c1-16
}

# The virtual environment's folder for the pins and the python3 at hand
# (whether or not it was made yet); fails without python3.
kl_clients_venv() {
    py=${KL_CLIENTS_PYTHON:-python3}
    pyver=$("$py" -c 'import sys; print(sys.version)' 2>/dev/null) || return 1
    echo "$(kl_clients_root)/python-$( (echo "$pyver"; cat "$clients/requirements.txt") | kl_clients_hash)"
}

# The folder a package.json ($1) is installed into (node_modules/ in it).
kl_node_dir() {
    echo "$(kl_clients_root)/node-$(kl_clients_hash "$1")"
}

# The folder node/package.json (KafkaJS) is installed into.
kl_clients_nodedir() {
    kl_node_dir "$clients/node/package.json"
}

# The folder tests/browser/package.json (playwright-core, which drives
# Debian's chromium for tests/browser/) is installed into.
kl_browser_nodedir() {
    kl_node_dir "$clients/../browser/package.json"
}

# The folder the Go programs are built into, for the sources at hand.
kl_clients_gobin() {
    echo "$(kl_clients_root)/go-$(kl_clients_hash "$clients"/go/go.mod "$clients"/go/go.sum "$clients"/go/*/*.go)"
}

# Succeeds when the machine's go is at least $KL_GO_MIN.
kl_clients_go_ok() {
    command -v go >/dev/null 2>&1 || return 1
    v=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed 's/^go//')
    [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$KL_GO_MIN" "$v" | sort -V | head -n 1)" = "$KL_GO_MIN" ]
}

# kl_clients_go_build NAME DIR [GOPROXY]: builds go/NAME into DIR/NAME
# (through a temporary name, so a reader never sees half a binary), with
# the modules of go.sum only and the machine's go.
kl_clients_go_build() {
    (cd "$clients/go" &&
        GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" GOPROXY=${3:-off} \
            go build -o "$2/.$1.$$" "./$1") && mv "$2/.$1.$$" "$2/$1"
}
