/*
 * validator.c: static checks of component source.  Pure C, no Python API.
 *
 * This is the historical validator ported as it was: substring matching of
 * a fixed list of patterns plus the two markers of the component protocol.
 * It refuses "import os" inside a docstring and lets many bypasses through;
 * the lexical scanner of issue #4 replaces it behind the same interface
 * (findings of rule, line, col, message).  It is a gate, not the boundary:
 * the kernel isolation is.
 */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

#define MAX_FINDINGS 1000

static const char *const legacy_patterns[] = {
    "import os",        "import subprocess", "import sys", "os.system", "subprocess.call",
    "subprocess.run",   "eval(",             "exec(",      "__import__(", "open(",
    "file(",            "input(",            "import shutil", "import socket",
};

static const char signature_marker[] = "modulo_autopoiesis_data_";
static const char sandbox_marker[] = "_generated_in_sandbox = True";

/* Line (1-based) and column (0-based, bytes) of offset, counting on from a
 * previous position so a pattern's occurrences cost one pass in total. */
struct position {
    size_t offset;
    int line, col;
};

static void advance(const char *src, struct position *pos, size_t offset)
{
    for (; pos->offset < offset; pos->offset++) {
        if (src[pos->offset] == '\n') {
            pos->line++;
            pos->col = 0;
        } else {
            pos->col++;
        }
    }
}

static int emit(sbx_finding_cb cb, void *ctx, const char *rule, int line, int col, const char *message,
                const char *detail, int *count)
{
    struct sbx_finding f;

    f.rule = rule;
    f.line = line;
    f.col = col;
    snprintf(f.message, sizeof f.message, message, detail);
    (*count)++;
    return cb(ctx, &f);
}

int sbx_validate_legacy(const char *src, size_t len, sbx_finding_cb cb, void *ctx)
{
    size_t i;
    int count = 0;

    for (i = 0; i < sizeof legacy_patterns / sizeof legacy_patterns[0]; i++) {
        const char *pat = legacy_patterns[i];
        size_t plen = strlen(pat);
        struct position pos = {0, 1, 0};
        const char *hit = src;

        while (count < MAX_FINDINGS && (hit = memmem(hit, len - (size_t)(hit - src), pat, plen)) != NULL) {
            advance(src, &pos, (size_t)(hit - src));
            if (emit(cb, ctx, "denied-pattern", pos.line, pos.col, "forbidden pattern '%s'", pat, &count))
                return -1;
            hit += plen;
        }
    }
    if (memmem(src, len, signature_marker, sizeof signature_marker - 1) == NULL &&
        emit(cb, ctx, "missing-security-signature", 1, 0, "no security signature '%s...' in the source",
             signature_marker, &count))
        return -1;
    if (memmem(src, len, sandbox_marker, sizeof sandbox_marker - 1) == NULL &&
        emit(cb, ctx, "missing-sandbox-marker", 1, 0, "no '%s' marker in the source", sandbox_marker, &count))
        return -1;
    return count;
}
