/* The man5 pages of the configuration reference, written in roff with the
 * man macros: the page's prose, one tagged paragraph per property by
 * section, the ignored names, and SEE ALSO. Every piece of table text goes
 * through confdoc_roff_text(), so a table can say anything. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "confdoc.h"

/* Length of the UTF-8 sequence at s and its code point; 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    size_t len = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    if (!len)
        return 0;
    uint32_t v = s[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
        return 0; /* overlong, out of range, or a surrogate */
    *cp = v;
    return len;
}

int confdoc_roff_text(FILE *out, const char *text, bool code)
{
    const unsigned char *s = (const unsigned char *)text;
    bool line_start = true;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = s[i];
        /* roff reads a leading dot or quote as a request, a leading blank
         * as a break; the zero-width \& in front makes them text. */
        if (line_start && (c == '.' || c == '\'' || c == ' ' || c == '\t'))
            fputs("\\&", out);
        line_start = c == '\n';
        if (c == '\\') {
            fputs("\\e", out);
        } else if (c == '-') {
            /* A hyphen inside a prose word ("comma-separated") stays a
             * hyphen; anything else is a minus sign or an option dash that
             * must stay ASCII when copied from the page. */
            bool in_word = !code && i > 0 && isalnum(s[i - 1]) && isalnum(s[i + 1]);
            fputs(in_word ? "-" : "\\-", out);
        } else if (c >= 0x80) {
            uint32_t cp;
            size_t len = utf8_decode(s + i, &cp);
            if (!len)
                return -1;
            fprintf(out, "\\[u%04X]", (unsigned)cp);
            i += len - 1;
        } else {
            fputc(c, out);
        }
    }
    return 0;
}

/* Text in bold on a line of its own, as code. */
static int bold_line(FILE *out, const char *text)
{
    fputs("\\fB", out);
    int rc = confdoc_roff_text(out, text, true);
    fputs("\\fR\n", out);
    return rc;
}

/* One property: its name as the tag, then its description and facts. */
static int write_property(FILE *out, const confdoc_page_t *page, const kl_conf_prop_t *prop)
{
    char accepts_buf[1024], aliases_buf[512];
    const char *accepts = confdoc_accepts(prop, accepts_buf, sizeof accepts_buf);
    const char *aliases = confdoc_aliases(page->schema, prop, aliases_buf, sizeof aliases_buf);
    int rc = 0;

    fputs(".TP\n", out);
    rc |= bold_line(out, prop->name);
    rc |= confdoc_roff_text(out, prop->doc, false);
    fputs("\n.br\n", out);
    fprintf(out, "Type: %s", confdoc_type_name(prop));
    if (prop->type == KL_CONF_ENUM || prop->type == KL_CONF_SET) {
        /* the members in bold, as values to type */
        fputs(prop->type == KL_CONF_ENUM ? "; one of\n"
                                         : prop->min > 0 ? "; a comma-separated list (not empty) of\n"
                                                         : "; a comma-separated list of\n",
              out);
        for (const kl_conf_sym_t *sym = prop->syms; sym && sym->name; sym++) {
            fputs("\\fB", out);
            rc |= confdoc_roff_text(out, sym->name, true);
            fputs(sym[1].name ? "\\fR,\n" : "\\fR", out);
        }
    } else if (accepts) {
        fputs("; accepts ", out);
        rc |= confdoc_roff_text(out, accepts, false);
    }
    fputs(".\n.br\nDefault: ", out);
    if (!prop->def)
        fputs("none (unset).\n", out);
    else if (!*prop->def)
        fputs("empty.\n", out);
    else
        rc |= bold_line(out, prop->def);
    if (aliases) {
        fputs(".br\nAlias: ", out);
        rc |= bold_line(out, aliases);
    }
    if (prop->flags & KL_CONF_F_SENSITIVE)
        fputs(".br\nA secret: keep it out of files others can read.\n", out);
    return rc;
}

static int write_section(FILE *out, const confdoc_page_t *page, const confdoc_section_t *section)
{
    size_t count;
    const kl_conf_prop_t *props = kl_conf_table(page->schema, &count);
    int rc = 0;
    fputs(".SS \"", out);
    rc |= confdoc_roff_text(out, section->title, false);
    fputs("\"\n", out);
    if (section->intro) {
        rc |= confdoc_roff_text(out, section->intro, false);
        fputc('\n', out);
    }
    for (size_t i = 0; i < count; i++)
        if (confdoc_section_of(page, &props[i]) == section)
            rc |= write_property(out, page, &props[i]);
    return rc;
}

static int write_ignored(FILE *out, const confdoc_page_t *page)
{
    size_t count;
    const kl_conf_prop_t *props = kl_conf_table(page->schema, &count);
    int rc = 0;
    fputs(".SH \"IGNORED PROPERTIES\"\n", out);
    rc |= confdoc_roff_text(out, page->ignored_intro, false);
    fputc('\n', out);
    for (size_t i = 0; i < count; i++) {
        if (props[i].type != KL_CONF_IGNORED)
            continue;
        fputs(".TP\n", out);
        rc |= bold_line(out, props[i].name);
        rc |= confdoc_roff_text(out, props[i].doc, false);
        fputs(".\n", out);
    }
    return rc;
}

/* The upper-case page name for .TH ("KAFKALITE.CONF"). */
static void write_title(FILE *out, const char *name)
{
    for (const char *p = name; *p; p++)
        if (*p == '-')
            fputs("\\-", out);
        else
            fputc(toupper((unsigned char)*p), out);
}

int confdoc_write_man(FILE *out, const confdoc_page_t *page)
{
    int rc = 0;
    fputs(".\\\" Generated by tools/gen_confdoc from the property table; do not edit.\n"
          ".\\\" Run `make update-docs` after changing the table.\n",
          out);
    fputs(".TH ", out);
    write_title(out, page->man_name);
    fprintf(out, " 5 \"\" \"kafkalite %s\" \"kafkalite manual\"\n", KL_VERSION_STR);
    fputs(".SH NAME\n", out);
    rc |= confdoc_roff_text(out, page->man_name, true);
    fputs(" \\- ", out);
    rc |= confdoc_roff_text(out, page->summary, false);
    fputs("\n.SH DESCRIPTION\n", out);
    for (const char *const *para = page->description; *para; para++) {
        if (para != page->description)
            fputs(".PP\n", out);
        rc |= confdoc_roff_text(out, *para, false);
        fputc('\n', out);
    }
    fputs(".SH PROPERTIES\n", out);
    for (size_t i = 0; i < page->section_count; i++)
        rc |= write_section(out, page, &page->sections[i]);
    if (page->ignored_intro)
        rc |= write_ignored(out, page);
    fputs(".SH \"SEE ALSO\"\n", out);
    for (const char *const *ref = page->see_also; *ref; ref++) {
        /* "name(N)" as .BR name (N) with a comma after all but the last */
        char name[128];
        const char *paren = strchr(*ref, '(');
        snprintf(name, sizeof name, "%.*s", paren ? (int)(paren - *ref) : (int)strlen(*ref), *ref);
        fputs(".BR ", out);
        rc |= confdoc_roff_text(out, name, true);
        fprintf(out, " %s%s\n", paren ? paren : "", ref[1] ? "," : "");
    }
    return rc ? -1 : 0;
}
