"""kafka-python 2.2 against the secured listeners of a running
`kafkalite broker` (issue 17), run by
tests/clients/test_kafka_python_security.sh: over SSL with the broker's
certificate checked against the test CA (host name and IP address), over
mutual TLS, and over SASL_SSL with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and
OAUTHBEARER (an unsecured JWT), a producer (acks=all) writes records and a
group member reads them back and commits. Then the refusals: a wrong
password and an unknown user (SaslAuthenticationFailedError, Kafka's error
58), an expired token; the broker's certificate checked against a CA that
did not sign it, one for another host name, an expired one; on the mutual
TLS listener no client certificate, an expired one and one of another CA.

    python kafka_python_security.py CERTS SSL MTLS SASL_SSL OTHER_NAME EXPIRED

CERTS holds ca.pem, rogue.pem (another CA), client.key and its
certificates client.crt, expired-client.crt (both by the CA) and
rogue-client.crt (by the other CA). SSL, MTLS, SASL_SSL, OTHER_NAME (SSL
with a certificate for broker.example) and EXPIRED (SSL with an expired
certificate) are the listeners' addresses (localhost:PORT); the user alice
has the password alice-secret for PLAIN and both SCRAMs.
"""
import base64
import json
import os
import socket
import ssl
import sys
import time

import kafka
import kafka.errors as errors
from kafka import KafkaConsumer, KafkaProducer
from kafka.conn import BrokerConnection
from kafka.sasl.oauth import AbstractTokenProvider

import scenario as sc

RECORDS = 10
PROBE_MS = sc.DEADLINE_S * 1000  # kafka-python's 2 s default is too short on a loaded machine


def b64url(claims):
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()


class UnsecuredToken(AbstractTokenProvider):
    """An unsecured JWT (alg none) for carol, valid for lifetime seconds
    (negative: expired)."""

    def __init__(self, lifetime=3600):
        now = int(time.time())
        claims = {"sub": "carol", "iat": now + min(lifetime, 0) - 60, "exp": now + lifetime}
        self.jwt = b64url({"alg": "none"}) + "." + b64url(claims) + "."

    def token(self):
        return self.jwt


def round_trip(name, addr, **security):
    """acks=all records to a topic of their own, read back by a group
    member that commits them."""
    topic = "kafka-python-" + name
    p = KafkaProducer(bootstrap_servers=addr, acks="all", api_version_auto_timeout_ms=PROBE_MS, **security)
    futures = [p.send(topic, key=sc.key(i), value=sc.value(i), headers=[("h", sc.key(i))])
               for i in range(RECORDS)]
    p.flush(sc.DEADLINE_S)
    for f in futures:
        f.get(timeout=sc.DEADLINE_S)
    p.close()
    c = KafkaConsumer(topic, bootstrap_servers=addr, group_id=topic, auto_offset_reset="earliest",
                      enable_auto_commit=False, api_version_auto_timeout_ms=PROBE_MS, **security)
    seen = sc.Seen()
    deadline = sc.Deadline()
    while len(seen.keys) < RECORDS:
        deadline.check("%s: consumed %d of %d records" % (name, len(seen.keys), RECORDS))
        for records in c.poll(timeout_ms=500).values():
            for r in records:
                seen.add(r.key, r.value, r.headers)
    seen.check_exactly(0, RECORDS)
    c.commit()
    c.close()
    sc.ok("%s: %d records produced and read back by a group member" % (name, RECORDS))


def refused(name, addr, want, says="", **security):
    """One connection with security, which must not come up; the error it
    failed with (raised, or given to its close()) must be one of want,
    its text holding says."""
    host, port = addr.rsplit(":", 1)
    conn = BrokerConnection(host, int(port), socket.AF_UNSPEC, **security)
    seen = []
    close = conn.close

    def close_recording(error=None):
        seen.append(error)
        close(error)

    conn.close = close_recording
    try:
        connected = conn.connect_blocking(sc.DEADLINE_S)
    except Exception as e:  # the TLS errors are raised to the caller
        seen.append(e)
        connected = False
    close()
    sc.check(not connected, "%s: the connection was accepted" % name)
    why = [e for e in seen if isinstance(e, want) and says in str(e)]
    sc.check(why, "%s: refused with %r, not %r saying %r" % (name, seen, want, says))
    sc.ok("%s: refused (%s)" % (name, why[0]))


def main(certs, ssl_addr, mtls_addr, sasl_ssl_addr, other_name_addr, expired_addr):
    sc.check(kafka.__version__.startswith("2.2."), "kafka-python %s, not 2.2" % kafka.__version__)
    ca, rogue_ca = os.path.join(certs, "ca.pem"), os.path.join(certs, "rogue.pem")
    key = os.path.join(certs, "client.key")
    tls = dict(ssl_cafile=ca, ssl_check_hostname=True)
    mtls = dict(tls, security_protocol="SSL", ssl_certfile=os.path.join(certs, "client.crt"), ssl_keyfile=key)

    round_trip("ssl", ssl_addr, security_protocol="SSL", **tls)
    round_trip("mtls", mtls_addr, **mtls)
    for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
        round_trip(mechanism.lower(), sasl_ssl_addr, security_protocol="SASL_SSL", sasl_mechanism=mechanism,
                   sasl_plain_username="alice", sasl_plain_password="alice-secret", **tls)
    round_trip("oauthbearer", sasl_ssl_addr, security_protocol="SASL_SSL", sasl_mechanism="OAUTHBEARER",
               sasl_oauth_token_provider=UnsecuredToken(), **tls)

    auth_failed = errors.SaslAuthenticationFailedError
    for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
        refused("wrong password with " + mechanism, sasl_ssl_addr, auth_failed, security_protocol="SASL_SSL",
                sasl_mechanism=mechanism, sasl_plain_username="alice", sasl_plain_password="wrong", **tls)
    refused("unknown user", sasl_ssl_addr, auth_failed, security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512", sasl_plain_username="mallory", sasl_plain_password="alice-secret", **tls)
    refused("expired token", sasl_ssl_addr, auth_failed, security_protocol="SASL_SSL", sasl_mechanism="OAUTHBEARER",
            sasl_oauth_token_provider=UnsecuredToken(-60), **tls)
    # the broker ends the handshake (TLS 1.3: maybe after the client's
    # side of it finished, so the client may only see the connection end;
    # the shell test checks the broker's reasons)
    cut = (ssl.SSLError, errors.KafkaConnectionError)
    refused("no client certificate", mtls_addr, cut, security_protocol="SSL", **tls)
    for name in ("expired-client", "rogue-client"):
        refused("client certificate " + name, mtls_addr, cut,
                **dict(mtls, ssl_certfile=os.path.join(certs, name + ".crt")))
    bad_cert = ssl.SSLCertVerificationError
    refused("untrusted CA", ssl_addr, bad_cert, "unable to get local issuer certificate", security_protocol="SSL",
            ssl_cafile=rogue_ca)
    refused("hostname mismatch", other_name_addr, bad_cert, "Hostname mismatch", security_protocol="SSL", **tls)
    refused("expired certificate", expired_addr, bad_cert, "certificate has expired", security_protocol="SSL", **tls)


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(*sys.argv[1:])
