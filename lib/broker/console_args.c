/* Query and form parameters of the HTTP console's API (see console.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "broker/console.h"

const char *console_arg(const console_arg_t *args, size_t n, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(args[i].name, name))
            v = args[i].value;
    return v;
}

static bool allowed_name(const char *name, const char *const *allowed)
{
    for (size_t k = 0; allowed[k]; k++) {
        size_t len = strlen(allowed[k]);
        bool prefix = len > 0 && allowed[k][len - 1] == '.';
        if (prefix ? !strncmp(name, allowed[k], len) && name[len] : !strcmp(name, allowed[k]))
            return true;
    }
    return false;
}

bool console_args_known(console_page_t *page, const console_arg_t *args, size_t n, const char *const *allowed)
{
    for (size_t i = 0; i < n; i++)
        if (!allowed_name(args[i].name, allowed)) {
            console_error(page, 400, "unknown parameter: %s", args[i].name);
            return false;
        }
    return true;
}

bool console_arg_int(console_page_t *page, const console_arg_t *args, size_t n, const char *name, int64_t min,
                     int64_t max, int64_t *v)
{
    const char *s = console_arg(args, n, name);
    if (!s)
        return true;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (!s[0] || *end || errno || x < min || x > max) {
        console_error(page, 400, "%s must be an integer from %lld to %lld, not \"%s\"", name, (long long)min,
                      (long long)max, s);
        return false;
    }
    *v = x;
    return true;
}
