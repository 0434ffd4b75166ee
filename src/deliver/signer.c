/* signer.c - webhook request headers and signatures (Outpost's default and
 * Standard Webhooks modes), plus the small Go text/template subset their
 * templates are written in. Interface and behaviour: signer.h. */
#include "deliver/signer.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENV_PREFIX "DESTINATIONS_WEBHOOK_HEADER_PREFIX"
#define ENV_CONTENT "DESTINATIONS_WEBHOOK_SIGNATURE_CONTENT_TEMPLATE"
#define ENV_HEADER "DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_TEMPLATE"
#define ENV_SECRET "DESTINATIONS_WEBHOOK_SIGNING_SECRET_TEMPLATE"

static const char DEFAULT_CONTENT_TMPL[] = "{{.Body}}";
static const char DEFAULT_HEADER_TMPL[] = "v0={{.Signatures | join \",\"}}";
static const char DEFAULT_SECRET_TMPL[] = "whsec_{{.RandomHex}}";
static const char STANDARD_SECRET_PREFIX[] = "whsec_";

/* Validation messages that need details are formatted here (see signer.h). */
static _Thread_local char errbuf[320];

static int fail(const char **err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const char **err, int rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, sizeof errbuf, fmt, ap);
        va_end(ap);
        *err = errbuf;
    }
    return rc;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static bool is_ident(char c) { return is_alnum(c) || c == '_'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* ------------------------------------------------------------------------
 * Template engine.
 *
 * A template compiles to a list of nodes (text, output, range) whose
 * expressions are type-checked against the fields the template may see, so
 * that every error except an out-of-range index is reported at startup.
 * ------------------------------------------------------------------------ */

enum field {
    F_EVENT_ID, F_TOPIC, F_TIMESTAMP, F_BODY, F_SIGNATURES,
    F_RANDOM_HEX, F_RANDOM_BASE64, F_RANDOM_ALNUM, F_COUNT
};

#define FBIT(f) (1u << (f))
#define CTX_CONTENT (FBIT(F_EVENT_ID) | FBIT(F_TOPIC) | FBIT(F_TIMESTAMP) | FBIT(F_BODY))
#define CTX_HEADER (FBIT(F_EVENT_ID) | FBIT(F_TOPIC) | FBIT(F_TIMESTAMP) | FBIT(F_SIGNATURES))
#define CTX_SECRET (FBIT(F_RANDOM_HEX) | FBIT(F_RANDOM_BASE64) | FBIT(F_RANDOM_ALNUM))

/* VT_ROOT is the template data itself: it has fields but is not a value. */
typedef enum { VT_ROOT, VT_STR, VT_INT, VT_TIME, VT_LIST } vtype;

static const struct {
    const char *name;
    vtype type;
} field_info[F_COUNT] = {
    [F_EVENT_ID] = {"EventID", VT_STR},
    [F_TOPIC] = {"Topic", VT_STR},
    [F_TIMESTAMP] = {"Timestamp", VT_TIME},
    [F_BODY] = {"Body", VT_STR},
    [F_SIGNATURES] = {"Signatures", VT_LIST},
    [F_RANDOM_HEX] = {"RandomHex", VT_STR},
    [F_RANDOM_BASE64] = {"RandomBase64", VT_STR},
    [F_RANDOM_ALNUM] = {"RandomAlphanumeric", VT_STR},
};

typedef enum {
    E_FIELD, E_DOT, E_STR, E_INT, E_UNIX, E_UNIXMILLI, E_UNIXNANO,
    E_JOIN, E_INDEX, E_SLICE, E_LEN
} eop;

typedef struct expr {
    eop op;
    vtype type;
    int field;      /* E_FIELD */
    char *s;        /* E_STR, NUL-terminated */
    size_t len;     /* E_STR */
    int64_t num;    /* E_INT */
    int na;
    struct expr *a[3];
} expr;

typedef enum { N_TEXT, N_OUT, N_RANGE } ntype;

typedef struct node {
    ntype t;
    char *text;             /* N_TEXT */
    size_t len;
    expr *e;                /* N_OUT value, N_RANGE list */
    struct node *body, *els; /* N_RANGE */
    struct node *next;
} node;

struct signer_tmpl {
    node *head;
    unsigned used; /* FBIT()s of the fields referenced */
};

static void expr_free(expr *e)
{
    if (!e) return;
    for (int i = 0; i < e->na; i++) expr_free(e->a[i]);
    free(e->s);
    free(e);
}

static void nodes_free(node *n)
{
    while (n) {
        node *next = n->next;
        free(n->text);
        expr_free(n->e);
        nodes_free(n->body);
        nodes_free(n->els);
        free(n);
        n = next;
    }
}

static void tmpl_free(signer_tmpl *t)
{
    if (!t) return;
    nodes_free(t->head);
    free(t);
}

/* ---- lexer ---- */

typedef enum {
    TK_CLOSE, TK_FIELD, TK_VAR, TK_IDENT, TK_STRING, TK_RAWSTRING, TK_NUMBER,
    TK_PIPE, TK_LPAREN, TK_RPAREN
} tkind;

typedef struct {
    tkind t;
    const char *s; /* raw text of the token */
    size_t len;
    size_t at;     /* offset in the source */
    int64_t num;   /* TK_NUMBER */
    bool trim;     /* TK_CLOSE written "-}}" */
} token;

typedef struct {
    const char *src;
    size_t n, pos;
    unsigned allowed, used;
    bool trim_next;     /* the last action ended with "-}}" */
    token peeked;
    bool has_peek;
    const char *msg;    /* first error */
    size_t err_at;
    const char *what;   /* offending text, may be NULL */
    size_t what_len;
    bool nomem;
} parser;

static int perr(parser *p, size_t at, const char *what, size_t what_len, const char *msg)
{
    if (!p->msg) {
        p->msg = msg;
        p->err_at = at;
        p->what = what;
        p->what_len = what_len;
    }
    return -1;
}

static int pnomem(parser *p)
{
    p->nomem = true;
    return perr(p, p->pos, NULL, 0, "out of memory");
}

static bool starts(const parser *p, size_t i, const char *lit)
{
    size_t l = strlen(lit);
    return i <= p->n && p->n - i >= l && memcmp(p->src + i, lit, l) == 0;
}

static int lex(parser *p, token *t)
{
    const char *s = p->src;
    size_t i = p->pos, n = p->n;
    bool spaced = false;
    while (i < n && is_space(s[i])) i++, spaced = true;
    memset(t, 0, sizeof *t);
    t->at = i;
    t->s = s + i;
    if (i >= n) return perr(p, i, NULL, 0, "unclosed action");
    char c = s[i];
    size_t j = i + 1;
    if (starts(p, i, "}}")) {
        t->t = TK_CLOSE;
        j = i + 2;
    } else if (spaced && starts(p, i, "-}}")) {
        t->t = TK_CLOSE;
        t->trim = true;
        j = i + 3;
    } else if (c == '|') {
        t->t = TK_PIPE;
    } else if (c == '(') {
        t->t = TK_LPAREN;
    } else if (c == ')') {
        t->t = TK_RPAREN;
    } else if (c == '.' || c == '$') {
        t->t = c == '.' ? TK_FIELD : TK_VAR;
        if (c == '$' && j < n && is_ident(s[j]))
            return perr(p, i, s + i, 2, "template variables are not supported");
        if (c == '.' && !(j < n && (is_alpha(s[j]) || s[j] == '_'))) {
            if (j < n && (is_ident(s[j]) || s[j] == '.')) return perr(p, i, s + i, 2, "bad field name");
        } else {
            j = c == '.' ? i : i + 1; /* at the chain's first '.' */
            while (j < n && s[j] == '.') {
                size_t k = j + 1;
                if (k >= n || !(is_alpha(s[k]) || s[k] == '_')) return perr(p, j, s + j, 1, "bad field name");
                while (k < n && is_ident(s[k])) k++;
                j = k;
            }
        }
    } else if (c == '"' || c == '`') {
        t->t = c == '"' ? TK_STRING : TK_RAWSTRING;
        while (j < n && s[j] != c) {
            if (c == '"' && s[j] == '\n') break;
            if (c == '"' && s[j] == '\\' && j + 1 < n) j++;
            j++;
        }
        if (j >= n || s[j] != c) return perr(p, i, NULL, 0, "unterminated string");
        j++;
    } else if (is_digit(c) || ((c == '-' || c == '+') && i + 1 < n && is_digit(s[i + 1]))) {
        t->t = TK_NUMBER;
        char *end;
        char tmp[32];
        size_t k = i + 1;
        while (k < n && (is_alnum(s[k]))) k++;
        if (k - i >= sizeof tmp) return perr(p, i, s + i, k - i, "number too long");
        memcpy(tmp, s + i, k - i);
        tmp[k - i] = '\0';
        long long v = strtoll(tmp, &end, 0);
        if (*end) return perr(p, i, s + i, k - i, "bad number");
        t->num = v;
        j = k;
    } else if (is_alpha(c) || c == '_') {
        t->t = TK_IDENT;
        while (j < n && is_ident(s[j])) j++;
    } else {
        return perr(p, i, s + i, 1, "unexpected character in action");
    }
    t->len = j - i;
    p->pos = j;
    return 0;
}

static int peek(parser *p, token **t)
{
    if (!p->has_peek) {
        if (lex(p, &p->peeked)) return -1;
        p->has_peek = true;
    }
    *t = &p->peeked;
    return 0;
}

static int next(parser *p, token *t)
{
    token *pk;
    if (peek(p, &pk)) return -1;
    *t = *pk;
    p->has_peek = false;
    return 0;
}

static bool tok_is(const token *t, tkind k, const char *text)
{
    return t->t == k && strlen(text) == t->len && memcmp(t->s, text, t->len) == 0;
}

/* ---- parser ---- */

static expr *mk(parser *p, eop op, vtype type)
{
    expr *e = calloc(1, sizeof *e);
    if (!e) pnomem(p);
    else e->op = op, e->type = type;
    return e;
}

/* Decodes a "quoted" or `raw` literal into a new E_STR. */
static int string_expr(parser *p, const token *t, expr **out)
{
    expr *e = mk(p, E_STR, VT_STR);
    if (!e) return -1;
    const char *s = t->s + 1;
    size_t n = t->len - 2, o = 0;
    e->s = malloc(n + 1);
    if (!e->s) { expr_free(e); return pnomem(p); }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (t->t == TK_STRING && c == '\\') {
            c = s[++i];
            switch (c) {
            case '\\': case '"': case '\'': break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'x': {
                int v = 0;
                for (int k = 0; k < 2; k++) {
                    char h = i + 1 < n ? s[++i] : '\0';
                    int d = is_digit(h) ? h - '0' : (lower(h) >= 'a' && lower(h) <= 'f') ? lower(h) - 'a' + 10 : -1;
                    if (d < 0) { expr_free(e); return perr(p, t->at, t->s, t->len, "bad \\x escape in string"); }
                    v = v * 16 + d;
                }
                c = (char)v;
                break;
            }
            default:
                expr_free(e);
                return perr(p, t->at, t->s, t->len, "unsupported escape in string");
            }
        }
        e->s[o++] = c;
    }
    e->s[o] = '\0';
    e->len = o;
    *out = e;
    return 0;
}

/* .A.B or $.A.B, evaluated against dot (or the root for $). */
static int chain_expr(parser *p, const token *t, vtype dot, expr **out)
{
    const char *s = t->s;
    size_t n = t->len, i = 0;
    vtype cur = dot;
    expr *e = NULL;
    if (t->t == TK_VAR) {
        cur = VT_ROOT;
        i = 1;
    } else if (n == 1) {
        if (dot == VT_ROOT)
            return perr(p, t->at, s, n, "the template data itself cannot be used as a value");
        if (!(e = mk(p, E_DOT, dot))) return -1;
        *out = e;
        return 0;
    }
    if (i == n) return perr(p, t->at, s, n, "the template data itself cannot be used as a value");
    while (i < n) {
        size_t b = ++i; /* skip '.' */
        while (i < n && s[i] != '.') i++;
        const char *name = s + b;
        size_t len = i - b;
        expr *x = NULL;
        if (cur == VT_ROOT) {
            int f = -1;
            for (int k = 0; k < F_COUNT; k++)
                if (strlen(field_info[k].name) == len && memcmp(field_info[k].name, name, len) == 0) f = k;
            if (f < 0 || !(p->allowed & FBIT(f))) {
                expr_free(e);
                return perr(p, t->at + b - 1, name - 1, len + 1,
                            f < 0 ? "unknown field" : "field not available in this template");
            }
            if (!(x = mk(p, E_FIELD, field_info[f].type))) { expr_free(e); return -1; }
            x->field = f;
            p->used |= FBIT(f);
        } else if (cur == VT_TIME) {
            eop op;
            if (len == 4 && memcmp(name, "Unix", 4) == 0) op = E_UNIX;
            else if (len == 9 && memcmp(name, "UnixMilli", 9) == 0) op = E_UNIXMILLI;
            else if (len == 8 && memcmp(name, "UnixNano", 8) == 0) op = E_UNIXNANO;
            else {
                expr_free(e);
                return perr(p, t->at + b - 1, name - 1, len + 1,
                            "unsupported Timestamp method (have Unix, UnixMilli, UnixNano)");
            }
            if (!(x = mk(p, op, VT_INT))) { expr_free(e); return -1; }
            x->a[x->na++] = e;
        } else {
            expr_free(e);
            return perr(p, t->at + b - 1, name - 1, len + 1, "can't evaluate a field of a non-struct value");
        }
        e = x;
        cur = e->type;
    }
    *out = e;
    return 0;
}

static int parse_pipeline(parser *p, vtype dot, expr **out);

static int parse_operand(parser *p, vtype dot, expr **out)
{
    token t;
    if (next(p, &t)) return -1;
    switch (t.t) {
    case TK_FIELD:
    case TK_VAR:
        return chain_expr(p, &t, dot, out);
    case TK_STRING:
    case TK_RAWSTRING:
        return string_expr(p, &t, out);
    case TK_NUMBER: {
        expr *e = mk(p, E_INT, VT_INT);
        if (!e) return -1;
        e->num = t.num;
        *out = e;
        return 0;
    }
    case TK_LPAREN: {
        expr *e;
        if (parse_pipeline(p, dot, &e)) return -1;
        if (next(p, &t)) { expr_free(e); return -1; }
        if (t.t != TK_RPAREN) { expr_free(e); return perr(p, t.at, t.s, t.len, "expected )"); }
        *out = e;
        return 0;
    }
    case TK_IDENT:
        return perr(p, t.at, t.s, t.len, "function used as a value needs ( ) around it and its arguments");
    default:
        return perr(p, t.at, t.s, t.len, "unexpected token");
    }
}

static bool ends_command(const token *t)
{
    return t->t == TK_CLOSE || t->t == TK_PIPE || t->t == TK_RPAREN;
}

/* One command; piped (owned from here on) is the previous stage's value. */
static int parse_command(parser *p, vtype dot, expr *piped, expr **out)
{
    token *pk;
    if (peek(p, &pk)) { expr_free(piped); return -1; }
    if (pk->t != TK_IDENT) {
        token first = *pk;
        expr *e;
        if (piped) {
            expr_free(piped);
            return perr(p, first.at, first.s, first.len, "only a function can follow |");
        }
        if (ends_command(pk)) return perr(p, first.at, NULL, 0, "missing value");
        if (parse_operand(p, dot, &e)) return -1;
        if (peek(p, &pk)) { expr_free(e); return -1; }
        if (!ends_command(pk)) {
            expr_free(e);
            return perr(p, first.at, first.s, first.len, "can't give arguments to a non-function");
        }
        *out = e;
        return 0;
    }

    token fn;
    next(p, &fn);
    eop op;
    if (tok_is(&fn, TK_IDENT, "join")) op = E_JOIN;
    else if (tok_is(&fn, TK_IDENT, "index")) op = E_INDEX;
    else if (tok_is(&fn, TK_IDENT, "slice")) op = E_SLICE;
    else if (tok_is(&fn, TK_IDENT, "len")) op = E_LEN;
    else {
        expr_free(piped);
        return perr(p, fn.at, fn.s, fn.len, "unsupported function or keyword (have join, index, slice, len)");
    }
    expr *e = mk(p, op, VT_STR);
    if (!e) { expr_free(piped); return -1; }
    for (;;) {
        if (peek(p, &pk)) goto bad;
        if (ends_command(pk)) break;
        if (e->na == 3) { perr(p, pk->at, fn.s, fn.len, "too many arguments"); goto bad; }
        if (parse_operand(p, dot, &e->a[e->na])) goto bad;
        e->na++;
    }
    if (piped) {
        if (e->na == 3) { perr(p, fn.at, fn.s, fn.len, "too many arguments"); goto bad; }
        e->a[e->na++] = piped;
        piped = NULL;
    }
    bool ok;
    switch (op) {
    case E_JOIN:
        ok = e->na == 2 && e->a[0]->type == VT_STR && e->a[1]->type == VT_LIST;
        e->type = VT_STR;
        break;
    case E_INDEX:
        ok = e->na == 2 && e->a[0]->type == VT_LIST && e->a[1]->type == VT_INT;
        e->type = VT_STR;
        break;
    case E_SLICE:
        ok = e->na >= 2 && (e->a[0]->type == VT_LIST || e->a[0]->type == VT_STR) &&
             e->a[1]->type == VT_INT && (e->na < 3 || e->a[2]->type == VT_INT);
        e->type = e->na ? e->a[0]->type : VT_STR;
        break;
    default: /* E_LEN */
        ok = e->na == 1 && (e->a[0]->type == VT_LIST || e->a[0]->type == VT_STR);
        e->type = VT_INT;
        break;
    }
    if (!ok) {
        static const char *const usage[] = {
            [E_JOIN] = "wrong arguments: use join SEPARATOR LIST",
            [E_INDEX] = "wrong arguments: use index LIST N",
            [E_SLICE] = "wrong arguments: use slice LIST-OR-STRING I [J]",
            [E_LEN] = "wrong arguments: use len LIST-OR-STRING",
        };
        perr(p, fn.at, fn.s, fn.len, usage[op]);
        goto bad;
    }
    *out = e;
    return 0;
bad:
    expr_free(piped);
    expr_free(e);
    return -1;
}

static int parse_pipeline(parser *p, vtype dot, expr **out)
{
    expr *e;
    token *pk;
    if (parse_command(p, dot, NULL, &e)) return -1;
    for (;;) {
        if (peek(p, &pk)) { expr_free(e); return -1; }
        if (pk->t != TK_PIPE) break;
        p->has_peek = false;
        if (parse_command(p, dot, e, &e)) return -1;
    }
    *out = e;
    return 0;
}

static int expect_close(parser *p)
{
    token t;
    if (next(p, &t)) return -1;
    if (t.t != TK_CLOSE) return perr(p, t.at, t.s, t.len, "unexpected token, expected }}");
    p->trim_next = t.trim;
    return 0;
}

enum { TERM_EOF, TERM_END, TERM_ELSE };

static node *add_node(parser *p, node ***tail, ntype t)
{
    node *n = calloc(1, sizeof *n);
    if (!n) { pnomem(p); return NULL; }
    n->t = t;
    **tail = n;
    *tail = &n->next;
    return n;
}

/* Parses text and actions up to the end of input or an {{end}}/{{else}}. */
static int parse_list(parser *p, vtype dot, node **head, int *term)
{
    node **tail = head;
    const char *s = p->src;
    for (;;) {
        size_t ts = p->pos;
        const char *open = NULL;
        for (size_t i = ts; i + 1 < p->n; i++)
            if (s[i] == '{' && s[i + 1] == '{') { open = s + i; break; }
        size_t te = open ? (size_t)(open - s) : p->n;
        size_t act = te + 2;
        bool trim_left = open && starts(p, act, "-") && act + 1 < p->n && is_space(s[act + 1]);
        if (p->trim_next) while (ts < te && is_space(s[ts])) ts++;
        p->trim_next = false;
        if (trim_left) while (te > ts && is_space(s[te - 1])) te--;
        if (te > ts) {
            node *n = add_node(p, &tail, N_TEXT);
            if (!n || !(n->text = malloc(te - ts + 1))) return n ? pnomem(p) : -1;
            memcpy(n->text, s + ts, te - ts);
            n->text[te - ts] = '\0';
            n->len = te - ts;
        }
        if (!open) { *term = TERM_EOF; return 0; }
        p->pos = act + (trim_left ? 1 : 0);
        p->has_peek = false;

        /* a comment action: "{{/" "* ... *" "/}}" */
        size_t c = p->pos;
        while (trim_left && c < p->n && is_space(s[c])) c++;
        if (starts(p, c, "/*")) {
            const char *end = NULL;
            for (size_t i = c + 2; i + 1 < p->n; i++)
                if (s[i] == '*' && s[i + 1] == '/') { end = s + i; break; }
            if (!end) return perr(p, c, NULL, 0, "unclosed comment");
            p->pos = (size_t)(end - s) + 2;
            if (expect_close(p)) return -1;
            continue;
        }

        token *pk;
        if (peek(p, &pk)) return -1;
        if (tok_is(pk, TK_IDENT, "end") || tok_is(pk, TK_IDENT, "else")) {
            *term = tok_is(pk, TK_IDENT, "end") ? TERM_END : TERM_ELSE;
            p->has_peek = false;
            return expect_close(p);
        }
        if (tok_is(pk, TK_IDENT, "range")) {
            size_t at = pk->at;
            p->has_peek = false;
            node *n = add_node(p, &tail, N_RANGE);
            if (!n) return -1;
            if (parse_pipeline(p, dot, &n->e) || expect_close(p)) return -1;
            if (n->e->type != VT_LIST) return perr(p, at, NULL, 0, "range needs a list such as .Signatures");
            int t1, t2;
            if (parse_list(p, VT_STR, &n->body, &t1)) return -1;
            if (t1 == TERM_EOF) return perr(p, at, NULL, 0, "range without {{end}}");
            if (t1 == TERM_ELSE) {
                if (parse_list(p, dot, &n->els, &t2)) return -1;
                if (t2 != TERM_END) return perr(p, at, NULL, 0, "range {{else}} without {{end}}");
            }
            continue;
        }
        if (pk->t == TK_IDENT) {
            static const char *const kw[] = {"if", "with", "define", "template", "block", "break",
                                              "continue", "nil", "true", "false"};
            for (size_t k = 0; k < sizeof kw / sizeof *kw; k++)
                if (tok_is(pk, TK_IDENT, kw[k])) return perr(p, pk->at, pk->s, pk->len, "unsupported action");
        }
        node *n = add_node(p, &tail, N_OUT);
        if (!n) return -1;
        if (parse_pipeline(p, dot, &n->e) || expect_close(p)) return -1;
    }
}

static bool ctl(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) return true;
    return false;
}

static bool expr_has_ctl(const expr *e)
{
    if (!e) return false;
    if (e->op == E_STR && ctl(e->s, e->len)) return true;
    for (int i = 0; i < e->na; i++)
        if (expr_has_ctl(e->a[i])) return true;
    return false;
}

/* Whether literal text or a string constant holds a control character. */
static bool has_ctl(const node *n)
{
    for (; n; n = n->next)
        if ((n->t == N_TEXT && ctl(n->text, n->len)) || expr_has_ctl(n->e) || has_ctl(n->body) || has_ctl(n->els))
            return true;
    return false;
}

/* Compiles src for the fields in allowed. On failure *err names env. */
static int tmpl_compile(const char *src, unsigned allowed, const char *env, signer_tmpl **out, const char **err)
{
    parser p = {.src = src, .n = strlen(src), .allowed = allowed};
    signer_tmpl *t = calloc(1, sizeof *t);
    if (!t) return fail(err, HP_ENOMEM, "out of memory");
    int term = TERM_EOF;
    if (parse_list(&p, VT_ROOT, &t->head, &term) == 0 && term != TERM_EOF)
        perr(&p, p.pos, NULL, 0, "{{end}} or {{else}} without {{range}}");
    if (!p.msg && allowed == CTX_HEADER && has_ctl(t->head))
        perr(&p, 0, NULL, 0, "control characters (such as newlines) cannot be part of a header value");
    if (!p.msg && allowed == CTX_SECRET && !(p.used & CTX_SECRET))
        perr(&p, 0, NULL, 0, "must use .RandomHex, .RandomBase64 or .RandomAlphanumeric");
    if (p.msg) {
        tmpl_free(t);
        if (p.nomem) return fail(err, HP_ENOMEM, "out of memory");
        if (p.what)
            return fail(err, HP_EINVAL, "%s: %s: \"%.*s\" (offset %zu)", env, p.msg, (int)p.what_len, p.what,
                        p.err_at);
        return fail(err, HP_EINVAL, "%s: %s (offset %zu)", env, p.msg, p.err_at);
    }
    t->used = p.used;
    *out = t;
    return HP_OK;
}

/* ---- rendering ---- */

typedef struct {
    const char *event_id, *topic;
    const char *body;
    size_t body_len;
    int64_t ts_ms;
    const char *const *sigs;
    size_t nsigs;
    const char *rnd_hex, *rnd_b64, *rnd_alnum;
} tdata;

typedef struct {
    vtype t;
    const char *s;
    size_t len;
    int64_t i;
    const char *const *l;
    size_t n;
} val;

typedef struct {
    const tdata *d;
    const char *dot;
    char **owned; /* strings made while rendering (join), freed at the end */
    size_t nowned, capowned;
} rstate;

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int own(rstate *rs, char *s)
{
    if (rs->nowned == rs->capowned) {
        size_t cap = rs->capowned ? rs->capowned * 2 : 4;
        char **o = realloc(rs->owned, cap * sizeof *o);
        if (!o) { free(s); return HP_ENOMEM; }
        rs->owned = o;
        rs->capowned = cap;
    }
    rs->owned[rs->nowned++] = s;
    return HP_OK;
}

static void str_val(val *v, const char *s)
{
    v->t = VT_STR;
    v->s = s ? s : "";
    v->len = strlen(v->s);
}

static int eval(rstate *rs, const expr *e, val *v)
{
    val a, b, c;
    int rc;
    memset(v, 0, sizeof *v);
    switch (e->op) {
    case E_FIELD: {
        const tdata *d = rs->d;
        switch (e->field) {
        case F_EVENT_ID: str_val(v, d->event_id); break;
        case F_TOPIC: str_val(v, d->topic); break;
        case F_BODY: v->t = VT_STR, v->s = d->body ? d->body : "", v->len = d->body ? d->body_len : 0; break;
        case F_TIMESTAMP: v->t = VT_TIME, v->i = d->ts_ms; break;
        case F_SIGNATURES: v->t = VT_LIST, v->l = d->sigs, v->n = d->nsigs; break;
        case F_RANDOM_HEX: str_val(v, d->rnd_hex); break;
        case F_RANDOM_BASE64: str_val(v, d->rnd_b64); break;
        default: str_val(v, d->rnd_alnum); break;
        }
        return HP_OK;
    }
    case E_DOT:
        str_val(v, rs->dot);
        return HP_OK;
    case E_STR:
        v->t = VT_STR, v->s = e->s, v->len = e->len;
        return HP_OK;
    case E_INT:
        v->t = VT_INT, v->i = e->num;
        return HP_OK;
    case E_UNIX:
    case E_UNIXMILLI:
    case E_UNIXNANO:
        if ((rc = eval(rs, e->a[0], &a))) return rc;
        v->t = VT_INT;
        v->i = e->op == E_UNIX ? floor_div(a.i, 1000) : e->op == E_UNIXMILLI ? a.i : a.i * 1000000;
        return HP_OK;
    case E_JOIN: {
        if ((rc = eval(rs, e->a[0], &a)) || (rc = eval(rs, e->a[1], &b))) return rc;
        hp_buf buf = {0};
        for (size_t i = 0; i < b.n; i++)
            if ((i && hp_buf_append(&buf, a.s, a.len)) || hp_buf_puts(&buf, b.l[i])) {
                hp_buf_free(&buf);
                return HP_ENOMEM;
            }
        if (!buf.data && !(buf.data = calloc(1, 1))) return HP_ENOMEM;
        if ((rc = own(rs, buf.data))) return rc;
        v->t = VT_STR, v->s = buf.data, v->len = buf.len;
        return HP_OK;
    }
    case E_INDEX:
        if ((rc = eval(rs, e->a[0], &a)) || (rc = eval(rs, e->a[1], &b))) return rc;
        if (b.i < 0 || (uint64_t)b.i >= a.n) return HP_EINVAL;
        str_val(v, a.l[b.i]);
        return HP_OK;
    case E_SLICE: {
        if ((rc = eval(rs, e->a[0], &a)) || (rc = eval(rs, e->a[1], &b))) return rc;
        size_t len = a.t == VT_LIST ? a.n : a.len;
        int64_t j = (int64_t)len;
        if (e->na == 3) {
            if ((rc = eval(rs, e->a[2], &c))) return rc;
            j = c.i;
        }
        if (b.i < 0 || b.i > j || j > (int64_t)len) return HP_EINVAL;
        *v = a;
        if (a.t == VT_LIST) v->l = a.l + b.i, v->n = (size_t)(j - b.i);
        else v->s = a.s + b.i, v->len = (size_t)(j - b.i);
        return HP_OK;
    }
    default: /* E_LEN */
        if ((rc = eval(rs, e->a[0], &a))) return rc;
        v->t = VT_INT;
        v->i = (int64_t)(a.t == VT_LIST ? a.n : a.len);
        return HP_OK;
    }
}

static int emit(hp_buf *out, const val *v)
{
    char tb[HP_TIME_LEN];
    switch (v->t) {
    case VT_STR: return hp_buf_append(out, v->s, v->len);
    case VT_INT: return hp_buf_printf(out, "%lld", (long long)v->i);
    case VT_TIME: return hp_buf_puts(out, hp_time_format_sec(v->i, tb));
    case VT_LIST: {
        int rc = hp_buf_puts(out, "[");
        for (size_t i = 0; i < v->n && !rc; i++)
            rc = (i ? hp_buf_puts(out, " ") : HP_OK) || hp_buf_puts(out, v->l[i]) ? HP_ENOMEM : HP_OK;
        return rc ? rc : hp_buf_puts(out, "]");
    }
    default: return HP_EINVAL;
    }
}

static int render_nodes(rstate *rs, const node *n, hp_buf *out)
{
    int rc = HP_OK;
    val v;
    for (; n && !rc; n = n->next) {
        switch (n->t) {
        case N_TEXT:
            rc = hp_buf_append(out, n->text, n->len);
            break;
        case N_OUT:
            if (!(rc = eval(rs, n->e, &v))) rc = emit(out, &v);
            break;
        case N_RANGE:
            if ((rc = eval(rs, n->e, &v))) break;
            if (v.n == 0) {
                rc = render_nodes(rs, n->els, out);
                break;
            }
            const char *saved = rs->dot;
            for (size_t i = 0; i < v.n && !rc; i++) {
                rs->dot = v.l[i];
                rc = render_nodes(rs, n->body, out);
            }
            rs->dot = saved;
            break;
        }
    }
    return rc;
}

/* Renders t into out (appending). HP_OK, HP_EINVAL (index out of range), HP_ENOMEM. */
static int tmpl_render(const signer_tmpl *t, const tdata *d, hp_buf *out)
{
    rstate rs = {.d = d};
    int rc = render_nodes(&rs, t->head, out);
    for (size_t i = 0; i < rs.nowned; i++) free(rs.owned[i]);
    free(rs.owned);
    if (!rc && !out->data && !(out->data = calloc(1, 1))) rc = HP_ENOMEM;
    return rc;
}

/* ------------------------------------------------------------------------
 * Options.
 * ------------------------------------------------------------------------ */

enum { H_EVENT_ID, H_SIGNATURE, H_TIMESTAMP, H_TOPIC, H_COUNT };

static const char *const fixed_suffix[H_COUNT] = {"event-id", "signature", "timestamp", "topic"};
static const char *const fixed_env[H_COUNT] = {
    "DESTINATIONS_WEBHOOK_EVENT_ID_HEADER_NAME", "DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_NAME",
    "DESTINATIONS_WEBHOOK_TIMESTAMP_HEADER_NAME", "DESTINATIONS_WEBHOOK_TOPIC_HEADER_NAME"};

void signer_opts_default(signer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = SIGNER_MODE_DEFAULT;
    o->encoding = SIGNER_ENC_HEX;
    o->algorithm = SIGNER_ALG_SHA256;
}

int signer_parse_mode(const char *s, signer_mode *out)
{
    if (hp_empty(s) || strcasecmp(s, "default") == 0) *out = SIGNER_MODE_DEFAULT;
    else if (strcasecmp(s, "standard") == 0) *out = SIGNER_MODE_STANDARD;
    else return HP_EINVAL;
    return HP_OK;
}

int signer_parse_encoding(const char *s, signer_encoding *out)
{
    if (hp_empty(s) || strcasecmp(s, "hex") == 0) *out = SIGNER_ENC_HEX;
    else if (strcasecmp(s, "base64") == 0) *out = SIGNER_ENC_BASE64;
    else return HP_EINVAL;
    return HP_OK;
}

signer_algorithm signer_parse_algorithm(const char *s)
{
    return s && strcasecmp(s, "hmac-sha1") == 0 ? SIGNER_ALG_SHA1 : SIGNER_ALG_SHA256;
}

bool signer_header_name_valid(const char *name)
{
    if (!name || !is_alnum(name[0])) return false;
    for (const char *c = name + 1; *c; c++)
        if (!is_alnum(*c) && *c != '_' && *c != '-') return false;
    return true;
}

bool signer_header_name_reserved(const char *name)
{
    static const char *const reserved[] = {"content-type", "content-length", "host", "connection", "user-agent"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (name && strcasecmp(name, reserved[i]) == 0) return true;
    return false;
}

/* The prefix in effect (not lower-cased): the mode default when unset,
 * "" when whitespace only. */
static const char *effective_prefix(const signer_opts *o)
{
    const char *p = o->header_prefix;
    if (hp_empty(p)) return o->mode == SIGNER_MODE_STANDARD ? "webhook-" : "x-outpost-";
    for (const char *c = p; *c; c++)
        if (!is_space(*c)) return p;
    return "";
}

static char *lower_cat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (!s) return NULL;
    for (size_t i = 0; i < la; i++) s[i] = lower(a[i]);
    for (size_t i = 0; i < lb; i++) s[la + i] = lower(b[i]);
    s[la + lb] = '\0';
    return s;
}

static const char *pinned_name(const signer_opts *o, int h)
{
    switch (h) {
    case H_EVENT_ID: return o->event_id_header;
    case H_SIGNATURE: return o->signature_header;
    case H_TIMESTAMP: return o->timestamp_header;
    default: return o->topic_header;
    }
}

static bool deprecated_disable(const signer_opts *o, int h)
{
    switch (h) {
    case H_EVENT_ID: return o->disable_event_id_header;
    case H_SIGNATURE: return o->disable_signature_header;
    case H_TIMESTAMP: return o->disable_timestamp_header;
    default: return o->disable_topic_header;
    }
}

/* Default mode: the lower-case name of fixed header h in *out, or NULL when
 * the header is disabled. HP_OK or HP_ENOMEM. */
static int fixed_name(const signer_opts *o, int h, char **out)
{
    const char *pin = pinned_name(o, h);
    *out = NULL;
    if (pin) {
        if (!*pin) return HP_OK;
        return (*out = lower_cat("", pin)) ? HP_OK : HP_ENOMEM;
    }
    if (deprecated_disable(o, h)) return HP_OK;
    return (*out = lower_cat(effective_prefix(o), fixed_suffix[h])) ? HP_OK : HP_ENOMEM;
}

char *signer_signature_header(const signer_opts *o)
{
    if (o->mode == SIGNER_MODE_STANDARD) return lower_cat(effective_prefix(o), "signature");
    char *name = NULL;
    fixed_name(o, H_SIGNATURE, &name);
    return name;
}

/* Validates o; with compile set, also stores the compiled templates in it. */
static int check(const signer_opts *o, signer_opts *compile, const char **err)
{
    if (o->mode != SIGNER_MODE_DEFAULT && o->mode != SIGNER_MODE_STANDARD)
        return fail(err, HP_EINVAL, "DESTINATIONS_WEBHOOK_MODE: must be default or standard");
    if (o->encoding != SIGNER_ENC_HEX && o->encoding != SIGNER_ENC_BASE64)
        return fail(err, HP_EINVAL, "DESTINATIONS_WEBHOOK_SIGNATURE_ENCODING: must be hex or base64");
    if (o->algorithm != SIGNER_ALG_SHA256 && o->algorithm != SIGNER_ALG_SHA1)
        return fail(err, HP_EINVAL, "DESTINATIONS_WEBHOOK_SIGNATURE_ALGORITHM: must be hmac-sha256 or hmac-sha1");
    const char *prefix = effective_prefix(o);
    if (*prefix && !signer_header_name_valid(prefix))
        return fail(err, HP_EINVAL, "%s: \"%s\" must match ^[a-zA-Z0-9][a-zA-Z0-9_-]*$", ENV_PREFIX, prefix);
    if (o->mode == SIGNER_MODE_STANDARD) return HP_OK; /* fixed names and scheme */

    char *names[H_COUNT] = {0};
    int rc = HP_OK;
    for (int h = 0; h < H_COUNT && !rc; h++) {
        const char *pin = pinned_name(o, h);
        if (pin && *pin && !signer_header_name_valid(pin))
            rc = fail(err, HP_EINVAL, "%s: \"%s\" is not a valid header name (^[a-zA-Z0-9][a-zA-Z0-9_-]*$)",
                      fixed_env[h], pin);
        else if ((rc = fixed_name(o, h, &names[h])))
            fail(err, rc, "out of memory");
        else if (names[h] && signer_header_name_reserved(names[h]))
            rc = fail(err, HP_EINVAL, "%s: \"%s\" is a reserved header", fixed_env[h], names[h]);
    }
    for (int i = 0; i < H_COUNT && !rc; i++)
        for (int j = i + 1; j < H_COUNT && !rc; j++)
            if (names[i] && names[j] && strcmp(names[i], names[j]) == 0)
                rc = fail(err, HP_EINVAL, "%s and %s both resolve to header \"%s\"", fixed_env[i], fixed_env[j],
                          names[i]);
    for (int h = 0; h < H_COUNT; h++) free(names[h]);
    if (rc) return rc;

    signer_tmpl *ct = NULL, *ht = NULL, *st = NULL;
    if ((rc = tmpl_compile(hp_empty(o->content_template) ? DEFAULT_CONTENT_TMPL : o->content_template,
                           CTX_CONTENT, ENV_CONTENT, &ct, err)) ||
        (rc = tmpl_compile(hp_empty(o->header_template) ? DEFAULT_HEADER_TMPL : o->header_template, CTX_HEADER,
                           ENV_HEADER, &ht, err)) ||
        (rc = tmpl_compile(hp_empty(o->secret_template) ? DEFAULT_SECRET_TMPL : o->secret_template, CTX_SECRET,
                           ENV_SECRET, &st, err))) {
        tmpl_free(ct);
        tmpl_free(ht);
        return rc;
    }
    if (compile) {
        compile->content_tmpl = ct;
        compile->header_tmpl = ht;
        compile->secret_tmpl = st;
    } else {
        tmpl_free(ct);
        tmpl_free(ht);
        tmpl_free(st);
    }
    return HP_OK;
}

int signer_opts_validate(const signer_opts *o, const char **err)
{
    return check(o, NULL, err);
}

int signer_opts_compile(signer_opts *o, const char **err)
{
    signer_opts_free(o);
    return check(o, o, err);
}

void signer_opts_free(signer_opts *o)
{
    if (!o) return;
    tmpl_free(o->content_tmpl);
    tmpl_free(o->header_tmpl);
    tmpl_free(o->secret_tmpl);
    o->content_tmpl = o->header_tmpl = o->secret_tmpl = NULL;
}

/* ------------------------------------------------------------------------
 * Metadata.
 * ------------------------------------------------------------------------ */

/* The string form of a metadata value in *out (malloc'd), or NULL for values
 * that have none (null, arrays, objects). HP_OK or HP_ENOMEM. */
static int value_text(const json_t *v, char **out, size_t *len)
{
    *out = NULL;
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if (!(*out = malloc(n + 1))) return HP_ENOMEM;
        memcpy(*out, json_string_value(v), n + 1);
        *len = n;
    } else if (json_is_number(v) || json_is_boolean(v)) {
        if (!(*out = json_dumps(v, JSON_ENCODE_ANY))) return HP_ENOMEM;
        *len = strlen(*out);
    }
    return HP_OK;
}

static int set_text(json_t *m, const char *key, const char *s, size_t n)
{
    return json_object_set_new(m, key, json_stringn(s, n)) ? HP_ENOMEM : HP_OK;
}

static int merge_into(json_t *m, const json_t *src)
{
    const char *key;
    json_t *v;
    if (!json_is_object(src)) return HP_OK;
    json_object_foreach((json_t *)src, key, v) {
        char *s;
        size_t n;
        if (value_text(v, &s, &n)) return HP_ENOMEM;
        if (!s) continue;
        int rc = set_text(m, key, s, n);
        free(s);
        if (rc) return rc;
    }
    return HP_OK;
}

/* Go's RFC3339Nano in UTC: fraction without trailing zeros, none if zero. */
static char *format_nano(int64_t ms, char buf[HP_TIME_LEN])
{
    hp_time_format(ms, buf);
    char *dot = strrchr(buf, '.');
    if (dot) {
        size_t z = strlen(dot) - 1; /* index of 'Z' */
        size_t e = z;
        while (e > 1 && dot[e - 1] == '0') e--;
        if (e == 1) e = 0;
        dot[e] = 'Z';
        dot[e + 1] = '\0';
    }
    return buf;
}

json_t *signer_merge_metadata(const char *event_id, const char *topic, int64_t now_ms,
                              const json_t *delivery_metadata, const json_t *event_metadata, bool include_ms)
{
    json_t *m = json_object();
    char tb[HP_TIME_LEN];
    if (!m) return NULL;
    event_id = event_id ? event_id : "";
    topic = topic ? topic : "";
    hp_time_format_sec(now_ms, tb);
    if (set_text(m, "event-id", event_id, strlen(event_id)) || set_text(m, "topic", topic, strlen(topic)) ||
        set_text(m, "timestamp", tb, strlen(tb)))
        goto oom;
    if (include_ms) {
        format_nano(now_ms, tb);
        if (set_text(m, "timestamp-ms", tb, strlen(tb))) goto oom;
    }
    if (merge_into(m, delivery_metadata) || merge_into(m, event_metadata)) goto oom;
    return m;
oom:
    json_decref(m);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Headers.
 * ------------------------------------------------------------------------ */

typedef struct {
    signer_header *h;
    size_t n, cap;
} hlist;

/* RFC 9110 token: what an HTTP client accepts as a field name. */
static bool token_ok(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!is_alnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s)) return false;
    return true;
}

/* No control characters (HTAB allowed), no embedded NUL. */
bool signer_header_value_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

/* Sets name (lower case) to value, replacing an earlier value; takes both. */
static int hset(hlist *l, char *name, char *value)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->h[i].name, name) == 0) {
            free(name);
            free(l->h[i].value);
            l->h[i].value = value;
            return HP_OK;
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        signer_header *h = realloc(l->h, cap * sizeof *h);
        if (!h) { free(name); free(value); return HP_ENOMEM; }
        l->h = h;
        l->cap = cap;
    }
    l->h[l->n].name = name;
    l->h[l->n].value = value;
    l->n++;
    return HP_OK;
}

/* A header that must go out: HP_EINVAL when it cannot be a header. */
static int hset_required(hlist *l, char *name, const char *value)
{
    if (!name) return HP_ENOMEM;
    if (!signer_header_value_valid(value, strlen(value))) { free(name); return HP_EINVAL; }
    char *v = hp_strdup(value);
    if (!v) { free(name); return HP_ENOMEM; }
    return hset(l, name, v);
}

/* A metadata header: left out when unsafe. Takes name. */
static int hset_meta(hlist *l, char *name, const json_t *value)
{
    if (!name) return HP_ENOMEM;
    char *v;
    size_t n;
    if (value_text(value, &v, &n)) { free(name); return HP_ENOMEM; }
    if (!v || !token_ok(name) || signer_header_name_reserved(name) || !signer_header_value_valid(v, n)) {
        free(name);
        free(v);
        return HP_OK;
    }
    return hset(l, name, v);
}

void signer_headers_free(signer_header *h, size_t n)
{
    if (!h) return;
    for (size_t i = 0; i < n; i++) {
        free((void *)h[i].name);
        free(h[i].value);
    }
    free(h);
}

/* The secrets to sign with, current first. */
static size_t signing_secrets(const signer_input *in, const char *out[2])
{
    size_t n = 0;
    if (!hp_empty(in->secret)) out[n++] = in->secret;
    if (!hp_empty(in->previous_secret) && in->now_ms < in->previous_secret_invalid_at_ms)
        out[n++] = in->previous_secret;
    return n;
}

static int default_headers(const signer_opts *o, const signer_input *in, const json_t *meta, hlist *hl)
{
    const char *prefix = effective_prefix(o);
    char *fixed[H_COUNT] = {0};
    char *sigs[2] = {0};
    size_t nsig = 0;
    hp_buf content = {0}, value = {0};
    int rc = HP_OK;

    for (int h = 0; h < H_COUNT && !rc; h++) rc = fixed_name(o, h, &fixed[h]);
    if (rc) goto done;

    const char *key;
    json_t *v;
    json_object_foreach((json_t *)meta, key, v) {
        char *name;
        if (strcmp(key, "event-id") == 0 || strcmp(key, "topic") == 0 || strcmp(key, "timestamp") == 0) {
            int h = key[0] == 'e' ? H_EVENT_ID : key[1] == 'o' ? H_TOPIC : H_TIMESTAMP;
            if (!fixed[h]) continue;
            name = hp_strdup(fixed[h]);
        } else {
            name = lower_cat(prefix, key);
        }
        if ((rc = hset_meta(hl, name, v))) goto done;
    }

    const char *secrets[2];
    size_t nsec = signing_secrets(in, secrets);
    if (!fixed[H_SIGNATURE] || nsec == 0) goto done;

    const signer_tmpl *ct = o->content_tmpl, *ht = o->header_tmpl;
    tdata d = {.event_id = in->event_id, .topic = in->topic, .body = in->body, .body_len = in->body_len,
               .ts_ms = in->now_ms};
    if ((rc = tmpl_render(ct, &d, &content))) goto done;
    const char *alg = o->algorithm == SIGNER_ALG_SHA1 ? "sha1" : "sha256";
    for (; nsig < nsec; nsig++) {
        uint8_t mac[32];
        size_t maclen;
        if ((rc = crypto_hmac(alg, secrets[nsig], strlen(secrets[nsig]), content.data, content.len, mac, &maclen)))
            goto done;
        sigs[nsig] = o->encoding == SIGNER_ENC_BASE64 ? crypto_b64(mac, maclen) : crypto_hex(mac, maclen);
        if (!sigs[nsig]) { rc = HP_ENOMEM; goto done; }
    }
    d.sigs = (const char *const *)sigs;
    d.nsigs = nsig;
    if ((rc = tmpl_render(ht, &d, &value))) goto done;
    if (value.len == 0) goto done; /* as Outpost: an empty value sends no header */
    if (!signer_header_value_valid(value.data, value.len)) { rc = HP_EINVAL; goto done; }
    rc = hset(hl, fixed[H_SIGNATURE], value.data);
    fixed[H_SIGNATURE] = NULL;
    value.data = NULL;
done:
    for (int h = 0; h < H_COUNT; h++) free(fixed[h]);
    for (size_t i = 0; i < nsig; i++) free(sigs[i]);
    hp_buf_free(&content);
    hp_buf_free(&value);
    return rc;
}

static int standard_headers(const signer_opts *o, const signer_input *in, const json_t *meta, hlist *hl)
{
    const char *prefix = effective_prefix(o);
    const char *key;
    json_t *v;
    int rc = HP_OK;
    hp_buf content = {0}, sig = {0};
    uint8_t *keybuf = NULL;

    json_object_foreach((json_t *)meta, key, v) {
        if (strcmp(key, "event-id") == 0 || strcmp(key, "timestamp") == 0) continue;
        if ((rc = hset_meta(hl, lower_cat(prefix, key), v))) return rc;
    }
    if (json_is_object(in->event_metadata))
        json_object_foreach((json_t *)in->event_metadata, key, v)
            if ((rc = hset_meta(hl, lower_cat("", key), v))) return rc;

    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)floor_div(in->now_ms, 1000));
    if ((rc = hset_required(hl, lower_cat(prefix, "id"), in->event_id)) ||
        (rc = hset_required(hl, lower_cat(prefix, "timestamp"), ts)))
        return rc;

    const char *secrets[2];
    size_t nsec = signing_secrets(in, secrets);
    if (nsec == 0) return HP_OK;
    if (hp_buf_printf(&content, "%s.%s.", in->event_id, ts) ||
        hp_buf_append(&content, in->body ? in->body : "", in->body ? in->body_len : 0)) {
        rc = HP_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < nsec; i++) {
        const char *s = secrets[i];
        size_t keylen, pl = sizeof STANDARD_SECRET_PREFIX - 1, maclen;
        uint8_t mac[32];
        if (strncmp(s, STANDARD_SECRET_PREFIX, pl) == 0) s += pl;
        if ((rc = crypto_b64_decode(s, &keybuf, &keylen))) goto done;
        if ((rc = crypto_hmac("sha256", keybuf, keylen, content.data, content.len, mac, &maclen))) goto done;
        free(keybuf);
        keybuf = NULL;
        char *b64 = crypto_b64(mac, maclen);
        if (!b64) { rc = HP_ENOMEM; goto done; }
        rc = hp_buf_printf(&sig, "%sv1,%s", i ? " " : "", b64);
        free(b64);
        if (rc) goto done;
    }
    rc = hset_required(hl, lower_cat(prefix, "signature"), sig.data);
done:
    free(keybuf);
    hp_buf_free(&content);
    hp_buf_free(&sig);
    return rc;
}

int signer_headers(const signer_opts *o, const signer_input *in, signer_header **out, size_t *n)
{
    if (!o || !in || !in->event_id || !out || !n) return HP_EINVAL;
    /* Uncompiled options (or standard mode, which has nothing to compile)
     * are checked here; compiled ones were checked by signer_opts_compile. */
    signer_opts local;
    const signer_opts *use = o;
    int rc;
    if (o->mode == SIGNER_MODE_STANDARD || !o->content_tmpl || !o->header_tmpl) {
        local = *o;
        local.content_tmpl = local.header_tmpl = local.secret_tmpl = NULL;
        if ((rc = check(o, &local, NULL))) return rc;
        use = &local;
    }
    const json_t *meta = in->metadata;
    json_t *own_meta = NULL;
    hlist hl = {0};
    if (!meta) {
        own_meta = signer_merge_metadata(in->event_id, in->topic, in->now_ms, NULL, in->event_metadata,
                                         o->include_ms_timestamp);
        if (!own_meta) { rc = HP_ENOMEM; goto done; }
        meta = own_meta;
    }
    rc = o->mode == SIGNER_MODE_STANDARD ? standard_headers(use, in, meta, &hl)
                                         : default_headers(use, in, meta, &hl);
done:
    json_decref(own_meta);
    if (use == &local) signer_opts_free(&local);
    if (rc) {
        signer_headers_free(hl.h, hl.n);
        return rc;
    }
    *out = hl.h;
    *n = hl.n;
    return HP_OK;
}

/* ------------------------------------------------------------------------
 * Secrets.
 * ------------------------------------------------------------------------ */

/* n characters of [A-Za-z0-9], uniformly (rejection sampling). */
static int random_alnum(char *out, size_t n)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t buf[64];
    size_t got = 0;
    while (got < n) {
        if (crypto_random(buf, sizeof buf)) return HP_ECRYPTO;
        for (size_t i = 0; i < sizeof buf && got < n; i++)
            if (buf[i] < 248) out[got++] = set[buf[i] % 62];
    }
    out[n] = '\0';
    return HP_OK;
}

int signer_generate_secret(const signer_opts *o, char **out)
{
    uint8_t raw[32];
    char alnum[33];
    char *hex = NULL, *b64 = NULL;
    signer_tmpl *own = NULL;
    hp_buf buf = {0};
    int rc;

    if ((rc = crypto_random(raw, sizeof raw))) return rc;
    if (!(b64 = crypto_b64(raw, sizeof raw))) return HP_ENOMEM;
    if (o->mode == SIGNER_MODE_STANDARD) {
        rc = hp_buf_printf(&buf, "%s%s", STANDARD_SECRET_PREFIX, b64);
        goto done;
    }
    if (!(hex = crypto_hex(raw, sizeof raw))) { rc = HP_ENOMEM; goto done; }
    if ((rc = random_alnum(alnum, 32))) goto done;
    const signer_tmpl *t = o->secret_tmpl;
    if (!t) {
        if ((rc = tmpl_compile(hp_empty(o->secret_template) ? DEFAULT_SECRET_TMPL : o->secret_template, CTX_SECRET,
                               ENV_SECRET, &own, NULL)))
            goto done;
        t = own;
    }
    tdata d = {.rnd_hex = hex, .rnd_b64 = b64, .rnd_alnum = alnum};
    rc = tmpl_render(t, &d, &buf);
done:
    if (!rc) {
        *out = buf.data;
        buf.data = NULL;
    }
    hp_buf_free(&buf);
    tmpl_free(own);
    free(hex);
    free(b64);
    return rc;
}
