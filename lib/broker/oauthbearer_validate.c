/* OAUTHBEARER's unsecured validation (see oauthbearer_validate.h): the
 * GS2 header and key/value pairs, base64url, and just enough JSON to read
 * a flat object's strings, numbers and lists of strings. */
#include "broker/oauthbearer_validate.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX 4096

/* ---- base64url (RFC 4648 §5, padding optional) ---- */

static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    return ch == '-' ? 62 : ch == '_' ? 63 : -1;
}

/* Decodes in[0..len) into out (size bytes, NUL-terminated); false when it
 * is not base64url or does not fit. */
static bool b64url_decode(const char *in, size_t len, char *out, size_t size)
{
    while (len && in[len - 1] == '=')
        len--;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= size)
                return false;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return len % 4 != 1 && memchr(out, '\0', n) == NULL;
}

/* ---- a flat JSON object ---- */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* A string at p ('"'): decoded into out (size bytes; NULL: skipped);
 * the end, or NULL when malformed or too long. \u escapes are kept only
 * for ASCII. */
static const char *json_string(const char *p, char *out, size_t size)
{
    size_t n = 0;
    if (*p++ != '"')
        return NULL;
    for (; *p && *p != '"'; p++) {
        char ch = *p;
        if ((unsigned char)ch < 0x20)
            return NULL;
        if (ch == '\\') {
            p++;
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *k = *p ? strchr(from, *p) : NULL;
            if (k) {
                ch = to[k - from];
            } else if (*p == 'u' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]) &&
                       isxdigit((unsigned char)p[3]) && isxdigit((unsigned char)p[4])) {
                char hex[5] = {p[1], p[2], p[3], p[4], 0};
                long code = strtol(hex, NULL, 16);
                ch = code > 0 && code < 0x80 ? (char)code : '?';
                p += 4;
            } else {
                return NULL;
            }
        }
        if (out) {
            if (n + 1 >= size)
                return NULL;
            out[n++] = ch;
        }
    }
    if (*p != '"')
        return NULL;
    if (out)
        out[n] = '\0';
    return p + 1;
}

/* Past the value at p (any JSON value), or NULL. */
static const char *json_skip(const char *p, int depth)
{
    p = ws(p);
    if (*p == '"')
        return json_string(p, NULL, 0);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        if (depth > 16)
            return NULL;
        p = ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                if (!(p = json_string(ws(p), NULL, 0)) || *(p = ws(p)) != ':')
                    return NULL;
                p++;
            }
            if (!(p = json_skip(p, depth + 1)))
                return NULL;
            p = ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    size_t n = strspn(p, "0123456789+-.eE");
    if (n)
        return p + n;
    for (const char *const *lit = (const char *const[]){"true", "false", "null", NULL}; *lit; lit++)
        if (!strncmp(p, *lit, strlen(*lit)))
            return p + strlen(*lit);
    return NULL;
}

/* The value of member name of the object json, or NULL when absent; *bad
 * when json is not an object. */
static const char *json_member(const char *json, const char *name, bool *bad)
{
    char key[128];
    const char *p = ws(json), *found = NULL;
    *bad = true;
    if (*p++ != '{')
        return NULL;
    p = ws(p);
    if (*p == '}')
        return *bad = *ws(p + 1) != '\0', NULL;
    for (;;) {
        if (!(p = json_string(ws(p), key, sizeof key)) || *(p = ws(p)) != ':')
            return NULL;
        const char *value = ws(p + 1);
        if (!(p = json_skip(value, 0)))
            return NULL;
        if (!strcmp(key, name))
            found = value;
        p = ws(p);
        if (*p == '}')
            break;
        if (*p++ != ',')
            return NULL;
    }
    *bad = *ws(p + 1) != '\0';
    return found;
}

static bool json_number(const char *v, double *out)
{
    char *end;
    if (!v || !(*v == '-' || isdigit((unsigned char)*v)))
        return false;
    *out = strtod(v, &end);
    return end != v && isfinite(*out);
}

/* Whether the scope value v (a string of space-separated scopes, or a list
 * of strings) holds want (len bytes). */
static bool scope_has(const char *v, const char *want, size_t len)
{
    char item[256];
    if (v && *v == '"') {
        if (!json_string(v, item, sizeof item))
            return false;
        for (const char *s = item; *s;) {
            s += strspn(s, " ");
            size_t n = strcspn(s, " ");
            if (n == len && !strncmp(s, want, len))
                return true;
            s += n;
        }
        return false;
    }
    if (!v || *v != '[')
        return false;
    for (const char *p = ws(v + 1); *p == '"';) {
        if (!(p = json_string(p, item, sizeof item)))
            return false;
        if (strlen(item) == len && !strncmp(item, want, len))
            return true;
        p = ws(p);
        if (*p == ',')
            p = ws(p + 1);
    }
    return false;
}

/* ---- the validation ---- */

static bool fail(oauth_result_t *res, const char *status, const char *why, const char *arg)
{
    snprintf(res->status, sizeof res->status, "%s", status);
    snprintf(res->why, sizeof res->why, "%s%s", why, arg);
    return false;
}

static bool fail_token(oauth_result_t *res, const char *why)
{
    return fail(res, "{\"status\":\"invalid_token\"}", why, "");
}

/* Splits the message into its token (*tok, *tok_len), checking the GS2
 * header; the authorization id, when given, into authzid. */
static bool split_message(const char *msg, size_t len, const char **tok, size_t *tok_len, char *authzid,
                          size_t authzid_size)
{
    const char *end = msg + len;
    authzid[0] = '\0';
    if (len < 3 || (msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',' || memchr(msg, '\0', len))
        return false;
    const char *p = msg + 2, *comma = memchr(p, ',', (size_t)(end - p));
    if (!comma)
        return false;
    if (comma > p) {
        if (comma - p < 2 || strncmp(p, "a=", 2) || (size_t)(comma - p - 2) >= authzid_size)
            return false;
        memcpy(authzid, p + 2, (size_t)(comma - p - 2));
        authzid[comma - p - 2] = '\0';
    }
    p = comma + 1;
    if (end - p < 2 || *p != '\1' || end[-1] != '\1' || end[-2] != '\1')
        return false;
    *tok = NULL;
    for (p++; p < end - 1;) { /* key=value\1 pairs; auth is the token */
        const char *sep = memchr(p, '\1', (size_t)(end - p));
        if (sep - p > 12 && !strncmp(p, "auth=Bearer ", 12)) {
            *tok = p + 12;
            *tok_len = (size_t)(sep - p - 12);
        } else if (!memchr(p, '=', (size_t)(sep - p))) {
            return false;
        }
        p = sep + 1;
    }
    return *tok != NULL;
}

/* The token's claims JSON into claims (JSON_MAX bytes), after checking
 * its header says alg none and it carries no signature. */
static bool token_claims(const char *tok, size_t len, char *claims, oauth_result_t *res)
{
    const char *dot1 = memchr(tok, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(tok + len - dot1 - 1)) : NULL;
    if (!dot2 || dot2 + 1 != tok + len)
        return fail_token(res, "the token is not an unsecured JWT (header.claims. with an empty signature)");
    char header[512];
    bool bad;
    if (!b64url_decode(tok, (size_t)(dot1 - tok), header, sizeof header))
        return fail_token(res, "the token's header is not base64url");
    const char *alg = json_member(header, "alg", &bad);
    char alg_name[32];
    if (bad || !alg || !json_string(alg, alg_name, sizeof alg_name) || strcmp(alg_name, "none"))
        return fail_token(res, "the token's header does not say alg none");
    if (!b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), claims, JSON_MAX))
        return fail_token(res, "the token's claims are not base64url");
    json_member(claims, "", &bad);
    if (bad)
        return fail_token(res, "the token's claims are not a JSON object");
    return true;
}

/* The principal claim, exp and iat, then the required scopes. */
static bool check_claims(const broker_sasl_conf_t *sc, const char *claims, int64_t now_ms, oauth_result_t *res)
{
    bool bad;
    const char *sub = json_member(claims, sc->principal_claim, &bad);
    if (!sub || *sub != '"' || !json_string(sub, res->principal, sizeof res->principal) || !res->principal[0])
        return fail(res, "{\"status\":\"invalid_token\"}", "no non-empty string principal claim ",
                    sc->principal_claim);
    double exp, iat;
    if (!json_number(json_member(claims, "exp", &bad), &exp))
        return fail_token(res, "no numeric exp claim");
    const char *iat_v = json_member(claims, "iat", &bad);
    if (iat_v && !json_number(iat_v, &iat))
        return fail_token(res, "the iat claim is not a number");
    double skew = (double)sc->clock_skew_ms;
    if ((double)now_ms - skew >= exp * 1000)
        return fail_token(res, "the token expired");
    if (iat_v && iat * 1000 > (double)now_ms + skew)
        return fail_token(res, "the token was issued in the future (iat)");
    if (iat_v && exp <= iat)
        return fail_token(res, "exp is not after iat");
    res->expires_ms = (int64_t)(exp * 1000);
    const char *scope = json_member(claims, sc->scope_claim, &bad);
    for (const char *s = sc->required_scope ? sc->required_scope : ""; *s;) {
        s += strspn(s, " ,");
        size_t n = strcspn(s, " ,");
        if (n && !scope_has(scope, s, n)) {
            char status[160];
            snprintf(status, sizeof status, "{\"status\":\"insufficient_scope\", \"scope\":\"%.100s\"}",
                     sc->required_scope);
            return fail(res, status, "the token's scope lacks some of ", sc->required_scope);
        }
        s += n;
    }
    return true;
}

bool oauthbearer_validate(const broker_sasl_conf_t *sc, const char *msg, size_t len, int64_t now_ms,
                          oauth_result_t *res)
{
    memset(res, 0, sizeof *res);
    const char *tok;
    size_t tok_len;
    char authzid[256];
    if (!split_message(msg, len, &tok, &tok_len, authzid, sizeof authzid)) {
        res->malformed = true;
        return fail_token(res, "not an OAUTHBEARER client message (GS2 header, auth=Bearer <token>)");
    }
    char *claims = malloc(JSON_MAX);
    if (!claims)
        return fail_token(res, "out of memory");
    bool ok = token_claims(tok, tok_len, claims, res) && check_claims(sc, claims, now_ms, res);
    free(claims);
    if (ok && authzid[0] && strcmp(authzid, res->principal)) {
        res->malformed = true;
        return fail_token(res, "the authorization id differs from the token's principal");
    }
    return ok;
}
