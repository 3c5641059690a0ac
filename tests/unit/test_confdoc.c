/* Unit tests of the configuration reference generator (tools/confdoc_*):
 * roff and Markdown escaping of awkward text, aliases gathered per
 * property, and the check that refuses a property no section lists. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/confdoc.h"

/* What fn writes, as a malloc'ed string. */
static char *roff(const char *text, bool code, int *rcp)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    int rc = confdoc_roff_text(out, text, code);
    fclose(out);
    if (rcp)
        *rcp = rc;
    return buf;
}

static char *markdown(const char *text, bool code)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    confdoc_markdown_text(out, text, code);
    fclose(out);
    return buf;
}

#define ROFF_IS(text, code, want)                   \
    do {                                            \
        char *got_ = roff((text), (code), NULL);    \
        ck_assert_str_eq(got_, (want));             \
        free(got_);                                 \
    } while (0)

START_TEST(roff_hyphens)
{
    /* Prose: a hyphen inside a word stays; a minus or a dash does not. */
    ROFF_IS("comma-separated", false, "comma-separated");
    ROFF_IS("-1 disables it", false, "\\-1 disables it");
    ROFF_IS("use -X here", false, "use \\-X here");
    ROFF_IS("ends with-", false, "ends with\\-");
    /* Code: every hyphen is a minus, so it pastes as ASCII. */
    ROFF_IS("SCRAM-SHA-256", true, "SCRAM\\-SHA\\-256");
    ROFF_IS("cooperative-sticky", true, "cooperative\\-sticky");
}
END_TEST

START_TEST(roff_backslashes_and_line_starts)
{
    ROFF_IS("C:\\dir\\", true, "C:\\edir\\e");
    ROFF_IS("\\fB not a font", false, "\\efB not a font");
    /* A leading dot or quote would be a request, a leading blank a break. */
    ROFF_IS(".SH not a section", false, "\\&.SH not a section");
    ROFF_IS("'br", false, "\\&'br");
    ROFF_IS(" indented", false, "\\& indented");
    ROFF_IS("one\n.two", false, "one\n\\&.two");
    /* Elsewhere they are plain text. */
    ROFF_IS("a.b 'c'", false, "a.b 'c'");
    ROFF_IS("", false, "");
}
END_TEST

START_TEST(roff_utf8)
{
    ROFF_IS("caf\xc3\xa9", false, "caf\\[u00E9]");
    ROFF_IS("\xe2\x82\xac", false, "\\[u20AC]");
    ROFF_IS("\xf0\x9f\x98\x80", false, "\\[u1F600]");
    const char *bad[] = {"\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xff", "x\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = 0;
        free(roff(bad[i], false, &rc));
        ck_assert_msg(rc == -1, "invalid UTF-8 #%zu accepted", i);
    }
}
END_TEST

START_TEST(markdown_escapes)
{
    char *s = markdown("a|b `c` *d* _e_ [f] <g> #h \\i", false);
    ck_assert_str_eq(s, "a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\] \\<g\\> \\#h \\\\i");
    free(s);
    s = markdown("zookeeper.*", true);
    ck_assert_str_eq(s, "`zookeeper.*`");
    free(s);
    s = markdown("A:B|C", true);
    ck_assert_str_eq(s, "`A:B\\|C`");
    free(s);
    s = markdown("x`y", true);
    ck_assert_str_eq(s, "`` x`y ``");
    free(s);
}
END_TEST

static const kl_conf_prop_t fake_props[] = {
    KL_PROP_INT("a.size", "alpha", "1", 0, 10, "A size."),
    KL_PROP_ALIAS("a.old", "a.size"),
    KL_PROP_STR("b.name", "beta", NULL, "A name."),
    KL_PROP_ALIAS("a.older", "a.size"),
    KL_PROP_IGNORED("z.*", "no zed here"),
};
static const kl_conf_schema_t fake_schema = {"fake", fake_props, sizeof fake_props / sizeof fake_props[0]};
static const confdoc_section_t alpha_only[] = {{"alpha", "Alpha", NULL}};
static const confdoc_section_t both[] = {{"alpha", "Alpha", NULL}, {"beta", "Beta", NULL}};
static const char *const no_text[] = {NULL};

START_TEST(aliases_listed_per_property)
{
    char buf[128];
    const char *aliases = confdoc_aliases(&fake_schema, &fake_props[0], buf, sizeof buf);
    ck_assert_ptr_nonnull(aliases);
    ck_assert_str_eq(aliases, "a.old, a.older");
    ck_assert_ptr_null(confdoc_aliases(&fake_schema, &fake_props[2], buf, sizeof buf));
}
END_TEST

START_TEST(check_refuses_unlisted_categories)
{
    confdoc_page_t page = {.schema = &fake_schema, .man_name = "fake", .man_path = "fake.5",
                           .summary = "fake", .markdown_title = "Fake", .description = no_text,
                           .sections = alpha_only, .section_count = 1, .ignored_intro = "Ignored.",
                           .see_also = no_text};
    ck_assert_int_eq(confdoc_check(&page), -1); /* b.name's "beta" has no section */
    page.sections = both;
    page.section_count = 2;
    ck_assert_int_eq(confdoc_check(&page), 0);
    ck_assert_ptr_eq(confdoc_section_of(&page, &fake_props[2]), &both[1]);
    ck_assert_ptr_null(confdoc_section_of(&page, &fake_props[1]));
    page.ignored_intro = NULL; /* the ignored name would have nowhere to go */
    ck_assert_int_eq(confdoc_check(&page), -1);
}
END_TEST

START_TEST(real_pages_pass_the_check)
{
    ck_assert_uint_ge(confdoc_page_count, 2);
    for (size_t i = 0; i < confdoc_page_count; i++)
        ck_assert_int_eq(confdoc_check(confdoc_pages[i]), 0);
}
END_TEST

START_TEST(man_page_lists_every_property_once)
{
    for (size_t p = 0; p < confdoc_page_count; p++) {
        const confdoc_page_t *page = confdoc_pages[p];
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        ck_assert_int_eq(confdoc_write_man(out, page), 0);
        fclose(out);
        size_t count;
        const kl_conf_prop_t *props = kl_conf_table(page->schema, &count);
        for (size_t i = 0; i < count; i++) {
            if (props[i].type == KL_CONF_ALIAS)
                continue;
            /* the tag line of the property: ".TP\n\fBname\fR\n" */
            char *name = roff(props[i].name, true, NULL);
            char tag[512];
            snprintf(tag, sizeof tag, ".TP\n\\fB%s\\fR\n", name);
            free(name);
            const char *hit = strstr(buf, tag);
            ck_assert_msg(hit != NULL, "%s: no entry for %s", page->man_name, props[i].name);
            ck_assert_msg(strstr(hit + 1, tag) == NULL, "%s: two entries for %s", page->man_name,
                          props[i].name);
        }
        free(buf);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("confdoc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, roff_hyphens);
    tcase_add_test(tc, roff_backslashes_and_line_starts);
    tcase_add_test(tc, roff_utf8);
    tcase_add_test(tc, markdown_escapes);
    tcase_add_test(tc, aliases_listed_per_property);
    tcase_add_test(tc, check_refuses_unlisted_categories);
    tcase_add_test(tc, real_pages_pass_the_check);
    tcase_add_test(tc, man_page_lists_every_property_once);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
