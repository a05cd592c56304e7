/* The tests' tiny JSON reader (see json.h). */
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *end;
    int depth;
} reader;

static void skip_ws(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static jval *new_val(jtype t) {
    jval *v = calloc(1, sizeof *v);
    if (v) v->type = t;
    return v;
}

static int hex4(reader *r, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        if (r->p >= r->end) return 0;
        char c = *r->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Appends the UTF-8 of a code point. */
static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Reads a string after its opening quote; the result is malloc'd. */
static char *read_string(reader *r) {
    /* The decoded text is never longer than the encoded one. */
    char *out = malloc((size_t)(r->end - r->p) + 1);
    size_t n = 0;
    if (!out) return NULL;
    while (r->p < r->end) {
        unsigned char c = (unsigned char)*r->p++;
        if (c == '"') { out[n] = 0; return out; }
        if (c < 0x20) break;
        if (c != '\\') { out[n++] = (char)c; continue; }
        if (r->p >= r->end) break;
        char e = *r->p++;
        unsigned cp;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u':
            if (!hex4(r, &cp) || cp == 0) goto fail;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u') goto fail;
                r->p += 2;
                if (!hex4(r, &lo) || lo < 0xDC00 || lo >= 0xE000) goto fail;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                goto fail;
            }
            n += put_utf8(out + n, cp);
            break;
        default: goto fail;
        }
    }
fail:
    free(out);
    return NULL;
}

static jval *parse_value(reader *r);

static int push(jval *v, jval *item, char *key) {
    jval **items = realloc(v->items, (v->len + 1) * sizeof *items);
    if (!items) return 0;
    v->items = items;
    if (v->type == J_OBJ) {
        char **keys = realloc(v->keys, (v->len + 1) * sizeof *keys);
        if (!keys) return 0;
        v->keys = keys;
        keys[v->len] = key;
    }
    items[v->len++] = item;
    return 1;
}

static jval *parse_container(reader *r, jtype t, char close) {
    jval *v = new_val(t);
    if (!v) return NULL;
    if (++r->depth > 64) goto fail;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) { r->p++; r->depth--; return v; }
    for (;;) {
        char *key = NULL;
        skip_ws(r);
        if (t == J_OBJ) {
            if (r->p >= r->end || *r->p != '"') goto fail;
            r->p++;
            if (!(key = read_string(r))) goto fail;
            skip_ws(r);
            if (r->p >= r->end || *r->p != ':') { free(key); goto fail; }
            r->p++;
        }
        jval *item = parse_value(r);
        if (!item || !push(v, item, key)) { free(key); json_free(item); goto fail; }
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') { r->p++; continue; }
        if (r->p < r->end && *r->p == close) { r->p++; r->depth--; return v; }
        goto fail;
    }
fail:
    json_free(v);
    return NULL;
}

static int literal(reader *r, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return 0;
    r->p += n;
    return 1;
}

static jval *parse_value(reader *r) {
    skip_ws(r);
    if (r->p >= r->end) return NULL;
    char c = *r->p;
    jval *v;
    if (c == '{') { r->p++; return parse_container(r, J_OBJ, '}'); }
    if (c == '[') { r->p++; return parse_container(r, J_ARR, ']'); }
    if (c == '"') {
        r->p++;
        char *s = read_string(r);
        if (!s || !(v = new_val(J_STR))) { free(s); return NULL; }
        v->string = s;
        return v;
    }
    if (literal(r, "null")) return new_val(J_NULL);
    if (literal(r, "true")) { v = new_val(J_BOOL); if (v) v->boolean = 1; return v; }
    if (literal(r, "false")) return new_val(J_BOOL);
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[64];
        size_t n = 0;
        while (r->p < r->end && n < sizeof buf - 1 &&
               strchr("0123456789+-.eE", *r->p) != NULL)
            buf[n++] = *r->p++;
        buf[n] = 0;
        char *endp;
        double d = strtod(buf, &endp);
        if (endp != buf + n || n == 0) return NULL;
        if (!(v = new_val(J_NUM))) return NULL;
        v->number = d;
        return v;
    }
    return NULL;
}

jval *json_parse(const char *text, size_t len) {
    reader r = {text, text + len, 0};
    jval *v = parse_value(&r);
    skip_ws(&r);
    if (v && r.p != r.end) { json_free(v); return NULL; }
    return v;
}

void json_free(jval *v) {
    if (!v) return;
    for (size_t i = 0; i < v->len; i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

const jval *json_get(const jval *obj, const char *key) {
    if (!obj || obj->type != J_OBJ) return NULL;
    for (size_t i = 0; i < obj->len; i++)
        if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
    return NULL;
}

const char *json_str(const jval *v) { return v && v->type == J_STR ? v->string : NULL; }

int json_equal(const jval *a, const jval *b) {
    if (!a || !b) return a == b;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case J_NULL: return 1;
    case J_BOOL: return a->boolean == b->boolean;
    case J_NUM: return a->number == b->number;
    case J_STR: return strcmp(a->string, b->string) == 0;
    case J_ARR:
        if (a->len != b->len) return 0;
        for (size_t i = 0; i < a->len; i++)
            if (!json_equal(a->items[i], b->items[i])) return 0;
        return 1;
    case J_OBJ:
        if (a->len != b->len) return 0;
        for (size_t i = 0; i < a->len; i++)
            if (!json_equal(a->items[i], json_get(b, a->keys[i]))) return 0;
        return 1;
    }
    return 0;
}
