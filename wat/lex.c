/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lex.c: the text format's tokens (the specification's lexical format):
 * parentheses, keywords, $identifiers, strings with their escapes, and
 * "reserved" idchar runs, among which numbers (num.c reads those). Line
 * comments (;;) and nested block comments ((; ;)) are dropped. A string
 * must be well formed (escapes, no control characters); a name's UTF-8 is
 * checked where a name is required (parse.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

typedef struct lexer {
	const char *p, *end;
	unsigned line, col;
	wat_error *err;
	/* Open parentheses, and the depth an annotation (@id ...) opened at
	 * (0: in none). Inside one, any token sequence is allowed. */
	unsigned depth, annot_depth;
} lexer;

/* The idchars of the text format: digits, letters and these symbols. */
static const bool idchar[256] = {
    ['0' ... '9'] = true,
    ['a' ... 'z'] = true,
    ['A' ... 'Z'] = true,
    ['!'] = true,
    ['#'] = true,
    ['$'] = true,
    ['%'] = true,
    ['&'] = true,
    ['\''] = true,
    ['*'] = true,
    ['+'] = true,
    ['-'] = true,
    ['.'] = true,
    ['/'] = true,
    [':'] = true,
    ['<'] = true,
    ['='] = true,
    ['>'] = true,
    ['?'] = true,
    ['@'] = true,
    ['\\'] = true,
    ['^'] = true,
    ['_'] = true,
    ['`'] = true,
    ['|'] = true,
    ['~'] = true,
};

static bool
is_idchar(unsigned char c)
{
	return idchar[c];
}

static int
lex_error(lexer *lx, const char *msg)
{
	snprintf(lx->err->message, sizeof lx->err->message, "%s", msg);
	lx->err->line = lx->line;
	lx->err->col = lx->col;
	return -1;
}

static void
advance(lexer *lx, size_t n)
{
	while (n-- > 0 && lx->p < lx->end) {
		if (*lx->p == '\n') {
			lx->line++;
			lx->col = 1;
		} else {
			lx->col++;
		}
		lx->p++;
	}
}

/* Skips blanks and comments; -1 on an unterminated block comment. */
static int
skip_blanks(lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++; /* advance() by hand: the common case */
			lx->col++;
		} else if (c == '\n') {
			lx->p++;
			lx->line++;
			lx->col = 1;
		} else if (c == ';' && lx->p + 1 < lx->end && lx->p[1] == ';') {
			/* A line comment ends at a newline: LF, CR or CRLF. */
			while (
			    lx->p < lx->end && *lx->p != '\n' && *lx->p != '\r')
				advance(lx, 1);
		} else if (c == '(' && lx->p + 1 < lx->end && lx->p[1] == ';') {
			int depth = 1;

			advance(lx, 2);
			while (depth > 0) {
				if (lx->p + 1 >= lx->end)
					return lex_error(
					    lx, "unterminated block comment");
				if (lx->p[0] == '(' && lx->p[1] == ';') {
					depth++;
					advance(lx, 2);
				} else if (lx->p[0] == ';' && lx->p[1] == ')') {
					depth--;
					advance(lx, 2);
				} else {
					advance(lx, 1);
				}
			}
		} else {
			return 0;
		}
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends code point cp as UTF-8. */
static size_t
put_utf8(uint8_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | cp >> 18);
	o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* \u{hex}: the code point after "\u"; -1 when malformed. */
static long
unicode_escape(lexer *lx, const char **q)
{
	const char *s = *q;
	unsigned long cp = 0;
	int digits = 0;

	if (s >= lx->end || *s != '{')
		return -1;
	for (s++; s < lx->end && *s != '}'; s++) {
		int h = *s == '_' && digits > 0 ? -2 : hexval(*s);

		if (h == -2)
			continue;
		if (h < 0 || cp > 0x10ffff)
			return -1;
		cp = cp * 16 + (unsigned)h;
		digits++;
	}
	if (s >= lx->end || digits == 0 || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp < 0xe000))
		return -1;
	*q = s + 1;
	return (long)cp;
}

/* The raw length of the string starting at the opening quote, up to its
 * closing quote or the end of input: its decoded bytes never exceed it
 * (every escape is at least as long as what it stands for). */
static size_t
string_extent(const lexer *lx)
{
	const char *q = lx->p + 1;

	while (q < lx->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	return (size_t)((q < lx->end ? q : lx->end) - lx->p);
}

/* A string token from the opening quote; decodes its bytes into t. */
static int
lex_string(lexer *lx, wtok *t)
{
	const char *q = lx->p + 1;
	uint8_t *o = malloc(string_extent(lx) + 1);
	size_t n = 0;

	if (o == NULL)
		return lex_error(lx, "out of memory");
	for (;;) {
		unsigned char c;

		if (q >= lx->end) {
			free(o);
			return lex_error(lx, "unterminated string");
		}
		c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c < 0x20 || c == 0x7f) {
			free(o);
			return lex_error(lx, "control character in a string");
		}
		if (c != '\\') {
			o[n++] = c;
			q++;
			continue;
		}
		if (++q >= lx->end) {
			free(o);
			return lex_error(lx, "unterminated string");
		}
		switch (*q) {
		case 't':
			o[n++] = '\t';
			q++;
			break;
		case 'n':
			o[n++] = '\n';
			q++;
			break;
		case 'r':
			o[n++] = '\r';
			q++;
			break;
		case '"':
			o[n++] = '"';
			q++;
			break;
		case '\'':
			o[n++] = '\'';
			q++;
			break;
		case '\\':
			o[n++] = '\\';
			q++;
			break;
		case 'u': {
			long cp;

			q++;
			if ((cp = unicode_escape(lx, &q)) < 0) {
				free(o);
				return lex_error(lx,
				    "malformed \\u{...} escape in a string");
			}
			n += put_utf8(o + n, (uint32_t)cp);
			break;
		}
		default: {
			int h1 = hexval(*q),
			    h2 = q + 1 < lx->end ? hexval(q[1]) : -1;

			if (h1 < 0 || h2 < 0) {
				free(o);
				return lex_error(
				    lx, "unknown escape in a string");
			}
			o[n++] = (uint8_t)(h1 * 16 + h2);
			q += 2;
		}
		}
	}
	t->kind = T_STRING;
	t->str = o;
	t->strlen = n;
	t->len = (size_t)(q + 1 - lx->p);
	advance(lx, t->len);
	/* Tokens are separated: "a""b" or "a"x is not two tokens (inside
	 * an annotation they may touch). */
	if (lx->annot_depth == 0 && lx->p < lx->end &&
	    (*lx->p == '"' || is_idchar((unsigned char)*lx->p))) {
		free(o);
		t->str = NULL;
		return lex_error(
		    lx, "unknown operator: no space after a string");
	}
	return 0;
}

/* Whether the bytes of s (n) are well-formed UTF-8. */
bool
wat_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k = c < 0x80      ? 1
		    : (c & 0xe0) == 0xc0 ? 2
		    : (c & 0xf0) == 0xe0 ? 3
		    : (c & 0xf8) == 0xf0 ? 4
		                         : 0;
		uint32_t cp = k == 1 ? c
		    : k == 2         ? c & 0x1f
		    : k == 3         ? c & 0x0f
		                     : c & 0x07;

		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp < 0xe000))
			return false;
		i += k;
	}
	return true;
}

/* Inside an annotation, 3.0's reserved tokens also hold , ; [ ] { }
 * (but ";;" starts a comment). */
static bool
is_annot_char(const lexer *lx, const char *q)
{
	switch (*q) {
	case ',':
	case '[':
	case ']':
	case '{':
	case '}': return true;
	case ';': return !(q + 1 < lx->end && q[1] == ';');
	default: return false;
	}
}

/* A string that names something ($"..." or (@"...")): a non-empty,
 * well-formed UTF-8 string from lx->p (its opening quote) into t. */
static int
lex_name_string(lexer *lx, wtok *t, const char *what)
{
	char msg[64];

	if (lex_string(lx, t) < 0)
		return -1;
	if (t->strlen == 0 || !wat_utf8_valid(t->str, t->strlen)) {
		snprintf(msg, sizeof msg,
		    t->strlen == 0 ? "empty %s"
		                   : "malformed UTF-8 encoding in %s",
		    what);
		free(t->str);
		t->str = NULL;
		return lex_error(lx, msg);
	}
	return 0;
}

/* $"..." : an identifier written as a string; its name is t->str. */
static int
lex_quoted_id(lexer *lx, wtok *t)
{
	const char *start = lx->p;

	advance(lx, 1);
	if (lex_name_string(lx, t, "identifier") < 0)
		return -1;
	t->kind = T_ID;
	t->text = start;
	t->len = (size_t)(lx->p - start);
	return 0;
}

/* "(@id" or "(@\"id\"": an annotation opens; its name is t's text after
 * "(@", or t->str when written as a string. 0, or 1 when it was only a
 * "(" (in an annotation), -1 on an error. */
static int
lex_annot_open(lexer *lx, wtok *t)
{
	const char *start = lx->p, *q = start + 2;

	if (lx->annot_depth > 0 &&
	    (q >= lx->end || !is_idchar((unsigned char)*q)) &&
	    (q >= lx->end || *q != '"')) {
		/* Inside an annotation "(@" without an id is "(" then "@". */
		t->kind = T_LPAREN;
		t->len = 1;
		advance(lx, 1);
		lx->depth++;
		return 1;
	}
	advance(lx, 2);
	if (lx->p < lx->end && *lx->p == '"') {
		if (lex_name_string(lx, t, "annotation id") < 0)
			return -1;
	} else {
		for (q = lx->p; q < lx->end && is_idchar((unsigned char)*q);
		     q++)
			;
		if (q == lx->p)
			return lex_error(lx, "empty annotation id");
		advance(lx, (size_t)(q - lx->p));
	}
	t->kind = T_ANNOT;
	t->text = start;
	t->len = (size_t)(lx->p - start);
	if (++lx->depth, lx->annot_depth == 0)
		lx->annot_depth = lx->depth;
	return 0;
}

/*
 * A large module's token array runs to hundreds of megabytes, and taking
 * its page faults one 4 KiB page at a time was a fifth of the parse:
 * asks the kernel to fault each grown part in at once where it can
 * (Linux 5.14's MADV_POPULATE_WRITE). Only a hint: nothing depends on it.
 */
static void
prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = 4096, start = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + n) & ~(page - 1);

	if (n >= ((size_t)1 << 20) && end > start)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

int
wat_lex(const char *src, size_t len, wtok **toks, size_t *ntoks,
    size_t *nannots, wat_error *err)
{
	size_t annots = 0;

	lexer lx = {src, src + len, 1, 1, err, 0, 0};
	wtok *v = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		wtok t = {0};

		if (skip_blanks(&lx) < 0)
			goto bad;
		if (n == cap) {
			wtok *nv =
			    realloc(v, (cap = cap ? cap * 2 : 256) * sizeof *v);

			if (nv == NULL) {
				lex_error(&lx, "out of memory");
				goto bad;
			}
			v = nv;
			prefault(v + n, (cap - n) * sizeof *v);
		}
		t.text = lx.p;
		t.line = lx.line;
		t.col = lx.col;
		if (lx.p >= lx.end) {
			if (lx.annot_depth > 0) {
				lex_error(&lx, "unclosed annotation");
				goto bad;
			}
			t.kind = T_EOF;
			v[n++] = t;
			break;
		}
		if (*lx.p == '(' && lx.p + 1 < lx.end && lx.p[1] == '@') {
			int r = lex_annot_open(&lx, &t);

			if (r < 0)
				goto bad;
			annots += r == 0;
		} else if (*lx.p == '(' || *lx.p == ')') {
			t.kind = *lx.p == '(' ? T_LPAREN : T_RPAREN;
			t.len = 1;
			advance(&lx, 1);
			if (t.kind == T_LPAREN) {
				lx.depth++;
			} else if (lx.depth > 0 &&
			    --lx.depth < lx.annot_depth) {
				lx.annot_depth = 0;
			}
		} else if (*lx.p == '"') {
			if (lex_string(&lx, &t) < 0)
				goto bad;
		} else if (*lx.p == '$' && lx.p + 1 < lx.end &&
		    lx.p[1] == '"') {
			if (lex_quoted_id(&lx, &t) < 0)
				goto bad;
		} else if (is_idchar((unsigned char)*lx.p) ||
		    (lx.annot_depth > 0 && is_annot_char(&lx, lx.p))) {
			const char *q = lx.p;

			while (q < lx.end &&
			    (is_idchar((unsigned char)*q) ||
			        (lx.annot_depth > 0 && is_annot_char(&lx, q))))
				q++;
			t.len = (size_t)(q - lx.p);
			t.kind = *lx.p == '$'                ? T_ID
			    : (*lx.p >= 'a' && *lx.p <= 'z') ? T_KEYWORD
			                                     : T_RESERVED;
			if (t.kind == T_ID && t.len == 1) {
				lex_error(&lx, "empty identifier");
				goto bad;
			}
			lx.p = q; /* idchars hold no newline */
			lx.col += (unsigned)t.len;
			/* A token must end at a blank, a parenthesis or a
			 * comment: "1$x" or "a\"b\"" are not two tokens. */
			if (lx.annot_depth == 0 && lx.p < lx.end &&
			    *lx.p == '"') {
				lex_error(&lx,
				    "unknown operator: a string right after a "
				    "token");
				goto bad;
			}
		} else {
			lex_error(&lx,
			    (unsigned char)*lx.p >= 0x80
			        ? "illegal character (or malformed UTF-8 "
			          "encoding) outside a string"
			        : "illegal character");
			goto bad;
		}
		v[n++] = t;
	}
	*toks = v;
	*ntoks = n;
	if (nannots != NULL)
		*nannots = annots;
	return 0;
bad:
	wat_free_tokens(v, n);
	return -1;
}

void
wat_free_tokens(wtok *toks, size_t ntoks)
{
	for (size_t i = 0; i < ntoks; i++)
		free(toks[i].str);
	free(toks);
}
