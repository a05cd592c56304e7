/*
 * The C API's per-call overhead over the facade called from Rust, measured interleaved in one
 * process: each round times N calls of hcx_verify_text (+ hcx_string_free) from C, then asks
 * the library (built with the `bench` feature) to time N calls of the facade's verify_text
 * from Rust, without and with the verdict's JSON; the order alternates between rounds.
 * Prints the median ratios (and their range). Usage: bench FIXTURES_DIR ROUNDS N
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/files.h"
#include "hcx.h"

/* Only in a library built with the `bench` feature; not in the header. */
uint64_t hcx_bench_facade(const HcxVerifier *verifier, const uint8_t *text, size_t text_len, int64_t at,
                          uint64_t iterations, bool with_json);

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: bench FIXTURES_DIR ROUNDS N\n"); return 2; }
    int rounds = atoi(argv[2]);
    uint64_t n = strtoull(argv[3], NULL, 10);
    size_t trust_len, root_len, code_len;
    char *trust = read_fixture(argv[1], "trust/main.json", &trust_len);
    char *root = read_fixture(argv[1], "keys/root-1.pub.pem", &root_len);
    char *code = read_fixture(argv[1], "samples/reference-code.txt", &code_len);
    while (code_len && code[code_len - 1] == '\n') code[--code_len] = 0;
    const int64_t at = 1795251600;
    HcxBytes in = {(const uint8_t *)trust, trust_len}, r = {(const uint8_t *)root, root_len};
    HcxVerifier *v = NULL;
    char *json = NULL;
    if (hcx_verifier_new(&in, 1, &r, 1, 1, 0, at, 300, NULL, &v, &json) != HCX_STATUS_OK) return 2;

    /* Warm up both paths (the key's table is built on use, caches and branch predictors). */
    for (int i = 0; i < 2000; i++) {
        if (hcx_verify_text(v, (const uint8_t *)code, code_len, at, &json) != HCX_STATUS_OK) return 2;
        hcx_string_free(json);
    }
    if (hcx_bench_facade(v, (const uint8_t *)code, code_len, at, 2000, true) == 0) return 2;

    double *plain = malloc((size_t)rounds * sizeof *plain), *with_json = malloc((size_t)rounds * sizeof *with_json);
    double c_total = 0, f_total = 0;
    for (int k = 0; k < rounds; k++) {
        uint64_t c = 0, f = 0, fj = 0;
        for (int pass = 0; pass < 2; pass++) {
            if ((pass == 0) == (k % 2 == 0)) {
                uint64_t t0 = now_ns();
                for (uint64_t i = 0; i < n; i++) {
                    hcx_verify_text(v, (const uint8_t *)code, code_len, at, &json);
                    hcx_string_free(json);
                }
                c = now_ns() - t0;
            } else {
                f = hcx_bench_facade(v, (const uint8_t *)code, code_len, at, n, false);
                fj = hcx_bench_facade(v, (const uint8_t *)code, code_len, at, n, true);
            }
        }
        plain[k] = (double)c / (double)f;
        with_json[k] = (double)c / (double)fj;
        c_total += (double)c;
        f_total += (double)f;
    }
    qsort(plain, (size_t)rounds, sizeof *plain, cmp);
    qsort(with_json, (size_t)rounds, sizeof *with_json, cmp);
    printf("C API hcx_verify_text + hcx_string_free: %.1f us/call; facade verify_text from Rust: %.1f us/call\n",
           c_total / rounds / (double)n / 1000, f_total / rounds / (double)n / 1000);
    printf("C / facade verify_text          : median %.3f (range %.3f-%.3f), %d rounds x %llu calls\n",
           plain[rounds / 2], plain[0], plain[rounds - 1], rounds, (unsigned long long)n);
    printf("C / facade verify_text + to_json: median %.3f (range %.3f-%.3f)\n",
           with_json[rounds / 2], with_json[0], with_json[rounds - 1]);
    hcx_verifier_free(v);
    free(plain);
    free(with_json);
    free(trust);
    free(root);
    free(code);
    return 0;
}
