/* Unit tests for tools/properties.c: the Java .properties rules Kafka's
 * server.properties files rely on (comments, separators, continuations,
 * escapes, line numbers). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/properties.h"

/* Collected "key|value|line" entries joined by newlines. */
typedef struct collected {
    char text[4096];
    int stop_at; /* stop (return 7) at this entry number, 0: never */
    int count;
} collected_t;

static int collect(void *opaque, const char *key, const char *value, int line)
{
    collected_t *c = opaque;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s|%s|%d\n", key, value, line);
    return ++c->count == c->stop_at ? 7 : 0;
}

static void expect(const char *input, const char *want)
{
    collected_t c = {{0}, 0, 0};
    int bad_line;
    ck_assert_int_eq(properties_parse(input, strlen(input), collect, &c, &bad_line), 0);
    ck_assert_str_eq(c.text, want);
}

START_TEST(test_separators_and_comments)
{
    expect("# comment\n! also\n\n   \na=1\nb : 2\nc 3\nd\t=\t4 \ne=\nf\ng==x\nh:=y\n",
           "a|1|5\nb|2|6\nc|3|7\nd|4 |8\ne||9\nf||10\ng|=x|11\nh|=y|12\n");
    /* a separator inside the value stays */
    expect("listeners=PLAINTEXT://:9092,CONTROLLER://:9093\n",
           "listeners|PLAINTEXT://:9092,CONTROLLER://:9093|1\n");
    /* leading blanks before a comment; no newline at the end */
    expect("   # x\n  key = value", "key|value|2\n");
}
END_TEST

START_TEST(test_line_endings_and_continuations)
{
    expect("a=1\r\nb=2\rc=3\n", "a|1|1\nb|2|2\nc|3|3\n");
    expect("list=one,\\\n     two,\\\n\t three\nnext=x\n", "list|one,two,three|1\nnext|x|4\n");
    /* an even number of backslashes does not continue */
    expect("a=b\\\\\nc=d\n", "a|b\\|1\nc|d|2\n");
    /* a continued line starting with # is not a comment */
    expect("a=1\\\n#2\n", "a|1#2|1\n");
    /* a comment does not continue */
    expect("# x\\\na=1\n", "a|1|2\n");
    /* a continuation at the very end */
    expect("a=1\\", "a|1|1\n");
    /* an empty line ends a continuation */
    expect("a=1\\\n\nb=2\n", "a|1|1\nb|2|3\n");
}
END_TEST

START_TEST(test_escapes)
{
    expect("k\\=ey\\:x\\ y=v\\tw\\nx\\\\z\\q\n", "k=ey:x y|v\tw\nx\\zq|1\n");
    expect("u=\\u0041\\u00e9\\u20AC\n", "u|A\xc3\xa9\xe2\x82\xac|1\n");
    /* a surrogate pair is one code point; a lone one becomes U+FFFD */
    expect("p=\\uD83D\\uDE00\nq=\\uD83D!\n", "p|\xf0\x9f\x98\x80|1\nq|\xef\xbf\xbd!|2\n");
    collected_t c = {{0}, 0, 0};
    int bad_line;
    const char *bad = "ok=1\nbad=\\u12G4\n";
    ck_assert_int_eq(properties_parse(bad, strlen(bad), collect, &c, &bad_line), -1);
    ck_assert_int_eq(bad_line, 2);
    const char *short_u = "x=\\u12";
    ck_assert_int_eq(properties_parse(short_u, strlen(short_u), collect, &c, &bad_line), -1);
    ck_assert_int_eq(bad_line, 1);
}
END_TEST

START_TEST(test_callback_stops)
{
    collected_t c = {{0}, 2, 0};
    int bad_line;
    const char *in = "a=1\nb=2\nc=3\n";
    ck_assert_int_eq(properties_parse(in, strlen(in), collect, &c, &bad_line), 7);
    ck_assert_str_eq(c.text, "a|1|1\nb|2|2\n");
}
END_TEST

static Suite *properties_suite(void)
{
    Suite *s = suite_create("properties");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_separators_and_comments);
    tcase_add_test(tc, test_line_endings_and_continuations);
    tcase_add_test(tc, test_escapes);
    tcase_add_test(tc, test_callback_stops);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(properties_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
