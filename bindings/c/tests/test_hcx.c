/*
 * The C API's tests, built with the system C compiler by bindings/c/test.sh:
 *   1. every case of spec/fixtures/cases through the C API, asserting the exact outcome as
 *      tests/conformance.rs does (code, reason, and the valid fields), plus verify_many and
 *      verify_chunks agreeing byte for byte with verify_text;
 *   2. the call contract: NULL pointers, text that is not UTF-8, impossible lengths;
 *   3. one verifier shared by several threads;
 *   4. keygen, pubkey, issue and decode, and an issued code verifying.
 * Usage: test_hcx FIXTURES_DIR [THREAD_ROUNDS]. Exits non-zero on any failure.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "hcx.h"
#include "json.h"

static int failures = 0, checks = 0;
static const char *fixtures;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

/* Reads a file under the fixtures directory. */
static char *read_file(const char *rel, size_t *len) { return read_fixture(fixtures, rel, len); }

/* Unix seconds of "YYYY-MM-DDTHH:MM:SSZ" (the only form the fixtures use); exits otherwise. */
static int64_t unix_time(const char *s) {
    int y, mo, d, h, mi, se;
    char z;
    if (!s || strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z') {
        fprintf(stderr, "unexpected time %s\n", s ? s : "(none)");
        exit(2);
    }
    /* Days from civil (proleptic Gregorian), as in H. Hinnant's algorithm. */
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + se;
}

/* The outcome field `key` of a verdict, in the fixtures' vocabulary (as conformance.rs maps it). */
static const jval *outcome_field(const jval *verdict, const char *key) {
    const jval *valid = json_get(verdict, "valid");
    if (strcmp(key, "valid") == 0) return valid;
    if (valid && valid->boolean) {
        if (strcmp(key, "issuer") == 0) return json_get(json_get(verdict, "issuer"), "id");
        const char *fields[] = {"key_id", "issued_at", "expires_at", "claims", "not_before", "status_list"};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (strcmp(key, fields[i]) == 0) return json_get(verdict, key);
        return NULL;
    }
    if (strcmp(key, "error") == 0) return json_get(json_get(verdict, "error"), "code");
    if (strcmp(key, "reason") == 0) return json_get(json_get(verdict, "error"), "reason");
    return NULL;
}

/* Whether a verdict's `status_list` is what a case expects. A case names the outcome and the
 * sequence, and `not_covered` / `stale` when they are present (the verdict also names the list's
 * issuer and dates); as conformance.rs compares them: each of the four exactly, absent = absent. */
static int same_status_list(const jval *got, const jval *expected) {
    const char *fields[] = {"outcome", "sequence", "not_covered", "stale"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const jval *g = json_get(got, fields[i]), *e = json_get(expected, fields[i]);
        if (g && g->type == J_NULL) g = NULL;
        if ((g == NULL) != (e == NULL) || (g && !json_equal(g, e))) return 0;
    }
    for (size_t i = 0; i < expected->len; i++) {
        int known = 0;
        for (size_t j = 0; j < sizeof fields / sizeof *fields; j++) known |= strcmp(expected->keys[i], fields[j]) == 0;
        if (!known) return 0; /* a field this runner does not compare: fail rather than pass unread */
    }
    return 1;
}

/* Compares a verdict with the case's expectation: every expected field exactly, no extra field
 * in a valid outcome, and the status agreeing with the JSON. */
static void check_outcome(const char *name, const jval *expected, HcxStatus status, const char *json) {
    jval *verdict = json ? json_parse(json, strlen(json)) : NULL;
    CHECK(verdict != NULL, "%s: not JSON: %s", name, json ? json : "(NULL)");
    if (!verdict) return;
    for (size_t i = 0; i < expected->len; i++) {
        const jval *got = outcome_field(verdict, expected->keys[i]);
        int same = got ? json_equal(got, expected->items[i]) : expected->items[i]->type == J_NULL;
        if (got && strcmp(expected->keys[i], "status_list") == 0) same = same_status_list(got, expected->items[i]);
        CHECK(same, "%s: field %s differs; verdict %s", name, expected->keys[i], json);
    }
    const jval *valid = json_get(verdict, "valid");
    if (valid && valid->boolean) {
        const char *present[] = {"valid", "issuer", "key_id", "issued_at", "expires_at", "claims", "not_before", "status_list"};
        for (size_t i = 0; i < sizeof present / sizeof *present; i++) {
            const jval *got = outcome_field(verdict, present[i]);
            if (got && got->type != J_NULL)
                CHECK(json_get(expected, present[i]) != NULL, "%s: unexpected %s in %s", name, present[i], json);
        }
        CHECK(status == HCX_STATUS_OK, "%s: valid but status %d", name, status);
    } else {
        const char *code = json_str(json_get(json_get(verdict, "error"), "code"));
        CHECK(code && strcmp(hcx_status_name(status), code) == 0, "%s: status %s but code %s", name,
              hcx_status_name(status), code ? code : "(none)");
    }
    json_free(verdict);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A byte buffer of a C string. */
static HcxBytes bytes_of(const char *s) { return (HcxBytes){(const uint8_t *)s, strlen(s)}; }

/* Runs one case; returns whether it passed. */
static int run_case(const char *file) {
    int before = failures;
    size_t len;
    char rel[512];
    snprintf(rel, sizeof rel, "cases/%s", file);
    char *text = read_file(rel, &len);
    jval *c = json_parse(text, len);
    free(text);
    if (!c) { CHECK(0, "%s: the case is not JSON", file); return 0; }
    const char *name = json_str(json_get(c, "name"));
    CHECK(name && strncmp(file, name, strlen(name)) == 0 && strcmp(file + strlen(name), ".json") == 0,
          "%s: file name and case name differ", file);

    const jval *roots = json_get(c, "roots");
    size_t n_roots = roots ? roots->len : 0;
    HcxBytes *root_bytes = calloc(n_roots + 1, sizeof *root_bytes);
    char **root_texts = calloc(n_roots + 1, sizeof *root_texts);
    for (size_t i = 0; i < n_roots; i++) {
        root_texts[i] = read_file(json_str(roots->items[i]), &len);
        root_bytes[i] = (HcxBytes){(const uint8_t *)root_texts[i], len};
    }
    const jval *threshold = json_get(c, "threshold");
    const jval *min_sequence = json_get(c, "min_sequence");
    const jval *skew = json_get(c, "skew_seconds");
    int64_t at = unix_time(json_str(json_get(c, "at")));
    /* Trust inputs: the trust list, then the case's status lists. */
    const jval *lists = json_get(c, "status_lists");
    size_t n_inputs = 1 + (lists ? lists->len : 0);
    HcxBytes *inputs = calloc(n_inputs, sizeof *inputs);
    char **input_data = calloc(n_inputs, sizeof *input_data);
    for (size_t i = 0; i < n_inputs; i++) {
        const char *rel = json_str(i == 0 ? json_get(c, "trust_list") : lists->items[i - 1]);
        if (!rel) { fprintf(stderr, "%s: a trust input is not a file name\n", file); exit(2); }
        input_data[i] = read_file(rel, &len);
        inputs[i] = (HcxBytes){(const uint8_t *)input_data[i], len};
    }
    /* The status policy (SPEC §14), spelt as conformance.rs reads it. */
    HcxStatusOptions status = {0};
    const jval *policy = json_get(c, "status_policy");
    const jval *max_age = json_get(policy, "max_age_seconds");
    if (max_age) status.max_age_seconds = (int64_t)max_age->number;
    const char *missing = json_str(json_get(policy, "when_missing"));
    const char *stale = json_str(json_get(policy, "when_stale"));
    if (missing && strcmp(missing, "reject") == 0) status.when_missing = HCX_WHEN_MISSING_REJECT;
    else if (missing && strcmp(missing, "accept") != 0) { fprintf(stderr, "%s: when_missing %s\n", file, missing); exit(2); }
    if (stale && strcmp(stale, "accept") == 0) status.when_stale = HCX_WHEN_STALE_ACCEPT;
    else if (stale && strcmp(stale, "reject") != 0) { fprintf(stderr, "%s: when_stale %s\n", file, stale); exit(2); }
    const jval *floors_obj = json_get(c, "status_min_sequence");
    size_t n_floors = floors_obj && floors_obj->type == J_OBJ ? floors_obj->len : 0;
    HcxStatusFloor *floors = calloc(n_floors + 1, sizeof *floors);
    for (size_t i = 0; i < n_floors; i++)
        floors[i] = (HcxStatusFloor){bytes_of(floors_obj->keys[i]), (uint64_t)floors_obj->items[i]->number};
    status.min_sequences = floors;
    status.min_sequences_len = n_floors;

    HcxVerifier *v = NULL;
    char *json = NULL;
    HcxStatus st = hcx_verifier_new(inputs, n_inputs, root_bytes, n_roots,
                                    threshold && threshold->type == J_NUM ? (size_t)threshold->number : 1,
                                    min_sequence && min_sequence->type == J_NUM ? (uint64_t)min_sequence->number : 0,
                                    at, skew ? (int64_t)skew->number : 0, &status, &v, &json);
    const jval *expected = json_get(c, "expected");
    if (st != HCX_STATUS_OK) {
        CHECK(v == NULL, "%s: a verifier with status %d", file, st);
        check_outcome(file, expected, st, json);
    } else {
        CHECK(json == NULL, "%s: JSON on success", file);
        const jval *input_obj = json_get(c, "input");
        const char *code = json_str(json_get(input_obj, "text"));
        const char *image = json_str(json_get(input_obj, "qr_image"));
        char *verdict = NULL;
        if (code) {
            st = hcx_verify_text(v, (const uint8_t *)code, strlen(code), at, &verdict);
            check_outcome(file, expected, st, verdict);
            /* verify_many (two copies) and verify_chunks (one chunk) give the same verdict. */
            HcxBytes twice[2] = {bytes_of(code), bytes_of(code)};
            HcxStatus statuses[2] = {-1, -1};
            char *lines = NULL;
            HcxStatus many = hcx_verify_many(v, twice, 2, at, statuses, &lines);
            CHECK(many == HCX_STATUS_OK && statuses[0] == st && statuses[1] == st, "%s: verify_many statuses", file);
            char *expect_lines = malloc(2 * strlen(verdict) + 3);
            sprintf(expect_lines, "%s\n%s\n", verdict, verdict);
            CHECK(lines && strcmp(lines, expect_lines) == 0, "%s: verify_many JSON differs", file);
            free(expect_lines);
            hcx_string_free(lines);
            char *chunked = NULL;
            HcxStatus one = hcx_verify_chunks(v, twice, 1, at, &chunked);
            CHECK(one == st && chunked && strcmp(chunked, verdict) == 0, "%s: verify_chunks differs", file);
            hcx_string_free(chunked);
        } else if (image) {
            size_t image_len;
            char *png = read_file(image, &image_len);
            st = hcx_verify_image(v, (const uint8_t *)png, image_len, at, &verdict);
            check_outcome(file, expected, st, verdict);
            free(png);
        } else {
            CHECK(0, "%s: the case has no input", file);
        }
        hcx_string_free(verdict);
    }
    hcx_string_free(json);
    hcx_verifier_free(v);
    for (size_t i = 0; i < n_roots; i++) free(root_texts[i]);
    free(root_texts);
    free(root_bytes);
    for (size_t i = 0; i < n_inputs; i++) free(input_data[i]);
    free(input_data);
    free(inputs);
    free(floors);
    json_free(c);
    return failures == before;
}

static void conformance(void) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/cases", fixtures);
    DIR *d = opendir(dir);
    if (!d) { fprintf(stderr, "cannot list %s\n", dir); exit(2); }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    CHECK(n >= 60, "only %zu fixtures", n);
    size_t passed = 0;
    for (size_t i = 0; i < n; i++) {
        passed += (size_t)run_case(names[i]);
        free(names[i]);
    }
    free(names);
    printf("conformance (C API): %zu of %zu cases pass\n", passed, n);
}

/* The verifier most tests use: the main trust list under root-1, at the fixtures' time. */
static const int64_t NOW = 1795251600; /* 2026-11-21T09:00:00Z */
static char *reference_code;

static HcxVerifier *main_verifier(const char *root_text) {
    size_t trust_len, root_len;
    char *trust = read_file("trust/main.json", &trust_len);
    char *root = root_text ? strdup(root_text) : read_file("keys/root-1.pub.pem", &root_len);
    HcxBytes input = {(const uint8_t *)trust, trust_len};
    HcxBytes root_bytes = bytes_of(root);
    HcxVerifier *v = NULL;
    char *json = NULL;
    HcxStatus st = hcx_verifier_new(&input, 1, &root_bytes, 1, 1, 0, NOW, 300, NULL, &v, &json);
    CHECK(st == HCX_STATUS_OK && v && !json, "main verifier: %d %s", st, json ? json : "");
    hcx_string_free(json);
    free(trust);
    free(root);
    return v;
}

/* Asserts a call error: its status, and an error JSON with that code and reason. */
/* `out` is read only here, after the call (C leaves the order of argument evaluation open). */
static void expect_call_error(const char *what, HcxStatus st, char **out, HcxStatus want, const char *code, const char *reason) {
    char *json = *out;
    *out = NULL;
    CHECK(st == want, "%s: status %d (%s), expected %d", what, st, hcx_status_name(st), want);
    jval *v = json ? json_parse(json, strlen(json)) : NULL;
    CHECK(v != NULL, "%s: no error JSON", what);
    if (v) {
        const jval *error = json_get(v, "error");
        CHECK(json_equal(json_get(v, "valid"), &(jval){.type = J_BOOL}), "%s: not valid:false", what);
        CHECK(json_str(json_get(error, "code")) && strcmp(json_str(json_get(error, "code")), code) == 0, "%s: code in %s", what, json);
        if (reason)
            CHECK(json_str(json_get(error, "reason")) && strcmp(json_str(json_get(error, "reason")), reason) == 0, "%s: reason in %s", what, json);
    }
    json_free(v);
    hcx_string_free(json);
}

static void contract(void) {
    HcxVerifier *v = main_verifier(NULL);
    const uint8_t *code = (const uint8_t *)reference_code;
    size_t code_len = strlen(reference_code);
    char *json = NULL;

    expect_call_error("NULL verifier", hcx_verify_text(NULL, code, code_len, NOW, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("NULL text", hcx_verify_text(v, NULL, 5, NOW, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("NULL empty text", hcx_verify_text(v, NULL, 0, NOW, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    CHECK(hcx_verify_text(v, code, code_len, NOW, NULL) == HCX_STATUS_ERR_NULL_POINTER, "NULL out_json");
    expect_call_error("not UTF-8", hcx_verify_text(v, (const uint8_t *)"HCX1:\xff\xfe", 7, NOW, &json), &json, HCX_STATUS_ERR_NOT_UTF8, "invalid_input", "not_utf8");
    /* Lengths past the bounds are refused before anything is read (valgrind would see a read). */
    expect_call_error("text too long", hcx_verify_text(v, code, HCX_MAX_TEXT_BYTES + 1, NOW, &json), &json, HCX_STATUS_ERR_TOO_LONG, "invalid_input", "too_large");
    expect_call_error("text SIZE_MAX", hcx_verify_text(v, code, SIZE_MAX, NOW, &json), &json, HCX_STATUS_ERR_TOO_LONG, "invalid_input", "too_large");
    expect_call_error("image SIZE_MAX", hcx_verify_image(v, code, SIZE_MAX, NOW, &json), &json, HCX_STATUS_ERR_TOO_LONG, "invalid_input", "too_large");
    expect_call_error("NULL image", hcx_verify_image(v, NULL, 10, NOW, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("chunks NULL", hcx_verify_chunks(v, NULL, 2, NOW, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    HcxBytes chunk = {code, code_len};
    expect_call_error("chunks SIZE_MAX", hcx_verify_chunks(v, &chunk, SIZE_MAX, NOW, &json), &json, HCX_STATUS_ERR_TOO_LONG, "invalid_input", "too_large");
    HcxBytes null_chunk[2] = {chunk, {NULL, 3}};
    expect_call_error("a NULL chunk", hcx_verify_chunks(v, null_chunk, 2, NOW, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("NULL decode", hcx_decode(NULL, 1, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("decode not UTF-8", hcx_decode((const uint8_t *)"\xc3", 1, &json), &json, HCX_STATUS_ERR_NOT_UTF8, "invalid_input", "not_utf8");
    expect_call_error("NULL pubkey", hcx_pubkey(NULL, 1, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    CHECK(hcx_keygen(NULL) == HCX_STATUS_ERR_NULL_POINTER, "keygen NULL out");

    /* An empty text is a text: hcx judges it. */
    HcxStatus st = hcx_verify_text(v, code, 0, NOW, &json);
    CHECK(st == HCX_STATUS_MALFORMED, "empty text: %s", hcx_status_name(st));
    hcx_string_free(json);

    /* verify_many: an item that is not UTF-8 is marked in its place; the others are judged. */
    HcxBytes items[3] = {chunk, {(const uint8_t *)"\xff", 1}, bytes_of("HCX1:")};
    HcxStatus statuses[3];
    char *lines = NULL;
    st = hcx_verify_many(v, items, 3, NOW, statuses, &lines);
    CHECK(st == HCX_STATUS_OK && statuses[0] == HCX_STATUS_OK && statuses[1] == HCX_STATUS_ERR_NOT_UTF8 && statuses[2] == HCX_STATUS_MALFORMED,
          "verify_many mixed: %d %d %d %d", st, statuses[0], statuses[1], statuses[2]);
    CHECK(lines && strstr(lines, "\"reason\":\"not_utf8\"") != NULL, "verify_many mixed JSON: %s", lines ? lines : "");
    hcx_string_free(lines);
    HcxBytes null_item[2] = {chunk, {NULL, 0}};
    expect_call_error("verify_many NULL item", hcx_verify_many(v, null_item, 2, NOW, NULL, &lines), &lines, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    st = hcx_verify_many(v, NULL, 0, NOW, NULL, &lines);
    CHECK(st == HCX_STATUS_OK && lines && lines[0] == 0, "verify_many of nothing");
    hcx_string_free(lines);

    /* hcx_verifier_new: its outputs, a root that is no key, a root given as JWK. */
    HcxVerifier *w = (HcxVerifier *)&w;
    CHECK(hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, NULL, &w, NULL) == HCX_STATUS_ERR_NULL_POINTER, "verifier_new NULL out_json");
    expect_call_error("verifier_new NULL out", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, NULL, NULL, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("verifier_new NULL inputs", hcx_verifier_new(NULL, 1, NULL, 0, 1, 0, NOW, 0, NULL, &w, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    CHECK(w == NULL, "a failed verifier_new leaves *out_verifier NULL");
    /* Status options out of range, NULL or not UTF-8: refused, with the verifier not made. */
    HcxStatusOptions status = {0};
    status.when_missing = 2;
    expect_call_error("status when_missing 2", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_INVALID_INPUT, "invalid_input", "invalid_input");
    status = (HcxStatusOptions){0};
    status.when_stale = 7;
    expect_call_error("status when_stale 7", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_INVALID_INPUT, "invalid_input", "invalid_input");
    status = (HcxStatusOptions){0};
    status.max_age_seconds = -1;
    expect_call_error("status max_age -1", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_INVALID_INPUT, "invalid_input", "invalid_input");
    status = (HcxStatusOptions){0};
    status.min_sequences_len = 1;
    expect_call_error("status floors NULL", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    HcxStatusFloor floor = {{(const uint8_t *)"\xff\xfe", 2}, 3};
    status.min_sequences = &floor;
    expect_call_error("status floor not UTF-8", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_ERR_NOT_UTF8, "invalid_input", "not_utf8");
    floor.issuer = (HcxBytes){NULL, 3};
    expect_call_error("status floor NULL issuer", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    status.min_sequences_len = (size_t)-1;
    expect_call_error("status floors huge", hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, &status, &w, &json), &json, HCX_STATUS_ERR_TOO_LONG, "invalid_input", "too_large");
    CHECK(w == NULL, "a refused status option leaves *out_verifier NULL");
    HcxBytes bad_root = bytes_of("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    expect_call_error("bad root", hcx_verifier_new(NULL, 0, &bad_root, 1, 1, 0, NOW, 0, NULL, &w, &json), &json, HCX_STATUS_INVALID_KEY, "invalid_key", "invalid_key");
    HcxVerifier *jwk = main_verifier("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"fSvWFtcX7rvsosl3leU_Po-4Zeo89aeQ6HO0CNmfKhA\"}");
    char *a = NULL, *b = NULL;
    hcx_verify_text(jwk, code, code_len, NOW, &a);
    hcx_verify_text(v, code, code_len, NOW, &b);
    CHECK(a && b && strcmp(a, b) == 0 && strstr(a, "\"valid\":true"), "a JWK root verifies as its PEM does");
    hcx_string_free(a);
    hcx_string_free(b);
    hcx_verifier_free(jwk);
    /* An empty store: hcx codes cannot be judged without an hcx trust list. */
    CHECK(hcx_verifier_new(NULL, 0, NULL, 0, 1, 0, NOW, 0, NULL, &w, &json) == HCX_STATUS_OK && w, "empty verifier");
    st = hcx_verify_text(w, code, code_len, NOW, &json);
    CHECK(st == HCX_STATUS_USAGE && hcx_exit_status(st) == 2, "no trust list: %s", hcx_status_name(st));
    hcx_string_free(json);
    hcx_verifier_free(w);

    /* Names, exit statuses and the no-ops. */
    CHECK(strcmp(hcx_status_name(HCX_STATUS_OK), "ok") == 0, "name ok");
    CHECK(strcmp(hcx_status_name(HCX_STATUS_TRUST_LIST_ROLLBACK), "trust_list_rollback") == 0, "name rollback");
    CHECK(strcmp(hcx_status_name(HCX_STATUS_ERR_NOT_UTF8), "not_utf8") == 0, "name not_utf8");
    CHECK(strcmp(hcx_status_name(12345), "unknown") == 0 && strcmp(hcx_status_name(-1), "unknown") == 0, "name unknown");
    CHECK(hcx_exit_status(HCX_STATUS_OK) == 0 && hcx_exit_status(HCX_STATUS_EXPIRED) == 1 && hcx_exit_status(HCX_STATUS_TRUST_LIST_EXPIRED) == 2, "exit statuses");
    CHECK(strlen(hcx_version()) > 0, "version");
    /* The free functions: NULL is fine; a second free, a pointer into a string, and a pointer
     * the library never gave are refused (HCX_STATUS_ERR_NOT_LIVE) and free nothing (valgrind
     * would report an invalid free otherwise). */
    CHECK(hcx_string_free(NULL) == HCX_STATUS_OK && hcx_verifier_free(NULL) == HCX_STATUS_OK, "free NULL");
    char *once = NULL;
    CHECK(hcx_decode(code, code_len, &once) == HCX_STATUS_OK && once, "decode for the free checks");
    CHECK(hcx_string_free(once + 1) == HCX_STATUS_ERR_NOT_LIVE, "free inside a string is refused");
    CHECK(hcx_string_free(once) == HCX_STATUS_OK, "first free");
    CHECK(hcx_string_free(once) == HCX_STATUS_ERR_NOT_LIVE, "double free of a string is refused");
    char foreign[8] = "abc";
    CHECK(hcx_string_free(foreign) == HCX_STATUS_ERR_NOT_LIVE, "free of a string hcx never gave is refused");
    CHECK(hcx_verifier_free((HcxVerifier *)foreign) == HCX_STATUS_ERR_NOT_LIVE, "free of a verifier hcx never made is refused");
    CHECK(strcmp(hcx_status_name(HCX_STATUS_ERR_NOT_LIVE), "not_live") == 0 && hcx_exit_status(HCX_STATUS_ERR_NOT_LIVE) == 2, "not_live named");
    CHECK(hcx_verifier_free(v) == HCX_STATUS_OK, "verifier free");
    CHECK(hcx_verifier_free(v) == HCX_STATUS_ERR_NOT_LIVE, "double free of a verifier is refused");
}

/* Several threads share one verifier; every verdict equals the single-threaded one. */
typedef struct {
    const HcxVerifier *v;
    const char *expected;
    int rounds, wrong;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    for (int i = 0; i < w->rounds; i++) {
        char *json = NULL;
        HcxStatus st = hcx_verify_text(w->v, (const uint8_t *)reference_code, strlen(reference_code), NOW, &json);
        if (st != HCX_STATUS_OK || !json || strcmp(json, w->expected) != 0) w->wrong++;
        hcx_string_free(json);
    }
    return NULL;
}

static void threads(int rounds) {
    HcxVerifier *v = main_verifier(NULL);
    char *expected = NULL;
    hcx_verify_text(v, (const uint8_t *)reference_code, strlen(reference_code), NOW, &expected);
    enum { N = 4 };
    pthread_t t[N];
    worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){v, expected, rounds, 0};
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].wrong == 0, "thread %d: %d wrong verdicts", i, w[i].wrong);
    }
    /* verify_many spreads a large batch over the cores: every line is the single verdict. */
    enum { MANY = 600 };
    HcxBytes *items = malloc(MANY * sizeof *items);
    for (int i = 0; i < MANY; i++) items[i] = bytes_of(reference_code);
    char *lines = NULL;
    HcxStatus st = hcx_verify_many(v, items, MANY, NOW, NULL, &lines);
    size_t line_len = strlen(expected) + 1, ok = 0;
    for (int i = 0; st == HCX_STATUS_OK && lines && i < MANY; i++)
        ok += strncmp(lines + i * line_len, expected, line_len - 1) == 0 && lines[(i + 1) * line_len - 1] == '\n';
    CHECK(ok == MANY && strlen(lines) == MANY * line_len, "verify_many of %d: %zu right", MANY, ok);
    hcx_string_free(lines);
    free(items);
    hcx_string_free(expected);
    hcx_verifier_free(v);
    printf("threads: %d threads x %d verifications on one verifier agree\n", N, rounds);
}

static void issuing(void) {
    char *pem = NULL, *pub = NULL, *code = NULL, *json = NULL;
    CHECK(hcx_keygen(&pem) == HCX_STATUS_OK && strstr(pem, "BEGIN PRIVATE KEY"), "keygen");
    CHECK(hcx_pubkey((const uint8_t *)pem, strlen(pem), &pub) == HCX_STATUS_OK && strstr(pub, "BEGIN PUBLIC KEY"), "pubkey");
    const char *claims = "{\"status\":\"green\",\"subject\":{\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\"}}";
    int64_t nbf = NOW + 60;
    HcxStatus st = hcx_issue((const uint8_t *)pem, strlen(pem), (const uint8_t *)claims, strlen(claims),
                             (const uint8_t *)"dingtalk", 8, NOW, NOW + 86400, &nbf, &code);
    CHECK(st == HCX_STATUS_OK && strncmp(code, "HCX1:", 5) == 0, "issue: %s", code ? code : "");
    CHECK(hcx_decode((const uint8_t *)code, strlen(code), &json) == HCX_STATUS_OK, "decode");
    jval *d = json_parse(json, strlen(json));
    CHECK(d && json_get(d, "verified") && !json_get(d, "verified")->boolean, "decoded is unverified");
    CHECK(d && json_str(json_get(json_get(json_get(d, "claims"), "subject"), "name")) &&
          strcmp(json_str(json_get(json_get(json_get(d, "claims"), "subject"), "name")), "\xe5\xbc\xa0\xe4\xb8\x89") == 0, "decoded name");
    CHECK(d && json_str(json_get(d, "not_before")) && strcmp(json_str(json_get(d, "not_before")), "2026-11-21T09:01:00Z") == 0, "decoded nbf");
    json_free(d);
    hcx_string_free(json);
    hcx_string_free(code);
    hcx_string_free(pub);

    /* A code issued with a registered key, for the reference claims, verifies. */
    size_t key_len, reference_len;
    char *key = read_file("keys/dingtalk-1.pem", &key_len);
    char *reference = read_file("samples/reference-claims.json", &reference_len);
    st = hcx_issue((const uint8_t *)key, key_len, (const uint8_t *)reference, reference_len,
                   (const uint8_t *)"dingtalk", 8, NOW - 3600, NOW + 86400, NULL, &code);
    CHECK(st == HCX_STATUS_OK, "issue with dingtalk-1: %s", code ? code : "");
    HcxVerifier *v = main_verifier(NULL);
    st = hcx_verify_text(v, (const uint8_t *)code, strlen(code), NOW, &json);
    CHECK(st == HCX_STATUS_OK, "the issued code verifies: %s", json ? json : "");
    hcx_string_free(json);
    hcx_string_free(code);
    hcx_verifier_free(v);

    expect_call_error("issue, bad key", hcx_issue((const uint8_t *)"x", 1, (const uint8_t *)claims, strlen(claims), (const uint8_t *)"dingtalk", 8, NOW, NOW + 1, NULL, &code), &code, HCX_STATUS_INVALID_KEY, "invalid_key", NULL);
    expect_call_error("issue, bad claims", hcx_issue((const uint8_t *)key, key_len, (const uint8_t *)"{}", 2, (const uint8_t *)"dingtalk", 8, NOW, NOW + 1, NULL, &code), &code, HCX_STATUS_INVALID_CLAIMS, "invalid_claims", NULL);
    expect_call_error("issue, NULL issuer", hcx_issue((const uint8_t *)key, key_len, (const uint8_t *)claims, strlen(claims), NULL, 8, NOW, NOW + 1, NULL, &code), &code, HCX_STATUS_ERR_NULL_POINTER, "usage", NULL);
    expect_call_error("pubkey, bad key", hcx_pubkey((const uint8_t *)"nope", 4, &json), &json, HCX_STATUS_INVALID_KEY, "invalid_key", NULL);
    expect_call_error("decode garbage", hcx_decode((const uint8_t *)"HCX1:??", 7, &json), &json, HCX_STATUS_MALFORMED, "malformed", NULL);
    free(key);
    free(reference);
    hcx_string_free(pem);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FIXTURES_DIR [THREAD_ROUNDS]\n", argv[0]); return 2; }
    fixtures = argv[1];
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    size_t len;
    reference_code = read_file("samples/reference-code.txt", &len);
    while (len > 0 && (reference_code[len - 1] == '\n' || reference_code[len - 1] == '\r')) reference_code[--len] = 0;

    conformance();
    contract();
    threads(rounds);
    issuing();
    free(reference_code);
    printf("C API checks: %d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
