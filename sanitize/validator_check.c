/*
 * validator_check: run the C scanner alone over files, for sanitizer builds
 * (make test builds it with -fsanitize=address,undefined).  Prints
 * "<findings> <file>" per file; exit 1 if a file cannot be read.
 */
#include "validator.h"

#include <stdio.h>
#include <stdlib.h>

#include "policy.h"

static int count_finding(void *ctx, const struct sbx_finding *f)
{
    (void)f;
    (*(int *)ctx)++;
    return 0;
}

int main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        FILE *fp = fopen(argv[i], "rb");
        char *data;
        long size;
        int n = 0, rc;

        if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
            perror(argv[i]);
            return 1;
        }
        data = malloc((size_t)size + 1);
        if (data == NULL || fread(data, 1, (size_t)size, fp) != (size_t)size) {
            perror(argv[i]);
            return 1;
        }
        fclose(fp);
        rc = sbx_validate(data, (size_t)size, &default_policy, count_finding, &n);
        printf("%d %s\n", rc < 0 ? rc : n, argv[i]);
        free(data);
    }
    return 0;
}
