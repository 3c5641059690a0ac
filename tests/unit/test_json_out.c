/* Unit tests of the JSON Lines writer behind `--format json`
 * (tools/json_out.c): escaping, nesting, null, UTF-8 checks and the base64
 * field for bytes that are not UTF-8. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/json_out.h"

/* What the writer produced, NUL-terminated, from a memory stream. */
typedef struct capture {
    char *text;
    size_t len;
    FILE *out;
} capture_t;

static FILE *capture_start(capture_t *c)
{
    c->text = NULL;
    c->out = open_memstream(&c->text, &c->len);
    ck_assert_ptr_nonnull(c->out);
    return c->out;
}

static const char *capture_end(capture_t *c)
{
    ck_assert_int_eq(fclose(c->out), 0);
    return c->text;
}

START_TEST(escapes_and_nesting)
{
    capture_t c;
    json_out_t j;
    json_begin(&j, capture_start(&c));
    json_str(&j, "s", "a\"b\\c\nd\te\x01\x7f");
    json_int(&j, "n", -42);
    json_bool(&j, "t", true);
    json_null(&j, "z");
    json_str(&j, "none", NULL);
    json_open(&j, "list", '[');
    json_int(&j, NULL, 1);
    json_open(&j, NULL, '{');
    json_str(&j, "k", "v");
    json_close(&j, '{');
    json_open(&j, NULL, '[');
    json_close(&j, '[');
    json_close(&j, '[');
    json_open(&j, "empty", '{');
    json_close(&j, '{');
    json_end(&j);
    ck_assert_str_eq(capture_end(&c), "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\",\"n\":-42,\"t\":true,\"z\":null,"
                                      "\"none\":null,\"list\":[1,{\"k\":\"v\"},[]],\"empty\":{}}\n");
    free(c.text);
}
END_TEST

START_TEST(utf8_kept_invalid_replaced)
{
    capture_t c;
    json_out_t j;
    json_begin(&j, capture_start(&c));
    json_str(&j, "ok", "caf\xc3\xa9 \xf0\x9f\x99\x82");
    json_str(&j, "bad", "a\xff" "b\xc0\xaf");
    json_end(&j);
    ck_assert_str_eq(capture_end(&c), "{\"ok\":\"caf\xc3\xa9 \xf0\x9f\x99\x82\",\"bad\":\"a\\ufffdb\\ufffd\\ufffd\"}\n");
    free(c.text);
}
END_TEST

START_TEST(utf8_validity)
{
    ck_assert(json_utf8_valid((const unsigned char *)"", 0));
    ck_assert(json_utf8_valid((const unsigned char *)"\xe2\x82\xac", 3));          /* U+20AC */
    ck_assert(json_utf8_valid((const unsigned char *)"\xf4\x8f\xbf\xbf", 4));      /* U+10FFFF */
    ck_assert(!json_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4));     /* above U+10FFFF */
    ck_assert(!json_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));         /* a surrogate */
    ck_assert(!json_utf8_valid((const unsigned char *)"\xe0\x80\xaf", 3));         /* overlong */
    ck_assert(!json_utf8_valid((const unsigned char *)"\xe2\x82", 2));             /* cut short */
    ck_assert(!json_utf8_valid((const unsigned char *)"a\0b\x80", 4));             /* lone continuation */
    ck_assert(json_utf8_valid((const unsigned char *)"a\0b", 3));                  /* NUL is text */
}
END_TEST

START_TEST(bytes_as_text_or_base64)
{
    capture_t c;
    json_out_t j;
    json_begin(&j, capture_start(&c));
    json_bytes(&j, "key", NULL, 0);
    json_bytes(&j, "value", "hi\0", 3);
    json_bytes(&j, "b1", "\xff", 1);
    json_bytes(&j, "b2", "\xff\xfe", 2);
    json_bytes(&j, "b3", "\xff\xfe\xfd", 3);
    json_bytes(&j, "b4", "\x00\x10\x83\xff", 4);
    json_end(&j);
    ck_assert_str_eq(capture_end(&c), "{\"key\":null,\"value\":\"hi\\u0000\",\"b1_base64\":\"/w==\","
                                      "\"b2_base64\":\"//4=\",\"b3_base64\":\"//79\",\"b4_base64\":\"ABCD/w==\"}\n");
    free(c.text);
}
END_TEST

START_TEST(reals_and_non_finite)
{
    capture_t c;
    json_out_t j;
    json_begin(&j, capture_start(&c));
    json_real(&j, "a", 1.5);
    json_real(&j, "b", -0.0004);
    json_real(&j, "c", NAN);
    json_real(&j, "d", INFINITY);
    json_end(&j);
    ck_assert_str_eq(capture_end(&c), "{\"a\":1.500,\"b\":-0.000,\"c\":null,\"d\":null}\n");
    free(c.text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json_out");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, escapes_and_nesting);
    tcase_add_test(tc, utf8_kept_invalid_replaced);
    tcase_add_test(tc, utf8_validity);
    tcase_add_test(tc, bytes_as_text_or_base64);
    tcase_add_test(tc, reals_and_non_finite);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
