# Sourced by shell tests that need TLS certificates: made on the fly with
# the openssl command (EC P-256, milliseconds each) into the folder $certs,
# which the sourcing test sets (tests/security/tls_certs.c does the same
# for the C tests). Skips (tests/skip.sh) without openssl.
#   certs_ca NAME                  a CA: NAME.pem and its key NAME.key
#   certs_issue NAME CA KEY [SAN [DAYS]]
#       NAME.crt for KEY.key (made when missing), signed by CA, for DAYS
#       days (default 2; -1: expired since yesterday); SAN e.g.
#       DNS:localhost,IP:127.0.0.1 (empty: none)
command -v openssl >/dev/null 2>&1 || skip "openssl not installed (Debian openssl)"

certs_ca() {
    mkdir -p "$certs"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
        -keyout "$certs/$1.key" -out "$certs/$1.pem" >>"$certs/openssl.log" 2>&1 || fail "openssl: cannot make the CA $1"
}

certs_issue() {
    [ -f "$certs/$3.key" ] ||
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$certs/$3.key" >>"$certs/openssl.log" 2>&1 ||
        fail "openssl: cannot make the key $3"
    openssl req -new -key "$certs/$3.key" -subj "/CN=$1" -out "$certs/$1.csr" >>"$certs/openssl.log" 2>&1 ||
        fail "openssl: cannot make a request for $1"
    printf 'basicConstraints=critical,CA:FALSE\n%s\n' "${4:+subjectAltName=$4}" >"$certs/$1.ext"
    openssl x509 -req -in "$certs/$1.csr" -CA "$certs/$2.pem" -CAkey "$certs/$2.key" -CAcreateserial -days "${5:-2}" \
        -extfile "$certs/$1.ext" -out "$certs/$1.crt" >>"$certs/openssl.log" 2>&1 || fail "openssl: cannot sign $1"
}
