/* Unit tests for the configuration engine (lib/util/conf.c) and the two
 * tables it is driven by: client (lib/client/conf_table.c) and broker
 * (lib/broker/conf_table.c). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafkalite.h"
#include "broker/conf_table.h"
#include "client/conf_table.h"
#include "util/conf.h"

/* The current text of name, in a static buffer (tests only). */
static const char *get(const kl_conf_t *conf, const char *name)
{
    static char buf[512];
    size_t size = sizeof buf;
    kl_err_t err = kl_conf_get(conf, name, buf, &size);
    ck_assert_msg(err == KL_ERR_NONE, "kl_conf_get(%s): %s", name, kl_err_name(err));
    return buf;
}

static void set_ok(kl_conf_t *conf, const char *name, const char *value)
{
    char errstr[512];
    kl_err_t err = kl_conf_set(conf, name, value, errstr, sizeof errstr);
    ck_assert_msg(err == KL_ERR_NONE, "set %s=%s: %s (%s)", name, value, kl_err_name(err), errstr);
    ck_assert_str_eq(errstr, "");
}

/* Every text of the dump joined as "name=value\n", to compare whole
 * configurations. Caller frees. */
static char *dump_text(const kl_conf_t *conf)
{
    size_t n;
    const char **dump = kl_conf_dump(conf, &n);
    ck_assert_ptr_nonnull(dump);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(dump[i]) + 1;
    char *out = calloc(1, len);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i += 2) {
        strcat(out, dump[i]);
        strcat(out, "=");
        strcat(out, dump[i + 1]);
        strcat(out, "\n");
    }
    kl_conf_dump_free(dump, n); /* the deprecated 0.1 name still works */
    return out;
}

START_TEST(test_client_defaults)
{
    kl_conf_t *conf = kl_conf_new();
    ck_assert_ptr_nonnull(conf);
    ck_assert_str_eq(get(conf, "linger.ms"), "5");
    ck_assert_double_eq(kl_conf_get_double(conf, "linger.ms"), 5.0);
    ck_assert_str_eq(get(conf, "acks"), "-1");
    ck_assert_int_eq(kl_conf_get_int(conf, "acks"), -1);
    ck_assert_int_eq(kl_conf_get_int(conf, "batch.size"), 1000000);
    ck_assert_int_eq(kl_conf_get_int(conf, "batch.num.messages"), 10000);
    ck_assert_int_eq(kl_conf_get_int(conf, "retries"), INT32_MAX);
    ck_assert_int_eq(kl_conf_get_int(conf, "delivery.timeout.ms"), 300000);
    ck_assert_int_eq(kl_conf_get_int(conf, "message.max.bytes"), 1000000);
    ck_assert_int_eq(kl_conf_get_int(conf, "session.timeout.ms"), 45000);
    ck_assert_int_eq(kl_conf_get_int(conf, "max.partition.fetch.bytes"), 1048576);
    ck_assert_int_eq(kl_conf_get_int(conf, "fetch.max.bytes"), 52428800);
    ck_assert_str_eq(get(conf, "client.id"), "kafkalite");
    ck_assert_str_eq(get(conf, "bootstrap.servers"), "");
    ck_assert_str_eq(get(conf, "compression.type"), "none");
    ck_assert_int_eq(kl_conf_get_int(conf, "compression.type"), KL_CONF_COMPRESSION_NONE);
    ck_assert_str_eq(get(conf, "partitioner"), "consistent_random");
    ck_assert_str_eq(get(conf, "auto.offset.reset"), "largest");
    ck_assert_int_eq(kl_conf_get_int(conf, "auto.offset.reset"), KL_OFFSET_RESET_LATEST);
    ck_assert_str_eq(get(conf, "isolation.level"), "read_committed");
    ck_assert_str_eq(get(conf, "partition.assignment.strategy"), "range,roundrobin");
    ck_assert_int_eq(kl_conf_get_int(conf, "partition.assignment.strategy"),
                     KL_ASSIGNOR_RANGE | KL_ASSIGNOR_ROUNDROBIN);
    ck_assert_str_eq(get(conf, "sasl.mechanisms"), "GSSAPI");
    ck_assert_str_eq(get(conf, "ssl.endpoint.identification.algorithm"), "https");
    ck_assert(kl_conf_get_bool(conf, "enable.auto.commit"));
    ck_assert(kl_conf_get_bool(conf, "enable.idempotence"));
    ck_assert_int_eq(kl_conf_get_int(conf, "debug"), 0);
    /* No default: empty text, and not set. */
    ck_assert_str_eq(get(conf, "group.id"), "");
    ck_assert_str_eq(kl_conf_get_str(conf, "group.id"), "");
    ck_assert(!kl_conf_is_set(conf, "group.id"));
    ck_assert(!kl_conf_is_set(conf, "linger.ms"));
    size_t nwarn = 99;
    ck_assert_ptr_null(kl_conf_warnings(conf, &nwarn));
    ck_assert_uint_eq(nwarn, 0);
    kl_conf_destroy(conf);
}
END_TEST

/* Structural checks on both tables, so a bad row fails here rather than
 * at some handle's creation. */
static void check_schema(const kl_conf_schema_t *schema)
{
    size_t n;
    const kl_conf_prop_t *props = kl_conf_table(schema, &n);
    ck_assert_uint_gt(n, 20);
    kl_conf_t *conf = kl_conf_new_from(schema);
    ck_assert_ptr_nonnull(conf);
    for (size_t i = 0; i < n; i++) {
        const kl_conf_prop_t *p = &props[i];
        for (size_t j = i + 1; j < n; j++)
            ck_assert_msg(strcmp(p->name, props[j].name) != 0, "%s listed twice", p->name);
        ck_assert_ptr_eq(kl_conf_lookup(schema, p->name), p);
        char accepts[512];
        ck_assert_uint_gt(kl_conf_prop_accepts(p, accepts, sizeof accepts), 0);
        if (p->type == KL_CONF_ALIAS) {
            const kl_conf_prop_t *t = kl_conf_lookup(schema, p->target);
            ck_assert_msg(t && t->type != KL_CONF_ALIAS && t->type != KL_CONF_IGNORED, "alias %s", p->name);
            continue;
        }
        ck_assert_msg(p->doc && *p->doc, "%s has no doc", p->name);
        ck_assert_msg(p->category && *p->category, "%s has no category", p->name);
        if (p->type == KL_CONF_IGNORED)
            continue;
        if (p->type == KL_CONF_SET)
            for (const kl_conf_sym_t *s = p->syms; s->name; s++)
                ck_assert_msg(s->value != 0, "%s: set member %s has no flag", p->name, s->name);
        if (p->type == KL_CONF_ENUM || p->type == KL_CONF_SET)
            ck_assert_ptr_nonnull(p->syms);
        if (p->def) {
            /* The default parses, and reads back as itself. */
            char errstr[512];
            ck_assert_msg(kl_conf_set(conf, p->name, p->def, errstr, sizeof errstr) == KL_ERR_NONE,
                          "default of %s: %s", p->name, errstr);
            ck_assert_str_eq(get(conf, p->name), p->def);
        }
    }
    kl_conf_destroy(conf);
}

START_TEST(test_tables_are_consistent)
{
    check_schema(&kl_client_conf_schema);
    check_schema(&kl_broker_conf_schema);
}
END_TEST

START_TEST(test_set_get_round_trip)
{
    kl_conf_t *conf = kl_conf_new();
    /* string: verbatim, white space included */
    set_ok(conf, "client.id", " my app ");
    ck_assert_str_eq(get(conf, "client.id"), " my app ");
    ck_assert_str_eq(kl_conf_get_str(conf, "client.id"), " my app ");
    ck_assert(kl_conf_is_set(conf, "client.id"));
    set_ok(conf, "group.id", "");
    ck_assert_str_eq(get(conf, "group.id"), "");
    ck_assert(kl_conf_is_set(conf, "group.id"));
    /* int: normalized decimal, surrounding white space ignored */
    set_ok(conf, "batch.size", " 0016384 ");
    ck_assert_str_eq(get(conf, "batch.size"), "16384");
    ck_assert_int_eq(kl_conf_get_int(conf, "batch.size"), 16384);
    ck_assert_double_eq(kl_conf_get_double(conf, "batch.size"), 16384.0);
    set_ok(conf, "topic.metadata.refresh.interval.ms", "-1");
    ck_assert_int_eq(kl_conf_get_int(conf, "topic.metadata.refresh.interval.ms"), -1);
    set_ok(conf, "batch.size", "2147483647");
    ck_assert_int_eq(kl_conf_get_int(conf, "batch.size"), INT32_MAX);
    /* bool: true/false in any case, 1/0 */
    set_ok(conf, "enable.idempotence", "True");
    ck_assert_str_eq(get(conf, "enable.idempotence"), "true");
    ck_assert(kl_conf_get_bool(conf, "enable.idempotence"));
    ck_assert_int_eq(kl_conf_get_int(conf, "enable.idempotence"), 1);
    set_ok(conf, "enable.idempotence", "0");
    ck_assert_str_eq(get(conf, "enable.idempotence"), "false");
    set_ok(conf, "enable.idempotence", "1");
    ck_assert(kl_conf_get_bool(conf, "enable.idempotence"));
    set_ok(conf, "enable.idempotence", "FALSE");
    ck_assert(!kl_conf_get_bool(conf, "enable.idempotence"));
    /* double */
    set_ok(conf, "linger.ms", "0.5");
    ck_assert_str_eq(get(conf, "linger.ms"), "0.5");
    ck_assert_double_eq(kl_conf_get_double(conf, "linger.ms"), 0.5);
    set_ok(conf, "linger.ms", "1e3");
    ck_assert_str_eq(get(conf, "linger.ms"), "1000");
    set_ok(conf, "linger.ms", "900000");
    ck_assert_double_eq(kl_conf_get_double(conf, "linger.ms"), 900000.0);
    /* enum: any case in, table spelling out */
    set_ok(conf, "compression.type", "ZSTD");
    ck_assert_str_eq(get(conf, "compression.type"), "zstd");
    ck_assert_int_eq(kl_conf_get_int(conf, "compression.type"), KL_CONF_COMPRESSION_ZSTD);
    set_ok(conf, "security.protocol", "SASL_SSL");
    ck_assert_str_eq(get(conf, "security.protocol"), "sasl_ssl");
    ck_assert_int_eq(kl_conf_get_int(conf, "security.protocol"), KL_SECURITY_SASL_SSL);
    set_ok(conf, "sasl.mechanisms", "scram-sha-512");
    ck_assert_str_eq(get(conf, "sasl.mechanisms"), "SCRAM-SHA-512");
    set_ok(conf, "auto.offset.reset", "earliest");
    ck_assert_int_eq(kl_conf_get_int(conf, "auto.offset.reset"), KL_OFFSET_RESET_EARLIEST);
    set_ok(conf, "auto.offset.reset", "beginning");
    ck_assert_str_eq(get(conf, "auto.offset.reset"), "beginning");
    ck_assert_int_eq(kl_conf_get_int(conf, "auto.offset.reset"), KL_OFFSET_RESET_EARLIEST);
    /* set: trimmed, duplicates dropped, order kept */
    set_ok(conf, "debug", " Msg , broker,msg");
    ck_assert_str_eq(get(conf, "debug"), "msg,broker");
    ck_assert_int_eq(kl_conf_get_int(conf, "debug"), KL_DEBUG_MSG | KL_DEBUG_BROKER);
    set_ok(conf, "debug", "all");
    ck_assert_int_eq(kl_conf_get_int(conf, "debug"), KL_DEBUG_ALL);
    set_ok(conf, "debug", "");
    ck_assert_int_eq(kl_conf_get_int(conf, "debug"), 0);
    set_ok(conf, "partition.assignment.strategy", "cooperative-sticky");
    ck_assert_int_eq(kl_conf_get_int(conf, "partition.assignment.strategy"), KL_ASSIGNOR_COOPERATIVE_STICKY);
    set_ok(conf, "partition.assignment.strategy", "roundrobin,range");
    ck_assert_str_eq(kl_conf_get_str(conf, "partition.assignment.strategy"), "roundrobin,range");
    /* NULL value: back to the default, no longer set */
    set_ok(conf, "linger.ms", NULL);
    ck_assert_str_eq(get(conf, "linger.ms"), "5");
    ck_assert(!kl_conf_is_set(conf, "linger.ms"));
    set_ok(conf, "group.id", NULL);
    ck_assert(!kl_conf_is_set(conf, "group.id"));
    /* errstr is optional */
    ck_assert_int_eq(kl_conf_set(conf, "linger.ms", "7", NULL, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "linger.mss", "7", NULL, 0), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(conf, "linger.ms", "x", NULL, 0), KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_conf_set(NULL, "linger.ms", "7", NULL, 0), KL_ERR_INVALID_ARG);
    kl_conf_destroy(conf);
}
END_TEST

START_TEST(test_unknown_names_suggest)
{
    kl_conf_t *conf = kl_conf_new();
    char errstr[256];
    ck_assert_int_eq(kl_conf_set(conf, "linger.mss", "5", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_str_eq(errstr, "Unknown configuration property \"linger.mss\" (did you mean \"linger.ms\"?)");
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.server", "x", errstr, sizeof errstr),
                     KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_str_eq(
        errstr, "Unknown configuration property \"bootstrap.server\" (did you mean \"bootstrap.servers\"?)");
    /* A swap of neighbours and a case slip count as one edit each. */
    ck_assert_int_eq(kl_conf_set(conf, "retires", "1", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_ptr_nonnull(strstr(errstr, "did you mean \"retries\"?"));
    ck_assert_int_eq(kl_conf_set(conf, "Linger.ms", "1", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_ptr_nonnull(strstr(errstr, "did you mean \"linger.ms\"?"));
    /* Too far from anything: no guess. */
    ck_assert_int_eq(kl_conf_set(conf, "no.such.thing", "1", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_str_eq(errstr, "Unknown configuration property \"no.such.thing\"");
    ck_assert_int_eq(kl_conf_set(conf, "", "1", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    /* A truncated message stays terminated. */
    char small[8];
    ck_assert_int_eq(kl_conf_set(conf, "linger.mss", "5", small, sizeof small), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    char *after = dump_text(conf);
    kl_conf_t *fresh = kl_conf_new();
    char *before = dump_text(fresh);
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
    kl_conf_destroy(fresh);
    kl_conf_destroy(conf);
}
END_TEST

static const struct bad_case {
    const char *name, *value, *expect; /* expect: a substring of the message */
} client_bad[] = {
    {"linger.ms", "abc", "Invalid value \"abc\" for \"linger.ms\": expected a number between 0 and 900000"},
    {"batch.size", "abc",
     "Invalid value \"abc\" for \"batch.size\": expected an integer between 1 and 2147483647"},
    {"batch.size", "10x", "expected an integer between 1 and 2147483647"},
    {"batch.size", "", "expected an integer"},
    {"batch.size", "   ", "expected an integer"},
    {"batch.size", "0", "expected an integer between 1 and"},
    {"batch.size", "2147483648", "expected an integer"},
    {"batch.size", "1.5", "expected an integer"},
    {"batch.size", "0x10", "expected an integer"},
    {"retries", "99999999999999999999", "\"retries\""},
    {"retries", "-99999999999999999999", "\"retries\""},
    {"log_level", "8", "between 0 and 7"},
    {"linger.ms", "900001", "between 0 and 900000"},
    {"linger.ms", "-0.1", "between 0 and 900000"},
    {"linger.ms", "nan", "a number"},
    {"linger.ms", "inf", "a number"},
    {"linger.ms", "1e999", "a number"},
    {"linger.ms", "0x10", "a number"},
    {"linger.ms", "5ms", "a number"},
    {"compression.type", "brotli", "expected one of: none, gzip, snappy, lz4, zstd"},
    {"compression.type", "", "expected one of"},
    {"enable.idempotence", "yes", "Invalid value \"yes\" for \"enable.idempotence\": expected true or false"},
    {"enable.idempotence", "", "expected true or false"},
    {"debug", "broker,foo", "unknown item \"foo\"; expected a comma-separated list of: generic, broker"},
    {"debug", "broker,,msg", "empty list item"},
    {"debug", "broker,", "empty list item"},
    {"partition.assignment.strategy", "", "the list is empty"},
    {"partition.assignment.strategy", "range,sticky", "unknown item \"sticky\""},
    {"acks", "-2", "expected an integer between -1 and 1000, or \"all\""},
    {"acks", "1001", "or \"all\""},
    {"acks", "al", "or \"all\""},
    /* through an alias, the message names what the user wrote */
    {"queue.buffering.max.ms", "-1", "Invalid value \"-1\" for \"queue.buffering.max.ms\""},
    {"request.required.acks", "none", "\"request.required.acks\""},
};

START_TEST(test_bad_values_refused)
{
    kl_conf_t *conf = kl_conf_new();
    set_ok(conf, "linger.ms", "20");
    set_ok(conf, "debug", "msg");
    char *before = dump_text(conf);
    for (size_t i = 0; i < sizeof client_bad / sizeof client_bad[0]; i++) {
        const struct bad_case *c = &client_bad[i];
        char errstr[512];
        kl_err_t err = kl_conf_set(conf, c->name, c->value, errstr, sizeof errstr);
        ck_assert_msg(err == KL_ERR_INVALID_VALUE, "%s=%s: got %s", c->name, c->value, kl_err_name(err));
        ck_assert_msg(strstr(errstr, c->expect), "%s=%s: message \"%s\" lacks \"%s\"", c->name, c->value,
                      errstr, c->expect);
        char named[128];
        snprintf(named, sizeof named, "for \"%s\"", c->name);
        ck_assert_msg(strstr(errstr, named), "message \"%s\" does not name %s", errstr, c->name);
    }
    /* Nothing changed. */
    char *after = dump_text(conf);
    ck_assert_str_eq(after, before);
    ck_assert(!kl_conf_is_set(conf, "batch.size"));
    ck_assert(!kl_conf_is_set(conf, "acks"));
    free(before);
    free(after);

    /* Broker side: a long beyond int64. */
    kl_conf_t *bconf = kl_broker_conf_new();
    char errstr[512];
    ck_assert_int_eq(kl_conf_set(bconf, "log.retention.bytes", "9223372036854775808", errstr, sizeof errstr),
                     KL_ERR_INVALID_VALUE);
    ck_assert_ptr_nonnull(strstr(errstr, "expected an integer of at least -1"));
    set_ok(bconf, "log.retention.bytes", "9223372036854775807");
    ck_assert_int_eq(kl_conf_get_int(bconf, "log.retention.bytes"), INT64_MAX);
    ck_assert_int_eq(kl_conf_set(bconf, "log.cleanup.policy", "delete,archive", errstr, sizeof errstr),
                     KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_conf_get_int(bconf, "log.cleanup.policy"), KL_CLEANUP_DELETE);
    kl_conf_destroy(bconf);
    kl_conf_destroy(conf);
}
END_TEST

START_TEST(test_aliases_set_target)
{
    static const struct {
        const char *alias, *target, *value;
    } cases[] = {
        {"metadata.broker.list", "bootstrap.servers", "a:9092,b:9092"},
        {"queue.buffering.max.ms", "linger.ms", "10"},
        {"max.in.flight", "max.in.flight.requests.per.connection", "5"},
        {"sasl.mechanism", "sasl.mechanisms", "PLAIN"},
        {"request.required.acks", "acks", "1"},
        {"compression.codec", "compression.type", "lz4"},
        {"message.send.max.retries", "retries", "3"},
        {"message.timeout.ms", "delivery.timeout.ms", "1000"},
        {"fetch.max.wait.ms", "fetch.wait.max.ms", "100"},
        {"fetch.message.max.bytes", "max.partition.fetch.bytes", "2048"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kl_conf_t *conf = kl_conf_new();
        ck_assert(!kl_conf_is_set(conf, cases[i].target));
        set_ok(conf, cases[i].alias, cases[i].value);
        ck_assert_str_eq(get(conf, cases[i].target), cases[i].value);
        ck_assert_str_eq(get(conf, cases[i].alias), cases[i].value);
        ck_assert(kl_conf_is_set(conf, cases[i].target));
        ck_assert(kl_conf_is_set(conf, cases[i].alias));
        ck_assert_str_eq(kl_conf_get_str(conf, cases[i].target), kl_conf_get_str(conf, cases[i].alias));
        kl_conf_destroy(conf);
    }
    kl_conf_t *b = kl_broker_conf_new();
    set_ok(b, "broker.id", "7");
    ck_assert_int_eq(kl_conf_get_int(b, "node.id"), 7);
    set_ok(b, "log.dir", "/var/lib/kl");
    ck_assert_str_eq(kl_conf_get_str(b, "log.dirs"), "/var/lib/kl");
    kl_conf_destroy(b);
}
END_TEST

START_TEST(test_acks_all)
{
    kl_conf_t *conf = kl_conf_new();
    set_ok(conf, "acks", "0");
    ck_assert_int_eq(kl_conf_get_int(conf, "acks"), 0);
    set_ok(conf, "acks", "all");
    ck_assert_int_eq(kl_conf_get_int(conf, "acks"), -1);
    ck_assert_str_eq(get(conf, "acks"), "-1");
    set_ok(conf, "acks", "1");
    set_ok(conf, "request.required.acks", "ALL");
    ck_assert_int_eq(kl_conf_get_int(conf, "acks"), -1);
    kl_conf_destroy(conf);
}
END_TEST

START_TEST(test_dup_is_deep)
{
    kl_conf_t *conf = kl_conf_new();
    set_ok(conf, "client.id", "original");
    set_ok(conf, "linger.ms", "12");
    kl_conf_t *copy = kl_conf_dup(conf);
    ck_assert_ptr_nonnull(copy);
    ck_assert_str_eq(get(copy, "client.id"), "original");
    ck_assert(kl_conf_is_set(copy, "linger.ms"));
    set_ok(copy, "client.id", "copy");
    set_ok(copy, "linger.ms", NULL);
    set_ok(copy, "debug", "all");
    ck_assert_str_eq(get(conf, "client.id"), "original");
    ck_assert_str_eq(get(conf, "linger.ms"), "12");
    ck_assert(kl_conf_is_set(conf, "linger.ms"));
    ck_assert_int_eq(kl_conf_get_int(conf, "debug"), 0);
    /* The copy outlives the original. */
    kl_conf_destroy(conf);
    ck_assert_str_eq(get(copy, "client.id"), "copy");
    kl_conf_destroy(copy);
    ck_assert_ptr_null(kl_conf_dup(NULL));
    kl_conf_destroy(NULL);

    /* Broker: the ignored properties and their warnings are copied too. */
    kl_conf_t *b = kl_broker_conf_new();
    set_ok(b, "zookeeper.connect", "localhost:2181");
    kl_conf_t *bc = kl_conf_dup(b);
    set_ok(b, "zookeeper.connect", NULL);
    size_t n;
    ck_assert_ptr_null(kl_conf_warnings(b, &n));
    const char *const *w = kl_conf_warnings(bc, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(strstr(w[0], "\"zookeeper.connect\""));
    ck_assert_str_eq(get(bc, "zookeeper.connect"), "localhost:2181");
    kl_conf_destroy(b);
    kl_conf_destroy(bc);
}
END_TEST

static void check_dump(kl_conf_t *conf)
{
    size_t nprops;
    const kl_conf_prop_t *props = kl_conf_table(kl_conf_schema(conf), &nprops);
    size_t n;
    const char **dump = kl_conf_dump(conf, &n);
    ck_assert_ptr_nonnull(dump);
    ck_assert_uint_eq(n % 2, 0);
    ck_assert_ptr_null(dump[n]);
    size_t expected = 0;
    for (size_t i = 0; i < nprops; i++) {
        const kl_conf_prop_t *p = &props[i];
        size_t seen = 0;
        for (size_t j = 0; j < n; j += 2)
            if (strcmp(dump[j], p->name) == 0)
                seen++;
        bool listed = p->type != KL_CONF_ALIAS && p->type != KL_CONF_IGNORED && p->type != KL_CONF_SCOPED;
        ck_assert_msg(seen == (listed ? 1u : 0u), "%s appears %zu times", p->name, seen);
        expected += listed;
    }
    ck_assert_uint_eq(n, 2 * expected);
    for (size_t j = 0; j < n; j += 2)
        ck_assert_str_eq(dump[j + 1], get(conf, dump[j]));
    kl_conf_dump_destroy(dump, n);
}

START_TEST(test_dump_lists_each_property_once)
{
    kl_conf_t *conf = kl_conf_new();
    set_ok(conf, "queue.buffering.max.ms", "42");
    check_dump(conf);
    size_t n;
    const char **dump = kl_conf_dump(conf, &n);
    bool found = false;
    for (size_t j = 0; j < n; j += 2)
        if (strcmp(dump[j], "linger.ms") == 0)
            found = strcmp(dump[j + 1], "42") == 0;
    ck_assert(found);
    kl_conf_dump_destroy(dump, n);
    kl_conf_destroy(conf);

    kl_conf_t *b = kl_broker_conf_new();
    set_ok(b, "process.roles", "broker,controller");
    check_dump(b);
    kl_conf_destroy(b);
}
END_TEST

START_TEST(test_broker_defaults)
{
    kl_conf_t *b = kl_broker_conf_new();
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(kl_conf_get_int(b, "node.id"), 1);
    ck_assert_str_eq(get(b, "listeners"), "PLAINTEXT://127.0.0.1:9092");
    ck_assert_str_eq(get(b, "advertised.listeners"), "");
    ck_assert_str_eq(get(b, "log.dirs"), "/tmp/kafkalite-logs");
    ck_assert_int_eq(kl_conf_get_int(b, "num.partitions"), 1);
    ck_assert_int_eq(kl_conf_get_int(b, "message.max.bytes"), 1048588);
    ck_assert_int_eq(kl_conf_get_int(b, "log.segment.bytes"), 1073741824);
    ck_assert_int_eq(kl_conf_get_int(b, "log.retention.hours"), 168);
    ck_assert_int_eq(kl_conf_get_int(b, "log.retention.bytes"), -1);
    ck_assert_int_eq(kl_conf_get_int(b, "log.flush.interval.messages"), INT64_MAX);
    ck_assert_int_eq(kl_conf_get_int(b, "offsets.topic.num.partitions"), 50);
    ck_assert_int_eq(kl_conf_get_int(b, "offsets.topic.replication.factor"), 3);
    ck_assert_int_eq(kl_conf_get_int(b, "group.initial.rebalance.delay.ms"), 3000);
    ck_assert_int_eq(kl_conf_get_int(b, "compression.type"), KL_BROKER_COMPRESSION_PRODUCER);
    ck_assert_int_eq(kl_conf_get_int(b, "log.cleanup.policy"), KL_CLEANUP_DELETE);
    ck_assert(kl_conf_get_bool(b, "auto.create.topics.enable"));
    /* Kafka's "null" defaults: no value until set. */
    ck_assert_str_eq(get(b, "log.retention.ms"), "");
    ck_assert_str_eq(get(b, "log.flush.interval.ms"), "");
    ck_assert(!kl_conf_is_set(b, "log.retention.ms"));
    set_ok(b, "log.retention.ms", "-1");
    ck_assert(kl_conf_is_set(b, "log.retention.ms"));
    ck_assert_int_eq(kl_conf_get_int(b, "log.retention.ms"), -1);
    set_ok(b, "log.cleanup.policy", "compact, delete");
    ck_assert_str_eq(get(b, "log.cleanup.policy"), "compact,delete");
    ck_assert_int_eq(kl_conf_get_int(b, "log.cleanup.policy"), KL_CLEANUP_DELETE | KL_CLEANUP_COMPACT);
    set_ok(b, "offsets.topic.replication.factor", "1");
    ck_assert_int_eq(kl_conf_get_int(b, "offsets.topic.replication.factor"), 1);
    kl_conf_destroy(b);
}
END_TEST

/* Every key of Kafka's quickstart files (config/server.properties in its
 * ZooKeeper and KRaft forms, broker.properties, controller.properties)
 * loads: real ones are set, cluster-only ones are ignored with a warning. */
START_TEST(test_broker_quickstart_files_load)
{
    static const char *const real[][2] = {
        {"broker.id", "0"},
        {"node.id", "1"},
        {"listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"},
        {"advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093"},
        {"listener.security.protocol.map",
         "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"},
        {"num.network.threads", "3"},
        {"num.io.threads", "8"},
        {"socket.send.buffer.bytes", "102400"},
        {"socket.receive.buffer.bytes", "102400"},
        {"socket.request.max.bytes", "104857600"},
        {"log.dirs", "/tmp/kraft-combined-logs"},
        {"num.partitions", "1"},
        {"num.recovery.threads.per.data.dir", "1"},
        {"offsets.topic.replication.factor", "1"},
        {"transaction.state.log.replication.factor", "1"},
        {"transaction.state.log.min.isr", "1"},
        {"log.flush.interval.messages", "10000"},
        {"log.flush.interval.ms", "1000"},
        {"log.retention.hours", "168"},
        {"log.retention.bytes", "1073741824"},
        {"log.segment.bytes", "1073741824"},
        {"log.retention.check.interval.ms", "300000"},
        {"group.initial.rebalance.delay.ms", "0"},
    };
    static const char *const ignored[][2] = {
        {"zookeeper.connect", "localhost:2181"},
        {"zookeeper.connection.timeout.ms", "18000"},
        {"process.roles", "broker,controller"},
        {"controller.quorum.voters", "1@localhost:9093"},
        {"controller.quorum.bootstrap.servers", "localhost:9093"},
        {"inter.broker.listener.name", "PLAINTEXT"},
        {"controller.listener.names", "CONTROLLER"},
        {"share.coordinator.state.topic.replication.factor", "1"},
        {"share.coordinator.state.topic.min.isr", "1"},
    };
    kl_conf_t *b = kl_broker_conf_new();
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
        set_ok(b, real[i][0], real[i][1]);
        ck_assert_str_eq(get(b, real[i][0]), real[i][1]);
    }
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        set_ok(b, ignored[i][0], ignored[i][1]);
    /* Setting one again replaces its value but warns once. */
    set_ok(b, "zookeeper.connect", "zk:2181");
    ck_assert_str_eq(get(b, "zookeeper.connect"), "zk:2181");

    size_t n;
    const char *const *w = kl_conf_warnings(b, &n);
    ck_assert_uint_eq(n, sizeof ignored / sizeof ignored[0]);
    for (size_t i = 0; i < n; i++) {
        char want[128];
        snprintf(want, sizeof want, "Ignored configuration property \"%s\": ", ignored[i][0]);
        ck_assert_msg(strncmp(w[i], want, strlen(want)) == 0, "warning \"%s\"", w[i]);
        ck_assert(kl_conf_is_set(b, ignored[i][0]));
    }
    ck_assert_str_eq(
        w[0], "Ignored configuration property \"zookeeper.connect\": kafkalite runs without ZooKeeper");
    /* Known ignored names that were not set read as empty. */
    ck_assert_str_eq(get(b, "zookeeper.session.timeout.ms"), "");
    ck_assert(!kl_conf_is_set(b, "zookeeper.session.timeout.ms"));
    /* A bare prefix is not a name. */
    char errstr[256];
    ck_assert_int_eq(kl_conf_set(b, "zookeeper.", "x", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    kl_conf_destroy(b);
}
END_TEST

START_TEST(test_tables_refuse_each_other)
{
    char errstr[256];
    kl_conf_t *c = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(c, "log.dirs", "/tmp/x", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(c, "node.id", "1", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(c, "zookeeper.connect", "x", errstr, sizeof errstr),
                     KL_ERR_UNKNOWN_PROPERTY);
    size_t size = 0;
    ck_assert_int_eq(kl_conf_get(c, "log.dirs", NULL, &size), KL_ERR_UNKNOWN_PROPERTY);
    kl_conf_t *b = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(b, "linger.ms", "5", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(b, "bootstrap.servers", "x", errstr, sizeof errstr),
                     KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(b, "group.id", "g", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    /* A name both know means each table's own thing. */
    set_ok(b, "compression.type", "producer");
    ck_assert_int_eq(kl_conf_set(c, "compression.type", "producer", errstr, sizeof errstr),
                     KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_conf_get_int(c, "message.max.bytes"), 1000000);
    ck_assert_int_eq(kl_conf_get_int(b, "message.max.bytes"), 1048588);
    kl_conf_destroy(c);
    kl_conf_destroy(b);
}
END_TEST

START_TEST(test_get_buffer_sizes)
{
    kl_conf_t *conf = kl_conf_new();
    set_ok(conf, "client.id", "0123456789");
    size_t size = 0;
    ck_assert_int_eq(kl_conf_get(conf, "client.id", NULL, &size), KL_ERR_NONE);
    ck_assert_uint_eq(size, 11);
    char buf[16];
    memset(buf, 'x', sizeof buf);
    size = 5;
    ck_assert_int_eq(kl_conf_get(conf, "client.id", buf, &size), KL_ERR_INVALID_ARG);
    ck_assert_uint_eq(size, 11);
    ck_assert_int_eq(buf[0], '\0');
    size = 11;
    ck_assert_int_eq(kl_conf_get(conf, "client.id", buf, &size), KL_ERR_NONE);
    ck_assert_str_eq(buf, "0123456789");
    ck_assert_uint_eq(size, 11);
    size = sizeof buf;
    ck_assert_int_eq(kl_conf_get(conf, "group.id", buf, &size), KL_ERR_NONE);
    ck_assert_uint_eq(size, 1);
    ck_assert_str_eq(buf, "");
    size = sizeof buf;
    ck_assert_int_eq(kl_conf_get(conf, "no.such.name", buf, &size), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_get(conf, "client.id", buf, NULL), KL_ERR_INVALID_ARG);
    kl_conf_destroy(conf);
}
END_TEST

START_TEST(test_accepts_text)
{
    char buf[256];
    const kl_conf_prop_t *p = kl_conf_lookup(&kl_client_conf_schema, "linger.ms");
    kl_conf_prop_accepts(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "a number between 0 and 900000");
    p = kl_conf_lookup(&kl_client_conf_schema, "isolation.level");
    kl_conf_prop_accepts(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "one of: read_uncommitted, read_committed");
    /* Truncation reports the full length, like snprintf. */
    size_t want = kl_conf_prop_accepts(p, buf, 4);
    ck_assert_uint_eq(want, strlen("one of: read_uncommitted, read_committed"));
    ck_assert_str_eq(buf, "one");
    ck_assert_ptr_null(kl_conf_lookup(&kl_client_conf_schema, "nope"));
    ck_assert_ptr_eq(
        kl_conf_resolve(&kl_client_conf_schema, kl_conf_lookup(&kl_client_conf_schema, "linger.ms")),
        kl_conf_resolve(&kl_client_conf_schema,
                        kl_conf_lookup(&kl_client_conf_schema, "queue.buffering.max.ms")));
}
END_TEST

/* listener.name.<l>.<setting>: the setting's own rules, the listener name
 * in lower case, the broker-wide value when unset, copied by dup. */
START_TEST(test_scoped_settings)
{
    kl_conf_t *conf = kl_broker_conf_new();
    char errstr[512];
    set_ok(conf, "sasl.enabled.mechanisms", "SCRAM-SHA-512");
    set_ok(conf, "listener.name.SASL_SSL.sasl.enabled.mechanisms", "PLAIN");
    ck_assert_int_eq(kl_conf_get_int(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms"), 1);
    ck_assert_str_eq(get(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms"), "PLAIN");
    ck_assert(kl_conf_is_set(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms"));
    /* another listener: the broker-wide value */
    ck_assert_int_eq(kl_conf_get_int(conf, "listener.name.other.sasl.enabled.mechanisms"), 4);
    ck_assert(!kl_conf_is_set(conf, "listener.name.other.sasl.enabled.mechanisms"));
    ck_assert_int_eq(kl_conf_get_int(conf, "sasl.enabled.mechanisms"), 4);
    /* the setting's own rules */
    ck_assert_int_eq(kl_conf_set(conf, "listener.name.a.ssl.client.auth", "sometimes", errstr, sizeof errstr),
                     KL_ERR_INVALID_VALUE);
    ck_assert_msg(strstr(errstr, "listener.name.a.ssl.client.auth"), "%s", errstr);
    ck_assert_int_eq(kl_conf_set(conf, "listener.name.a.log.dirs", "/x", errstr, sizeof errstr),
                     KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(conf, "listener.name.a", "x", errstr, sizeof errstr), KL_ERR_UNKNOWN_PROPERTY);
    ck_assert_int_eq(kl_conf_set(conf, "listener.name.a.sasl.jaas.config", "x", errstr, sizeof errstr),
                     KL_ERR_UNKNOWN_PROPERTY); /* wants the mechanism word */
    /* <listener>.<mechanism>.sasl.jaas.config, the word in lower case too */
    set_ok(conf, "listener.name.A.PLAIN.sasl.jaas.config", "text");
    ck_assert_str_eq(kl_conf_get_str(conf, "listener.name.a.plain.sasl.jaas.config"), "text");
    ck_assert_str_eq(kl_conf_get_str(conf, "listener.name.a.oauthbearer.sasl.jaas.config"), "");
    kl_conf_t *copy = kl_conf_dup(conf);
    set_ok(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-256");
    ck_assert_int_eq(kl_conf_get_int(copy, "listener.name.sasl_ssl.sasl.enabled.mechanisms"), 1);
    ck_assert_int_eq(kl_conf_get_int(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms"), 2);
    /* reset: back to the broker-wide value */
    ck_assert_int_eq(kl_conf_set(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms", NULL, NULL, 0),
                     KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_get_int(conf, "listener.name.sasl_ssl.sasl.enabled.mechanisms"), 4);
    kl_conf_destroy(copy);
    kl_conf_destroy(conf);
}
END_TEST

static Suite *conf_suite(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_client_defaults);
    tcase_add_test(tc, test_tables_are_consistent);
    tcase_add_test(tc, test_set_get_round_trip);
    tcase_add_test(tc, test_unknown_names_suggest);
    tcase_add_test(tc, test_bad_values_refused);
    tcase_add_test(tc, test_aliases_set_target);
    tcase_add_test(tc, test_acks_all);
    tcase_add_test(tc, test_dup_is_deep);
    tcase_add_test(tc, test_dump_lists_each_property_once);
    tcase_add_test(tc, test_broker_defaults);
    tcase_add_test(tc, test_broker_quickstart_files_load);
    tcase_add_test(tc, test_tables_refuse_each_other);
    tcase_add_test(tc, test_get_buffer_sizes);
    tcase_add_test(tc, test_accepts_text);
    tcase_add_test(tc, test_scoped_settings);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conf_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
