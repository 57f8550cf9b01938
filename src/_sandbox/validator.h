/*
 * validator.h: the lexical validator (validator.c).  Pure C, no Python, and
 * nothing shared with the sandbox's run machinery: it builds and fuzzes
 * alone (fuzz/validator_fuzz.c, sanitize/validator_check.c).
 */
#ifndef SBX_VALIDATOR_H
#define SBX_VALIDATOR_H

#include <stddef.h>

struct sbx_finding {
    const char *rule;
    int line;          /* 1-based */
    int col;           /* 0-based, in bytes like Python's ast */
    char message[192];
};
/* Called per finding; a non-zero return stops the scan. */
typedef int (*sbx_finding_cb)(void *ctx, const struct sbx_finding *f);

/* A list of names of the validator's policy. */
struct sbx_names {
    const char *const *items;
    size_t n;
};

/* The validator's policy: data, set from Python (validator.py, which says
 * what each list holds and why). */
struct sbx_policy {
    struct sbx_names denied_modules;     /* a module and its submodules */
    struct sbx_names allowed_modules;    /* top-level names */
    int allow_unknown_modules;           /* neither denied nor allowed: allow */
    struct sbx_names denied_names;       /* builtins, as a NAME that is referenced */
    struct sbx_names denied_attributes;  /* as attribute, name or definition; in literals that feed a sink */
    struct sbx_names string_sinks;       /* their presence makes a module's string literals count */
    struct sbx_names reexports;          /* "logging.traceback": a module's attribute that is another module */
    struct sbx_names submodules;         /* "json.decoder": a package's own submodule */
    struct sbx_names denied_module_members; /* of what a module hands out (io streams) */
    struct sbx_names denied_members;     /* of anything (x.sys: the module by that name) */
    struct sbx_names called_only;        /* dotted names only ever called (string.Formatter) */
    int require_markers;                 /* the component protocol's two markers: */
    const char *signature_prefix;        /* a string literal starting with it, and */
    const char *marker_name;             /* the assignment NAME = True (both NUL-ended) */
    size_t max_source_bytes;             /* 0: no bound */
    /* NFKC-normalise a UTF-8 identifier into out (at most outcap bytes);
     * returns its length or -1.  NULL: non-ASCII identifiers are findings. */
    int (*normalize)(void *ctx, const char *in, size_t len, char *out, size_t outcap);
    void *normalize_ctx;
};

/* Scan src (UTF-8 bytes) and report every finding.  Returns the number of
 * findings, -1 if the callback stopped the scan, -2 when out of memory. */
int sbx_validate(const char *src, size_t len, const struct sbx_policy *policy, sbx_finding_cb cb, void *ctx);

#endif /* SBX_VALIDATOR_H */
