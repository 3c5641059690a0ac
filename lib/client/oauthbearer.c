/* OAUTHBEARER with an unsecured JWT (see oauthbearer.h): the config parsed
 * into claims, the token as base64url(header) "." base64url(claims) ".",
 * and RFC 7628's GS2 header and key/value pairs around it. */
#include "client/oauthbearer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

typedef struct oauth_config {
    char principal[256];
    char scope[256];
    long long life_seconds;
    char extensions[512]; /* "key=value\1" each */
} oauth_config_t;

/* Copies value[0..len) into dst unless too long or holding characters
 * that JSON would need escaped. */
static bool copy_value(char *dst, size_t size, const char *value, size_t len)
{
    if (len >= size)
        return false;
    for (size_t i = 0; i < len; i++)
        if (value[i] == '"' || value[i] == '\\' || (unsigned char)value[i] < 0x20)
            return false;
    memcpy(dst, value, len);
    dst[len] = '\0';
    return true;
}

static bool parse_pair(oauth_config_t *c, const char *key, size_t klen, const char *value, size_t vlen, char *why,
                       size_t why_size)
{
    if (klen == 9 && !strncmp(key, "principal", 9))
        return copy_value(c->principal, sizeof c->principal, value, vlen) ||
               (snprintf(why, why_size, "sasl.oauthbearer.config: principal is too long or has \" or \\"), false);
    if (klen == 5 && !strncmp(key, "scope", 5))
        return copy_value(c->scope, sizeof c->scope, value, vlen) ||
               (snprintf(why, why_size, "sasl.oauthbearer.config: scope is too long or has \" or \\"), false);
    if (klen == 11 && !strncmp(key, "lifeSeconds", 11)) {
        char buf[24], *end;
        snprintf(buf, sizeof buf, "%.*s", (int)(vlen < 23 ? vlen : 23), value);
        c->life_seconds = strtoll(buf, &end, 10);
        if (vlen == 0 || vlen > 12 || *end || c->life_seconds < 1)
            return snprintf(why, why_size, "sasl.oauthbearer.config: lifeSeconds wants a positive number"), false;
        return true;
    }
    if (klen > 10 && !strncmp(key, "extension_", 10)) {
        size_t off = strlen(c->extensions);
        if (off + klen + vlen + 2 >= sizeof c->extensions || memchr(value, '\1', vlen))
            return snprintf(why, why_size, "sasl.oauthbearer.config: extensions too long"), false;
        snprintf(c->extensions + off, sizeof c->extensions - off, "%.*s=%.*s\1", (int)(klen - 10), key + 10,
                 (int)vlen, value);
        return true;
    }
    snprintf(why, why_size, "sasl.oauthbearer.config: unknown setting \"%.*s\" (principal, scope, lifeSeconds, "
                            "extension_NAME)", (int)klen, key);
    return false;
}

static bool parse_config(const char *config, oauth_config_t *c, char *why, size_t why_size)
{
    memset(c, 0, sizeof *c);
    c->life_seconds = 3600;
    for (const char *p = config; *p;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t");
        if (!n)
            break;
        const char *eq = memchr(p, '=', n);
        if (!eq) {
            snprintf(why, why_size, "sasl.oauthbearer.config: \"%.*s\" is not name=value", (int)n, p);
            return false;
        }
        if (!parse_pair(c, p, (size_t)(eq - p), eq + 1, n - (size_t)(eq - p) - 1, why, why_size))
            return false;
        p += n;
    }
    if (!c->principal[0]) {
        snprintf(why, why_size, "sasl.oauthbearer.config needs principal=NAME (the unsecured token's subject)");
        return false;
    }
    return true;
}

bool kl_oauthbearer_check_config(const char *config, char *why, size_t why_size)
{
    oauth_config_t c;
    return parse_config(config, &c, why, why_size);
}

/* base64url without padding (RFC 7515), appended to out. */
static void base64url(kl_buf_t *out, const char *in, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)in[i + 2];
        size_t chars = len - i >= 3 ? 4 : len - i + 1;
        for (size_t k = 0; k < chars; k++)
            kl_buf_put_i8(out, (int8_t)abc[(v >> (18 - 6 * k)) & 63]);
    }
}

/* The claims: sub, iat, exp, and scope as a list when given. */
static void claims_json(const oauth_config_t *c, int64_t now_ms, char *json, size_t size)
{
    long long iat = (long long)(now_ms / 1000);
    int n = snprintf(json, size, "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld", c->principal, iat,
                     iat + c->life_seconds);
    if (c->scope[0]) {
        n += snprintf(json + n, size - (size_t)n, ",\"scope\":[");
        const char *p = c->scope;
        for (bool first = true; *p; first = false) {
            size_t len = strcspn(p, ",");
            n += snprintf(json + n, size - (size_t)n, "%s\"%.*s\"", first ? "" : ",", (int)len, p);
            p += len + (p[len] == ',');
        }
        n += snprintf(json + n, size - (size_t)n, "]");
    }
    snprintf(json + n, size - (size_t)n, "}");
}

char *kl_oauthbearer_client_first(const char *config, int64_t now_ms, size_t *lenp)
{
    oauth_config_t c;
    char why[200], json[1024];
    if (!parse_config(config, &c, why, sizeof why))
        return NULL;
    static const char header[] = "{\"alg\":\"none\"}";
    claims_json(&c, now_ms, json, sizeof json);
    kl_buf_t out;
    kl_buf_init(&out, 0);
    static const char gs2[] = "n,,\1auth=Bearer ";
    kl_buf_put(&out, gs2, sizeof gs2 - 1);
    base64url(&out, header, sizeof header - 1);
    kl_buf_put_i8(&out, '.');
    base64url(&out, json, strlen(json));
    kl_buf_put(&out, ".\1", 2);
    kl_buf_put(&out, c.extensions, strlen(c.extensions));
    kl_buf_put_i8(&out, '\1');
    if (kl_buf_error(&out)) {
        kl_buf_free(&out);
        return NULL;
    }
    return (char *)kl_buf_steal(&out, lenp);
}
