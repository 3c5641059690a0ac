/* The time formats of kafka-consumer-groups.sh's --to-datetime and
 * --by-duration: see groups.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "groups.h"

/* The zone suffix: "" (local), "Z" or "+hh:mm" / "-hh:mm" (also "+hhmm");
 * false when malformed. */
static bool parse_zone(const char *z, bool *utc, int *offset_min)
{
    *utc = false;
    *offset_min = 0;
    if (!*z)
        return true;
    *utc = true;
    if (!strcmp(z, "Z"))
        return true;
    int h, m, used = 0;
    if ((z[0] != '+' && z[0] != '-') ||
        (sscanf(z + 1, "%2d:%2d%n", &h, &m, &used) != 2 && sscanf(z + 1, "%2d%2d%n", &h, &m, &used) != 2) ||
        z[1 + used] || h > 18 || m > 59)
        return false;
    *offset_min = (z[0] == '-' ? -1 : 1) * (h * 60 + m);
    return true;
}

int64_t groups_parse_datetime(const char *s)
{
    struct tm tm = {0};
    int ms = 0, used = 0, frac_used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &used) != 6 || used != 19)
        return -1;
    const char *rest = s + used;
    if (*rest == '.') {
        if (sscanf(rest, ".%3d%n", &ms, &frac_used) != 1 || frac_used != 4)
            return -1;
        rest += frac_used;
    }
    bool utc;
    int offset_min;
    if (!parse_zone(rest, &utc, &offset_min) || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t t = utc ? timegm(&tm) : mktime(&tm);
    if (t < 0)
        return -1;
    return ((int64_t)t - (int64_t)offset_min * 60) * 1000 + ms;
}

/* One "<number><unit>" part; the number may have a fraction only for S. */
static bool duration_part(const char **p, double *value, char *unit)
{
    char *end;
    if (!isdigit((unsigned char)**p))
        return false;
    *value = strtod(*p, &end);
    if (end == *p || !*end)
        return false;
    *unit = (char)toupper((unsigned char)*end);
    *p = end + 1;
    return true;
}

bool groups_parse_duration(const char *s, int64_t *ms)
{
    const char *p = s;
    int sign = 1;
    if (*p == '-' || *p == '+')
        sign = *p++ == '-' ? -1 : 1;
    if (toupper((unsigned char)*p++) != 'P' || !*p)
        return false;
    double total = 0;
    bool in_time = false, any = false;
    const char *units = "D";
    while (*p) {
        if (toupper((unsigned char)*p) == 'T' && !in_time) {
            in_time = true;
            units = "HMS";
            p++;
            if (!*p)
                return false;
            continue;
        }
        double v;
        char unit;
        const char *at;
        if (!duration_part(&p, &v, &unit) || !(at = strchr(units, unit)))
            return false;
        units = at + 1; /* each unit once, in order */
        total += v * (unit == 'D' ? 86400e3 : unit == 'H' ? 3600e3 : unit == 'M' ? 60e3 : 1e3);
        any = true;
    }
    if (!any || total > 1e15)
        return false;
    *ms = sign * (int64_t)total;
    return true;
}

int64_t groups_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
