# Sourced by the GSSAPI tests: a throw-away MIT Kerberos KDC (Debian's
# krb5-kdc, krb5-admin-server for kadmin.local, krb5-user for kinit) for
# realm KAFKALITE.TEST on 127.0.0.1 (TCP and UDP on a free port), with its
# own krb5.conf and kdc.conf in a temporary directory, and keytabs:
#   $kdc_dir/broker.keytab  kafka/localhost
#   $kdc_dir/client.keytab  kafkaclient
#   $kdc_dir/app.keytab     app/worker (a principal with an instance)
#   $kdc_dir/stale.keytab   kafkaclient with an outdated key (a wrong keytab)
#   $kdc_dir/ghost.keytab   ghost, deleted from the KDC (an unknown principal)
# kdc_up exports KRB5_CONFIG, KRB5_KDC_PROFILE and KRB5CCNAME; kdc_down
# stops the KDC and removes the directory (kdc_up sets a trap for it).
# Needs skip() (tests/skip.sh).

KDC_REALM=KAFKALITE.TEST

# Prints what is missing to run a KDC and GSSAPI, nothing when all is there.
kdc_missing() {
    for cmd in krb5kdc kdb5_util kadmin.local kinit python3; do
        PATH=$PATH:/usr/sbin command -v "$cmd" >/dev/null 2>&1 ||
            { echo "no $cmd (apt-get install krb5-kdc krb5-admin-server krb5-user)"; return; }
    done
    ls /usr/lib/*/sasl2/libgssapiv2.so* >/dev/null 2>&1 ||
        echo "no cyrus-sasl GSSAPI plugin (apt-get install libsasl2-modules-gssapi-mit)"
}

kdc_require() {
    missing=$(kdc_missing)
    [ -z "$missing" ] || skip "$missing"
    PATH=$PATH:/usr/sbin
}

# A port free for both TCP and UDP on 127.0.0.1, picked by the system.
kdc_free_port() {
    python3 - <<'EOF'
import socket
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    t.close()
    u.close()
    print(port)
    break
EOF
}

kdc_write_conf() { # PORT
    cat >"$kdc_dir/krb5.conf" <<EOF
[libdefaults]
    default_realm = $KDC_REALM
    dns_lookup_realm = false
    dns_lookup_kdc = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    ticket_lifetime = 1h
[realms]
    $KDC_REALM = {
        kdc = 127.0.0.1:$1
    }
[domain_realm]
    localhost = $KDC_REALM
EOF
    cat >"$kdc_dir/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$1
    kdc_tcp_listen = 127.0.0.1:$1
[realms]
    $KDC_REALM = {
        database_name = $kdc_dir/principal
        key_stash_file = $kdc_dir/stash
        acl_file = $kdc_dir/kadm5.acl
        max_life = 1h
    }
[logging]
    kdc = FILE:$kdc_dir/kdc.log
EOF
}

kdc_admin() { kadmin.local -r "$KDC_REALM" -q "$1" >>"$kdc_dir/kadmin.log" 2>&1; }

kdc_down() {
    if [ -n "${kdc_pid:-}" ]; then
        kill "$kdc_pid" 2>/dev/null
        wait "$kdc_pid" 2>/dev/null
        kdc_pid=
    fi
    [ -n "${kdc_dir:-}" ] && rm -rf "$kdc_dir"
    kdc_dir=
}

kdc_up() {
    kdc_require
    kdc_dir=$(mktemp -d /tmp/kl-kdc-XXXXXX) || exit 1
    trap kdc_down EXIT
    export KRB5_CONFIG=$kdc_dir/krb5.conf KRB5_KDC_PROFILE=$kdc_dir/kdc.conf
    export KRB5CCNAME=FILE:$kdc_dir/ccache
    : >"$kdc_dir/kadm5.acl"
    port=$(kdc_free_port)
    [ -n "$port" ] || { echo "FAIL: no free port for the KDC"; exit 1; }
    kdc_write_conf "$port"
    kdb5_util create -s -r "$KDC_REALM" -P kdc-master-secret >"$kdc_dir/kdb5_util.log" 2>&1 ||
        { echo "FAIL: kdb5_util create:"; cat "$kdc_dir/kdb5_util.log"; exit 1; }
    kdc_admin "addprinc -randkey kafka/localhost" &&
        kdc_admin "addprinc -randkey kafkaclient" &&
        kdc_admin "addprinc -randkey ghost" &&
        kdc_admin "addprinc -randkey app/worker" &&
        kdc_admin "ktadd -k $kdc_dir/app.keytab app/worker" &&
        kdc_admin "ktadd -k $kdc_dir/broker.keytab kafka/localhost" &&
        kdc_admin "ktadd -k $kdc_dir/stale.keytab kafkaclient" &&
        kdc_admin "ktadd -k $kdc_dir/client.keytab kafkaclient" &&
        kdc_admin "ktadd -k $kdc_dir/ghost.keytab ghost" &&
        kdc_admin "delprinc -force ghost" ||
        { echo "FAIL: kadmin.local:"; cat "$kdc_dir/kadmin.log"; exit 1; }
    krb5kdc -n -P "$kdc_dir/kdc.pid" >"$kdc_dir/krb5kdc.out" 2>&1 &
    kdc_pid=$!
    # Up when it hands out a ticket (10 s at most).
    deadline=$(($(date +%s) + 10))
    until kinit -k -t "$kdc_dir/client.keytab" kafkaclient >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$kdc_pid" 2>/dev/null; then
            echo "FAIL: the KDC did not start:"
            cat "$kdc_dir/krb5kdc.out" "$kdc_dir/kdc.log" 2>/dev/null
            exit 1
        fi
        sleep 0.1
    done
    kdestroy >/dev/null 2>&1
    export KL_KDC_DIR=$kdc_dir
}
