/* libFuzzer harness of the C scanner alone: make fuzz. */
#include "validator.h"

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

static int ignore(void *ctx, const struct sbx_finding *f)
{
    (void)ctx;
    return f->line < 1 || f->col < 0; /* positions are always valid */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int rc = sbx_validate((const char *)data, size, &default_policy, ignore, NULL);
    if (rc == -1)
        __builtin_trap(); /* a finding with an invalid position */
    return 0;
}
