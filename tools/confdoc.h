/* The configuration reference generated from the property tables of
 * lib/client/conf_table.c and lib/broker/conf_table.c: what each page says
 * (confdoc_pages.c), and two writers, Markdown for CONFIGURATION.md
 * (confdoc_markdown.c) and roff for the man5 pages (confdoc_roff.c). Only
 * the gen_confdoc program uses this; nothing here is installed. */
#ifndef KL_TOOLS_CONFDOC_H
#define KL_TOOLS_CONFDOC_H

#include <stdbool.h>
#include <stdio.h>

#include "util/conf.h"

/* The properties of one category, under a title. */
typedef struct confdoc_section {
    const char *category; /* kl_conf_prop_t.category */
    const char *title;    /* "Producer properties" */
    const char *intro;    /* one paragraph, or NULL */
} confdoc_section_t;

/* One reference page: a man5 page, and one part of CONFIGURATION.md. Text
 * fields are plain text (no markup); the writers escape them. */
typedef struct confdoc_page {
    const kl_conf_schema_t *schema;
    const char *man_name;            /* "kafkalite.conf" */
    const char *man_path;            /* where it is written, under the top dir */
    const char *summary;             /* the NAME line after the dash */
    const char *markdown_title;      /* its heading in CONFIGURATION.md */
    const char *const *description;  /* paragraphs, NULL-terminated */
    const confdoc_section_t *sections;
    size_t section_count;
    const char *ignored_intro;       /* paragraph before the IGNORED names */
    const char *const *see_also;     /* "kl_conf_set(3)", ..., NULL-terminated */
} confdoc_page_t;

/* The pages, in the order CONFIGURATION.md presents them. */
extern const confdoc_page_t *const confdoc_pages[];
extern const size_t confdoc_page_count;

/* "string", "integer", "boolean", "number", "enum", "list". */
const char *confdoc_type_name(const kl_conf_prop_t *prop);

/* What prop accepts, as kl_conf_set()'s error messages say it, or NULL for
 * a free string (the type says it all). buf holds the text. */
const char *confdoc_accepts(const kl_conf_prop_t *prop, char *buf, size_t size);

/* The names that are aliases of prop in schema, comma-separated, or NULL
 * when there are none. buf holds the text. */
const char *confdoc_aliases(const kl_conf_schema_t *schema, const kl_conf_prop_t *prop, char *buf, size_t size);

/* The section of page listing prop, or NULL when prop is an alias, an
 * ignored name, or (a bug the generator reports) of no section. */
const confdoc_section_t *confdoc_section_of(const confdoc_page_t *page, const kl_conf_prop_t *prop);

/* Returns 0 when every documented property of page falls into one of its
 * sections and has a description; otherwise prints what is wrong to stderr
 * and returns -1, so a new category cannot vanish from the docs. */
int confdoc_check(const confdoc_page_t *page);

/* Writes text so roff prints it as it is: backslashes as \e, minus signs
 * (every hyphen in code, hyphens not inside a word in prose) as \-, a
 * leading dot, quote or blank behind \&, non-ASCII UTF-8 as \[uXXXX].
 * text starts a line. Returns -1 for invalid UTF-8. */
int confdoc_roff_text(FILE *out, const char *text, bool code);

/* Writes text for Markdown: in prose, punctuation Markdown would act on
 * behind a backslash; as code (a table cell's code span) with | escaped. */
void confdoc_markdown_text(FILE *out, const char *text, bool code);

/* The man page for page. Returns 0, or -1 when the text cannot be written
 * (invalid UTF-8 in a table). */
int confdoc_write_man(FILE *out, const confdoc_page_t *page);

/* CONFIGURATION.md: every page in turn. */
int confdoc_write_markdown(FILE *out);

#endif
