/* Verifies one scanned code against a regulator's trust list:
 *   verify TRUST_LIST.json ROOT.pub.pem CODE [UNIX_TIME]
 * Prints the verdict JSON; exits 0 valid, 1 rejected, 2 could not judge (as `hcx verify`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcx.h"

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    if (f) fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    size_t trust_len = 0, root_len = 0;
    char *trust = argc >= 4 ? slurp(argv[1], &trust_len) : NULL;
    char *root = argc >= 4 ? slurp(argv[2], &root_len) : NULL;
    if (!trust || !root) {
        fprintf(stderr, "usage: verify TRUST_LIST.json ROOT.pub.pem CODE [UNIX_TIME]\n");
        return 2;
    }
    int64_t now = argc > 4 ? strtoll(argv[4], NULL, 10) : (int64_t)time(NULL);

    HcxBytes input = {(const uint8_t *)trust, trust_len}, key = {(const uint8_t *)root, root_len};
    HcxVerifier *verifier = NULL;
    char *json = NULL;
    HcxStatus status = hcx_verifier_new(&input, 1, &key, 1, /* threshold */ 1, /* min_sequence */ 0,
                                        now, /* skew_seconds */ 300, /* status lists: defaults */ NULL,
                                        &verifier, &json);
    if (status == HCX_STATUS_OK) {
        status = hcx_verify_text(verifier, (const uint8_t *)argv[3], strlen(argv[3]), now, &json);
    }
    printf("%s\n", json); /* {"claims":{"status":"green",…},…,"valid":true} or {"error":{…},"valid":false} */
    hcx_string_free(json);
    hcx_verifier_free(verifier);
    free(trust);
    free(root);
    return hcx_exit_status(status);
}
