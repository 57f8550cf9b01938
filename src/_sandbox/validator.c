/*
 * validator.c: a lexical scanner of Python 3 source and the rules applied to
 * its tokens.  Pure C, no Python API, so it can be fuzzed alone (fuzz/).
 *
 * It is a gate, not the boundary: code it lets through still runs inside
 * the kernel isolation.  What it does:
 *
 *  - checks the bytes first: size bound, NUL bytes, strict UTF-8, and a PEP
 *    263 coding declaration other than UTF-8 on line 1 or 2;
 *  - tokenizes: names, numbers, operators, comments, line continuations,
 *    strings with any prefix (r, b, u, f and their pairs, any case), single
 *    or triple quoted.  f-strings are split into literal parts (checked as
 *    string content) and replacement fields (scanned as code, nested to any
 *    depth up to SBX_MAX_NESTING through an explicit stack: no recursion);
 *  - string contents are escape-decoded and adjacent literals concatenated
 *    (as the compiler does) before they are checked;
 *  - applies the rules of a policy given as data (struct sbx_policy):
 *    imports of denied or unknown modules (import a.b as c, from a import
 *    b, relative imports), denied builtins referenced by name, denied
 *    attributes as attribute, name or definition (escape dunders, frames
 *    and the functions that hand them out), getattr & co. whose attribute
 *    name is not one plain literal (or a denied one), members of imported
 *    modules followed along postfix chains (re-exported modules, privates,
 *    __dict__, a module as a value), and the two component markers as
 *    tokens;
 *  - string literals count only where the module has a string-to-attribute
 *    sink (policy->string_sinks, anywhere in the module): what they raise
 *    (a denied attribute named as a whole identifier, a format field that
 *    walks to one or is left open, \N{...}) is held as a candidate until
 *    the end, and dropped for a string that is a statement of its own (a
 *    docstring is text);
 *  - identifiers are compared after NFKC normalisation through a callback
 *    (Python does that to identifiers; without a callback a non-ASCII
 *    identifier is itself a finding).
 *
 * Findings carry a rule id, a 1-based line and a 0-based byte column (as
 * Python's ast).  Every buffer is bounded by the input length or a constant.
 */
#include "validator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SBX_MAX_FINDINGS 1000
#define SBX_MAX_NESTING 200
#define MAX_NAME 256    /* longer identifiers are checked by their prefix: no listed name is that long */
#define MAX_MODULE 512

enum tok_kind { TOK_NONE, TOK_NAME, TOK_NUMBER, TOK_STRING, TOK_OP, TOK_NEWLINE, TOK_END };

struct token {
    int kind;
    char text[MAX_NAME + 1]; /* NAME (normalised) or OP */
    size_t len;
    int line, col;
};

enum ctx_kind { CTX_FLITERAL, CTX_FEXPR, CTX_FSPEC };

struct ctx {
    int kind;
    char quote;    /* CTX_FLITERAL: the f-string's quote character */
    int triple;    /* ... triple quoted */
    int raw;       /* ... raw */
    int depth;     /* CTX_FEXPR: bracket depth inside the field */
};

#define MAX_BRACKETS 256 /* deeper brackets are counted, not remembered */
#define MAX_GA 32         /* nested getattr-family calls followed */
#define MAX_MODS 256      /* names bound by import */

enum chain_kind { CH_NONE, CH_OTHER, CH_MOD, CH_MAYBE };
enum mod_kind {
    MOD_NONE, MOD_SURE, MOD_MAYBE,
    MOD_CLASS, /* class NAME: in this module */
    MOD_TYPED, /* NAME = Imported(...) or Class(...): T = TypeVar("T"), a type for annotations */
    MOD_DISPATCH /* a singledispatch function: its register(x) evaluates x's annotations */
};

/* A name bound to a module: its kind and dotted name ("" if unknown). */
struct modbind {
    char name[MAX_NAME + 1];
    char path[MAX_MODULE + 1];
    unsigned char kind;
};

/* A finding a string literal raises, kept until the module's end. */
struct candidate {
    const char *rule;
    int line, col;
    char message[192];
};

/* getattr(obj, NAME, ...), setattr, delattr, hasattr: argument 1 is the
 * name; operator.attrgetter(NAME, ...): every argument, dotted;
 * operator.methodcaller(NAME, ...) and Formatter().get_field(FIELD, ...):
 * argument 0.  A name argument must be one plain string literal. */
enum ga_kind {
    GA_NONE, GA_ATTR, GA_ATTRGETTER, GA_METHOD, GA_FIELD, GA_DICT, GA_UPDATE_WRAPPER, GA_WRAPS,
    GA_SETATTR_DUNDER, /* x.__setattr__(name, v), type.__setattr__(cls, name, v): argument 0 or 1 */
    GA_TYPE,           /* type(name, bases, namespace): a class from a namespace built at run time */
    GA_BASICCONFIG,    /* logging.basicConfig(filename=...): opens a path */
    GA_REGISTER        /* f.register(x) of a singledispatch f: evaluates x's annotations */
};
enum dict_state { DICT_NONE, DICT_SEEN, DICT_DOT };

struct ga_frame {
    int kind, depth, arg, line, col;
    int strings, others, bad_string, seen_name, arg0_module, first_token;
    int unverifiable;          /* *args, **kwargs, or keywords/extra arguments of wraps */
    int reported, empty, from_dict;
    int reg_class; /* register(X): X is a class (of this module, builtin, imported, module.Name) */
    char arg0_path[MAX_MODULE + 1]; /* getattr(module, ...): the module's dotted name */
    char fname[24];
    char text[MAX_NAME + 1];
    size_t text_len;
    int text_long;
};

enum imp_state { IMP_NONE, IMP_NAMES, IMP_ALIAS, IMP_FROM_MODULE, IMP_FROM_NAMES, IMP_FROM_ALIAS };

/* fields grouped by concern, not packed: one scanner a scan, on the stack */
struct scanner { /* NOLINT(clang-analyzer-optin.performance.Padding) */
    const unsigned char *src;
    size_t len, pos;
    int line;
    size_t line_start;
    const struct sbx_policy *policy;
    sbx_finding_cb cb;
    void *ctx;
    int count, stopped, aborted; /* aborted: the callback asked to stop */

    int depth; /* bracket depth of top-level code */
    int stmt_start, stmt_block;
    struct ctx stack[SBX_MAX_NESTING];
    int sp;

    /* previous significant token and the name waiting for its successor */
    struct token prev, pending;
    int pending_prev_kind, pending_stmt_start;
    char pending_prev_text[MAX_NAME + 1];

    /* imports */
    int imp;
    char module[MAX_MODULE + 1];
    size_t module_len;
    int module_line, module_col, dots;

    /* the current run of adjacent string literals */
    char *run;
    size_t run_len;
    int run_active, run_line, run_col, run_bytes;

    /* markers */
    int has_signature, has_marker, marker_step;

    /* String literals count only in a module with a string-to-attribute
     * sink (policy->string_sinks), which may come after them: what they
     * raise is held here until the end.  A string expression that turns out
     * to be a statement (a docstring) drops what it raised: text. */
    struct candidate *cands; /* grown as strings raise them */
    int n_cands, cap_cands, has_sink;
    int expr_active, expr_stmt, expr_code, expr_cands;

    /* names bound to imported modules: import a (MOD_SURE), from a import b (MOD_MAYBE) */
    struct modbind *modv; /* grown as imports come (most modules have a few) */
    int n_mods, cap_mods, mods_full, out_of_memory;
    char alias_path[MAX_MODULE + 1];  /* import a.b as c: a.b; from a import b: a.b */
    char from_name[MAX_NAME + 1];     /* from a import b (as c): b */
    int from_kind;

    /* the postfix chain (a.b(c)[d].e) the current token belongs to: what
     * its root is; brackets save the chain they continue */
    int chain;
    unsigned char bstack[MAX_BRACKETS];
    int bsp;
    char chain_path[MAX_MODULE + 1]; /* while the chain is a.b.c of modules: their dotted name */
    size_t chain_path_len;
    int chain_self, chain_steps;     /* the chain's root is the name self; attributes so far */

    /* X.__dict__ (X not self): what follows it (a class's __dict__ holds
     * every descriptor and slot wrapper: a computed key is a getattr) */
    int dict_state, dict_line, dict_col, dict_cmp, chain_cmp;
    int chain_super; /* the chain's root is super() */
    int chain_class, chain_dispatch; /* ... a class (Base.__init__(self)); a singledispatch function */
    int saw_dispatch, dispatch_next_def, stmt_decorator; /* singledispatch named in this statement / above */
    char stmt_target[MAX_NAME + 1];
    char last_attr[MAX_NAME + 1]; /* the chain's last attribute: x.stream.buffer */

    /* class NAME(type): a metaclass, whose __new__ builds class namespaces
     * (with keys computed out of sight: Formatter hooks, __annotations__) */
    int class_hdr, class_depth, in_metaclass;

    /* checks on the token after a name: string.Formatter must be called,
     * a submodule reached by attribute must be followed by '.' */
    int must_call, submodule_tail, held_line, held_col;
    char held_name[MAX_NAME + 1];

    /* a binding being made: NAME = ..., NAME := ..., ... as NAME */
    char target[MAX_NAME + 1];
    int target_armed, as_armed, stmt_tokens;

    /* def NAME(...) -> ...: where string annotations stand (they are
     * evaluated: typing, functools.singledispatch) */
    int def_state, def_depth, in_annotation, ann_first;
    int nested; /* this scan is of an annotation's text */

    /* calls whose attribute names must be literals (getattr & co.) */
    struct ga_frame gstack[MAX_GA];
    int gsp, ga_overflow;
    int ga_arm, ga_arm_line, ga_arm_col, ga_arm_from_dict; /* the NAME before a '(' was one of them */
    char ga_arm_name[MAX_NAME + 1];
    int run_ga; /* the current string run is a name argument of gstack[gsp-1] */
};

/* ---- findings ------------------------------------------------------------ */

static void report(struct scanner *s, const char *rule, int line, int col, const char *fmt, const char *arg)
{
    struct sbx_finding f;

    if (s->stopped)
        return;
    if (s->count >= SBX_MAX_FINDINGS) {
        f.rule = "too-many-findings";
        f.line = line;
        f.col = col;
        snprintf(f.message, sizeof f.message, "more than %d findings; scanning stopped", SBX_MAX_FINDINGS);
        s->cb(s->ctx, &f);
        s->stopped = 1;
        return;
    }
    f.rule = rule;
    f.line = line;
    f.col = col;
    snprintf(f.message, sizeof f.message, fmt, arg);
    s->count++;
    if (s->cb(s->ctx, &f) != 0)
        s->stopped = s->aborted = 1;
}

static int col_of(const struct scanner *s, size_t pos)
{
    return (int)(pos - s->line_start);
}

static int in_list(const char *const *list, size_t n, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < n; i++) { /* the first byte settles most of them */
        if (len > 0 && list[i][0] == name[0] && strlen(list[i]) == len && memcmp(list[i], name, len) == 0)
            return 1;
    }
    return 0;
}

static int in_names(const struct sbx_names *names, const char *name, size_t len)
{
    return in_list(names->items, names->n, name, len);
}

static int is_name_start(unsigned char c)
{
    return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static int tok_is(const struct token *t, int kind, const char *text)
{
    return t->kind == kind && t->len == strlen(text) && memcmp(t->text, text, t->len) == 0;
}

static int is_op(const struct token *t, const char *text)
{
    return t->kind == TOK_OP && strcmp(t->text, text) == 0;
}

/* ---- what string literals raise ------------------------------------------- */

/* Double the room of an array that grows as the scan needs it (most
 * modules need a few entries); 0, or -1 when out of memory (the scan stops). */
static int grow(struct scanner *s, void **items, int *cap, size_t size)
{
    int wanted = *cap ? *cap * 2 : 8;
    void *grown = realloc(*items, (size_t)wanted * size);

    if (grown == NULL) {
        s->out_of_memory = s->stopped = 1;
        return -1;
    }
    *items = grown;
    *cap = wanted;
    return 0;
}

/* Hold a finding of a string literal until the module's end (reported
 * there only if the module has a string-to-attribute sink). */
static void candidate(struct scanner *s, const char *rule, int line, int col, const char *fmt, const char *arg)
{
    struct candidate *c;

    if (s->stopped)
        return;
    if (s->n_cands >= SBX_MAX_FINDINGS) { /* no room to wait: report it now */
        report(s, rule, line, col, fmt, arg);
        return;
    }
    if (s->n_cands == s->cap_cands && grow(s, (void **)&s->cands, &s->cap_cands, sizeof *s->cands) < 0)
        return;
    c = &s->cands[s->n_cands++];
    c->rule = rule;
    c->line = line;
    c->col = col;
    snprintf(c->message, sizeof c->message, fmt, arg);
}

/* The first denied attribute that stands in text as a whole identifier
 * ("f_back" in "{0.f_back}", not in "if_backup"), or NULL. */
static const char *denied_in_text(const struct sbx_policy *pol, const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < pol->denied_attributes.n; i++) {
        const char *name = pol->denied_attributes.items[i], *p;
        size_t nlen = strlen(name), off = 0;
        if (nlen == 0)
            continue;
        while (off + nlen <= len && (p = memmem(text + off, len - off, name, nlen)) != NULL) {
            size_t at = (size_t)(p - text);
            if ((at == 0 || !is_name_char((unsigned char)text[at - 1])) &&
                (at + nlen == len || !is_name_char((unsigned char)text[at + nlen])))
                return name;
            off = at + 1;
        }
    }
    return NULL;
}

/* Format fields in a string: "{arg.attr[key]!r:spec}".  A field that walks
 * to a denied attribute or key, or one that the literal leaves open after
 * starting a walk ("{0." + name + "}": the rest cannot be checked). */
static void check_format_fields(struct scanner *s, const char *text, size_t len)
{
    const struct sbx_policy *pol = s->policy;
    size_t i = 0;

    while (i < len) {
        size_t j, part = 0;
        int walks = 0, in_key = 0;
        if (text[i] != '{') {
            i++;
            continue;
        }
        if (i + 1 < len && text[i + 1] == '{') {
            i += 2;
            continue;
        }
        for (j = i + 1;; j++) {
            int end = j >= len || (!in_key && (text[j] == '}' || text[j] == '!' || text[j] == ':' || text[j] == '{'));
            if (end || (!in_key && (text[j] == '.' || text[j] == '[')) || (in_key && text[j] == ']')) {
                if (part > 0 && part < j) { /* the attribute or key just ended */
                    char name[MAX_NAME + 1];
                    size_t n = j - part > MAX_NAME ? MAX_NAME : j - part;
                    memcpy(name, text + part, n);
                    name[n] = '\0';
                    if (in_names(&pol->denied_attributes, name, n))
                        candidate(s, "format-attribute-walk", s->run_line, s->run_col,
                                  "format field walks to '%.64s' (str.format and Formatter turn fields into "
                                  "attribute access)", name);
                }
                if (end) {
                    if (j >= len && walks)
                        candidate(s, "format-attribute-walk", s->run_line, s->run_col,
                                  "format field%s walks attributes and is left open: the rest of its walk is "
                                  "built elsewhere and cannot be checked", "");
                    break;
                }
                if (in_key) {
                    in_key = 0;
                    part = 0;
                } else {
                    walks = 1;
                    in_key = text[j] == '[';
                    part = j + 1;
                }
            }
        }
        i = j + 1;
    }
}

/* ---- imported modules and postfix chains ---------------------------------- */

static int module_index(const struct scanner *s, const char *name, size_t len)
{
    int i;

    for (i = 0; i < s->n_mods; i++) {
        if (strlen(s->modv[i].name) == len && memcmp(s->modv[i].name, name, len) == 0)
            return i;
    }
    return -1;
}

static int module_kind(const struct scanner *s, const char *name, size_t len)
{
    int i = module_index(s, name, len);

    return i < 0 ? MOD_NONE : s->modv[i].kind;
}

/* Bind name to a module (path: its dotted name, "" if unknown). */
static void bind_module(struct scanner *s, const char *name, size_t len, int kind, const char *path, int line,
                        int col)
{
    int i;
    size_t plen = strlen(path);

    if (len == 0 || len > MAX_NAME || plen > MAX_MODULE)
        return;
    i = module_index(s, name, len);
    if (i < 0) {
        if (s->n_mods >= MAX_MODS) {
            if (!s->mods_full)
                report(s, "too-many-imports", line, col,
                       "more than %s names bound by import: the validator cannot follow them", "256");
            s->mods_full = 1;
            return;
        }
        if (s->n_mods == s->cap_mods && grow(s, (void **)&s->modv, &s->cap_mods, sizeof *s->modv) < 0)
            return;
        i = s->n_mods++;
        memcpy(s->modv[i].name, name, len);
        s->modv[i].name[len] = '\0';
        s->modv[i].kind = MOD_NONE;
        s->modv[i].path[0] = '\0';
    }
    if (kind == MOD_SURE || kind == MOD_DISPATCH || s->modv[i].kind == MOD_NONE) {
        s->modv[i].kind = (unsigned char)kind;
        memcpy(s->modv[i].path, path, plen + 1);
    }
}

/* a.b: "a" + "." + "b" into out (MAX_MODULE + 1); 0 if too long */
static int join_path(char *out, const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen + 1 + blen > MAX_MODULE)
        return 0;
    memcpy(out, a, alen);
    out[alen] = '.';
    memcpy(out + alen + 1, b, blen);
    out[alen + 1 + blen] = '\0';
    return 1;
}

/* path.name where path is a module: a re-exported module is refused (its
 * attributes are another module's: logging.traceback.sys, enum.bltns.exec);
 * returns 1 if path.name is itself a submodule (out holds it), -1 if it
 * was refused, else 0. */
static int check_module_path(struct scanner *s, const char *path, size_t plen, const char *n, size_t len, int line,
                             int col, char *out)
{
    const struct sbx_policy *pol = s->policy;

    if (plen == 0 || !join_path(out, path, plen, n, len))
        return 0;
    if (in_names(&pol->reexports, out, strlen(out))) {
        report(s, "module-attribute", line, col,
               "'%s' is another module that this module imported (its attributes can reach what the validator "
               "cannot follow)", out);
        return -1;
    }
    return in_names(&pol->submodules, out, strlen(out));
}

/* An attribute (or a from-import name) taken from a module: modules
 * re-export what they import (logging.os, random._os) and keep private
 * helpers that reach further (uuid._get_command_stdout runs programs);
 * a module's __dict__ holds all of that. */
/* A name of a denied module, leading underscores aside (_os is os). */
static int names_denied_module(const struct sbx_policy *pol, const char *n, size_t len)
{
    while (len > 0 && *n == '_') {
        n++;
        len--;
    }
    return in_names(&pol->denied_modules, n, len);
}

/* _name, but not __dunder__, or the documented underscore API of enum
 * (_value_, _missing_, ...) and namedtuple classes (_fields, _asdict, ...). */
static int is_private(const char *n, size_t len)
{
    static const char *const public_names[] = {"_fields", "_field_defaults", "_asdict", "_replace", "_make",
                                               "_value_", "_name_", "_missing_", "_generate_next_value_",
                                               "_ignore_", "_order_", "_numeric_repr_", "_member_names_",
                                               "_member_map_", "_value2member_map_"};

    if (len < 2 || n[0] != '_')
        return 0;
    if (len >= 4 && n[1] == '_' && n[len - 1] == '_' && n[len - 2] == '_')
        return 0; /* __dunder__ */
    /* _sunder_ names are private too (enum's _convert_ imports any module),
     * but for enum's and namedtuple's documented ones */
    return !in_list(public_names, sizeof public_names / sizeof public_names[0], n, len);
}

static void check_module_member(struct scanner *s, const char *n, size_t len, int line, int col)
{
    if (names_denied_module(s->policy, n, len))
        report(s, "module-attribute", line, col,
               "'%s' of a module names a denied module (modules re-export the modules they import)", n);
    else if (len == 8 && memcmp(n, "__dict__", 8) == 0)
        report(s, "module-dict", line, col,
               "'%s' of a module: a module's namespace holds every module it imported", n);
    else if (in_names(&s->policy->denied_module_members, n, len))
        report(s, "module-attribute", line, col,
               "'%s' of what a module hands out (an io object: its type opens any path)", n);
    else if (is_private(n, len))
        report(s, "private-module-attribute", line, col,
               "private member '%s' of a module (private helpers reach what the module does not offer)", n);
}

/* ---- getattr & co.: calls whose attribute names must be literals ---------- */

static int ga_kind_of_name(const char *n, size_t len, int after_dot)
{
#define IS(word) (len == sizeof(word) - 1 && memcmp(n, (word), len) == 0)
    if (!after_dot && (IS("getattr") || IS("setattr") || IS("delattr") || IS("hasattr")))
        return GA_ATTR;
    if (IS("attrgetter"))
        return GA_ATTRGETTER;
    if (IS("methodcaller"))
        return GA_METHOD;
    if (after_dot && IS("get_field"))
        return GA_FIELD;
    if (IS("update_wrapper"))
        return GA_UPDATE_WRAPPER;
    if (IS("wraps"))
        return GA_WRAPS;
    if (after_dot && (IS("__setattr__") || IS("__delattr__")))
        return GA_SETATTR_DUNDER;
    if (!after_dot && IS("type"))
        return GA_TYPE;
    if (IS("basicConfig"))
        return GA_BASICCONFIG;
    return GA_NONE;
#undef IS
}

static int ga_kind_of(const struct token *name, int after_dot)
{
    return ga_kind_of_name(name->text, name->len, after_dot);
}

static int ga_name_arg(const struct ga_frame *f)
{
    switch (f->kind) {
    case GA_ATTRGETTER:
        return 1;
    case GA_ATTR:
        return f->arg == 1;
    case GA_METHOD:
    case GA_FIELD:
    case GA_DICT:
        return f->arg == 0;
    case GA_SETATTR_DUNDER:
        return f->arg <= 1 && !f->seen_name;
    default: /* wraps, update_wrapper: no name arguments at all */
        return 0;
    }
}

static void ga_computed(struct scanner *s, struct ga_frame *f)
{
    if (f->reported)
        return; /* one finding a call */
    f->reported = 1;
    report(s, "dynamic-attribute", f->line, f->col,
           "%s with an attribute name that is not one plain string literal (a computed name cannot be "
           "checked)", f->fname);
}

/* One attribute name that a literal argument gives. */
static void ga_check_part(struct scanner *s, const struct ga_frame *f, const char *n, size_t len)
{
    const struct sbx_policy *pol = s->policy;
    char name[MAX_NAME + 1];

    memcpy(name, n, len);
    name[len] = '\0';
    if (in_names(&pol->denied_attributes, n, len) ||
        in_names(&pol->denied_names, n, len)) {
        char message[160];
        snprintf(message, sizeof message, "%.23s names the denied attribute '%.64s'", f->fname, name);
        report(s, "denied-attribute-string", f->line, f->col, "%s", message);
    } else if (f->from_dict && (in_names(&pol->string_sinks, n, len) || (len == 11 && memcmp(n, "__setattr__", 11) == 0))) {
        /* type.__dict__["__setattr__"], str.__dict__["format"]: the sink without its name */
        report(s, "dynamic-attribute", f->line, f->col,
               "'%s' taken from a class's __dict__: a sink for strings without its name in the code", name);
    } else if (in_names(&pol->denied_members, n, len)) {
        report(s, "module-attribute", f->line, f->col, "attribute name '%s' names a module", name);
    } else if (f->arg0_module) { /* getattr(module, "os"), getattr(logging, "traceback") */
        char full[MAX_MODULE + 1];
        if (check_module_path(s, f->arg0_path, strlen(f->arg0_path), n, len, f->line, f->col, full) >= 0)
            check_module_member(s, n, len, f->line, f->col);
    } else if (f->kind != GA_ATTR && names_denied_module(pol, n, len)) { /* attrgetter, fields: on anything */
        report(s, "module-attribute", f->line, f->col,
               "attribute name '%s' names a denied module (modules re-export the modules they import)", name);
    }
}

static void ga_end_arg(struct scanner *s, struct ga_frame *f)
{
    size_t i, start;

    if (!ga_name_arg(f) || (f->strings == 0 && f->others == 0))
        return; /* another argument, or an empty one (a trailing comma) */
    if (f->kind == GA_SETATTR_DUNDER &&
        (f->strings == 0 || f->others > 0 || f->bad_string || f->text_long))
        return; /* the object (argument 0 of type.__setattr__): the name may follow */
    f->seen_name = 1;
    if (f->strings == 0 || f->others > 0 || f->bad_string || f->text_long) {
        ga_computed(s, f);
        return;
    }
    if (f->kind == GA_ATTR || f->kind == GA_METHOD || f->kind == GA_DICT || f->kind == GA_SETATTR_DUNDER) {
        ga_check_part(s, f, f->text, f->text_len);
        return;
    }
    /* attrgetter("a.b.c"); get_field("0.a[b].c"): every part after the
     * first (the argument's own name) */
    for (i = 0, start = 0; i <= f->text_len; i++) {
        char c = i < f->text_len ? f->text[i] : '.';
        if (c == '.' || c == '[' || c == ']') {
            if (i > start && (f->kind == GA_ATTRGETTER || start > 0))
                ga_check_part(s, f, f->text + start, i - start);
            start = i + 1;
        }
    }
}

static int is_type_name(const struct scanner *s, const struct token *t);

/* The call's closing bracket: what its arguments added up to. */
static void ga_end_call(struct scanner *s, struct ga_frame *f)
{
    int args = f->arg; /* the number of commas at the call's own depth */

    switch (f->kind) {
    case GA_TYPE:
        if (args >= 2) /* type(x) is fine */
            report(s, "dynamic-attribute", f->line, f->col,
                   "%s with three arguments: a class made from a namespace built at run time", f->fname);
        else if (f->arg0_module) /* type(string.Formatter()): a class to subclass, out of sight */
            report(s, "module-attribute", f->line, f->col,
                   "%s of what a module hands out: its class (to subclass) is out of the validator's sight",
                   f->fname);
        return;
    case GA_REGISTER:
        if (args == 0 && !f->empty && !f->reg_class)
            report(s, "dynamic-attribute", f->line, f->col,
                   "%s of a singledispatch function with one argument that is no class: it evaluates that "
                   "object's annotations (give the class: register(cls, func))", f->fname);
        return;
    case GA_BASICCONFIG:
    case GA_ATTRGETTER:
    case GA_UPDATE_WRAPPER:
    case GA_WRAPS:
        if (f->unverifiable)
            ga_computed(s, f);
        return;
    default:
        if (f->unverifiable || !f->seen_name)
            ga_computed(s, f); /* getattr(*args): no literal name to check */
    }
}

/* A token inside (or closing) the innermost followed call; before the
 * brackets move. */
static void ga_token(struct scanner *s, const struct token *t)
{
    struct ga_frame *f;
    int closes;

    if (s->gsp == 0)
        return;
    f = &s->gstack[s->gsp - 1];
    if (s->bsp > f->depth) {
        f->others++; /* inside brackets within the argument */
        return;
    }
    if (s->bsp < f->depth) { /* unbalanced (a syntax error): let it go */
        s->gsp--;
        return;
    }
    closes = is_op(t, f->kind == GA_DICT ? "]" : ")");
    if (is_op(t, ",") || closes) {
        if (f->kind == GA_DICT && !closes)
            f->others++; /* x.__dict__[a, b]: a tuple key */
        else
            ga_end_arg(s, f);
        if (!closes) {
            f->arg++;
            f->strings = f->others = f->bad_string = f->text_long = 0;
            f->text_len = 0;
            f->first_token = 1;
            /* update_wrapper(wrapper, wrapped), wraps(wrapped): more names attributes by string */
            if ((f->kind == GA_UPDATE_WRAPPER && f->arg >= 2) || (f->kind == GA_WRAPS && f->arg >= 1))
                f->unverifiable = 1;
            return;
        }
        ga_end_call(s, f);
        s->gsp--;
        return;
    }
    if (f->first_token && is_op(t, "*"))
        f->unverifiable = 1; /* *args or **kwargs: which argument is the name is unknown */
    if (is_op(t, "=") && (f->kind == GA_UPDATE_WRAPPER || f->kind == GA_WRAPS))
        f->unverifiable = 1; /* assigned=, updated=: attribute names as strings */
    if (is_op(t, "=") && f->kind == GA_BASICCONFIG && s->prev.kind == TOK_NAME &&
        (strcmp(s->prev.text, "filename") == 0 || strcmp(s->prev.text, "handlers") == 0 ||
         strcmp(s->prev.text, "stream") == 0 || strcmp(s->prev.text, "filemode") == 0))
        report(s, "dynamic-attribute", f->line, f->col,
               "basicConfig(%s=...): a path or stream of the caller's choosing", s->prev.text);
    f->empty = 0;
    if (t->kind == TOK_STRING) {
        f->strings++;
        f->bad_string |= t->text[0] != '\0'; /* f-string or bytes */
        s->run_ga = ga_name_arg(f);
    } else {
        if (f->kind == GA_REGISTER && f->arg == 0) {
            if (f->first_token)
                f->reg_class = t->kind == TOK_NAME && (is_type_name(s, t) &&
                                                       module_kind(s, t->text, t->len) != MOD_DISPATCH);
            else if (!(is_op(t, ".") || (t->kind == TOK_NAME && is_op(&s->prev, "."))) ||
                     module_kind(s, s->prev.text, s->prev.len) == MOD_CLASS)
                f->reg_class = 0; /* a call, a subscript, Class.method */
        }
        if (f->first_token && f->arg == 0 && t->kind == TOK_NAME) {
            int i = module_index(s, t->text, t->len);
            if (i >= 0 && (s->modv[i].kind == MOD_SURE || s->modv[i].kind == MOD_MAYBE)) {
                f->arg0_module = 1;
                memcpy(f->arg0_path, s->modv[i].path, strlen(s->modv[i].path) + 1);
            }
        }
        f->others++;
    }
    f->first_token = 0;
}

/* Start following a call (or a subscript, GA_DICT) right after its opening
 * bracket. */
static void ga_push(struct scanner *s, int kind, int line, int col, const char *fname)
{
    struct ga_frame *f;

    if (s->gsp >= MAX_GA) {
        if (!s->ga_overflow)
            report(s, "dynamic-attribute", line, col, "%s nested too deeply to follow", fname);
        s->ga_overflow = 1;
        return;
    }
    f = &s->gstack[s->gsp++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->depth = s->bsp;
    f->line = line;
    f->col = col;
    f->first_token = 1;
    f->empty = 1;
    f->from_dict = kind == GA_DICT || s->ga_arm_from_dict;
    s->ga_arm_from_dict = 0;
    snprintf(f->fname, sizeof f->fname, "%.23s", fname);
}

/* A name an annotation may start with: a builtin type, None, a class of
 * this module, a name bound by import or from one (T = TypeVar("T")). */
static int is_type_name(const struct scanner *s, const struct token *t)
{
    static const char *const builtins[] = {"int", "float", "complex", "bool", "str", "bytes", "bytearray", "list",
                                           "tuple", "dict", "set", "frozenset", "object", "type", "range", "slice",
                                           "None", "memoryview", "BaseException", "Exception"};

    return module_kind(s, t->text, t->len) != MOD_NONE ||
           in_list(builtins, sizeof builtins / sizeof builtins[0], t->text, t->len);
}

/* Hold a name and its token's position for a check on the next token. */
static void hold_name(struct scanner *s, const char *name, const struct token *t)
{
    snprintf(s->held_name, sizeof s->held_name, "%.200s", name);
    s->held_line = t->line;
    s->held_col = t->col;
}

/* After X.__dict__ (X not self): a key must be one literal, and the
 * mapping is not iterated or handed out; a class's __dict__ holds every
 * descriptor and slot wrapper (object.__dict__["__getattribute__"] is a
 * getattr, type(f).__dict__["__globals__"].__get__(f) a function's
 * globals).  Returns 1 if it consumed the token's meaning. */
static void dict_token(struct scanner *s, const struct token *t)
{
    int state = s->dict_state;

    s->dict_state = DICT_NONE;
    if (state == DICT_SEEN) {
        if (is_op(t, "["))
            s->ga_arm = GA_DICT; /* followed by track() once the bracket is pushed */
        else if (is_op(t, "."))
            s->dict_state = DICT_DOT;
        else if (!is_op(t, "==") && !is_op(t, "!=") && !s->dict_cmp)
            report(s, "dynamic-attribute", s->dict_line, s->dict_col,
                   "'%s' of an object other than self handed on (a class's __dict__ holds every attribute it "
                   "gives)", "__dict__");
        return;
    }
    if (state == DICT_DOT && t->kind == TOK_NAME) {
        if (tok_is(t, TOK_NAME, "get") || tok_is(t, TOK_NAME, "pop") || tok_is(t, TOK_NAME, "setdefault")) {
            s->ga_arm = GA_METHOD; /* the key: argument 0, a literal */
            s->ga_arm_from_dict = 1;
            s->ga_arm_line = s->dict_line;
            s->ga_arm_col = s->dict_col;
            snprintf(s->ga_arm_name, sizeof s->ga_arm_name, "__dict__.%.16s()", t->text);
            s->dict_state = -1; /* the '(' comes next */
        } else if (tok_is(t, TOK_NAME, "values") || tok_is(t, TOK_NAME, "items") || tok_is(t, TOK_NAME, "copy") ||
                   tok_is(t, TOK_NAME, "__getitem__")) {
            report(s, "dynamic-attribute", s->dict_line, s->dict_col,
                   "'__dict__.%s' of an object other than self (a class's __dict__ holds every attribute it "
                   "gives)", t->text);
        }
    }
}

/* Sinks, chains, brackets, followed calls, bindings and annotations:
 * every code token passes here. */
static void track(struct scanner *s, const struct token *t)
{
    const struct sbx_policy *pol = s->policy;
    int after_dot = is_op(&s->prev, ".");
    int arm;

    if (t->kind == TOK_NAME && in_names(&pol->string_sinks, t->text, t->len))
        s->has_sink = 1;
    /* singledispatch: which names are such functions (@singledispatch def
     * f, f = singledispatch(g)), so that f.register(x) is followed */
    if (s->stmt_tokens == 0 && s->sp == 0)
        s->stmt_decorator = is_op(t, "@");
    if (tok_is(t, TOK_NAME, "singledispatch") || tok_is(t, TOK_NAME, "singledispatchmethod"))
        s->saw_dispatch = 1;
    if (s->sp == 0 && (t->kind == TOK_NEWLINE || t->kind == TOK_END || is_op(t, ";"))) {
        if (s->saw_dispatch && s->stmt_decorator)
            s->dispatch_next_def = 1;
        else if (s->saw_dispatch && s->stmt_target[0] != '\0')
            bind_module(s, s->stmt_target, strlen(s->stmt_target), MOD_DISPATCH, "", t->line, t->col);
        s->saw_dispatch = 0;
        s->stmt_target[0] = '\0';
    }
    if (s->must_call) { /* string.Formatter: called, never subclassed or handed on */
        if (!is_op(t, "("))
            report(s, "denied-attribute", s->held_line, s->held_col,
                   "'%s' other than called (a subclass's hooks receive the objects a format field walks to)",
                   s->held_name);
        s->must_call = 0;
    }
    if (s->submodule_tail) { /* x = logging.handlers: a module as a value */
        if (!is_op(t, "."))
            report(s, "module-as-value", s->held_line, s->held_col,
                   "the module '%s' used as a value (its attributes can then no longer be checked)",
                   s->held_name);
        s->submodule_tail = 0;
    }
    if (s->dict_state == -1)
        s->dict_state = DICT_NONE; /* x.__dict__.get: this is its '(' */
    else if (s->dict_state != DICT_NONE)
        dict_token(s, t);
    arm = s->ga_arm;
    ga_token(s, t);

    /* a binding made from a module chain: w = warnings.catch_warnings() */
    if (s->target_armed && t->kind == TOK_NAME && !after_dot) {
        int kind = module_kind(s, t->text, t->len);
        if (kind == MOD_SURE) /* w = warnings.catch_warnings(): what a module hands out */
            bind_module(s, s->target, strlen(s->target), MOD_MAYBE, "", t->line, t->col);
        else if (kind == MOD_MAYBE || kind == MOD_TYPED) /* T = TypeVar("T"), Alias = Dict[str, int] */
            bind_module(s, s->target, strlen(s->target), MOD_TYPED, "", t->line, t->col);
        /* (x = Class(): an instance of this module's class is no type) */
    }
    s->target_armed = 0;
    if (s->as_armed && t->kind == TOK_NAME && !tok_is(t, TOK_NAME, "as")) {
        bind_module(s, t->text, t->len, MOD_MAYBE, "", t->line, t->col); /* with m.x() as NAME */
        s->as_armed = 0;
    } else if (tok_is(t, TOK_NAME, "as")) {
        s->as_armed = s->chain == CH_MOD;
    } else {
        s->as_armed = 0;
    }
    if ((is_op(t, "=") && s->stmt_tokens == 1) || is_op(t, ":=")) {
        if (s->prev.kind == TOK_NAME) {
            memcpy(s->target, s->prev.text, s->prev.len + 1);
            memcpy(s->stmt_target, s->prev.text, s->prev.len + 1);
            s->target_armed = 1;
        }
    }

    /* the first token of a function's annotation: singledispatch (and
     * typing) evaluate annotations, and one that is a string is code; a
     * string literal is scanned as code (flush_run), a name must be one
     * that is no string: a type (builtin, a class here, imported, or bound
     * from one), not a variable of this module's */
    if (s->ann_first) {
        s->ann_first = 0;
        if (t->kind == TOK_NAME && !is_type_name(s, t))
            report(s, "annotation-name", t->line, t->col,
                   "annotation '%s' is no type this module imports or defines (singledispatch evaluates "
                   "annotations: a string there is code)", t->text);
        else if (t->kind != TOK_NAME && t->kind != TOK_STRING)
            report(s, "annotation-name", t->line, t->col,
                   "annotation that is an expression%s (singledispatch evaluates annotations: a string there is "
                   "code)", "");
    }
    if (tok_is(t, TOK_NAME, "class") && !after_dot) {
        s->class_hdr = 1;
        s->in_metaclass = 0; /* (the metaclass's body ended: no indentation is tracked) */
    } else if (s->class_hdr == 1 && is_op(t, "(")) {
        s->class_hdr = 2;
        s->class_depth = s->bsp + 1;
    } else if (s->class_hdr == 2 && s->bsp == s->class_depth && t->kind == TOK_NAME &&
               (tok_is(t, TOK_NAME, "type") || tok_is(t, TOK_NAME, "ABCMeta") || tok_is(t, TOK_NAME, "EnumMeta") ||
                tok_is(t, TOK_NAME, "EnumType"))) {
        s->in_metaclass = 1;
    } else if (s->class_hdr && is_op(t, ":") && s->bsp == (s->class_hdr == 2 ? s->class_depth - 1 : s->bsp)) {
        s->class_hdr = 0;
    }
    /* def NAME(params) -> ret: where string annotations stand */
    if (tok_is(t, TOK_NAME, "def") && !after_dot) {
        s->def_state = 1;
    } else if (s->def_state == 1) {
        s->def_state = t->kind == TOK_NAME ? 2 : 0;
    } else if (s->def_state == 2) {
        s->def_state = is_op(t, "(") ? 3 : 0;
        s->def_depth = s->bsp + 1;
    } else if (s->def_state == 3 && s->bsp == s->def_depth) {
        if (is_op(t, ":"))
            s->in_annotation = s->ann_first = 1;
        else if (is_op(t, ",") || is_op(t, "="))
            s->in_annotation = 0;
        else if (is_op(t, ")"))
            s->def_state = 4, s->in_annotation = 0; /* the parameters end */
    } else if (s->def_state == 3 && s->bsp < s->def_depth) {
        s->def_state = s->in_annotation = 0; /* unbalanced: a syntax error */
    }
    if (s->def_state == 4) {
        if (is_op(t, "->"))
            s->in_annotation = s->ann_first = 1;
        else if (is_op(t, ":") && s->bsp == s->def_depth - 1)
            s->def_state = s->in_annotation = 0;
    }

    if (t->kind == TOK_NAME) {
        if (after_dot) {
            if (s->chain == CH_MOD || s->chain == CH_MAYBE) {
                char full[MAX_MODULE + 1];
                int sub = check_module_path(s, s->chain_path, s->chain_path_len, t->text, t->len, t->line, t->col,
                                            full);
                if (sub > 0) {
                    s->chain_path_len = strlen(full);
                    memcpy(s->chain_path, full, s->chain_path_len + 1);
                    hold_name(s, full, t); /* a submodule: followed by '.', or a value */
                    s->submodule_tail = 1;
                } else {
                    if (s->chain_path_len > 0 && join_path(full, s->chain_path, s->chain_path_len, t->text, t->len) &&
                        in_names(&pol->called_only, full, strlen(full))) {
                        hold_name(s, full, t);
                        s->must_call = 1;
                    }
                    s->chain_path_len = 0;
                }
                if (sub >= 0)
                    check_module_member(s, t->text, t->len, t->line, t->col);
                if (tok_is(t, TOK_NAME, "__class__")) /* string.Formatter().__class__: to subclass */
                    report(s, "module-attribute", t->line, t->col,
                           "'%s' of what a module hands out: a class to subclass, out of the validator's sight",
                           t->text);
            } else if (tok_is(t, TOK_NAME, "__init__") && !s->chain_self && !s->chain_super && !s->chain_class) {
                /* f.__init__(path): an object made anew, as its class would (FileIO) */
                report(s, "dynamic-attribute", t->line, t->col,
                       "'%s' of an object other than self, super() or a class: it re-makes the object as its "
                       "class would", t->text);
            } else if ((tok_is(t, TOK_NAME, "buffer") && strcmp(s->last_attr, "stream") == 0) ||
                       (tok_is(t, TOK_NAME, "raw") && strcmp(s->last_attr, "buffer") == 0)) {
                report(s, "module-attribute", t->line, t->col,
                       "'%s' of a stream: an io object, whose type opens any path", t->text);
            } else if (in_names(&pol->denied_members, t->text, t->len)) {
                report(s, "module-attribute", t->line, t->col,
                       "'%s' of an object: modules and objects hand out the module by that name", t->text);
            } else if (tok_is(t, TOK_NAME, "__dict__") && !(s->chain_self && s->chain_steps == 0)) {
                s->dict_state = DICT_SEEN;
                s->dict_line = t->line;
                s->dict_col = t->col;
                s->dict_cmp = s->chain_cmp; /* a == other.__dict__: compared, not handed on */
            }
            s->chain_steps++;
            memcpy(s->last_attr, t->text, t->len + 1);
        } else {
            int i = module_index(s, t->text, t->len);
            int kind = i < 0 ? MOD_NONE : s->modv[i].kind;
            if (i >= 0 && in_names(&pol->called_only, s->modv[i].path, strlen(s->modv[i].path))) {
                hold_name(s, s->modv[i].path, t); /* from string import Formatter (as F) */
                s->must_call = 1;
            }
            s->chain = kind == MOD_SURE ? CH_MOD : kind == MOD_MAYBE ? CH_MAYBE : CH_OTHER;
            s->chain_path_len = i < 0 ? 0 : strlen(s->modv[i].path);
            memcpy(s->chain_path, i < 0 ? "" : s->modv[i].path, s->chain_path_len + 1);
            s->chain_self = tok_is(t, TOK_NAME, "self");
            s->chain_super = tok_is(t, TOK_NAME, "super");
            s->chain_class = kind == MOD_CLASS || kind == MOD_MAYBE || kind == MOD_TYPED ||
                             tok_is(t, TOK_NAME, "object") || tok_is(t, TOK_NAME, "Exception");
            s->chain_dispatch = kind == MOD_DISPATCH;
            s->last_attr[0] = '\0';
            s->chain_steps = 0;
            /* a == other.__dict__, key in other.__dict__: keys and equality only */
            s->chain_cmp = is_op(&s->prev, "==") || is_op(&s->prev, "!=") || tok_is(&s->prev, TOK_NAME, "in");
        }
    } else if (is_op(t, "(") || is_op(t, "[") || is_op(t, "{")) {
        if (s->bsp < MAX_BRACKETS)
            s->bstack[s->bsp] = (unsigned char)(is_op(t, "{") ? CH_NONE : s->chain);
        s->bsp++;
        s->chain = CH_NONE;
        if (arm != GA_NONE && is_op(t, arm == GA_DICT ? "[" : "("))
            ga_push(s, arm, arm == GA_DICT ? s->dict_line : s->ga_arm_line, arm == GA_DICT ? s->dict_col : s->ga_arm_col,
                    arm == GA_DICT ? "__dict__[]" : s->ga_arm_name);
    } else if (is_op(t, ")") || is_op(t, "]") || is_op(t, "}")) {
        if (s->bsp > 0)
            s->bsp--;
        s->chain = s->bsp < MAX_BRACKETS && !is_op(t, "}") ? s->bstack[s->bsp] : CH_NONE;
        s->chain_path_len = 0; /* a call's or subscript's result: some object */
        s->last_attr[0] = '\0';
        s->chain_self = 0;
    } else if (!is_op(t, ".")) {
        s->chain = CH_NONE;
    }
    if (s->dict_state != -1) /* (x.__dict__.get arms the '(' that follows) */
        s->ga_arm = GA_NONE;
}

/* ---- the byte-level checks ----------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF; /* no overlongs, no surrogates */
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* NUL bytes and invalid UTF-8: both make the source unrunnable, and the
 * tokenizer below may then assume valid UTF-8.  Returns 0 if clean. */
static int check_bytes(struct scanner *s)
{
    size_t i = 0, line_start = 0;
    int line = 1, bad = 0;

    while (i < s->len && !s->stopped) {
        size_t n;
        if (s->src[i] == '\n') {
            line++;
            line_start = i + 1;
        }
        if (s->src[i] == '\0') {
            report(s, "nul-byte", line, (int)(i - line_start), "NUL byte in the source%s", "");
            bad = 1;
            i++;
            continue;
        }

        n = utf8_seq(s->src + i, s->len - i);
        if (n == 0) {
            report(s, "invalid-utf8", line, (int)(i - line_start), "invalid UTF-8 byte sequence%s", "");
            return 1; /* positions after it mean little */
        }
        i += n;
    }
    return bad;
}

/* PEP 263: "^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)" on line 1 or 2. */
static void check_encoding_declaration(struct scanner *s)
{
    size_t pos = 0;
    int line;

    if (s->len >= 3 && memcmp(s->src, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    for (line = 1; line <= 2 && pos < s->len; line++) {
        size_t start = pos, end = pos, i;
        while (end < s->len && s->src[end] != '\n')
            end++;
        i = start;
        while (i < end && (s->src[i] == ' ' || s->src[i] == '\t' || s->src[i] == '\f'))
            i++;
        if (i < end && s->src[i] == '#') {
            for (; i + 7 <= end; i++) {
                if (memcmp(s->src + i, "coding", 6) == 0 && (s->src[i + 6] == ':' || s->src[i + 6] == '=')) {
                    char name[64];
                    size_t j = i + 7, k = 0;
                    while (j < end && (s->src[j] == ' ' || s->src[j] == '\t'))
                        j++;
                    while (j < end && k < sizeof name - 1 &&
                           (s->src[j] == '-' || s->src[j] == '_' || s->src[j] == '.' ||
                            (s->src[j] >= '0' && s->src[j] <= '9') || ((s->src[j] | 0x20) >= 'a' && (s->src[j] | 0x20) <= 'z'))) {
                        char c = (char)s->src[j++];
                        name[k++] = c == '_' ? '-' : (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
                    }
                    name[k] = '\0';
                    if (strcmp(name, "utf-8") != 0 && strcmp(name, "utf8") != 0 && strcmp(name, "utf-8-sig") != 0)
                        report(s, "encoding-declaration", line, (int)(i - start),
                               "coding declaration '%s': only UTF-8 is accepted (the validated text must be "
                               "the text that runs)", name);
                    return;
                }
            }
        } else if (i < end) {
            return; /* line 1 holds code: line 2 is not looked at */
        }
        pos = end + 1;
    }
}

/* ---- string contents ------------------------------------------------------ */

static void run_start(struct scanner *s, int line, int col, int is_bytes)
{
    if (!s->run_active) {
        s->run_active = 1;
        s->run_len = 0;
        s->run_line = line;
        s->run_col = col;
        s->run_bytes = is_bytes;
    }
}

static void put_utf8(char *out, size_t *n, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | (cp >> 6));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | (cp >> 12));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | ((cp >> 18) & 0x07));
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one escape at src[*i] == '\\' of a non-raw literal into out. */
static void decode_escape(struct scanner *s, size_t *i, size_t end, int is_bytes, char *out, size_t *n)
{
    size_t p = *i + 1;
    unsigned char c;
    unsigned long cp = 0;
    int digits, k;

    if (p >= end) {
        out[(*n)++] = '\\';
        *i = p;
        return;
    }
    c = s->src[p];
    switch (c) {
    case 'x':
    case 'u':
    case 'U':
        digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (is_bytes && c != 'x')
            break;
        for (k = 0; k < digits && p + 1 + (size_t)k < end && hexval(s->src[p + 1 + k]) >= 0; k++)
            cp = cp * 16 + (unsigned long)hexval(s->src[p + 1 + k]);
        if (k == digits && cp <= 0x10FFFF) {
            put_utf8(out, n, cp);
            *i = p + 1 + (size_t)k;
            return;
        }
        break;
    case 'N':
        if (is_bytes || p + 1 >= end || s->src[p + 1] != '{')
            break;
        /* \N{NAME}: which character it names cannot be known here */
        candidate(s, "unicode-name-escape", s->line, col_of(s, *i),
                  "\\N{...} escape in a string: its character cannot be checked%s", "");
        for (p += 2; p < end && s->src[p] != '}'; p++)
            ;
        out[(*n)++] = '?';
        *i = p < end ? p + 1 : end;
        return;
    default:
        if (c >= '0' && c <= '7') {
            for (k = 0; k < 3 && p + (size_t)k < end && s->src[p + k] >= '0' && s->src[p + k] <= '7'; k++)
                cp = cp * 8 + (unsigned long)(s->src[p + k] - '0');
            put_utf8(out, n, cp);
            *i = p + (size_t)k;
            return;
        }
        out[(*n)++] = (char)c; /* \\, \', \", \n ...: the character itself is enough here */
        *i = p + 1;
        return;
    }
    out[(*n)++] = '\\';
    *i = p;
}

static int validate_impl(const char *src, size_t len, const struct sbx_policy *policy, sbx_finding_cb cb, void *ctx,
                         int nested);

struct annotation_scan {
    struct scanner *outer;
    int line, col;
};

static int annotation_finding(void *ctx, const struct sbx_finding *f)
{
    struct annotation_scan *a = ctx;
    char message[192];

    snprintf(message, sizeof message, "in a string annotation (code: typing and singledispatch evaluate it): %.120s",
             f->message);
    report(a->outer, f->rule, a->line, a->col, "%s", message);
    return a->outer->stopped;
}

/* A string annotation is code (functools.singledispatch, typing evaluate
 * it): its text is scanned as code, once (no annotation inside is). */
static void scan_annotation(struct scanner *s)
{
    struct sbx_policy inner = *s->policy;
    struct annotation_scan a = {s, s->run_line, s->run_col};

    inner.require_markers = 0;
    inner.max_source_bytes = 0;
    if (validate_impl(s->run, s->run_len, &inner, annotation_finding, &a, 1) == -2)
        report(s, "nesting-too-deep", s->run_line, s->run_col, "a string annotation could not be scanned%s", "");
}

/* Check a finished run of adjacent literals.  What it raises waits for
 * the module's end (struct candidate); a name argument of getattr & co. is
 * handed to the call instead. */
static void flush_run(struct scanner *s)
{
    const char *name;

    if (!s->run_active)
        return;
    s->run_active = 0;
    if (!s->run_bytes && s->policy->signature_prefix != NULL) {
        size_t n = strlen(s->policy->signature_prefix);
        if (s->run_len >= n && memcmp(s->run, s->policy->signature_prefix, n) == 0)
            s->has_signature = 1;
    }
    if (s->run_ga && s->gsp > 0) {
        struct ga_frame *f = &s->gstack[s->gsp - 1];
        if (f->text_len + s->run_len > MAX_NAME) {
            f->text_long = 1;
        } else {
            memcpy(f->text + f->text_len, s->run, s->run_len);
            f->text_len += s->run_len;
            f->text[f->text_len] = '\0';
        }
    }
    if (s->run_ga) { /* the call checks it */
        s->run_ga = 0;
        return;
    }
    if (s->in_annotation && !s->nested && !s->run_bytes)
        scan_annotation(s);
    name = denied_in_text(s->policy, s->run, s->run_len);
    if (name != NULL)
        candidate(s, "denied-attribute-string", s->run_line, s->run_col,
                  "string names the attribute '%s' in a module with a string-to-attribute sink (getattr, "
                  "str.format, Formatter, attrgetter ...)", name);
    check_format_fields(s, s->run, s->run_len);
}

/* Scan the body of a plain (non-f) string from s->pos (just after the
 * opening quote) to the closing quote; append its decoded text. */
static void scan_plain_string(struct scanner *s, char quote, int triple, int raw, int is_bytes)
{
    size_t i = s->pos;
    char *out = s->run + s->run_len;
    size_t n = 0;

    while (i < s->len) {
        unsigned char c = s->src[i];
        if (c == (unsigned char)quote &&
            (!triple || (i + 2 < s->len && s->src[i + 1] == (unsigned char)quote && s->src[i + 2] == (unsigned char)quote))) {
            i += triple ? 3 : 1;
            break;
        }
        if (c == '\n') {
            if (!triple) { /* unterminated: the compiler refuses it; stop here */
                break;
            }
            s->line++;
            s->line_start = i + 1;
        }
        if (c == '\\') {
            if (i + 1 < s->len && s->src[i + 1] == '\n') {
                s->line++;
                s->line_start = i + 2;
                i += 2;
                continue;
            }
            if (raw) {
                out[n++] = '\\';
                if (i + 1 < s->len) {
                    out[n++] = (char)s->src[i + 1];
                    i += 2;
                } else {
                    i++;
                }
                continue;
            }
            decode_escape(s, &i, s->len, is_bytes, out, &n);
            continue;
        }
        out[n++] = (char)c;
        i++;
    }
    s->run_len += n;
    s->pos = i;
}

/* ---- tokens and rules ------------------------------------------------------ */

static void check_module(struct scanner *s, const char *mod, size_t len, int line, int col)
{
    const struct sbx_policy *pol = s->policy;
    size_t i;
    char text[MAX_MODULE + 1];

    if (len == 0)
        return;
    memcpy(text, mod, len);
    text[len] = '\0';
    for (i = 0; i <= len; i++) { /* every dotted prefix: a, a.b, a.b.c */
        if (i == len || mod[i] == '.') {
            if (in_names(&pol->denied_modules, mod, i)) {
                report(s, "denied-import", line, col, "import of denied module '%s'", text);
                return;
            }
        }
    }
    for (i = 0; i < len && mod[i] != '.'; i++)
        ;
    if (!pol->allow_unknown_modules && !in_names(&pol->allowed_modules, mod, i))
        report(s, "unknown-import", line, col, "import of module '%s', which the policy does not allow", text);
}

static void module_append(struct scanner *s, const char *text, size_t len)
{
    if (s->module_len + len <= MAX_MODULE) {
        memcpy(s->module + s->module_len, text, len);
        s->module_len += len;
    }
}

/* A NAME whose next significant token is known (next may be TOK_NONE). */
static void check_name(struct scanner *s, const struct token *name, int prev_kind, const char *prev_text,
                       const struct token *next)
{
    const struct sbx_policy *pol = s->policy;
    const struct ga_frame *f = s->gsp > 0 ? &s->gstack[s->gsp - 1] : NULL;
    const char *n = name->text;
    size_t len = name->len;
    int after_dot = prev_kind == TOK_OP && strcmp(prev_text, ".") == 0;
    int kind = ga_kind_of(name, after_dot);
    /* a binding, not a reference: def NAME, class NAME, ... as NAME, NAME = x, f(NAME=x) */
    /* f"{x=}": the '=' of a field's own level is the debug specifier */
    int debug_field = s->sp > 0 && s->stack[s->sp - 1].kind == CTX_FEXPR && s->stack[s->sp - 1].depth == 0;
    /* NAME = binds at a statement's start, in a target list (a, b = ...;
     * x = y = ...) or as a keyword argument; in x: NAME = ..., NAME is the
     * annotation, a reference */
    int assign_position = s->pending_stmt_start || (prev_kind == TOK_OP && (strcmp(prev_text, ",") == 0 ||
                                                                          strcmp(prev_text, "(") == 0 ||
                                                                          strcmp(prev_text, "=") == 0 ||
                                                                          strcmp(prev_text, "*") == 0));
    int binding = (prev_kind == TOK_NAME && (strcmp(prev_text, "def") == 0 || strcmp(prev_text, "class") == 0 ||
                                             strcmp(prev_text, "as") == 0)) ||
                  (is_op(next, "=") && !debug_field && assign_position);

    if (!after_dot && !binding && in_names(&pol->denied_names, n, len)) {
        report(s, "denied-name", name->line, name->col, "reference to the builtin '%s'", n);
        return;
    }
    if (in_names(&pol->denied_attributes, n, len)) {
        /* as attribute, name or binding (def __reduce__) alike */
        report(s, "denied-attribute", name->line, name->col,
               after_dot ? "access to attribute '%s'" : "reference to '%s'", n);
        return;
    }
    if (after_dot && s->chain_dispatch && strcmp(n, "register") == 0) {
        if (is_op(next, "(")) {
            kind = GA_REGISTER;
        } else if (!(s->stmt_decorator && next->kind == TOK_NEWLINE)) { /* @f.register above a def: its annotations are checked */
            report(s, "dynamic-attribute", name->line, name->col,
                   "'%s' of a singledispatch function other than called or as a decorator", n);
        }
    }
    if (kind != GA_NONE && !binding) {
        if (is_op(next, "(")) {
            s->ga_arm = kind; /* track() follows the call */
            s->ga_arm_line = name->line;
            s->ga_arm_col = name->col;
            snprintf(s->ga_arm_name, sizeof s->ga_arm_name, "%.200s()", n);
        } else if (kind != GA_TYPE && kind != GA_BASICCONFIG) { /* isinstance(x, type) is fine */
            report(s, "dynamic-attribute", name->line, name->col,
                   "'%s' used other than called directly (only a direct call with a literal name can be "
                   "checked)", n);
        }
    }
    if (prev_kind == TOK_NAME && strcmp(prev_text, "class") == 0)
        bind_module(s, n, len, MOD_CLASS, "", name->line, name->col); /* register(Class) is safe */
    if (prev_kind == TOK_NAME && (strcmp(prev_text, "def") == 0 || strcmp(prev_text, "class") == 0)) {
        if (s->dispatch_next_def && strcmp(prev_text, "def") == 0)
            bind_module(s, n, len, MOD_DISPATCH, "", name->line, name->col); /* @singledispatch def n */
        s->dispatch_next_def = 0;
    }
    if (prev_kind == TOK_NAME && strcmp(prev_text, "def") == 0 && s->in_metaclass &&
        (strcmp(n, "__new__") == 0 || strcmp(n, "__prepare__") == 0))
        report(s, "dynamic-attribute", name->line, name->col,
               "a metaclass's %s builds class namespaces, with names the validator cannot see", n);
    /* a module as a value: x = logging, f(logging); getattr(module, "name")
     * is checked as the module's member instead */
    if (!after_dot && !binding && module_kind(s, n, len) == MOD_SURE && !is_op(next, ".") &&
        !(f != NULL && f->kind == GA_ATTR && f->arg == 0 && f->arg0_module && f->depth == s->bsp && is_op(next, ",")))
        report(s, "module-as-value", name->line, name->col,
               "the module '%s' used as a value (its attributes can then no longer be checked)", n);
}

/* import a.b.c (no alias): checked, and binds a */
static void import_done(struct scanner *s)
{
    size_t top = 0;

    char path[MAX_MODULE + 1];

    check_module(s, s->module, s->module_len, s->module_line, s->module_col);
    while (top < s->module_len && s->module[top] != '.')
        top++;
    memcpy(path, s->module, top);
    path[top] = '\0';
    bind_module(s, s->module, top, MOD_SURE, path, s->module_line, s->module_col);
    s->module_len = 0;
}

/* The import statement state machine; returns 1 if it consumed the token. */
static int import_token(struct scanner *s, const struct token *t)
{
    if (t->kind == TOK_NAME && in_names(&s->policy->string_sinks, t->text, t->len))
        s->has_sink = 1; /* from string import Formatter as F */
    switch (s->imp) {
    case IMP_NAMES:
        if ((t->kind == TOK_NAME && !tok_is(t, TOK_NAME, "as")) || tok_is(t, TOK_OP, ".")) {
            if (s->module_len == 0) { /* findings point at the module name */
                s->module_line = t->line;
                s->module_col = t->col;
            }
            module_append(s, t->text, t->len);
        } else if (tok_is(t, TOK_NAME, "as")) {
            check_module(s, s->module, s->module_len, s->module_line, s->module_col);
            memcpy(s->alias_path, s->module, s->module_len);
            s->alias_path[s->module_len] = '\0';
            s->module_len = 0;
            s->imp = IMP_ALIAS;
        } else if (tok_is(t, TOK_OP, ",")) {
            import_done(s);
        } else if (tok_is(t, TOK_OP, "(") || tok_is(t, TOK_OP, ")")) {
            /* not valid after import, harmless */
        } else {
            import_done(s);
            s->imp = IMP_NONE;
            return 0;
        }
        return 1;
    case IMP_ALIAS:
        if (t->kind == TOK_NAME) { /* import a.b as c: c is the module a.b */
            bind_module(s, t->text, t->len, MOD_SURE, s->alias_path, t->line, t->col);
            return 1;
        }
        if (tok_is(t, TOK_OP, ",")) {
            s->imp = IMP_NAMES;
            return 1;
        }
        s->imp = IMP_NONE;
        return 0;
    case IMP_FROM_MODULE:
        if (tok_is(t, TOK_OP, ".")) {
            if (s->module_len == 0) {
                if (s->dots++ == 0) {
                    s->module_line = t->line; /* a relative import points at its dots */
                    s->module_col = t->col;
                }
            } else {
                module_append(s, ".", 1);
            }
        } else if (tok_is(t, TOK_NAME, "import")) {
            if (s->dots > 0)
                report(s, "relative-import", s->module_line, s->module_col,
                       "relative import%s: a component is a single module", "");
            else
                check_module(s, s->module, s->module_len, s->module_line, s->module_col);
            s->imp = IMP_FROM_NAMES;
        } else if (t->kind == TOK_NAME) {
            if (s->module_len == 0 && s->dots == 0) {
                s->module_line = t->line; /* findings point at the module name */
                s->module_col = t->col;
            }
            module_append(s, t->text, t->len);
        } else {
            s->imp = IMP_NONE;
            return 0;
        }
        return 1;
    case IMP_FROM_NAMES:
        if (tok_is(t, TOK_NAME, "as")) {
            s->imp = IMP_FROM_ALIAS;
        } else if (t->kind == TOK_NAME) {
            /* from a import b: b may be the submodule a.b */
            const struct sbx_policy *pol = s->policy;
            char full[MAX_MODULE + 1];
            int sub = 0;
            if (s->dots == 0 && join_path(full, s->module, s->module_len, t->text, t->len) &&
                in_names(&pol->denied_modules, full, strlen(full)))
                report(s, "denied-import", t->line, t->col, "import of denied module '%s'", full);
            if (in_names(&pol->denied_names, t->text, t->len) ||
                in_names(&pol->denied_attributes, t->text, t->len)) {
                report(s, "denied-name", t->line, t->col, "import of the name '%s'", t->text);
            } else if (s->dots == 0) {
                sub = check_module_path(s, s->module, s->module_len, t->text, t->len, t->line, t->col, full);
                if (sub >= 0)
                    check_module_member(s, t->text, t->len, t->line, t->col);
                if (tok_is(t, TOK_NAME, "__class__")) /* string.Formatter().__class__: to subclass */
                    report(s, "module-attribute", t->line, t->col,
                           "'%s' of what a module hands out: a class to subclass, out of the validator's sight",
                           t->text); /* from logging import os */
                sub = sub > 0;
            }
            /* b may be a submodule (then a module for sure); either way its
             * origin a.b is remembered (string.Formatter) */
            memcpy(s->from_name, t->text, t->len + 1);
            s->from_kind = sub ? MOD_SURE : MOD_MAYBE;
            if (!(s->dots == 0 && join_path(s->alias_path, s->module, s->module_len, t->text, t->len)))
                s->alias_path[0] = '\0';
            bind_module(s, t->text, t->len, s->from_kind, s->alias_path, t->line, t->col);
        } else if (tok_is(t, TOK_OP, "*")) {
            report(s, "star-import", t->line, t->col,
                   "'from %s import *' binds names the validator cannot see (modules among them)",
                   s->dots == 0 ? "..." : ".");
        } else if (!(tok_is(t, TOK_OP, ",") || tok_is(t, TOK_OP, "(") || tok_is(t, TOK_OP, ")") ||
                     tok_is(t, TOK_OP, "*"))) {
            s->imp = IMP_NONE;
            return 0;
        }
        return 1;
    case IMP_FROM_ALIAS:
        if (t->kind == TOK_NAME) {
            /* from operator import attrgetter as ag: its calls would not be followed */
            if (ga_kind_of_name(s->from_name, strlen(s->from_name), 0) != GA_NONE && strcmp(t->text, s->from_name) != 0)
                report(s, "dynamic-attribute", t->line, t->col,
                       "'%s' imported under another name (its calls could no longer be checked)", s->from_name);
            bind_module(s, t->text, t->len, s->from_kind, s->alias_path, t->line, t->col);
            s->imp = IMP_FROM_NAMES;
            return 1;
        }
        s->imp = IMP_NONE;
        return 0;
    default:
        return 0;
    }
}

static int is_block_keyword(const struct token *t)
{
    static const char *const words[] = {"if", "elif", "else", "while", "for", "try", "except", "finally", "with",
                                        "def", "class", "async", "match", "case"};

    return in_list(words, sizeof words / sizeof words[0], t->text, t->len);
}

/* Every significant token passes here, in order. */
static void on_token(struct scanner *s, const struct token *t)
{
    if (s->stopped)
        return;
    if (t->kind != TOK_STRING)
        flush_run(s);
    /* a string expression at the top level: a statement of its own is text */
    if (s->sp == 0 && t->kind == TOK_STRING && !s->expr_active) {
        s->expr_active = 1;
        /* a statement of its own: at the start of a line or after ';' (not
         * after ':', which may be a lambda's) */
        s->expr_stmt = s->stmt_start && (s->prev.kind == TOK_NONE || s->prev.kind == TOK_NEWLINE || is_op(&s->prev, ";"));
        s->expr_code = 0;
        s->expr_cands = s->n_cands;
    } else if (s->expr_active && s->sp > 0 && t->kind != TOK_STRING) {
        s->expr_code = 1; /* an f-string field: code runs */
    } else if (s->expr_active && s->sp == 0 && t->kind != TOK_STRING) {
        s->expr_active = 0;
        if (s->expr_stmt && !s->expr_code && (t->kind == TOK_NEWLINE || t->kind == TOK_END || is_op(t, ";")))
            s->n_cands = s->expr_cands;
    }

    /* the name held back until we saw what follows it */
    if (s->pending.kind == TOK_NAME) {
        check_name(s, &s->pending, s->pending_prev_kind, s->pending_prev_text, t);
        s->pending.kind = TOK_NONE;
    }

    /* marker: <marker_name> = True */
    if (s->policy->marker_name == NULL)
        ; /* no marker to look for */
    else if (s->marker_step == 0 && tok_is(t, TOK_NAME, s->policy->marker_name))
        s->marker_step = 1;
    else if (s->marker_step == 1 && tok_is(t, TOK_OP, "="))
        s->marker_step = 2;
    else if (s->marker_step == 2 && tok_is(t, TOK_NAME, "True"))
        s->has_marker = 1, s->marker_step = 0;
    else
        s->marker_step = tok_is(t, TOK_NAME, s->policy->marker_name) ? 1 : 0;

    if (s->imp != IMP_NONE && import_token(s, t)) {
        s->prev = *t;
        s->stmt_start = 0;
        return;
    }
    if (t->kind == TOK_NAME && s->stmt_start && s->sp == 0) {
        if (tok_is(t, TOK_NAME, "import")) {
            s->imp = IMP_NAMES;
            s->module_len = 0;
            s->dots = 0;
            s->prev = *t;
            s->stmt_start = 0;
            return;
        }
        if (tok_is(t, TOK_NAME, "from")) {
            s->imp = IMP_FROM_MODULE;
            s->module_len = 0;
            s->dots = 0;
            s->module_line = t->line;
            s->module_col = t->col;
            s->prev = *t;
            s->stmt_start = 0;
            return;
        }
    }
    if (s->stmt_start)
        s->stmt_tokens = 0;
    track(s, t);
    s->stmt_tokens++;
    if (t->kind == TOK_NAME) {
        s->pending = *t;
        s->pending_stmt_start = s->stmt_start;
        s->pending_prev_kind = s->prev.kind;
        memcpy(s->pending_prev_text, s->prev.text, s->prev.len + 1);
    }
    if (s->stmt_start && s->sp == 0) /* the first token of a statement: a block's header? */
        s->stmt_block = t->kind == TOK_NAME && is_block_keyword(t);
    /* a statement starts after a newline, a ';', and the ':' of a block's
     * header (if x: y = 1), not after an annotation's or a lambda's ':' */
    s->stmt_start = t->kind == TOK_NEWLINE ||
                    (s->sp == 0 && s->depth == 0 &&
                     (tok_is(t, TOK_OP, ";") || (tok_is(t, TOK_OP, ":") && s->stmt_block)));
    if (s->stmt_start)
        s->stmt_block = 0;
    s->prev = *t;
}

static void emit_simple(struct scanner *s, int kind, const char *text, size_t len, int line, int col)
{
    struct token t;

    t.kind = kind;
    if (len > MAX_NAME)
        len = MAX_NAME;
    memcpy(t.text, text, len);
    t.text[len] = '\0';
    t.len = len;
    t.line = line;
    t.col = col;
    on_token(s, &t);
}

/* ---- the tokenizer ------------------------------------------------------ */

static int push(struct scanner *s, struct ctx c)
{
    if (s->sp >= SBX_MAX_NESTING) {
        report(s, "nesting-too-deep", s->line, col_of(s, s->pos), "f-strings nested too deeply%s", "");
        s->stopped = 1;
        return -1;
    }
    s->stack[s->sp++] = c;
    return 0;
}

/* A string prefix: letters r, b, u, f in any case, at most two, valid pairs. */
static int string_prefix(const unsigned char *p, size_t n, int *raw, int *is_bytes, int *fstr)
{
    size_t i;
    int u = 0;

    *raw = *is_bytes = *fstr = 0;
    if (n == 0 || n > 2)
        return 0;
    for (i = 0; i < n; i++) {
        switch (p[i] | 0x20) {
        case 'r': if (*raw) return 0; *raw = 1; break;
        case 'b': if (*is_bytes) return 0; *is_bytes = 1; break;
        case 'f': if (*fstr) return 0; *fstr = 1; break;
        case 'u': if (u) return 0; u = 1; break;
        default: return 0;
        }
    }
    if (u && n != 1)
        return 0;
    if (*is_bytes && *fstr)
        return 0;
    return 1;
}

/* Scan the literal part of the f-string on top of the stack. */
static void scan_fliteral(struct scanner *s)
{
    struct ctx *c = &s->stack[s->sp - 1];
    char *out;
    size_t n = 0;
    int line = s->line, col = col_of(s, s->pos);

    run_start(s, line, col, 0);
    out = s->run + s->run_len;
    while (s->pos < s->len) {
        unsigned char ch = s->src[s->pos];
        if (ch == (unsigned char)c->quote &&
            (!c->triple || (s->pos + 2 < s->len && s->src[s->pos + 1] == ch && s->src[s->pos + 2] == ch))) {
            s->pos += c->triple ? 3 : 1;
            s->sp--; /* the f-string ends */
            break;
        }
        if (ch == '\n') {
            if (!c->triple) {
                s->sp--; /* unterminated: the compiler refuses it */
                break;
            }
            s->line++;
            s->line_start = s->pos + 1;
        }
        if (ch == '{') {
            if (s->pos + 1 < s->len && s->src[s->pos + 1] == '{') {
                out[n++] = '{';
                s->pos += 2;
                continue;
            }
            s->pos++;
            s->run_len += n;
            flush_run(s); /* the field interrupts the literal */
            {
                struct ctx e = {CTX_FEXPR, 0, 0, 0, 0};
                emit_simple(s, TOK_OP, "{", 1, s->line, col_of(s, s->pos - 1)); /* brackets stay balanced */
                (void)push(s, e);
            }
            return;
        }
        if (ch == '}') { /* "}}" is a literal brace; a lone one is an error */
            out[n++] = '}';
            s->pos += s->pos + 1 < s->len && s->src[s->pos + 1] == '}' ? 2 : 1;
            continue;
        }
        if (ch == '\\') {
            if (s->pos + 1 < s->len && s->src[s->pos + 1] == '\n') {
                s->line++;
                s->line_start = s->pos + 2;
                s->pos += 2;
                continue;
            }
            /* a backslash does not hide a brace: f"\{x}" evaluates x */
            if (s->pos + 1 < s->len && (s->src[s->pos + 1] == '{' || s->src[s->pos + 1] == '}')) {
                out[n++] = '\\';
                s->pos++;
                continue;
            }
            if (c->raw) {
                out[n++] = '\\';
                s->pos++;
                if (s->pos < s->len && s->src[s->pos] != '\n') {
                    out[n++] = (char)s->src[s->pos];
                    s->pos++;
                }
                continue;
            }
            decode_escape(s, &s->pos, s->len, 0, out, &n);
            continue;
        }
        out[n++] = (char)ch;
        s->pos++;
    }
    s->run_len += n;
}

/* Scan a format spec: literal text up to '}' (end of the field) or '{' (a
 * nested field). */
static void scan_fspec(struct scanner *s)
{
    while (s->pos < s->len) {
        unsigned char ch = s->src[s->pos];
        if (ch == '}') {
            s->sp--; /* back to the literal */
            emit_simple(s, TOK_OP, "}", 1, s->line, col_of(s, s->pos));
            s->pos++;
            return;
        }
        if (ch == '{') {
            struct ctx e = {CTX_FEXPR, 0, 0, 0, 0};
            emit_simple(s, TOK_OP, "{", 1, s->line, col_of(s, s->pos));
            s->pos++;
            (void)push(s, e);
            return;
        }
        if (ch == '\n') {
            s->line++;
            s->line_start = s->pos + 1;
        }
        if (s->sp >= 2 && ch == (unsigned char)s->stack[s->sp - 2].quote && !s->stack[s->sp - 2].triple) {
            s->sp -= 2; /* the f-string ended inside the spec: a syntax error */
            s->pos++;
            return;
        }
        s->pos++;
    }
}

/* Python ends a line at a lone CR (in code, a comment ends there and code
 * follows); this scanner ends lines at LF only: refuse the difference.
 * (Inside a string literal a CR is text.) */
static void lone_cr(struct scanner *s, size_t pos)
{
    report(s, "line-ending", s->line, col_of(s, pos),
           "carriage return not followed by a line feed%s: Python ends a line there", "");
}

/* One token of code (top level or inside an f-string field). */
static void scan_code_token(struct scanner *s)
{
    unsigned char c = s->src[s->pos];
    int line = s->line, col = col_of(s, s->pos);
    struct ctx *top = s->sp > 0 ? &s->stack[s->sp - 1] : NULL; /* CTX_FEXPR or NULL */
    int *depth = top != NULL ? &top->depth : &s->depth;

    if (c == '\r' && !(s->pos + 1 < s->len && s->src[s->pos + 1] == '\n'))
        lone_cr(s, s->pos);
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
        s->pos++;
        return;
    }
    if (c == '\\' && s->pos + 1 < s->len && (s->src[s->pos + 1] == '\n' || s->src[s->pos + 1] == '\r')) {
        s->pos += 2; /* explicit line joining */
        if (s->src[s->pos - 1] == '\r') {
            if (!(s->pos < s->len && s->src[s->pos] == '\n')) {
                lone_cr(s, s->pos - 1); /* and the line goes on, as lines are counted here */
                return;
            }
            s->pos++;
        }
        s->line++;
        s->line_start = s->pos;
        return;
    }
    if (c == '\n') {
        s->pos++;
        s->line++;
        s->line_start = s->pos;
        if (top == NULL && s->depth == 0)
            emit_simple(s, TOK_NEWLINE, "", 0, line, col);
        return;
    }
    if (c == '#') {
        while (s->pos < s->len && s->src[s->pos] != '\n') {
            if (s->src[s->pos] == '\r' && !(s->pos + 1 < s->len && s->src[s->pos + 1] == '\n'))
                lone_cr(s, s->pos);
            s->pos++;
        }
        return;
    }
    if (is_name_start(c)) {
        size_t start = s->pos, n;
        int raw, is_bytes, fstr;
        while (s->pos < s->len && is_name_char(s->src[s->pos]))
            s->pos++;
        n = s->pos - start;
        if (s->pos < s->len && (s->src[s->pos] == '\'' || s->src[s->pos] == '"') &&
            string_prefix(s->src + start, n, &raw, &is_bytes, &fstr)) {
            char quote = (char)s->src[s->pos];
            int triple = s->pos + 2 < s->len && s->src[s->pos + 1] == (unsigned char)quote &&
                         s->src[s->pos + 2] == (unsigned char)quote;
            s->pos += triple ? 3 : 1;
            if (fstr) { /* the token's text says f-string or bytes (not a plain literal) */
                struct ctx f = {CTX_FLITERAL, quote, triple, raw, 0};
                struct token t = {TOK_STRING, "f", 1, line, col};
                on_token(s, &t);
                (void)push(s, f);
                return;
            }
            {
                struct token t = {TOK_STRING, "", 0, line, col};
                if (is_bytes) {
                    t.text[0] = 'b';
                    t.text[1] = '\0';
                    t.len = 1;
                }
                on_token(s, &t);
                run_start(s, line, col, is_bytes);
                scan_plain_string(s, quote, triple, raw, is_bytes);
            }
            return;
        }
        {
            struct token t;
            int has_non_ascii = 0;
            size_t i;
            t.kind = TOK_NAME;
            t.line = line;
            t.col = col;
            for (i = start; i < start + n; i++)
                has_non_ascii |= s->src[i] >= 0x80;
            if (has_non_ascii) {
                int m = -1;
                if (s->policy->normalize != NULL)
                    m = s->policy->normalize(s->policy->normalize_ctx, (const char *)s->src + start, n, t.text,
                                             MAX_NAME);
                if (m < 0) {
                    report(s, "non-ascii-identifier", line, col,
                           "non-ASCII identifier%s (it cannot be NFKC-normalised here)", "");
                    m = 0;
                }
                t.len = (size_t)m;
            } else {
                t.len = n > MAX_NAME ? MAX_NAME : n;
                memcpy(t.text, s->src + start, t.len);
            }
            t.text[t.len] = '\0';
            on_token(s, &t);
        }
        return;
    }
    if (c == '\'' || c == '"') {
        char quote = (char)c;
        int triple = s->pos + 2 < s->len && s->src[s->pos + 1] == c && s->src[s->pos + 2] == c;
        struct token t = {TOK_STRING, "", 0, line, col};
        s->pos += triple ? 3 : 1;
        on_token(s, &t);
        run_start(s, line, col, 0);
        scan_plain_string(s, quote, triple, 0, 0);
        return;
    }
    if ((c >= '0' && c <= '9') || (c == '.' && s->pos + 1 < s->len && s->src[s->pos + 1] >= '0' &&
                                   s->src[s->pos + 1] <= '9')) {
        size_t start = s->pos;
        if (c == '0' && s->pos + 1 < s->len && strchr("xXoObB", s->src[s->pos + 1]) != NULL) {
            s->pos += 2;
            while (s->pos < s->len && (hexval(s->src[s->pos]) >= 0 || s->src[s->pos] == '_'))
                s->pos++;
        } else {
            while (s->pos < s->len && ((s->src[s->pos] >= '0' && s->src[s->pos] <= '9') ||
                                       s->src[s->pos] == '_' || s->src[s->pos] == '.'))
                s->pos++;
            if (s->pos < s->len && (s->src[s->pos] | 0x20) == 'e') {
                size_t e = s->pos + 1;
                if (e < s->len && (s->src[e] == '+' || s->src[e] == '-'))
                    e++;
                if (e < s->len && s->src[e] >= '0' && s->src[e] <= '9') {
                    s->pos = e;
                    while (s->pos < s->len && ((s->src[s->pos] >= '0' && s->src[s->pos] <= '9') ||
                                               s->src[s->pos] == '_'))
                        s->pos++;
                }
            }
            if (s->pos < s->len && (s->src[s->pos] | 0x20) == 'j')
                s->pos++;
        }
        emit_simple(s, TOK_NUMBER, (const char *)s->src + start, 0, line, col);
        return;
    }
    /* operators */
    s->pos++;
    if (top != NULL && *depth == 0) {
        if (c == '}') {
            s->sp--; /* the field ends: back to the literal */
            emit_simple(s, TOK_OP, "}", 1, line, col);
            return;
        }
        if (c == ':' || (c == '!' && !(s->pos < s->len && s->src[s->pos] == '='))) {
            top->kind = CTX_FSPEC; /* conversion or format spec */
            emit_simple(s, TOK_OP, c == ':' ? ":" : "!", 1, line, col);
            return;
        }
    }
    if (c == '(' || c == '[' || c == '{')
        (*depth)++;
    else if ((c == ')' || c == ']' || c == '}') && *depth > 0)
        (*depth)--;
    {
        char op[3] = {(char)c, 0, 0};
        size_t n = 1;
        if (s->pos < s->len && s->src[s->pos] == '=' && strchr("=!<>:+-*/%&|^@", c) != NULL) {
            op[1] = '=';
            n = 2;
            s->pos++;
        } else if (c == '-' && s->pos < s->len && s->src[s->pos] == '>') {
            op[1] = '>';
            n = 2;
            s->pos++;
        }
        emit_simple(s, TOK_OP, op, n, line, col);
    }
}

static void tokenize(struct scanner *s)
{
    if (s->len >= 3 && memcmp(s->src, "\xEF\xBB\xBF", 3) == 0) {
        s->pos = 3;
        s->line_start = 3;
    }
    while (s->pos < s->len && !s->stopped) {
        if (s->sp > 0 && s->stack[s->sp - 1].kind == CTX_FLITERAL)
            scan_fliteral(s);
        else if (s->sp > 0 && s->stack[s->sp - 1].kind == CTX_FSPEC)
            scan_fspec(s);
        else
            scan_code_token(s);
    }
    {
        struct token end = {TOK_END, "", 0, s->line, col_of(s, s->pos)};
        on_token(s, &end);
    }
}

static int validate_impl(const char *src, size_t len, const struct sbx_policy *policy, sbx_finding_cb cb, void *ctx,
                         int nested)
{
    struct scanner s;

    memset(&s, 0, sizeof s);
    s.nested = nested;
    s.src = (const unsigned char *)src;
    s.len = len;
    s.line = 1;
    s.policy = policy;
    s.cb = cb;
    s.ctx = ctx;
    s.stmt_start = 1;

    if (policy->max_source_bytes > 0 && len > policy->max_source_bytes) {
        char size[32];
        snprintf(size, sizeof size, "%zu", len);
        report(&s, "source-too-large", 1, 0, "source is %s bytes, over the policy's bound", size);
        return s.aborted ? -1 : s.count;
    }
    if (check_bytes(&s) != 0)
        return s.aborted ? -1 : s.count;
    check_encoding_declaration(&s);
    /* Room for the whole source: decoded string text is never longer than
     * the bytes it comes from (an escape decodes to fewer bytes). */
    s.run = malloc(len + 1);
    if (s.run == NULL)
        return -2;
    tokenize(&s);
    if (s.has_sink) { /* the strings' findings stand */
        int i;
        for (i = 0; i < s.n_cands; i++)
            report(&s, s.cands[i].rule, s.cands[i].line, s.cands[i].col, "%s", s.cands[i].message);
    }
    free(s.run);
    free(s.cands);
    free(s.modv);
    if (s.out_of_memory)
        return -2;
    if (policy->require_markers && !s.stopped) {
        if (!s.has_signature)
            report(&s, "missing-security-signature", 1, 0, "no string literal starting with '%s'",
                   policy->signature_prefix);
        if (!s.has_marker)
            report(&s, "missing-sandbox-marker", 1, 0, "no assignment '%s = True'", policy->marker_name);
    }
    return s.aborted ? -1 : s.count;
}

int sbx_validate(const char *src, size_t len, const struct sbx_policy *policy, sbx_finding_cb cb, void *ctx)
{
    return validate_impl(src, len, policy, cb, ctx, 0);
}
