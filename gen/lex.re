/*
** lex.re: the SQL statement splitter, scansql() of scan.h. re2c turns
** this file into build/lex.c. It cuts a migration file into statements
** exactly where the database's own client would (sqlite3_complete() for
** SQLite, psql for PostgreSQL) and fails, with a position, where it can't.
**
** TOKENS. Whitespace is [ \t\n\r\f] (any other control byte is a token, as
** in both clients). Whitespace and comments separate tokens. A token is ";"
** (SEMI), a bare word, or anything else (OTHER). A bare word is an unquoted
** identifier beginning with a letter, "_" or a byte >= 0x80; a number or a
** $parameter is not one.
**
** STATEMENTS. A statement runs from its first token through the SEMI that
** ends it (which one does is the dialect's business, below), or through
** its last token at end of input. Whitespace and comments before it are
** not part of it; those between its tokens are. A SEMI with no token
** before it in its statement ends an empty statement, which is dropped.
** kw[] holds the statement's first tokens, lower-cased and cut to 15 bytes,
** up to SCAN_NKW (four), for as long as they are bare words: collecting
** stops at the first other token, so REINDEX (VERBOSE) ... keeps only
** "reindex" (gen/check.c reads such statements' text itself). Positions are
** 1-based; lines end at "\n" only; columns count bytes.
**
** DIRECTIVES. A "--" comment whose text is optional blanks then "migc:" is
** a migc directive. Before the first token of the file it is a comment
** here (another file reads it); after it, it would go unread: an error.
**
** SQLITE, as sqlite3_complete() (SQLite's src/complete.c):
**   comments   "--" to "\n"; C comments, not nested
**   OTHER      '...', "...", `...` (a doubled quote reads as two tokens,
**              which ends up the same), [...] (no escape), runs of
**              [A-Za-z0-9_$\x80-\xff], and any other single byte
**   keywords   runs equal, in any case, to EXPLAIN, CREATE, TEMP or
**              TEMPORARY, TRIGGER, END
** and its eight states, moved by each token as the table lite[] says:
**   INVALID    nothing yet (only whitespace and comments so far)
**   START      between statements
**   NORMAL     in a statement that the next SEMI ends
**   EXPLAIN    after an EXPLAIN that began the statement
**   CREATE     after [EXPLAIN ...] CREATE [TEMP|TEMPORARY] began it
**   TRIGGER    in CREATE TRIGGER, which only ";" END ";" ends
**   SEMI       in the trigger, just after a SEMI
**   END        in the trigger, just after SEMI END
** A SEMI ends the statement when it takes the machine to START, so a
** trigger body, CASE ... END and all, is one statement. At end of input,
** TRIGGER or SEMI is an error at the CREATE; any other state ends the
** statement there. A statement whose first token is "." in column 1 is an
** sqlite3 shell command (.read, .import, ...): an error. "\" is a byte.
**
** POSTGRESQL, as psql (PostgreSQL's src/fe_utils/psqlscan.l, version 15):
**   comments   "--" to "\n" or "\r"; C comments, nested (with a counter)
**   strings    '...' and B'', X'', N'', U&'...' with '' (a backslash is a
**              byte: standard_conforming_strings is on, and check.c
**              refuses a migration that turns it off); E'...' with ''
**              and \ escaping any byte. SQL continues a string over
**              blanks holding a newline: E'a'<newline>'b' is one string, so
**              escapes go on in 'b'. psql reads files line by line and only
**              sees a "\r" as that newline: the string goes on when a line
**              break directly follows E'a', possibly more of them, then
**              blanks or "--" comments, a "\r", and ' on the same line
**   quoted     "..." and U&"..." with ""
**   words      [A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*, so a$b$ is one
**   dollar     $tag$ ... $tag$ with tag empty or [A-Za-z_\x80-\xff]
**              [A-Za-z0-9_\x80-\xff]*; the body ends at the first copy of
**              the opening delimiter; $1 is a parameter, a lone $ is OTHER
**   numbers    and $1 parameters, with any identifier glued on (1e5,
**              1abc, $1a$), are one OTHER token, not a word, as in psql
**              15 (the server rejects such "trailing junk" anyway)
** A SEMI ends the statement when it is outside parentheses (depth counted;
** a ")" at depth 0 is ignored) and outside BEGIN ... END blocks. Those are
** psql 15's heuristic: in a statement whose bare words begin CREATE [OR
** REPLACE] FUNCTION|PROCEDURE, at parenthesis depth 0, the words BEGIN
** (always), CASE (only inside a BEGIN) and END (when inside one) count
** blocks. At end of input an open "(" is an error at the outermost one, an
** open block an error at its BEGIN. A "\" outside quotes and comments
** starts a psql meta-command (\i, \set, \\, \; ...): an error, except
** "\restrict KEY" and "\unrestrict KEY" (KEY alphanumeric) alone on a
** line, from column 1, between statements, which pg_dump 15.14 and later
** writes around its output and which are skipped as a comment is. In a
** statement whose first word is COPY, the token after the first FROM or
** TO outside parentheses names the file: STDIN or STDOUT, the client's
** data stream psql reads the following lines from (up to "\.") or prints
** to, is an error at the COPY, saying so when the data follows inline as
** in pg_dump's output.
**
** Everything else that does not close (strings, quoted identifiers,
** comments, dollar quotes) is an error where it opens. A NUL byte before
** text[n] is an error. One pass, no recursion, no lookbehind beyond one byte
** (an error message about COPY looks ahead for "\.").
*/

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "scan.h"

/* Token kinds. The first seven are sqlite3_complete()'s own, in its
** order; KEXPLAIN through KCASE are bare words. */
enum kind {
	KSEMI, KOTHER, KEXPLAIN, KCREATE, KTEMP, KTRIGGER, KEND,
	KWORD, KFUNCTION, KPROCEDURE, KOR, KREPLACE, KBEGIN, KCASE,
	KLPAREN, KRPAREN
};

/* sqlite3_complete()'s states and transitions (whitespace never moves). */
enum { INVALID, START, NORMAL, EXPLAIN, CREATE, TRIGGER, SEMI, END };

static const unsigned char lite[8][7] = {
	/*             SEMI   OTHER    EXPLAIN  CREATE   TEMP     TRIGGER  END */
	/* INVALID */ {START, NORMAL,  EXPLAIN, CREATE,  NORMAL,  NORMAL,  NORMAL},
	/* START   */ {START, NORMAL,  EXPLAIN, CREATE,  NORMAL,  NORMAL,  NORMAL},
	/* NORMAL  */ {START, NORMAL,  NORMAL,  NORMAL,  NORMAL,  NORMAL,  NORMAL},
	/* EXPLAIN */ {START, EXPLAIN, NORMAL,  CREATE,  NORMAL,  NORMAL,  NORMAL},
	/* CREATE  */ {START, NORMAL,  NORMAL,  NORMAL,  CREATE,  TRIGGER, NORMAL},
	/* TRIGGER */ {SEMI,  TRIGGER, TRIGGER, TRIGGER, TRIGGER, TRIGGER, TRIGGER},
	/* SEMI    */ {SEMI,  TRIGGER, TRIGGER, TRIGGER, TRIGGER, TRIGGER, END},
	/* END     */ {START, TRIGGER, TRIGGER, TRIGGER, TRIGGER, TRIGGER, TRIGGER},
};

struct scanner {
	const unsigned char *text;
	size_t n;
	enum dialect dialect;
	struct scanerr *err;
	struct stmt *v;          /* the statements so far */
	size_t nv, capv;
	size_t poff, pbol;       /* posat(): offset reached, start of its line */
	unsigned long pline;
	int seen;                /* a token has been read */
	int open;                /* a statement has begun: it is st */
	struct stmt st;
	int nkw;                 /* kw[] filled in st; -1 after a non-word */
	size_t end;              /* end of st's last token */
	int state;               /* SQLite: sqlite3_complete()'s state */
	size_t create;           /* SQLite: where the CREATE state began */
	unsigned long paren;     /* PostgreSQL: open "(" */
	unsigned long begin;     /* PostgreSQL: open BEGIN (and CASE) blocks */
	size_t parenat, beginat; /* PostgreSQL: the outermost "(" and BEGIN */
	size_t nident;           /* PostgreSQL: bare words in the statement */
	char ident[4];           /* PostgreSQL: c, o, r, f, p for the first four */
	int copy;                /* PostgreSQL: in COPY; 2 after its FROM, 3 after its TO */
};

/* Line and column of text[off]. Offsets asked for mostly grow, so this
** goes on from the last one: the whole scan stays O(n). */
static void
posat(struct scanner *s, size_t off, unsigned long *line, unsigned long *col)
{
	if (off < s->poff) {
		s->poff = s->pbol = 0;
		s->pline = 1;
	}
	while (s->poff < off) {
		const unsigned char *nl = memchr(s->text + s->poff, '\n', off - s->poff);

		if (!nl) {
			s->poff = off;
			break;
		}
		s->pline++;
		s->poff = s->pbol = (size_t)(nl - s->text) + 1;
	}
	*line = s->pline;
	*col = (unsigned long)(off - s->pbol + 1);
}

static int
vfail(struct scanner *s, size_t off, const char *fmt, va_list ap)
{
	posat(s, off, &s->err->line, &s->err->col);
	vsnprintf(s->err->msg, sizeof(s->err->msg), fmt, ap);
	return -1;
}

static int
fail(struct scanner *s, size_t off, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(s, off, fmt, ap);
	va_end(ap);
	return rc;
}

/* The NUL at text[at]: the end of input (0), or an error. */
static int
nulbyte(struct scanner *s, size_t at)
{
	return at < s->n ? fail(s, at, "NUL byte") : 0;
}

/* The NUL at text[at] inside a construct that began at text[from]: an
** error, either "NUL byte" or fmt, the construct's. */
static int
unclosed(struct scanner *s, size_t at, size_t from, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (nulbyte(s, at) < 0)
		return -1;
	va_start(ap, fmt);
	rc = vfail(s, from, fmt, ap);
	va_end(ap);
	return rc;
}

static int
isword(enum kind k)
{
	return k >= KEXPLAIN && k <= KCASE;
}

/* Is text[off..) a migc directive comment ("--", blanks, "migc:")? */
static int
isdirective(const unsigned char *t)
{
	t += 2;
	while (*t == ' ' || *t == '\t')
		t++;
	return strncmp((const char *)t, "migc:", 5) == 0;
}

static int
late(struct scanner *s, size_t off)
{
	return fail(s, off, "migc directive after the first statement has no "
	            "effect; move it to the leading comment block");
}

/* Directives among the whitespace text[from..to), which holds nothing but
** whitespace and "--" comments. */
static int
latedirectives(struct scanner *s, size_t from, size_t to)
{
	const unsigned char *t = s->text;

	while (from + 1 < to) {
		if (t[from] == '-' && t[from + 1] == '-') {
			if (isdirective(t + from))
				return late(s, from);
			while (from < to && t[from] != '\n' && t[from] != '\r')
				from++;
		} else {
			from++;
		}
	}
	return 0;
}

static int
openstmt(struct scanner *s, size_t off)
{
	const unsigned char *t = s->text;
	size_t e;

	if (s->dialect == DIALECT_SQLITE && t[off] == '.' &&
	    (off == 0 || t[off - 1] == '\n')) {
		for (e = off + 1; e - off <= 32 && t[e] && !strchr(" \t\n\r\f;", t[e]); e++)
			;
		return fail(s, off, "sqlite3 shell command .%.*s is not supported",
		            (int)(e - off - 1), (const char *)t + off + 1);
	}
	memset(&s->st, 0, sizeof(s->st));
	s->st.off = off;
	posat(s, off, &s->st.line, &s->st.col);
	s->open = 1;
	s->nkw = 0;
	return 0;
}

static void
addkw(struct scanner *s, enum kind k, size_t from, size_t to)
{
	char *w;
	size_t i;
	unsigned char c;

	if (s->nkw < 0 || s->nkw >= SCAN_NKW)
		return;
	if (!isword(k)) {
		s->nkw = -1;
		return;
	}
	w = s->st.kw[s->nkw++];
	for (i = 0; i < to - from && i < SCAN_KWLEN - 1; i++) {
		c = s->text[from + i];
		w[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	w[i] = '\0';
}

/* A psql meta-command at text[off], a backslash: name it in the error. */
static int
metacommand(struct scanner *s, size_t off)
{
	const unsigned char *t = s->text + off + 1;
	size_t e = 0;

	while (e < 32 && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z') ||
	                  (t[e] >= '0' && t[e] <= '9') || t[e] == '_'))
		e++;
	if (e == 0 && t[0] > ' ' && t[0] < 0x7f)
		e = 1;
	if ((e == 8 && memcmp(t, "restrict", 8) == 0) || (e == 10 && memcmp(t, "unrestrict", 10) == 0))
		return fail(s, off, "psql meta-command \\%.*s is accepted only as pg_dump writes it: alone on a line "
		            "between statements, with an alphanumeric key", (int)e, (const char *)t);
	return fail(s, off, "psql meta-command \\%.*s is not supported",
	            (int)e, (const char *)t);
}

/*
** A \restrict or \unrestrict KEY line at text[off], the backslash, its
** key and blanks read up to text[end]: pg_dump (15.14 and later) guards
** its output with the pair, which only tells psql to refuse other
** meta-commands in between, as migc always does. Fine alone on its line
** (from column 1, as pg_dump writes it) between statements; anything else
** is the meta-command error.
*/
static int
restrictline(struct scanner *s, size_t off, size_t end)
{
	const unsigned char *t = s->text;

	if (s->open || (off > 0 && t[off - 1] != '\n') || (t[end] != '\n' && t[end] != '\r' && end != s->n))
		return metacommand(s, off);
	return 0;
}

/* The statement ends at text[end]. */
static int
emit(struct scanner *s, size_t end)
{
	struct stmt *v = migc__grow(s->v, s->nv, &s->capv, sizeof(*s->v));

	if (!v)
		return fail(s, s->st.off, "out of memory");
	s->v = v;
	s->st.len = end - s->st.off;
	s->v[s->nv++] = s->st;
	s->open = 0;
	s->copy = 0;
	return 0;
}

static int
litetoken(struct scanner *s, enum kind k, size_t from, size_t to)
{
	int next = lite[s->state][k <= KEND ? k : KOTHER];

	if (next == CREATE && s->state != CREATE)
		s->create = from;
	s->state = next;
	if (k == KSEMI && next == START)
		return s->open ? emit(s, to) : 0;
	return 0;
}

/* Does the statement begin CREATE [OR REPLACE] FUNCTION|PROCEDURE? */
static int
isroutine(const struct scanner *s)
{
	const char *id = s->ident;

	return id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
	       (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p')));
}

static int
pgtoken(struct scanner *s, enum kind k, size_t from, size_t to)
{
	(void)to;
	switch (k) {
	case KLPAREN:
		if (s->paren++ == 0)
			s->parenat = from;
		return 0;
	case KRPAREN:
		if (s->paren > 0)
			s->paren--;
		return 0;
	case KSEMI:
		if (s->paren > 0 || s->begin > 0)
			return 0;
		s->nident = 0;
		return s->open ? emit(s, to) : 0;
	default:
		if (!isword(k))
			return 0;
		break;
	}
	if (s->nident == 0)
		memset(s->ident, 0, sizeof(s->ident));
	if (s->nident < sizeof(s->ident)) {
		switch (k) {
		case KCREATE:    s->ident[s->nident] = 'c'; break;
		case KOR:        s->ident[s->nident] = 'o'; break;
		case KREPLACE:   s->ident[s->nident] = 'r'; break;
		case KFUNCTION:  s->ident[s->nident] = 'f'; break;
		case KPROCEDURE: s->ident[s->nident] = 'p'; break;
		default: break;
		}
	}
	s->nident++;
	if (s->paren > 0 || !isroutine(s))
		return 0;
	if (k == KBEGIN) {
		if (s->begin++ == 0)
			s->beginat = from;
	} else if (k == KCASE) {
		if (s->begin > 0)
			s->begin++;
	} else if (k == KEND) {
		if (s->begin > 0)
			s->begin--;
	}
	return 0;
}

/* Is the token text[from..to) of kind k the bare word w (lower-case), in any case? */
static int
wordis(const struct scanner *s, enum kind k, size_t from, size_t to, const char *w)
{
	size_t i;

	if (!isword(k) || to - from != strlen(w))
		return 0;
	for (i = 0; i < to - from; i++) {
		unsigned char c = s->text[from + i];

		if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != (unsigned char)w[i])
			return 0;
	}
	return 1;
}

/* Is there a line "\." (the end of COPY data) in text[from..)? */
static int
copydata(const struct scanner *s, size_t from)
{
	const unsigned char *t = s->text;
	size_t i;

	for (i = from; i + 2 < s->n + 1; i++)
		if (t[i] == '\n' && t[i + 1] == '\\' && t[i + 2] == '.' &&
		    (i + 3 == s->n || t[i + 3] == '\n' || t[i + 3] == '\r'))
			return 1;
	return 0;
}

/*
** A token of a COPY statement: the one right after the first FROM or TO
** outside parentheses names the file, and STDIN or STDOUT there is the
** client's data stream, which psql feeds from the lines that follow (or
** prints), and a compiled migration does not have: an error at the COPY.
*/
static int
copytoken(struct scanner *s, enum kind k, size_t from, size_t to)
{
	if (s->copy == 1) {
		if (s->paren == 0 && wordis(s, k, from, to, "from"))
			s->copy = 2;
		else if (s->paren == 0 && wordis(s, k, from, to, "to"))
			s->copy = 3;
		return 0;
	}
	if (!wordis(s, k, from, to, "stdin") && !wordis(s, k, from, to, "stdout")) {
		s->copy = 0;
		return 0;
	}
	if (s->copy == 3)
		return fail(s, s->st.off, "COPY ... TO STDOUT is not supported: a migration has no client to send the rows "
		            "to (use COPY ... TO 'file' on the server, or SELECT)");
	if (copydata(s, to))
		return fail(s, s->st.off, "COPY ... FROM stdin with the data inline (as pg_dump writes it) is not supported: "
		            "a migration has no client data stream; use INSERTs (pg_dump --inserts) or load the data from the application");
	return fail(s, s->st.off, "COPY ... FROM STDIN is not supported: a migration has no client data stream (use INSERT "
	            "statements, COPY ... FROM 'file' on the server, or load the data from the application)");
}

/* A token text[from..to) of kind k. */
static int
token(struct scanner *s, enum kind k, size_t from, size_t to)
{
	int first = !s->open && k != KSEMI;

	s->seen = 1;
	if (first && openstmt(s, from) < 0)
		return -1;
	if (s->open) {
		addkw(s, k, from, to);
		s->end = to;
	}
	if (s->dialect == DIALECT_SQLITE)
		return litetoken(s, k, from, to);
	if (first)
		s->copy = wordis(s, k, from, to, "copy");
	else if (s->copy && copytoken(s, k, from, to) < 0)
		return -1;
	return pgtoken(s, k, from, to);
}

/* The end of input outside any construct. */
static int
finish(struct scanner *s)
{
	if (s->dialect == DIALECT_SQLITE && (s->state == TRIGGER || s->state == SEMI))
		return fail(s, s->create, "CREATE TRIGGER has no END; "
		            "(unterminated trigger body)");
	if (s->paren > 0)
		return fail(s, s->parenat, "unbalanced parentheses: '(' is never closed");
	if (s->begin > 0)
		return fail(s, s->beginat, "unterminated BEGIN ... END block");
	return s->open ? emit(s, s->end) : 0;
}

/*!types:re2c*/

int
scansql(enum dialect dialect, const char *text, size_t n,
        struct stmt **stmts, size_t *nstmts, struct scanerr *err)
{
	struct scanner s;
	const unsigned char *base, *cur, *mar, *tok, *q = NULL, *qend = NULL, *delim = NULL;
	size_t ndelim = 0;
	unsigned long depth = 0;
	enum kind k;
	enum YYCONDTYPE cond;

	memset(&s, 0, sizeof(s));
	memset(err, 0, sizeof(*err));
	s.text = base = cur = (const unsigned char *)text;
	s.n = n;
	s.dialect = dialect;
	s.err = err;
	s.pline = 1;
	*stmts = NULL;
	*nstmts = 0;
	if (dialect == DIALECT_SQLITE) {
		cond = yyclite;
	} else if (dialect == DIALECT_POSTGRES) {
		cond = yycpg;
	} else {
		fail(&s, 0, "unknown SQL dialect %d", (int)dialect);
		goto bad;
	}

	for (;;) {
		/* Lex one token into k, text[tok..cur): skip whitespace and
		** comments, and step through the modes (<lites>, <pge>...) of
		** tokens that need them, setting q where such a token opens. */
		for (;;) {
			tok = cur;
/*!re2c
	re2c:define:YYCTYPE = "unsigned char";
	re2c:define:YYCURSOR = cur;
	re2c:define:YYMARKER = mar;
	re2c:define:YYGETCONDITION = "cond";
	re2c:define:YYGETCONDITION:naked = 1;
	re2c:define:YYSETCONDITION = "cond = @@;";
	re2c:define:YYSETCONDITION:naked = 1;
	re2c:yyfill:enable = 0;
	re2c:sentinel = 0;

	nul       = "\x00";
	ws        = [ \t\n\r\f]+;
	idchar    = [A-Za-z0-9_$\x80-\xff];
	ident     = [A-Za-z_\x80-\xff] idchar*;
	tag       = [A-Za-z_\x80-\xff] [A-Za-z0-9_\x80-\xff]*;
	dec       = [0-9]+ ("." [0-9]*)? | "." [0-9]+;
	number    = dec ([eE] [+-]? [0-9]+)? ident?;
	directive = "--" [ \t]* "migc:";
	pgline    = "--" [^\n\r\x00]*;
	hspace    = [ \t\f] | pgline;
	contspace = [ \t\r\f]+ | pgline "\r";
	strcont   = hspace* "\r" contspace* "'";
	restrict  = "\\" "un"? "restrict" [ \t]+ [A-Za-z0-9]+ [ \t]*;

	<lite> ws                        { continue; }
	<lite> directive [^\n\x00]*      { if (s.seen && late(&s, tok - base) < 0) goto bad; continue; }
	<lite> "--" [^\n\x00]*           { continue; }
	<lite> "/*"         => litec     { q = tok; continue; }
	<lite> "'"          => lites     { q = tok; continue; }
	<lite> ["]          => lited     { q = tok; continue; }
	<lite> "`"          => liteb     { q = tok; continue; }
	<lite> "["          => litebr    { q = tok; continue; }
	<lite> ";"                       { k = KSEMI; break; }
	<lite> 'explain'                 { k = KEXPLAIN; break; }
	<lite> 'create'                  { k = KCREATE; break; }
	<lite> 'temp' | 'temporary'      { k = KTEMP; break; }
	<lite> 'trigger'                 { k = KTRIGGER; break; }
	<lite> 'end'                     { k = KEND; break; }
	<lite> ident                     { k = KWORD; break; }
	<lite> idchar+                   { k = KOTHER; break; }
	<lite> nul                       { if (nulbyte(&s, tok - base) < 0) goto bad; goto eof; }
	<lite> *                         { k = KOTHER; break; }

	<litec> [^*\x00]+ | "*"          { continue; }
	<litec> "*/"        => lite      { continue; }
	<lites> [^'\x00]+                { continue; }
	<lites> "'"         => lite      { tok = q; k = KOTHER; break; }
	<lited> [^"\x00]+                { continue; }
	<lited> ["]         => lite      { tok = q; k = KOTHER; break; }
	<liteb> [^`\x00]+                { continue; }
	<liteb> "`"         => lite      { tok = q; k = KOTHER; break; }
	<litebr> [^\]\x00]+              { continue; }
	<litebr> "]"        => lite      { tok = q; k = KOTHER; break; }
	<litec> nul                      { unclosed(&s, tok - base, q - base, "unterminated comment"); goto bad; }
	<lites> nul                      { unclosed(&s, tok - base, q - base, "unterminated string"); goto bad; }
	<lited, liteb, litebr> nul       { unclosed(&s, tok - base, q - base, "unterminated quoted identifier"); goto bad; }
	<litec, lites, lited, liteb, litebr> * { continue; }

	<pg> ws                          { continue; }
	<pg> directive [^\n\r\x00]*      { if (s.seen && late(&s, tok - base) < 0) goto bad; continue; }
	<pg> pgline                      { continue; }
	<pg> "/*"           => pgc       { q = tok; depth = 0; continue; }
	<pg> [eE] "'"       => pge       { q = tok; continue; }
	<pg> ([bBxXnN] | [uU] "&")? "'"  => pgq { q = tok; continue; }
	<pg> ([uU] "&")? ["] => pgd      { q = tok; continue; }
	<pg> [uU] "&"                    { cur = tok + 1; k = KOTHER; break; }
	<pg> "$" tag? "$"   => pgdolq    { q = delim = tok; ndelim = (size_t)(cur - tok); continue; }
	<pg> "$" [0-9]+ ident?           { k = KOTHER; break; }
	<pg> number                      { k = KOTHER; break; }
	<pg> 'create'                    { k = KCREATE; break; }
	<pg> 'or'                        { k = KOR; break; }
	<pg> 'replace'                   { k = KREPLACE; break; }
	<pg> 'function'                  { k = KFUNCTION; break; }
	<pg> 'procedure'                 { k = KPROCEDURE; break; }
	<pg> 'begin'                     { k = KBEGIN; break; }
	<pg> 'case'                      { k = KCASE; break; }
	<pg> 'end'                       { k = KEND; break; }
	<pg> ident                       { k = KWORD; break; }
	<pg> "("                         { k = KLPAREN; break; }
	<pg> ")"                         { k = KRPAREN; break; }
	<pg> ";"                         { k = KSEMI; break; }
	<pg> restrict                    { if (restrictline(&s, tok - base, cur - base) < 0) goto bad; continue; }
	<pg> "\\"                        { metacommand(&s, tok - base); goto bad; }
	<pg> nul                         { if (nulbyte(&s, tok - base) < 0) goto bad; goto eof; }
	<pg> *                           { k = KOTHER; break; }

	<pgc> [^*/\x00]+ | [*/]          { continue; }
	<pgc> "/*"                       { depth++; continue; }
	<pgc> "*/"                       { if (depth == 0) cond = yycpg; else depth--; continue; }
	<pgq> [^'\x00]+ | "''"           { continue; }
	<pgq> "'"           => pg        { tok = q; k = KOTHER; break; }
	<pge> [^'\\\x00]+ | "''" | "\\" [^\x00] { continue; }
	<pge> "'"           => pgeqs     { qend = cur; continue; }
	<pgeqs> "\n"                     { continue; }
	<pgeqs> strcont     => pge       { if (latedirectives(&s, tok - base, cur - base) < 0) goto bad; continue; }
	<pgeqs> *           => pg        { cur = qend; tok = q; k = KOTHER; break; }
	<pgd> [^"\x00]+ | ["]["]         { continue; }
	<pgd> ["]           => pg        { tok = q; k = KOTHER; break; }
	<pgdolq> [^$\x00]+               { continue; }
	<pgdolq> "$"                     {
		if (strncmp((const char *)tok, (const char *)delim, ndelim) != 0)
			continue;
		cur = tok + ndelim;
		cond = yycpg;
		tok = q;
		k = KOTHER;
		break;
	}
	<pgc> nul                        { unclosed(&s, tok - base, q - base, "unterminated comment"); goto bad; }
	<pgq, pge> nul                   { unclosed(&s, tok - base, q - base, "unterminated string"); goto bad; }
	<pgd> nul                        { unclosed(&s, tok - base, q - base, "unterminated quoted identifier"); goto bad; }
	<pgdolq> nul                     {
		unclosed(&s, tok - base, q - base, "unterminated dollar quote %.*s",
		         (int)ndelim, (const char *)delim);
		goto bad;
	}
	<pgc, pgq, pge, pgd, pgdolq> *   { continue; }
*/
		}
		if (token(&s, k, (size_t)(tok - base), (size_t)(cur - base)) < 0)
			goto bad;
	}
eof:
	if (finish(&s) < 0)
		goto bad;
	if (s.nv == 0) {
		free(s.v);
		s.v = NULL;
	}
	*stmts = s.v;
	*nstmts = s.nv;
	return 0;
bad:
	free(s.v);
	return -1;
}
