/* Unit tests of Kafka's console producer line reader as `kafkalite
 * produce` applies it (tools/line_reader.c): keys, headers, custom
 * separators, null.marker, ignore.error and the refused lines. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/line_reader.h"

/* Splits the NUL-terminated line with r. */
static const char *split(const line_reader_t *r, const char *line, line_message_t *m, kl_headers_t *h)
{
    return line_reader_split(r, line, strlen(line), m, h);
}

static void assert_bytes(const char *got, size_t len, const char *want)
{
    if (!want) {
        ck_assert_ptr_null(got);
        return;
    }
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert(!memcmp(got, want, len));
}

static void assert_header(const kl_headers_t *h, size_t i, const char *name, const char *value)
{
    const char *n;
    const void *v;
    size_t len;
    ck_assert_int_eq(kl_headers_get(h, i, &n, &v, &len), KL_ERR_NONE);
    ck_assert_str_eq(n, name);
    assert_bytes(v, len, value);
}

START_TEST(plain_line_is_the_value)
{
    line_reader_t r;
    line_message_t m;
    line_reader_init(&r);
    ck_assert_ptr_null(split(&r, "k\tv", &m, NULL));
    assert_bytes(m.key, m.key_len, NULL);
    assert_bytes(m.value, m.value_len, "k\tv");
}
END_TEST

START_TEST(key_and_separator)
{
    line_reader_t r;
    line_message_t m;
    line_reader_init(&r);
    ck_assert_ptr_null(line_reader_set_arg(&r, "parse.key=true"));
    ck_assert_ptr_null(split(&r, "k1\tv\t1", &m, NULL));
    assert_bytes(m.key, m.key_len, "k1");
    assert_bytes(m.value, m.value_len, "v\t1");
    ck_assert_ptr_null(line_reader_set_arg(&r, "key.separator=::"));
    ck_assert_ptr_null(split(&r, "::v", &m, NULL)); /* an empty key, not a null one */
    assert_bytes(m.key, m.key_len, "");
    assert_bytes(m.value, m.value_len, "v");
    ck_assert_str_eq(split(&r, "no separator", &m, NULL), "no key separator found");
    ck_assert_ptr_null(line_reader_set_arg(&r, "ignore.error=true"));
    ck_assert_ptr_null(split(&r, "no separator", &m, NULL));
    assert_bytes(m.key, m.key_len, NULL);
    assert_bytes(m.value, m.value_len, "no separator");
}
END_TEST

START_TEST(headers_key_value)
{
    line_reader_t r;
    line_message_t m;
    kl_headers_t *h = kl_headers_new();
    line_reader_init(&r);
    ck_assert_ptr_null(line_reader_set_arg(&r, "parse.headers=true"));
    ck_assert_ptr_null(line_reader_set_arg(&r, "parse.key=true"));
    ck_assert_ptr_null(split(&r, "a:1,b:x:y,a:\tkey\tvalue", &m, h));
    ck_assert_uint_eq(kl_headers_count(h), 3);
    assert_header(h, 0, "a", "1");
    assert_header(h, 1, "b", "x:y");
    assert_header(h, 2, "a", "");
    assert_bytes(m.key, m.key_len, "key");
    assert_bytes(m.value, m.value_len, "value");
    kl_headers_destroy(h);

    h = kl_headers_new();
    ck_assert_ptr_null(split(&r, "\tk\tv", &m, h)); /* no headers at all */
    ck_assert_uint_eq(kl_headers_count(h), 0);
    assert_bytes(m.key, m.key_len, "k");
    ck_assert_str_eq(split(&r, "k\tv", &m, h), "a header without its key separator found");
    ck_assert_str_eq(split(&r, "k", &m, h), "no headers delimiter found");
    kl_headers_destroy(h);
}
END_TEST

START_TEST(custom_header_separators_and_null_marker)
{
    line_reader_t r;
    line_message_t m;
    kl_headers_t *h = kl_headers_new();
    line_reader_init(&r);
    ck_assert_ptr_null(line_reader_set(&r, "parse.headers", "true"));
    ck_assert_ptr_null(line_reader_set(&r, "headers.delimiter", "|"));
    ck_assert_ptr_null(line_reader_set(&r, "headers.separator", ";"));
    ck_assert_ptr_null(line_reader_set(&r, "headers.key.separator", "="));
    ck_assert_ptr_null(line_reader_set(&r, "null.marker", "<null>"));
    ck_assert_ptr_null(split(&r, "x=<null>;y=2|<null>", &m, h));
    assert_header(h, 0, "x", NULL);
    assert_header(h, 1, "y", "2");
    assert_bytes(m.value, m.value_len, NULL);
    ck_assert_ptr_null(line_reader_set(&r, "ignore.error", "true"));
    ck_assert_ptr_null(split(&r, "lonely|v", &m, h)); /* a pair without '=': a null value */
    assert_header(h, 2, "lonely", NULL);
    ck_assert_ptr_null(split(&r, "no delimiter", &m, h));
    ck_assert_uint_eq(kl_headers_count(h), 3);
    assert_bytes(m.value, m.value_len, "no delimiter");
    kl_headers_destroy(h);
}
END_TEST

START_TEST(bad_settings_refused)
{
    line_reader_t r;
    line_reader_init(&r);
    ck_assert_ptr_nonnull(line_reader_set_arg(&r, "parse.key=yes"));
    ck_assert_ptr_nonnull(line_reader_set_arg(&r, "key.separator="));
    ck_assert_ptr_nonnull(line_reader_set_arg(&r, "no.such=1"));
    ck_assert_ptr_nonnull(line_reader_set_arg(&r, "parse.key"));
    ck_assert_ptr_nonnull(line_reader_set_arg(&r, "=true"));
    ck_assert(!r.parse_key);
    ck_assert_str_eq(r.key_separator, "\t");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("line_reader");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, plain_line_is_the_value);
    tcase_add_test(tc, key_and_separator);
    tcase_add_test(tc, headers_key_value);
    tcase_add_test(tc, custom_header_separators_and_null_marker);
    tcase_add_test(tc, bad_settings_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
