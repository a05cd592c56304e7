/*
 * A tiny JSON reader for the C tests only: enough to read the spec/fixtures cases and the
 * verdicts the library writes, and to compare values the way tests/conformance.rs does
 * (objects as unordered maps). Hand-written because the tests must build with nothing but the
 * system C compiler; not for production use.
 */
#ifndef HCX_TEST_JSON_H
#define HCX_TEST_JSON_H

#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype type;
    int boolean;
    double number;
    char *string;        /* J_STR: NUL-terminated UTF-8 (strings with \u0000 are refused) */
    size_t len;          /* J_ARR, J_OBJ: how many items */
    struct jval **items; /* J_ARR, J_OBJ: the values */
    char **keys;         /* J_OBJ: the keys */
} jval;

/* Parses exactly one JSON value (surrounding whitespace allowed); NULL if it is not JSON. */
jval *json_parse(const char *text, size_t len);
void json_free(jval *v);
/* The member `key` of an object, or NULL (also when `obj` is NULL or no object). */
const jval *json_get(const jval *obj, const char *key);
/* The string, or NULL when `v` is no string. */
const char *json_str(const jval *v);
/* Deep equality; objects compare as maps, numbers by value. */
int json_equal(const jval *a, const jval *b);

#endif
