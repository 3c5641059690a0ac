/* The embedded broker's configuration table: Kafka's server.properties
 * names and defaults, the cluster-only names kafkalite accepts and ignores
 * (so Kafka's own quickstart files load), and kl_broker_conf_new(). Docs
 * (man5, CONFIGURATION.md) are generated from this table. */
#include "broker/conf_table.h"
#include "net/tls.h"

#define I16_MAX INT64_C(32767)
#define I32_MAX INT64_C(2147483647)

static const kl_conf_prop_t broker_props[] = {
    /* ---- the server ---- */
    KL_PROP_INT("node.id", "broker", "1", 0, I32_MAX,
                "Id of this broker in metadata responses (Kafka has no usable default; kafkalite uses 1)."),
    KL_PROP_ALIAS("broker.id", "node.id"),
    KL_PROP_STR("broker.rack", "broker", NULL, "Rack of this broker, reported to clients in metadata."),
    KL_PROP_STR("listeners", "broker", "PLAINTEXT://127.0.0.1:9092",
                "Comma-separated NAME://host:port addresses to listen on (default loopback only; an empty "
                "host means every interface, port 0 picks a free port)."),
    KL_PROP_STR("console.listeners", "broker", NULL,
                "kafkalite's own: the HTTP console's address, http://host:port (port 0 picks a free port), "
                "serving the console page at /, /healthz, /readyz, /metrics (Prometheus text format) and "
                "a JSON API under /api/v1/; unset or empty, none is opened. `kafkalite broker` sets it to "
                "http://127.0.0.1:9644 unless told otherwise. Needs a build with libmicrohttpd."),
    KL_PROP_BOOL("console.read.only", "broker", "false",
                 "kafkalite's own: the HTTP console only shows; the changes it can otherwise make (create "
                 "and delete topics, add partitions, alter topic configs, reset and delete consumer groups) "
                 "are refused with 403."),
    KL_PROP_STR("advertised.listeners", "broker", NULL,
                "Addresses given to clients in metadata, when they differ from listeners."),
    KL_PROP_STR("listener.security.protocol.map", "broker",
                "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                "Comma-separated NAME:PROTOCOL pairs giving each listener name its security protocol."),
    /* ---- security: TLS and SASL listeners ---- */
    KL_PROP_STR_F("ssl.keystore.location", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "PEM file holding the TLS listeners' private key and certificate chain (ssl.keystore.type=PEM, "
                  "as Kafka allows); or set ssl.certificate.location and ssl.key.location."),
    KL_PROP_ENUM("ssl.keystore.type", "broker", "PEM", KL_SYMS({"PEM", 0}),
                 "Format of the keystore; kafkalite reads PEM only (convert a JKS or PKCS12 store with keytool "
                 "and openssl)."),
    KL_PROP_SECRET_F("ssl.keystore.certificate.chain", "broker", KL_CONF_F_SCOPABLE,
                     "The TLS listeners' certificate chain as PEM text, instead of a file."),
    KL_PROP_SECRET_F("ssl.keystore.key", "broker", KL_CONF_F_SCOPABLE,
                     "The TLS listeners' private key as PEM text, instead of a file."),
    KL_PROP_SECRET_F("ssl.key.password", "broker", KL_CONF_F_SCOPABLE, "Password of an encrypted private key."),
    KL_PROP_STR_F("ssl.certificate.location", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "kafkalite's own: PEM file of the TLS listeners' certificate (chain), with ssl.key.location."),
    KL_PROP_STR_F("ssl.key.location", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "kafkalite's own: PEM file of the TLS listeners' private key."),
    KL_PROP_STR_F("ssl.truststore.location", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "PEM file (or directory) of the CA certificates that client certificates must chain to "
                  "(ssl.client.auth)."),
    KL_PROP_ENUM("ssl.truststore.type", "broker", "PEM", KL_SYMS({"PEM", 0}),
                 "Format of the truststore; kafkalite reads PEM only."),
    KL_PROP_STR_F("ssl.truststore.certificates", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "The truststore's CA certificates as PEM text."),
    KL_PROP_ENUM_F("ssl.client.auth", "broker", "none",
                   KL_SYMS({"none", KL_TLS_CLIENT_AUTH_NONE}, {"requested", KL_TLS_CLIENT_AUTH_REQUESTED},
                           {"required", KL_TLS_CLIENT_AUTH_REQUIRED}),
                   KL_CONF_F_SCOPABLE,
                   "Whether TLS listeners ask clients for a certificate; the principal of an SSL connection is "
                   "then User:<the certificate's subject>."),
    KL_PROP_STR_F("ssl.crl.location", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "kafkalite's own (Kafka has no such broker property; the JVM's revocation settings do it "
                  "there): a file of certificate revocation lists (PEM, any number; or one DER) from the CAs of "
                  "the truststore. On a TLS listener with ssl.client.auth=requested or required, a client "
                  "certificate that is revoked, or whose issuer has no CRL in the file, is refused in the TLS "
                  "handshake (the broker logs why); CA certificates above it are checked when the file holds "
                  "their issuers' CRLs. A file that cannot be read or holds no CRL refuses the start (even on a "
                  "listener without ssl.client.auth, where it is unused). Read once, at start."),
    KL_PROP_STR_F("ssl.cipher.suites", "broker", NULL, KL_CONF_F_SCOPABLE,
                  "OpenSSL cipher list for TLS 1.2 (unset: OpenSSL's default)."),
    KL_PROP_SET_F("sasl.enabled.mechanisms", "broker", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512", 1,
                  KL_SYMS({"PLAIN", 1}, {"SCRAM-SHA-256", 2}, {"SCRAM-SHA-512", 4}, {"GSSAPI", 8},
                          {"OAUTHBEARER", 16}),
                  KL_CONF_F_SCOPABLE,
                  "Mechanisms SASL listeners offer (Kafka's default is GSSAPI alone; kafkalite's leaves it out, "
                  "since it needs a keytab). Users and their salted SCRAM credentials live in the first log "
                  "directory (scram-credentials), managed with AlterUserScramCredentials (`kafkalite users`); "
                  "PLAIN checks passwords against them, so no password is stored in clear, unless the "
                  "listener's PLAIN sasl.jaas.config lists users. GSSAPI (Kerberos) goes through cyrus-sasl and "
                  "its GSSAPI plugin (libsasl2-modules-gssapi-mit), with sasl.kerberos.keytab and "
                  "sasl.kerberos.principal; a client authenticated as PRIMARY[/INSTANCE]@REALM is User:PRIMARY. "
                  "OAUTHBEARER validates unsecured JWTs (alg none) as Kafka's "
                  "OAuthBearerUnsecuredValidatorCallbackHandler does."),
    KL_PROP_SECRET_F("sasl.jaas.config", "broker", KL_CONF_F_SCOPABLE_SUB,
                     "A mechanism's login module options, Kafka's JAAS form, set as "
                     "listener.name.<listener>.<mechanism>.sasl.jaas.config (plain, oauthbearer or gssapi; unprefixed, "
                     "it serves every SASL listener). PLAIN: `org.apache.kafka.common.security.plain."
                     "PlainLoginModule required user_alice=\"alice-secret\";` makes the listener's PLAIN users "
                     "exactly those user_<name> options (passwords compared in constant time), instead of the "
                     "SCRAM credentials. OAUTHBEARER: `org.apache.kafka.common.security.oauthbearer."
                     "OAuthBearerLoginModule required unsecuredValidatorRequiredScope=\"a b\";` with Kafka's "
                     "unsecuredValidatorPrincipalClaimName (default sub), unsecuredValidatorScopeClaimName "
                     "(scope), unsecuredValidatorRequiredScope and unsecuredValidatorAllowableClockSkewMs (0). "
                     "GSSAPI: `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
                     "storeKey=true keyTab=\"/etc/kafka.keytab\" principal=\"kafka/host@REALM\";` gives the "
                     "broker's keytab and principal as Kafka reads them (useKeyTab must be true; the other options "
                     "are not used), instead of sasl.kerberos.keytab and sasl.kerberos.principal, which must not "
                     "disagree with it; every GSSAPI listener must name the same principal and keytab. "
                     "A value that does not parse refuses the start, naming the property."),
    KL_PROP_INT_F("connections.max.reauth.ms", "broker", "0", 0, INT64_MAX, KL_CONF_F_SCOPABLE,
                  "KIP-368: the longest a SASL session lasts, in milliseconds (0: forever). SaslAuthenticate "
                  "tells the client (cut to its OAUTHBEARER token's expiry), which re-authenticates on the same "
                  "connection before then; a connection whose session expired is closed on its next request."),
    KL_PROP_SCOPED("listener.name.*", "broker",
                   "listener.name.<listener>.<setting>: a setting for one listener (its name in lower case, as "
                   "Kafka writes it), overriding the broker-wide one: sasl.enabled.mechanisms, "
                   "connections.max.reauth.ms, the ssl.* keystore, truststore, cipher and client.auth settings, "
                   "and listener.name.<listener>.<mechanism>.sasl.jaas.config. A setting for a listener that "
                   "listeners does not open is logged as a warning at start and ignored (Kafka ignores it "
                   "silently)."),
    KL_PROP_STR("sasl.kerberos.service.name", "broker", NULL,
                "GSSAPI: the service name of the broker's Kerberos principal (clients' "
                "sasl.kerberos.service.name); unset: the primary of sasl.kerberos.principal, else kafka."),
    KL_PROP_STR("sasl.kerberos.principal", "broker", NULL,
                "kafkalite's own (Kafka reads it from the JAAS configuration's principal=, which kafkalite "
                "reads too: see sasl.jaas.config): the broker's "
                "Kerberos service principal for GSSAPI, SERVICE/HOST[@REALM], HOST being the name clients "
                "connect to; unset: sasl.kerberos.service.name/<this machine's host name>."),
    KL_PROP_STR("sasl.kerberos.keytab", "broker", NULL,
                "kafkalite's own (Kafka reads it from the JAAS configuration's keyTab=, which kafkalite reads "
                "too): the keytab holding "
                "sasl.kerberos.principal's key; unset: the default keytab (KRB5_KTNAME or /etc/krb5.keytab). "
                "cyrus-sasl reads one keytab per process: a second broker in the same process must name the "
                "same one."),
    KL_PROP_INT("num.network.threads", "broker", "3", 1, I32_MAX,
                "Threads that do the connections' socket I/O: each owns the connections given to it "
                "round robin, reads their request frames and writes their responses without blocking "
                "(a slow client stalls only itself), while one broker thread serves the requests in "
                "order per connection."),
    KL_PROP_INT("num.io.threads", "broker", "8", 1, 256,
                "Threads that fsync partition logs when a flush is due (log.flush.interval.*, a "
                "segment roll, a shutdown), each on one partition at a time, so that several "
                "partitions flush at once while the event loop goes on serving."),
    KL_PROP_INT("socket.send.buffer.bytes", "broker", "102400", -1, I32_MAX,
                "SO_SNDBUF of client connections; -1 for the system default."),
    KL_PROP_INT("socket.receive.buffer.bytes", "broker", "102400", -1, I32_MAX,
                "SO_RCVBUF of client connections; -1 for the system default."),
    KL_PROP_INT("socket.request.max.bytes", "broker", "104857600", 1, I32_MAX,
                "Largest request accepted, in bytes; a larger one closes the connection."),
    KL_PROP_INT("queued.max.request.bytes", "broker", "104857600", -1, INT64_MAX,
                "Bytes of requests being read or waiting to be served, over all connections; past it "
                "connections stop reading until some are served (one request may overshoot it). -1 is "
                "Kafka's default, no bound; kafkalite bounds it so that clients cannot make the broker hold "
                "unbounded memory: requests held stay below this plus socket.request.max.bytes per network "
                "thread, and each connection holds at most about 8 MiB of unread responses plus one record "
                "batch (message.max.bytes), so the worst case is about queued.max.request.bytes + "
                "num.network.threads * socket.request.max.bytes + max.connections * (8 MiB + "
                "message.max.bytes)."),
    KL_PROP_INT("socket.request.read.timeout.ms", "broker", "30000", -1, INT64_MAX,
                "Close a connection whose request frame has been incomplete this long, in milliseconds "
                "(a client feeding a frame byte by byte would otherwise hold its buffer and share of "
                "queued.max.request.bytes until connections.max.idle.ms); -1 never does. kafkalite's own: "
                "Kafka has no such bound."),
    KL_PROP_INT("connections.max.idle.ms", "broker", "600000", -1, INT64_MAX,
                "Close a client connection silent for this long, in milliseconds; -1 never does."),
    KL_PROP_INT("max.connections", "broker", "2147483647", 0, I32_MAX,
                "Most client connections open at once; further ones are closed as they arrive."),
    KL_PROP_INT("max.connections.per.ip", "broker", "2147483647", 0, I32_MAX,
                "Most client connections open at once from one IP address."),

    /* ---- topics and storage ---- */
    KL_PROP_STR("log.dirs", "broker", "/tmp/kafkalite-logs",
                "Directories (comma-separated) partition logs are spread over, a new one going to the "
                "directory holding the fewest; the first also holds the topic catalog and meta.properties."),
    KL_PROP_ALIAS("log.dir", "log.dirs"),
    KL_PROP_INT("num.recovery.threads.per.data.dir", "broker", "1", 1, I32_MAX,
                "Threads per log directory that recover logs at start and flush them at shutdown."),
    KL_PROP_INT("num.partitions", "broker", "1", 1, I32_MAX, "Partitions of automatically created topics."),
    KL_PROP_INT(
        "default.replication.factor", "broker", "1", 1, I16_MAX,
        "Replication factor of automatically created topics (kept and reported; one copy is stored)."),
    KL_PROP_BOOL("auto.create.topics.enable", "broker", "true",
                 "Create a topic when a client asks for metadata of, or produces to, a missing one."),
    KL_PROP_BOOL("delete.topic.enable", "broker", "true", "Allow deleting topics with the admin API."),
    KL_PROP_INT("message.max.bytes", "topic", "1048588", 0, I32_MAX,
                "Largest record batch accepted, in bytes, after compression."),
    KL_PROP_ENUM("compression.type", "topic", "producer",
                 KL_SYMS({"uncompressed", KL_BROKER_COMPRESSION_UNCOMPRESSED},
                         {"zstd", KL_BROKER_COMPRESSION_ZSTD}, {"lz4", KL_BROKER_COMPRESSION_LZ4},
                         {"snappy", KL_BROKER_COMPRESSION_SNAPPY}, {"gzip", KL_BROKER_COMPRESSION_GZIP},
                         {"producer", KL_BROKER_COMPRESSION_PRODUCER}),
                 "Codec batches are stored with; producer keeps what the producer sent."),
    KL_PROP_INT("min.insync.replicas", "topic", "1", 1, I32_MAX,
                "Replicas that must acknowledge an acks=all write (a single node has one)."),
    KL_PROP_INT("log.segment.bytes", "topic", "1073741824", 1048576, I32_MAX,
                "Size at which a partition's active segment is closed and a new one started; at least "
                "1 MiB, as in Kafka 4.0 (smaller segments cost descriptors: each holds three files)."),
    KL_PROP_INT(
        "log.roll.ms", "topic", NULL, 1, INT64_MAX,
        "Age at which the active segment is rolled even if not full, in ms; wins over log.roll.hours."),
    KL_PROP_INT("log.roll.hours", "topic", "168", 1, I32_MAX,
                "Age at which the active segment is rolled even if not full, in hours."),
    KL_PROP_INT("log.retention.ms", "topic", NULL, -1, INT64_MAX,
                "How long to keep a segment, in ms; -1 forever. Wins over log.retention.minutes and hours."),
    KL_PROP_INT("log.retention.minutes", "topic", NULL, -1, I32_MAX,
                "How long to keep a segment, in minutes; wins over log.retention.hours."),
    KL_PROP_INT("log.retention.hours", "topic", "168", -1, I32_MAX, "How long to keep a segment, in hours."),
    KL_PROP_INT("log.retention.bytes", "topic", "-1", -1, INT64_MAX,
                "Size a partition may grow to before old segments are deleted; -1 for no limit."),
    KL_PROP_ENUM("log.message.timestamp.type", "topic", "CreateTime",
                 KL_SYMS({"CreateTime", 0}, {"LogAppendTime", 1}),
                 "Whether stored batches keep the producer's timestamps or get the broker's clock."),
    KL_PROP_INT("log.retention.check.interval.ms", "broker", "300000", 1, INT64_MAX,
                "How often segments are checked for deletion, in milliseconds."),
    KL_PROP_SET(
        "log.cleanup.policy", "topic", "delete", 1,
        KL_SYMS({"delete", KL_CLEANUP_DELETE}, {"compact", KL_CLEANUP_COMPACT}),
        "delete removes old segments; compact keeps the last record of each key; both may be listed."),
    KL_PROP_BOOL("log.cleaner.enable", "broker", "true",
                 "Run the log cleaner that compacts compacted topics."),
    KL_PROP_INT("log.cleaner.delete.retention.ms", "topic", "86400000", 0, INT64_MAX,
                "How long tombstones stay in compacted topics, in milliseconds."),
    KL_PROP_INT("log.cleaner.threads", "broker", "1", 1, 64,
                "Threads that compact logs (the swap itself happens on the network thread)."),
    KL_PROP_INT("log.cleaner.backoff.ms", "broker", "15000", 1, INT64_MAX,
                "How often compacted logs are checked for a due clean, in milliseconds."),
    KL_PROP_INT("log.cleaner.dedupe.buffer.size", "broker", "134217728", 1048576, INT64_MAX,
                "Memory for the cleaner's key maps, shared by the cleaner threads, in bytes."),
    KL_PROP_DOUBLE("log.cleaner.min.cleanable.ratio", "topic", "0.5", 0, 1,
                   "Dirty share of a compacted log at which it is cleaned."),
    KL_PROP_INT("log.cleaner.min.compaction.lag.ms", "topic", "0", 0, INT64_MAX,
                "Youngest a record may be and still be compacted, in milliseconds."),
    KL_PROP_INT("log.index.interval.bytes", "topic", "4096", 0, I32_MAX,
                "Bytes of log between two entries of the offset index."),
    KL_PROP_INT("log.index.size.max.bytes", "topic", "10485760", 4, I32_MAX,
                "Largest offset index file, in bytes; a full index rolls the segment."),
    KL_PROP_INT("log.flush.interval.messages", "topic", "9223372036854775807", 1, INT64_MAX,
                "Messages appended to a partition before it is fsynced; the produce that reaches the count "
                "is answered after the fsync, so 1 acknowledges only what is on disk (see Durability)."),
    KL_PROP_INT("log.flush.interval.ms", "topic", NULL, 0, INT64_MAX,
                "Longest a message stays un-fsynced, in ms (unset: log.flush.scheduler.interval.ms); "
                "fsynced in the background, after the produce was acknowledged."),
    KL_PROP_INT("log.flush.scheduler.interval.ms", "broker", "9223372036854775807", 0, INT64_MAX,
                "How often partitions are checked for a due flush, in milliseconds."),

    /* ---- groups, offsets and transactions ---- */
    KL_PROP_INT("offsets.topic.num.partitions", "broker", "50", 1, I32_MAX,
                "Partitions of the __consumer_offsets topic (fixed once created)."),
    KL_PROP_INT("offsets.topic.replication.factor", "broker", "3", 1, I16_MAX,
                "Replication factor of __consumer_offsets (kept and reported; one copy is stored)."),
    KL_PROP_INT("offsets.topic.segment.bytes", "broker", "104857600", 14, I32_MAX,
                "Segment size of __consumer_offsets (compacted), set when the topic is created."),
    KL_PROP_INT("offsets.retention.minutes", "broker", "10080", 1, I32_MAX,
                "How long committed offsets of an empty group are kept, in minutes."),
    KL_PROP_INT("offsets.retention.check.interval.ms", "broker", "600000", 1, INT64_MAX,
                "How often committed offsets are checked for expiry, in milliseconds."),
    KL_PROP_INT("offset.metadata.max.bytes", "broker", "4096", 0, I32_MAX,
                "Largest metadata string a committed offset may carry, in bytes."),
    KL_PROP_INT("group.max.size", "broker", "2147483647", 1, I32_MAX,
                "Most members a consumer group may have; a join beyond it fails with GROUP_MAX_SIZE_REACHED."),
    KL_PROP_INT("group.initial.rebalance.delay.ms", "broker", "3000", 0, I32_MAX,
                "How long a new group waits for more members before its first rebalance, in ms (Kafka's "
                "3000, which `kafkalite broker` keeps; a broker embedded with kl_broker_new() uses 0 unless "
                "set, so that tests do not wait)."),
    KL_PROP_INT("group.min.session.timeout.ms", "broker", "6000", 0, I32_MAX,
                "Smallest session.timeout.ms a consumer may ask for."),
    KL_PROP_INT("group.max.session.timeout.ms", "broker", "1800000", 0, I32_MAX,
                "Largest session.timeout.ms a consumer may ask for."),
    KL_PROP_INT("producer.id.expiration.ms", "broker", "86400000", 1, I32_MAX,
                "How long a partition remembers an idle idempotent producer's sequences, in milliseconds."),
    KL_PROP_INT("transaction.state.log.num.partitions", "broker", "50", 1, I32_MAX,
                "Partitions of the __transaction_state topic (fixed once created)."),
    KL_PROP_INT("transaction.state.log.segment.bytes", "broker", "104857600", 14, I32_MAX,
                "Segment size of __transaction_state, in bytes."),
    KL_PROP_INT("transaction.max.timeout.ms", "broker", "900000", 1, I32_MAX,
                "The longest transaction.timeout.ms a producer may ask for; more fails InitProducerId."),
    KL_PROP_INT("transaction.abort.timed.out.transaction.cleanup.interval.ms", "broker", "10000", 1, I32_MAX,
                "How often transactions past their timeout are looked for and aborted, in milliseconds."),
    KL_PROP_INT("transaction.state.log.replication.factor", "broker", "3", 1, I16_MAX,
                "Replication factor of __transaction_state (kept and reported; one copy is stored)."),
    KL_PROP_INT("transaction.state.log.min.isr", "broker", "2", 1, I32_MAX,
                "min.insync.replicas of __transaction_state (kept and reported)."),

    /* ---- cluster-only: accepted so Kafka's files load, then ignored ---- */
    KL_PROP_IGNORED("zookeeper.*", "kafkalite runs without ZooKeeper"),
    KL_PROP_IGNORED("controller.*", "kafkalite is a single node without a KRaft controller quorum"),
    KL_PROP_IGNORED("process.roles", "the embedded broker is always one combined node"),
    KL_PROP_IGNORED("metadata.log.*", "kafkalite keeps no KRaft metadata log"),
    KL_PROP_IGNORED("inter.broker.listener.name", "there are no other brokers to talk to"),
    KL_PROP_IGNORED("inter.broker.protocol.version", "there are no other brokers to talk to"),
    KL_PROP_IGNORED("security.inter.broker.protocol", "there are no other brokers to talk to"),
    KL_PROP_IGNORED("sasl.mechanism.inter.broker.protocol", "there are no other brokers to talk to"),
    KL_PROP_IGNORED("sasl.mechanism.controller.protocol", "kafkalite has no controller quorum"),
    KL_PROP_IGNORED("control.plane.listener.name", "kafkalite has no controller quorum"),
    KL_PROP_IGNORED("broker.heartbeat.interval.ms", "kafkalite has no controller quorum to register with"),
    KL_PROP_IGNORED("broker.session.timeout.ms", "kafkalite has no controller quorum to register with"),
    KL_PROP_IGNORED("initial.broker.registration.timeout.ms",
                    "kafkalite has no controller quorum to register with"),
    KL_PROP_IGNORED("broker.id.generation.enable", "the node id comes from node.id"),
    KL_PROP_IGNORED("reserved.broker.max.id", "the node id comes from node.id"),
    KL_PROP_IGNORED("replica.*", "a single node has no replicas to fetch"),
    KL_PROP_IGNORED("num.replica.fetchers", "a single node has no replicas to fetch"),
    KL_PROP_IGNORED("unclean.leader.election.enable", "a single node is always the leader"),
    KL_PROP_IGNORED("auto.leader.rebalance.enable", "a single node is always the leader"),
    KL_PROP_IGNORED("leader.imbalance.*", "a single node is always the leader"),
    KL_PROP_IGNORED("share.coordinator.*", "kafkalite does not support share groups"),
};

const kl_conf_schema_t kl_broker_conf_schema = {
    "broker",
    broker_props,
    sizeof broker_props / sizeof broker_props[0],
};

kl_conf_t *kl_broker_conf_new(void) { return kl_conf_new_from(&kl_broker_conf_schema); }
