/* The client configuration table: every property a producer, consumer or
 * admin client accepts, with librdkafka's names, defaults and ranges, and
 * kl_conf_new() which creates a configuration from it. Docs (man5,
 * CONFIGURATION.md) are generated from this table. */
#include "client/conf_table.h"

#define I32_MAX INT64_C(2147483647)

static const kl_conf_prop_t client_props[] = {
    /* ---- every client ---- */
    KL_PROP_STR("bootstrap.servers", "client", "",
                "Initial brokers as a comma-separated list of host or host:port."),
    KL_PROP_ALIAS("metadata.broker.list", "bootstrap.servers"),
    KL_PROP_STR("client.id", "client", "kafkalite",
                "Client identifier sent to the brokers with every request."),
    KL_PROP_STR("client.rack", "client", "",
                "Rack of this client, matched against the brokers' broker.rack for follower fetching."),
    KL_PROP_SET("debug", "client", "", 0,
                KL_SYMS({"generic", KL_DEBUG_GENERIC}, {"broker", KL_DEBUG_BROKER}, {"topic", KL_DEBUG_TOPIC},
                        {"metadata", KL_DEBUG_METADATA}, {"feature", KL_DEBUG_FEATURE},
                        {"queue", KL_DEBUG_QUEUE}, {"msg", KL_DEBUG_MSG}, {"protocol", KL_DEBUG_PROTOCOL},
                        {"cgrp", KL_DEBUG_CGRP}, {"security", KL_DEBUG_SECURITY}, {"fetch", KL_DEBUG_FETCH},
                        {"interceptor", KL_DEBUG_INTERCEPTOR}, {"plugin", KL_DEBUG_PLUGIN},
                        {"consumer", KL_DEBUG_CONSUMER}, {"admin", KL_DEBUG_ADMIN}, {"eos", KL_DEBUG_EOS},
                        {"mock", KL_DEBUG_MOCK}, {"assignor", KL_DEBUG_ASSIGNOR}, {"conf", KL_DEBUG_CONF},
                        {"telemetry", KL_DEBUG_TELEMETRY}, {"all", KL_DEBUG_ALL}),
                "Debug contexts to log, comma-separated (producer: broker,topic,msg; consumer: "
                "consumer,cgrp,topic,fetch)."),
    KL_PROP_INT("log_level", "client", "6", 0, 7, "Logging level, as syslog(3) levels (7 = debug)."),
    KL_PROP_INT("statistics.interval.ms", "client", "0", 0, 86400000,
                "How often statistics are emitted, in milliseconds; 0 disables them."),
    KL_PROP_INT("socket.timeout.ms", "client", "60000", 10, 300000,
                "Default timeout of network requests, in milliseconds."),
    KL_PROP_INT("socket.connection.setup.timeout.ms", "client", "30000", 1000, I32_MAX,
                "Longest time a broker connection may take to become usable (TCP, TLS and SASL), in ms."),
    KL_PROP_BOOL("socket.nagle.disable", "client", "true",
                 "Disable Nagle's algorithm (TCP_NODELAY) on broker connections, so small requests go out "
                 "at once. Default true, as the Java client; librdkafka's default is false."),
    KL_PROP_INT("request.timeout.ms", "client", "30000", 1, 900000,
                "How long the broker may take to acknowledge a produce request, in milliseconds (a topic "
                "property in librdkafka, global here)."),
    KL_PROP_INT("reconnect.backoff.ms", "client", "100", 0, 3600000,
                "First wait before reconnecting to a broker, doubled on each failure; 0 reconnects at once."),
    KL_PROP_INT("reconnect.backoff.max.ms", "client", "10000", 0, 3600000,
                "Longest wait before reconnecting to a broker, in milliseconds."),
    KL_PROP_INT("retry.backoff.ms", "client", "100", 1, 300000,
                "First wait before retrying a request, doubled on each retry up to retry.backoff.max.ms."),
    KL_PROP_INT("retry.backoff.max.ms", "client", "1000", 1, 300000,
                "Longest wait before retrying a request, in milliseconds."),
    KL_PROP_INT("topic.metadata.refresh.interval.ms", "client", "300000", -1, 3600000,
                "How often topic and broker metadata is refreshed, in milliseconds; -1 disables it."),
    KL_PROP_INT("metadata.max.age.ms", "client", "900000", 1, 86400000,
                "Age after which cached metadata is no longer trusted, in milliseconds."),
    KL_PROP_BOOL("api.version.request", "client", "true",
                 "Ask each broker which API versions it supports (ApiVersions)."),
    KL_PROP_INT("message.max.bytes", "client", "1000000", 1000, 1000000000,
                "Largest request the client sends, in bytes."),
    KL_PROP_INT("receive.message.max.bytes", "client", "100000000", 1000, I32_MAX,
                "Largest response the client accepts, in bytes; guards against protocol errors."),
    KL_PROP_INT("max.in.flight.requests.per.connection", "client", "1000000", 1, 1000000,
                "Most requests in flight on one broker connection."),
    KL_PROP_ALIAS("max.in.flight", "max.in.flight.requests.per.connection"),

    /* ---- security ---- */
    KL_PROP_ENUM("security.protocol", "client", "plaintext",
                 KL_SYMS({"plaintext", KL_SECURITY_PLAINTEXT}, {"ssl", KL_SECURITY_SSL},
                         {"sasl_plaintext", KL_SECURITY_SASL_PLAINTEXT}, {"sasl_ssl", KL_SECURITY_SASL_SSL}),
                 "Protocol used to talk to the brokers."),
    KL_PROP_ENUM("sasl.mechanisms", "client", "GSSAPI",
                 KL_SYMS({"GSSAPI", KL_SASL_GSSAPI}, {"PLAIN", KL_SASL_PLAIN},
                         {"SCRAM-SHA-256", KL_SASL_SCRAM_SHA_256}, {"SCRAM-SHA-512", KL_SASL_SCRAM_SHA_512},
                         {"OAUTHBEARER", KL_SASL_OAUTHBEARER}),
                 "SASL mechanism to authenticate with (exactly one, despite the name); GSSAPI (Kerberos) goes "
                 "through cyrus-sasl and its GSSAPI plugin (libsasl2-modules-gssapi-mit)."),
    KL_PROP_ALIAS("sasl.mechanism", "sasl.mechanisms"),
    KL_PROP_STR("sasl.username", "client", NULL, "User name for the PLAIN and SCRAM mechanisms."),
    KL_PROP_SECRET("sasl.password", "client", "Password for the PLAIN and SCRAM mechanisms."),
    KL_PROP_STR("sasl.kerberos.service.name", "client", "kafka",
                "GSSAPI: the service name of the brokers' Kerberos principal; the ticket asked for is "
                "NAME/<broker host name>, the host as bootstrap.servers or metadata give it."),
    KL_PROP_STR("sasl.kerberos.principal", "client", "kafkaclient",
                "GSSAPI: this client's Kerberos principal, for sasl.kerberos.kinit.cmd."),
    KL_PROP_STR("sasl.kerberos.keytab", "client", NULL,
                "GSSAPI: keytab file holding sasl.kerberos.principal's key, for sasl.kerberos.kinit.cmd."),
    KL_PROP_STR("sasl.kerberos.kinit.cmd", "client",
                "kinit -R -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal} || "
                "kinit -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal}",
                "GSSAPI: shell command (/bin/sh -c) that gets or renews the client's ticket in the default "
                "credential cache (KRB5CCNAME); %{property} is replaced by that property's value. Run when the "
                "client is created (on the creating thread) and then every sasl.kerberos.min.time.before.relogin "
                "on a thread of its own, never on the I/O thread; one taking over 60 s is killed. A failure is "
                "logged with the command's output. Empty: never run."),
    KL_PROP_INT("sasl.kerberos.min.time.before.relogin", "client", "60000", 0, 86400000,
                "GSSAPI: milliseconds between runs of sasl.kerberos.kinit.cmd; 0 never runs it (the "
                "application keeps the ticket)."),
    KL_PROP_STR("sasl.oauthbearer.config", "client", NULL,
                "OAUTHBEARER's unsecured JWT (for brokers with Kafka's unsecured validator): "
                "principal=NAME [scope=A,B] [lifeSeconds=3600] [extension_NAME=VALUE]..., space-separated. "
                "With kl_conf_set_oauthbearer_token_refresh_cb(3) the text is the callback's to read, and "
                "the tokens are the application's."),
    KL_PROP_STR("ssl.ca.location", "client", NULL,
                "File or directory (hashed names, c_rehash) of PEM CA certificates that verify the brokers' "
                "certificates; unset: the system's store, unless ssl.ca.pem is set."),
    KL_PROP_STR("ssl.ca.pem", "client", NULL, "CA certificates as PEM text, added to ssl.ca.location's."),
    KL_PROP_STR("ssl.certificate.location", "client", NULL,
                "Client certificate file (PEM, followed by its chain) for TLS client authentication."),
    KL_PROP_STR("ssl.certificate.pem", "client", NULL, "Client certificate (and chain) as PEM text."),
    KL_PROP_STR("ssl.key.location", "client", NULL, "Client private key file (PEM) for TLS authentication."),
    KL_PROP_SECRET("ssl.key.pem", "client", "Client private key as PEM text."),
    KL_PROP_SECRET("ssl.key.password", "client",
                   "Passphrase of the private key in ssl.key.location or ssl.key.pem."),
    KL_PROP_STR("ssl.cipher.suites", "client", NULL,
                "TLS 1.2 cipher suites in OpenSSL's cipher-list format; unset: OpenSSL's defaults "
                "(TLS 1.3 suites are always OpenSSL's)."),
    KL_PROP_STR("ssl.crl.location", "client", NULL,
                "File of certificate revocation lists (PEM, any number; or one DER) from the CAs that sign the "
                "brokers' certificates. Set, a broker whose certificate is revoked is refused (TLS: "
                "\"revoked certificate\"), and one whose certificate's issuer has no CRL in the file too; the "
                "CA certificates above it are checked when the file holds their issuers' CRLs. An expired CRL "
                "refuses every broker until the file is renewed. Read once, when the client is created."),
    KL_PROP_BOOL("enable.ssl.certificate.verification", "client", "true",
                 "Verify the brokers' certificates against the CA certificates; false accepts any "
                 "certificate (testing only)."),
    KL_PROP_ENUM("ssl.endpoint.identification.algorithm", "client", "https",
                 KL_SYMS({"none", KL_SSL_ENDPOINT_NONE}, {"https", KL_SSL_ENDPOINT_HTTPS}),
                 "How the broker's host name is checked against its certificate: https (RFC 2818: the "
                 "name against the DNS names, an IP address against the IP addresses) or none."),

    /* ---- producer ---- */
    KL_PROP_INT_SYMS("acks", "producer", "-1", -1, 1000, KL_SYMS({"all", -1}),
                     "Acknowledgements the leader waits for before answering: 0 none, 1 the leader, "
                     "-1 or all every in-sync replica."),
    KL_PROP_ALIAS("request.required.acks", "acks"),
    KL_PROP_DOUBLE("linger.ms", "producer", "5", 0, 900000,
                   "How long to wait for more messages before sending a batch, in milliseconds (fractions "
                   "allowed)."),
    KL_PROP_ALIAS("queue.buffering.max.ms", "linger.ms"),
    KL_PROP_INT("batch.size", "producer", "1000000", 1, I32_MAX,
                "Largest batch, in bytes, framing included (the first message always fits)."),
    KL_PROP_INT("batch.num.messages", "producer", "10000", 1, 1000000, "Most messages in one batch."),
    KL_PROP_INT("queue.buffering.max.messages", "producer", "100000", 0, I32_MAX,
                "Most messages waiting in the producer; 0 for no limit."),
    KL_PROP_INT(
        "queue.buffering.max.kbytes", "producer", "1048576", 1, I32_MAX,
        "Most kilobytes of messages waiting in the producer; wins over queue.buffering.max.messages."),
    KL_PROP_ENUM("compression.type", "producer", "none",
                 KL_SYMS({"none", KL_CONF_COMPRESSION_NONE}, {"gzip", KL_CONF_COMPRESSION_GZIP},
                         {"snappy", KL_CONF_COMPRESSION_SNAPPY}, {"lz4", KL_CONF_COMPRESSION_LZ4},
                         {"zstd", KL_CONF_COMPRESSION_ZSTD}),
                 "Codec that compresses batches."),
    KL_PROP_ALIAS("compression.codec", "compression.type"),
    KL_PROP_INT("compression.level", "producer", "-1", -1, 12,
                "Codec level (gzip 0-9, lz4 0-12, zstd 1-12, snappy 0); -1 for the codec's default."),
    KL_PROP_INT("retries", "producer", "2147483647", 0, I32_MAX,
                "How many times a failed batch is sent again (without idempotence retries may reorder)."),
    KL_PROP_ALIAS("message.send.max.retries", "retries"),
    KL_PROP_INT("delivery.timeout.ms", "producer", "300000", 0, I32_MAX,
                "Longest time from produce to delivery report, retries included, in ms; 0 waits forever."),
    KL_PROP_ALIAS("message.timeout.ms", "delivery.timeout.ms"),
    KL_PROP_BOOL("enable.idempotence", "producer", "true",
                 "Deliver every message exactly once and in order per partition (implies acks=all, "
                 "max.in.flight.requests.per.connection <= 5 and retries > 0)."),
    KL_PROP_STR("transactional.id", "producer", NULL,
                "Enables transactions; identifies this producer across restarts."),
    KL_PROP_INT("transaction.timeout.ms", "producer", "60000", 1000, I32_MAX,
                "Longest life of a transaction, in ms: the coordinator aborts one still open after it "
                "(and fences the producer); at most the broker's transaction.max.timeout.ms."),
    KL_PROP_ENUM("partitioner", "producer", "consistent_random",
                 KL_SYMS({"random", KL_PARTITIONER_RANDOM}, {"consistent", KL_PARTITIONER_CONSISTENT},
                         {"consistent_random", KL_PARTITIONER_CONSISTENT_RANDOM},
                         {"murmur2", KL_PARTITIONER_MURMUR2},
                         {"murmur2_random", KL_PARTITIONER_MURMUR2_RANDOM}, {"fnv1a", KL_PARTITIONER_FNV1A},
                         {"fnv1a_random", KL_PARTITIONER_FNV1A_RANDOM}),
                 "How keys map to partitions: crc32 (consistent), murmur2 (the Java client's) or fnv1a hash; "
                 "_random variants spread messages without a key."),
    KL_PROP_INT("sticky.partitioning.linger.ms", "producer", "10", 0, 900000,
                "How long keyless messages stick to one partition before another is chosen; 0 disables."),
    KL_PROP_BOOL(
        "enable.gapless.guarantee", "producer", "false",
        "With idempotence: stop with a fatal error rather than leave a gap in the produced sequence."),

    /* ---- consumer ---- */
    KL_PROP_STR("group.id", "consumer", NULL, "Consumer group this consumer joins."),
    KL_PROP_STR("group.instance.id", "consumer", NULL,
                "Static group membership: a restart within session.timeout.ms causes no rebalance."),
    KL_PROP_INT("session.timeout.ms", "consumer", "45000", 1, 3600000,
                "How long the group coordinator waits for a heartbeat before evicting the member, in ms."),
    KL_PROP_INT("heartbeat.interval.ms", "consumer", "3000", 1, 3600000,
                "How often the member sends heartbeats, in milliseconds."),
    KL_PROP_INT("max.poll.interval.ms", "consumer", "300000", 1, 86400000,
                "Longest time between two polls before the consumer leaves its group, in milliseconds."),
    KL_PROP_SET("partition.assignment.strategy", "consumer", "range,roundrobin", 1,
                KL_SYMS({"range", KL_ASSIGNOR_RANGE}, {"roundrobin", KL_ASSIGNOR_ROUNDROBIN},
                        {"cooperative-sticky", KL_ASSIGNOR_COOPERATIVE_STICKY}),
                "Assignors this member supports, most preferred first (do not mix cooperative and eager)."),
    KL_PROP_BOOL("enable.auto.commit", "consumer", "true",
                 "Commit stored offsets periodically in the background."),
    KL_PROP_INT("auto.commit.interval.ms", "consumer", "5000", 0, 86400000,
                "How often offsets are committed automatically, in milliseconds; 0 disables."),
    KL_PROP_BOOL("enable.auto.offset.store", "consumer", "true",
                 "Store the offset of each message handed to the application, for the next commit."),
    KL_PROP_ENUM("auto.offset.reset", "consumer", "largest",
                 KL_SYMS({"smallest", KL_OFFSET_RESET_EARLIEST}, {"earliest", KL_OFFSET_RESET_EARLIEST},
                         {"beginning", KL_OFFSET_RESET_EARLIEST}, {"largest", KL_OFFSET_RESET_LATEST},
                         {"latest", KL_OFFSET_RESET_LATEST}, {"end", KL_OFFSET_RESET_LATEST},
                         {"error", KL_OFFSET_RESET_ERROR}),
                 "Where to start without a committed offset, or when it is out of range: the earliest or "
                 "latest offset, or report an error."),
    KL_PROP_INT("fetch.min.bytes", "consumer", "1", 1, 100000000,
                "Least data a fetch response should hold; the broker waits up to fetch.wait.max.ms for it."),
    KL_PROP_INT("fetch.wait.max.ms", "consumer", "500", 0, 300000,
                "Longest time the broker may wait to fill a fetch response, in milliseconds."),
    KL_PROP_ALIAS("fetch.max.wait.ms", "fetch.wait.max.ms"),
    KL_PROP_INT("fetch.max.bytes", "consumer", "52428800", 0, INT64_C(2147483135),
                "Most data one fetch response may hold (a larger first batch is still returned)."),
    KL_PROP_INT("max.partition.fetch.bytes", "consumer", "1048576", 1, 1000000000,
                "Most data fetched per partition at first, grown when a larger message is met."),
    KL_PROP_ALIAS("fetch.message.max.bytes", "max.partition.fetch.bytes"),
    KL_PROP_INT("queued.min.messages", "consumer", "100000", 1, 10000000,
                "Messages per partition the consumer tries to keep prefetched."),
    KL_PROP_INT("queued.max.messages.kbytes", "consumer", "65536", 1, 2097151,
                "Most kilobytes of prefetched messages; wins over queued.min.messages."),
    KL_PROP_ENUM(
        "isolation.level", "consumer", "read_committed",
        KL_SYMS({"read_uncommitted", KL_ISOLATION_READ_UNCOMMITTED},
                {"read_committed", KL_ISOLATION_READ_COMMITTED}),
        "read_committed hides messages of open and aborted transactions; read_uncommitted shows all."),
    KL_PROP_BOOL("check.crcs", "consumer", "false", "Verify the CRC of fetched batches."),
    KL_PROP_BOOL("enable.partition.eof", "consumer", "false",
                 "Report KL_ERR_PARTITION_EOF through poll each time a partition reaches its end."),
    KL_PROP_INT("fetch.error.backoff.ms", "consumer", "500", 0, 300000,
                "How long to wait before fetching a partition again after a fetch error, in ms."),
    KL_PROP_BOOL("allow.auto.create.topics", "consumer", "false",
                 "Let subscribing to a missing topic create it (the broker must allow it too)."),
};

const kl_conf_schema_t kl_client_conf_schema = {
    "client",
    client_props,
    sizeof client_props / sizeof client_props[0],
};

kl_conf_t *kl_conf_new(void) { return kl_conf_new_from(&kl_client_conf_schema); }
