/* The subcommands' option parser: see opt_table.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt_table.h"

void opt_init(opt_parser_t *p, const char *prog, int argc, char **argv, const opt_spec_t *const *tables)
{
    memset(p, 0, sizeof *p);
    p->prog = prog;
    p->argc = argc;
    p->argv = argv;
    p->next = 1;
    p->tables = tables;
}

static const opt_spec_t *find_long(const opt_spec_t *const *tables, const char *name, size_t len)
{
    for (const opt_spec_t *const *t = tables; *t; t++)
        for (const opt_spec_t *o = *t; o->id; o++)
            if (o->name && strlen(o->name) == len && !strncmp(o->name, name, len))
                return o;
    return NULL;
}

static const opt_spec_t *find_short(const opt_spec_t *const *tables, char letter)
{
    for (const opt_spec_t *const *t = tables; *t; t++)
        for (const opt_spec_t *o = *t; o->id; o++)
            if (o->letter && o->letter == letter)
                return o;
    return NULL;
}

/* Edit distance of a[0..la) and b counting insertions, deletions,
 * substitutions and swaps of two neighbours (optimal string alignment);
 * SIZE_MAX past 64 characters. */
static size_t distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), d[65][65];
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *opt_suggest(const opt_spec_t *const *tables, const char *unknown)
{
    while (*unknown == '-')
        unknown++;
    size_t len = strcspn(unknown, "=");
    size_t limit = len / 3 < 3 ? len / 3 : 3, best = SIZE_MAX;
    if (limit < 1)
        limit = 1;
    const char *found = NULL;
    for (const opt_spec_t *const *t = tables; *t; t++)
        for (const opt_spec_t *o = *t; o->id; o++) {
            if (!o->name)
                continue;
            size_t d = distance(unknown, len, o->name);
            if (d <= limit && d < best) {
                best = d;
                found = o->name;
            }
        }
    return found;
}

static int unknown(opt_parser_t *p, const char *arg)
{
    const char *near = opt_suggest(p->tables, arg);
    size_t len = strcspn(arg, "=");
    fprintf(stderr, "%s: unknown option %.*s", p->prog, (int)len, arg);
    if (near)
        fprintf(stderr, " (did you mean --%s?)", near);
    fputc('\n', stderr);
    return OPT_ERROR;
}

static int missing_value(opt_parser_t *p)
{
    fprintf(stderr, "%s: %s needs a value\n", p->prog, p->text);
    return OPT_ERROR;
}

static int next_long(opt_parser_t *p, const char *arg)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const opt_spec_t *o = find_long(p->tables, name, len);
    if (!o)
        return unknown(p, arg);
    snprintf(p->text, sizeof p->text, "--%s", o->name);
    if (o->arg == OPT_FLAG) {
        if (eq) {
            fprintf(stderr, "%s: %s takes no value\n", p->prog, p->text);
            return OPT_ERROR;
        }
        return o->id;
    }
    if (eq)
        p->value = eq + 1;
    else if (p->next < p->argc && (o->arg == OPT_VALUE || p->argv[p->next][0] != '-'))
        p->value = p->argv[p->next++];
    else if (o->arg == OPT_VALUE)
        return missing_value(p);
    return o->id;
}

static int next_short(opt_parser_t *p)
{
    char letter = *p->bundle++;
    const opt_spec_t *o = find_short(p->tables, letter);
    snprintf(p->text, sizeof p->text, "-%c", letter);
    if (!o) {
        p->bundle = NULL;
        fprintf(stderr, "%s: unknown option -%c\n", p->prog, letter);
        return OPT_ERROR;
    }
    if (o->arg != OPT_FLAG) {
        if (*p->bundle)
            p->value = p->bundle;
        else if (p->next < p->argc)
            p->value = p->argv[p->next++];
        else if (o->arg == OPT_VALUE)
            return missing_value(p);
        p->bundle = NULL;
    }
    if (p->bundle && !*p->bundle)
        p->bundle = NULL;
    return o->id;
}

int opt_next(opt_parser_t *p)
{
    p->value = NULL;
    if (p->bundle)
        return next_short(p);
    if (p->next >= p->argc)
        return OPT_END;
    const char *arg = p->argv[p->next++];
    if (p->operands_only || arg[0] != '-' || !arg[1]) {
        p->value = arg;
        return OPT_OPERAND;
    }
    if (!strcmp(arg, "--")) {
        p->operands_only = true;
        return opt_next(p);
    }
    if (arg[1] == '-')
        return next_long(p, arg);
    p->bundle = arg + 1;
    return next_short(p);
}

bool opt_int(const opt_parser_t *p, int64_t min, int64_t max, int64_t *out)
{
    const char *text = p->value ? p->value : "";
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "%s: %s wants a whole number between %" PRId64 " and %" PRId64 ", not \"%s\"\n", p->prog,
                p->text, min, max, text);
        return false;
    }
    *out = v;
    return true;
}

bool opt_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    return false;
}
