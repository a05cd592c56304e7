/*
 * A bounded fuzz run across the C boundary: random bytes and random lengths into every entry
 * point (texts, chunks, images, trust inputs, roots, PEMs, claims), mutated real codes and
 * pictures, random NULLs and impossible lengths. It asserts that every call returns a known
 * status with a well-formed answer; bindings/c/test.sh runs it under valgrind, which fails the
 * run on any leak or invalid access. Deterministic: the seed is an argument.
 * Usage: fuzz FIXTURES_DIR ITERATIONS SEED
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "hcx.h"

static const char *fixtures;
static uint64_t state;

/* xorshift64*: deterministic, good enough to pick bytes and lengths. */
static uint64_t next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
}
static size_t below(size_t n) { return n ? (size_t)(next() % n) : 0; }

static uint8_t *read_file(const char *rel, size_t *len) { return (uint8_t *)read_fixture(fixtures, rel, len); }

static int bad = 0;

/* The shape of a SMART Health Card chunk, for mutations (not a real card). */
static const char SHC_CHUNK[] = "shc:/1/2/567629095243206034602924374044603122295953265460346029254077280433602870286471674522280928613331456437653141590640220306450459085643550341424541364037063665417137241236380304375622046737407532323925433443326057360106452931531270";

/* Every status is a known one, and the answer is there and NUL-terminated (strlen walks it).
 * `answer` is read only here, after the call (C leaves the order of argument evaluation open). */
static void check(const char *what, HcxStatus st, char **answer) {
    char *out = *answer;
    *answer = NULL;
    if (strcmp(hcx_status_name(st), "unknown") == 0 || !out || strlen(out) == 0) {
        fprintf(stderr, "FAIL %s: status %d, answer %s\n", what, st, out ? out : "(NULL)");
        bad++;
    }
    hcx_string_free(out);
}

/* A buffer of `len` bytes: random, or a mutation of `seed` (flips, cuts, splices). */
static uint8_t *make(const uint8_t *seed, size_t seed_len, size_t *len) {
    size_t n;
    uint8_t *buf;
    switch (below(4)) {
    case 0: /* random bytes, random length */
        n = below(600);
        buf = malloc(n + 1);
        for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)next();
        break;
    case 1: /* random printable bytes from the base45 alphabet after the prefix */
        n = 5 + below(600);
        buf = malloc(n + 1);
        memcpy(buf, "HCX1:", 5);
        for (size_t i = 5; i < n; i++) buf[i] = (uint8_t)"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[below(45)];
        break;
    default: /* the seed with a few bytes flipped and maybe cut short */
        n = seed_len;
        buf = malloc(n + 1);
        memcpy(buf, seed, n);
        for (size_t k = 1 + below(4); k > 0 && n > 0; k--) buf[below(n)] ^= (uint8_t)(1u << below(8));
        if (below(3) == 0) n = below(n + 1);
        break;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s FIXTURES_DIR ITERATIONS SEED\n", argv[0]); return 2; }
    fixtures = argv[1];
    long iterations = atol(argv[2]);
    state = strtoull(argv[3], NULL, 10) | 1;
    size_t code_len, trust_len, root_len, png_len, key_len;
    uint8_t *code = read_file("samples/reference-code.txt", &code_len);
    while (code_len && (code[code_len - 1] == '\n')) code_len--;
    uint8_t *trust = read_file("trust/main.json", &trust_len);
    uint8_t *root = read_file("keys/root-1.pub.pem", &root_len);
    uint8_t *png = read_file("images/qr-reference-ecc-m.png", &png_len);
    uint8_t *key = read_file("keys/dingtalk-1.pem", &key_len);
    const int64_t now = 1795251600;

    HcxBytes in = {trust, trust_len}, r = {root, root_len};
    HcxVerifier *v = NULL;
    char *json = NULL;
    if (hcx_verifier_new(&in, 1, &r, 1, 1, 0, now, 300, NULL, &v, &json) != HCX_STATUS_OK) return 2;

    for (long i = 0; i < iterations; i++) {
        size_t len;
        uint8_t *buf;
        HcxStatus st;
        int64_t at = now + (int64_t)below(200000) - 100000;
        switch (i % 8) {
        case 0:
        case 1:
            buf = make(code, code_len, &len);
            st = hcx_verify_text(v, buf, len, at, &json);
            check("verify_text", st, &json);
            break;
        case 2: { /* chunks: a few random texts, some shc-like */
            HcxBytes chunks[3];
            uint8_t *bufs[3];
            size_t n = 1 + below(3);
            for (size_t k = 0; k < n; k++) {
                bufs[k] = make((const uint8_t *)SHC_CHUNK, strlen(SHC_CHUNK), &len);
                chunks[k] = (HcxBytes){bufs[k], len};
            }
            st = hcx_verify_chunks(v, chunks, n, at, &json);
            check("verify_chunks", st, &json);
            for (size_t k = 0; k < n; k++) free(bufs[k]);
            buf = NULL;
            break;
        }
        case 3: /* a picture with bytes flipped, or random bytes */
            if (below(2)) {
                len = png_len;
                buf = malloc(len);
                memcpy(buf, png, len);
                for (int k = 0; k < 8; k++) buf[below(len)] ^= (uint8_t)next();
            } else {
                buf = make(png, png_len < 2000 ? png_len : 2000, &len);
            }
            st = hcx_verify_image(v, buf, len, at, &json);
            check("verify_image", st, &json);
            break;
        case 4: { /* many: random items, one of them maybe not UTF-8 */
            HcxBytes items[4];
            uint8_t *bufs[4];
            HcxStatus statuses[4];
            for (int k = 0; k < 4; k++) {
                bufs[k] = make(code, code_len, &len);
                items[k] = (HcxBytes){bufs[k], len};
            }
            st = hcx_verify_many(v, items, 4, at, statuses, &json);
            check("verify_many", st, &json);
            for (int k = 0; k < 4; k++) free(bufs[k]);
            buf = NULL;
            break;
        }
        case 5: { /* a verifier from a mutated trust list and a mutated root */
            size_t root_n;
            uint8_t *root_buf = make(root, root_len, &root_n);
            buf = make(trust, trust_len, &len);
            HcxBytes tin = {buf, len}, rin = {root_buf, root_n};
            HcxVerifier *w = NULL;
            /* Random status options too: out-of-range values and a mutated issuer id. */
            HcxStatusFloor floor = {{buf, below(len + 1)}, next()};
            int with_floor = (int)below(2);
            HcxStatusOptions status = {(int64_t)below(5) - 2, (uint32_t)below(3), (uint32_t)below(3),
                                       with_floor ? &floor : NULL, with_floor ? below(2) : below(3)};
            st = hcx_verifier_new(&tin, 1, &rin, 1, 1 + below(2), below(3), at, 300, below(2) ? &status : NULL, &w, &json);
            if (st == HCX_STATUS_OK) {
                if (w == NULL || json != NULL) { fprintf(stderr, "FAIL verifier_new outputs\n"); bad++; }
                hcx_verifier_free(w);
            } else {
                check("verifier_new", st, &json);
            }
            free(root_buf);
            break;
        }
        case 6:
            buf = make(code, code_len, &len);
            st = hcx_decode(buf, len, &json);
            check("decode", st, &json);
            break;
        default: { /* issue with a mutated key or claims; pubkey of a mutated key */
            const char *claims = "{\"status\":\"green\",\"subject\":{\"name\":\"A\"}}";
            size_t claims_n;
            uint8_t *claims_buf = make((const uint8_t *)claims, strlen(claims), &claims_n);
            buf = make(key, key_len, &len);
            int mutated_key = (int)below(2);
            st = hcx_issue(mutated_key ? buf : key, mutated_key ? len : key_len, claims_buf, claims_n,
                           (const uint8_t *)"dingtalk", 8, at, at + (int64_t)below(100000) - 1000, NULL, &json);
            check("issue", st, &json);
            st = hcx_pubkey(buf, len, &json);
            check("pubkey", st, &json);
            free(claims_buf);
            break;
        }
        }
        free(buf);
        /* Random NULLs and impossible lengths: always refused, never read. */
        if (i % 16 == 0) {
            size_t huge = (size_t)-1 - below(1000);
            check("NULL text", hcx_verify_text(v, NULL, below(100), now, &json), &json);
            check("huge text", hcx_verify_text(v, code, huge, now, &json), &json);
            check("huge image", hcx_verify_image(v, png, huge, now, &json), &json);
            HcxBytes one = {code, huge};
            check("huge chunk", hcx_verify_chunks(v, &one, 1, now, &json), &json);
            check("huge count", hcx_verify_many(v, &one, huge, now, NULL, &json), &json);
            HcxVerifier *w = NULL;
            check("huge input", hcx_verifier_new(&one, 1, NULL, 0, 1, 0, now, 0, NULL, &w, &json), &json);
        }
    }
    hcx_verifier_free(v);
    free(code);
    free(trust);
    free(root);
    free(png);
    free(key);
    printf("fuzz (C API): %ld iterations, %d bad answers\n", iterations, bad);
    return bad ? 1 : 0;
}
