/* rules_lex.c - the lexer of the rule language (core/rules_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules_int.h"
#include "lib/utf8.h"

#define NUM_TEXT_MAX 40 /* characters of a number literal */

int rule_fail(struct rule_error *err, int line, int col, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->line = line;
        err->col = col;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        /* a message cut to fit never ends in the middle of a character */
        size_t n = strlen(err->message), i = n;
        while (i > 0 && ((unsigned char)err->message[i - 1] & 0xC0) == 0x80)
            i--;
        if (i > 0 && (unsigned char)err->message[i - 1] >= 0xC0 &&
            utf8_seq_len((unsigned char)err->message[i - 1]) > n - (i - 1))
            err->message[i - 1] = '\0';
    }
    return ERR_INVALID;
}

void rlex_init(struct lexer *lx, const char *src, size_t len)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->line = 1;
    lx->col = 1;
}

/* Moves past n bytes (never past the end), counting lines and characters. */
static void adv(struct lexer *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->pos < lx->len; i++) {
        unsigned char c = (unsigned char)lx->src[lx->pos++];
        if (c == '\n') {
            lx->line++;
            lx->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->col++;
        }
    }
}

static int peekc(const struct lexer *lx, size_t off)
{
    return lx->pos + off < lx->len ? (unsigned char)lx->src[lx->pos + off] : -1;
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Bytes of the well-formed UTF-8 character at s (n bytes left), 0 when it is not one. */
static size_t char_len(const char *s, size_t n)
{
    size_t k = utf8_seq_len((unsigned char)s[0]);
    if ((unsigned char)s[0] >= 0x80 && k == 1)
        return 0; /* a stray continuation byte or an invalid lead */
    if (k > n || !utf8_valid(s, k))
        return 0;
    return k;
}

static int bad_char(struct lexer *lx, struct rule_error *err)
{
    const char *s = lx->src + lx->pos;
    size_t k = char_len(s, lx->len - lx->pos);
    unsigned char c = (unsigned char)s[0];
    if (k == 0)
        return rule_fail(err, lx->line, lx->col, "invalid UTF-8 (byte 0x%02x)", c);
    if (c < 0x20 || c == 0x7F)
        return rule_fail(err, lx->line, lx->col, "unexpected control character 0x%02x", c);
    if (k == 3 && ((c == 0xEF && (unsigned char)s[1] == 0xBC) || (c == 0xE3 && (unsigned char)s[1] == 0x80)))
        return rule_fail(err, lx->line, lx->col,
                         "unexpected character '%.*s' (a full-width character: write it in ASCII)", (int)k, s);
    if (c == '\'')
        return rule_fail(err, lx->line, lx->col, "unexpected character '''; strings are written in double quotes");
    if (k > 1)
        return rule_fail(err, lx->line, lx->col, "unexpected character '%.*s' (text is written in double quotes)",
                         (int)k, s);
    return rule_fail(err, lx->line, lx->col, "unexpected character '%.*s'", (int)k, s);
}

static int lex_string(struct lexer *lx, struct tok *t, struct rule_error *err)
{
    adv(lx, 1);
    for (;;) {
        int c = peekc(lx, 0);
        if (c < 0)
            return rule_fail(err, t->line, t->col, "unterminated string: the closing \" is missing");
        if (c == '"') {
            adv(lx, 1);
            return 0;
        }
        if (c == '\n' || c == '\r')
            return rule_fail(err, t->line, t->col, "unterminated string: a string cannot span lines");
        if (c == '\\') {
            int e = peekc(lx, 1);
            if (e != '"' && e != '\\') {
                const char *s = lx->src + lx->pos + 1;
                size_t k = e < 0 ? 0 : char_len(s, lx->len - lx->pos - 1);
                if (k == 0 || e < 0x20)
                    return rule_fail(err, lx->line, lx->col,
                                     "unknown escape in a string: only \\\" and \\\\ are allowed");
                return rule_fail(err, lx->line, lx->col,
                                 "unknown escape '\\%.*s' in a string: only \\\" and \\\\ are allowed", (int)k, s);
            }
            adv(lx, 2);
            continue;
        }
        if (c < 0x20 || c == 0x7F)
            return rule_fail(err, lx->line, lx->col, "control character 0x%02x in a string", (unsigned)c);
        size_t k = char_len(lx->src + lx->pos, lx->len - lx->pos);
        if (k == 0)
            return rule_fail(err, lx->line, lx->col, "invalid UTF-8 in a string (byte 0x%02x)", (unsigned)c);
        adv(lx, k);
    }
}

static int lex_number(struct lexer *lx, struct tok *t, struct rule_error *err)
{
    char buf[NUM_TEXT_MAX + 1];
    size_t n = 0;
    while (is_digit(peekc(lx, n)))
        n++;
    if (peekc(lx, n) == '.') {
        if (!is_digit(peekc(lx, n + 1))) {
            adv(lx, n + 1);
            return rule_fail(err, lx->line, lx->col, "expected a digit after the decimal point");
        }
        n++;
        while (is_digit(peekc(lx, n)))
            n++;
    }
    if (n > NUM_TEXT_MAX)
        return rule_fail(err, t->line, t->col, "number too long (at most %d characters)", NUM_TEXT_MAX);
    memcpy(buf, lx->src + lx->pos, n);
    buf[n] = '\0';
    adv(lx, n);
    int c = peekc(lx, 0);
    if (is_alpha(c) || c == '.')
        return rule_fail(err, lx->line, lx->col, "unexpected '%c' after the number %s", c, buf);
    t->num = strtod(buf, NULL); /* digits and one '.', at most 40 of them: finite */
    return 0;
}

static int lex_ident(struct lexer *lx, struct rule_error *err)
{
    for (;;) {
        while (is_alpha(peekc(lx, 0)) || is_digit(peekc(lx, 0)))
            adv(lx, 1);
        if (peekc(lx, 0) != '.')
            return 0;
        adv(lx, 1);
        if (!is_alpha(peekc(lx, 0)) && !is_digit(peekc(lx, 0)))
            return rule_fail(err, lx->line, lx->col, "expected a name after '.' in a path");
    }
}

int rlex_next(struct lexer *lx, struct tok *t, struct rule_error *err)
{
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            adv(lx, 1);
        else
            break;
    }
    memset(t, 0, sizeof(*t));
    t->start = (uint32_t)lx->pos;
    t->line = lx->line;
    t->col = lx->col;
    int c = peekc(lx, 0), d = peekc(lx, 1), rc = 0;
    size_t n = 1;
    switch (c) {
    case -1:
        t->kind = T_EOF;
        n = 0;
        break;
    case '(':
        t->kind = T_LPAREN;
        break;
    case ')':
        t->kind = T_RPAREN;
        break;
    case '[':
        t->kind = T_LBRACK;
        break;
    case ']':
        t->kind = T_RBRACK;
        break;
    case ',':
        t->kind = T_COMMA;
        break;
    case '+':
        t->kind = T_PLUS;
        break;
    case '-':
        t->kind = T_MINUS;
        break;
    case '*':
        t->kind = T_STAR;
        break;
    case '/':
        t->kind = T_SLASH;
        break;
    case '%':
        t->kind = T_PERCENT;
        break;
    case '|':
        if (d != '|')
            return rule_fail(err, lx->line, lx->col, "unexpected '|': write || for \"or\"");
        t->kind = T_OR;
        n = 2;
        break;
    case '&':
        if (d != '&')
            return rule_fail(err, lx->line, lx->col, "unexpected '&': write && for \"and\"");
        t->kind = T_AND;
        n = 2;
        break;
    case '=':
        if (d != '=')
            return rule_fail(err, lx->line, lx->col, "unexpected '=': write == to compare");
        t->kind = T_EQ;
        n = 2;
        break;
    case '!':
        t->kind = d == '=' ? T_NE : T_NOT;
        n = d == '=' ? 2 : 1;
        break;
    case '<':
        if (d == '>')
            return rule_fail(err, lx->line, lx->col, "unexpected '<>': write != for \"not equal\"");
        t->kind = d == '=' ? T_LE : T_LT;
        n = d == '=' ? 2 : 1;
        break;
    case '>':
        t->kind = d == '=' ? T_GE : T_GT;
        n = d == '=' ? 2 : 1;
        break;
    case '"':
        t->kind = T_STR;
        rc = lex_string(lx, t, err);
        n = 0;
        break;
    default:
        if (is_digit(c)) {
            t->kind = T_NUM;
            rc = lex_number(lx, t, err);
        } else if (is_alpha(c)) {
            t->kind = T_IDENT;
            rc = lex_ident(lx, err);
        } else if (c == '.' && is_digit(d)) {
            return rule_fail(err, lx->line, lx->col, "a number must start with a digit: write 0.%c", d);
        } else {
            return bad_char(lx, err);
        }
        n = 0;
        break;
    }
    if (rc != 0)
        return rc;
    adv(lx, n);
    t->end = (uint32_t)lx->pos;
    return 0;
}

void rlex_describe(const char *src, const struct tok *t, char *buf, size_t cap)
{
    const char *s = src + t->start;
    size_t n = t->end - t->start;
    switch (t->kind) {
    case T_EOF:
        snprintf(buf, cap, "the end of the rule");
        return;
    case T_STR:
        if (n > 24) {
            size_t k = utf8_prefix(s, n, 20);
            snprintf(buf, cap, "the string %.*s…\"", (int)k, s);
        } else {
            snprintf(buf, cap, "the string %.*s", (int)n, s);
        }
        return;
    case T_NUM:
        snprintf(buf, cap, "the number %.*s", (int)n, s);
        return;
    default:
        if (n > 40)
            snprintf(buf, cap, "'%.*s…'", (int)utf8_prefix(s, n, 36), s);
        else
            snprintf(buf, cap, "'%.*s'", (int)n, s);
        return;
    }
}
