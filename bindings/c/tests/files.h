/* Reading fixture files, for the C tests, the fuzz run and the benchmark. */
#ifndef HCX_TEST_FILES_H
#define HCX_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>

/* Reads DIR/REL whole (NUL-terminated too); exits with status 2 when it cannot (a broken
 * checkout, not a test failure). */
static inline char *read_fixture(const char *dir, const char *rel, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    long n = -1;
    char *buf = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
