/*
** scan_test.c: checks the statement splitter (gen/lex.re) case by case
** for both dialects (statement texts, positions, kw[], every error), then
** differentially against SQLite's own sqlite3_complete() on random texts.
** One [PASS]/[FAIL] line per case; exit 1 if any failed.
*/

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "scan.h"
#include "complete_diff.h"

#define L DIALECT_SQLITE
#define G DIALECT_POSTGRES

enum {
	P = 1, /* show each statement's line:col */
	K = 2  /* show each statement's kw[] */
};

struct tcase {
	const char *name;
	enum dialect d;
	int flags;
	const char *in;
	const char *want;   /* "<stmt><stmt>", "" for none, or "error L:C: msg" */
	size_t len;         /* of in, when it holds a NUL; else 0 */
};

static const struct tcase cases[] = {
	/* Both dialects. */
	{"sqlite simple multi-statement", L, P, "select 1;\nselect 2;\n  select 3;\n",
	 "1:1<select 1;>2:1<select 2;>3:3<select 3;>", 0},
	{"pg simple multi-statement", G, P, "select 1;\nselect 2;\n  select 3;\n",
	 "1:1<select 1;>2:1<select 2;>3:3<select 3;>", 0},
	{"sqlite no final semicolon", L, P, "select 1;\nselect 2  \n-- bye\n",
	 "1:1<select 1;>2:1<select 2>", 0},
	{"pg no final semicolon", G, P, "select 1;\nselect 2  \n/* bye */\n",
	 "1:1<select 1;>2:1<select 2>", 0},
	{"sqlite no final newline", L, 0, "select 1;\nselect 2;", "<select 1;><select 2;>", 0},
	{"pg no final newline", G, 0, "select 1;\nselect 2;", "<select 1;><select 2;>", 0},
	{"sqlite empty statements", L, P, ";\n; ;select 1;;  ;\n;", "2:4<select 1;>", 0},
	{"pg empty statements", G, P, ";\n; ;select 1;;  ;\n;", "2:4<select 1;>", 0},
	{"sqlite empty file", L, 0, "", "", 0},
	{"pg empty file", G, 0, "", "", 0},
	{"sqlite only comments", L, 0, "-- a\n/* b; */\n  \n-- c", "", 0},
	{"pg only comments", G, 0, "-- a\n/* b; /* c */ */\n  \n-- c", "", 0},
	{"sqlite \\r is whitespace", L, P, "\rselect\r1;\r\n\r\fselect 2;\r",
	 "1:2<select\r1;>2:3<select 2;>", 0},
	{"pg \\r is whitespace", G, P, "\rselect\r1;\r\n\r\fselect 2;\r",
	 "1:2<select\r1;>2:3<select 2;>", 0},
	{"sqlite -- runs to \\n, not \\r", L, 0, "select 1 -- c\r;\nselect 2;",
	 "<select 1 -- c\r;\nselect 2;>", 0},
	{"pg -- runs to \\r or \\n", G, 0, "select 1 -- c\r;\nselect 2;",
	 "<select 1 -- c\r;><select 2;>", 0},
	{"sqlite comments before a statement are skipped, inside kept", L, P,
	 "-- c\n/* x */ select /* ; */ 1 -- ;\n;\n",
	 "2:9<select /* ; */ 1 -- ;\n;>", 0},
	{"pg comments before a statement are skipped, inside kept", G, P,
	 "-- c\n/* x */ select /* ; */ 1 -- ;\n;\n",
	 "2:9<select /* ; */ 1 -- ;\n;>", 0},
	{"sqlite quotes hide ; -- /*", L, 0,
	 "select ';--/*', \"a;--/*\" from t;select 2;",
	 "<select ';--/*', \"a;--/*\" from t;><select 2;>", 0},
	{"pg quotes hide ; -- /*", G, 0,
	 "select ';--/*', \"a;--/*\", $$;--/*$$ from t;select 2;",
	 "<select ';--/*', \"a;--/*\", $$;--/*$$ from t;><select 2;>", 0},
	{"sqlite '' and \"\" escapes", L, 0, "select 'it''s;', \"a\"\"b;\";select 2;",
	 "<select 'it''s;', \"a\"\"b;\";><select 2;>", 0},
	{"pg '' and \"\" escapes", G, 0, "select 'it''s;', \"a\"\"b;\";select 2;",
	 "<select 'it''s;', \"a\"\"b;\";><select 2;>", 0},
	{"sqlite [a;b] and `a;b`", L, 0, "select [a;b], `c;d` from t;select 2",
	 "<select [a;b], `c;d` from t;><select 2>", 0},
	{"sqlite /* */ does not nest", L, 0, "/* /* */ select 1; */",
	 "<select 1;><*/>", 0},
	{"sqlite backslash is an ordinary byte", L, 0, "select '\\';select \\ 2;",
	 "<select '\\';><select \\ 2;>", 0},
	{"pg backslash is literal in '' strings", G, 0, "select 'a\\';select 2;",
	 "<select 'a\\';><select 2;>", 0},

	/* SQLite: triggers. */
	{"sqlite trigger with CASE ... END inside", L, P,
	 "CREATE TRIGGER t AFTER INSERT ON x BEGIN\n"
	 "  UPDATE y SET a = CASE WHEN new.b THEN 1 ELSE 2 END;\n"
	 "  DELETE FROM z;\nEND;\nselect 1;",
	 "1:1<CREATE TRIGGER t AFTER INSERT ON x BEGIN\n"
	 "  UPDATE y SET a = CASE WHEN new.b THEN 1 ELSE 2 END;\n"
	 "  DELETE FROM z;\nEND;>5:1<select 1;>", 0},
	{"sqlite TEMP trigger", L, 0,
	 "create temp trigger t after insert on x begin select 1; end; select 2;",
	 "<create temp trigger t after insert on x begin select 1; end;><select 2;>", 0},
	{"sqlite TEMPORARY trigger", L, 0,
	 "Create Temporary Trigger t after insert on x begin select 1; select 2; End ; select 3;",
	 "<Create Temporary Trigger t after insert on x begin select 1; select 2; End ;><select 3;>", 0},
	{"sqlite EXPLAIN CREATE TRIGGER", L, 0,
	 "explain create trigger t after insert on x begin select 1; end;select 2;",
	 "<explain create trigger t after insert on x begin select 1; end;><select 2;>", 0},
	{"sqlite EXPLAIN alone", L, 0, "EXPLAIN select 1;explain;",
	 "<EXPLAIN select 1;><explain;>", 0},
	{"sqlite trigger END at end of input", L, 0,
	 "create trigger t after insert on x begin select 1; end",
	 "<create trigger t after insert on x begin select 1; end>", 0},
	{"sqlite CREATE TEMP TABLE is no trigger", L, 0, "create temp table t(a);select 1;",
	 "<create temp table t(a);><select 1;>", 0},
	{"sqlite endx and trigger_ are not keywords", L, 0,
	 "create trigger t begin select endx; end;create trigger_ x; select 1;",
	 "<create trigger t begin select endx; end;><create trigger_ x;><select 1;>", 0},

	/* PostgreSQL. */
	{"pg nested comments", G, P, "/* a /* b */ ; */ select 1; select /* /* */ ; */ 2;",
	 "1:19<select 1;>1:29<select /* /* */ ; */ 2;>", 0},
	{"pg E'' with \\'", G, 0, "select E'it\\'s;', e'\\\\';select 2;",
	 "<select E'it\\'s;', e'\\\\';><select 2;>", 0},
	{"pg E'' continued after \\r keeps escapes, as psql", G, 0,
	 "select E'a'\n\n -- c\r\r'\\';x';select 2;",
	 "<select E'a'\n\n -- c\r\r'\\';x';><select 2;>", 0},
	{"pg E'' continued after \\n is a new string, as psql", G, 0,
	 "select E'a'\n'\\';select 2;",
	 "<select E'a'\n'\\';><select 2;>", 0},
	{"pg E'' without a newline does not continue", G, 0, "select E'a' '\\';select 2;",
	 "<select E'a' '\\';><select 2;>", 0},
	{"pg U&'' (backslash does not escape)", G, 0,
	 "select U&'\\';select u&\"a;\"\"b\";select 3;",
	 "<select U&'\\';><select u&\"a;\"\"b\";><select 3;>", 0},
	{"pg B'' X'' N''", G, 0, "select B'0;1', x'1;f', N'x;y';select 2;",
	 "<select B'0;1', x'1;f', N'x;y';><select 2;>", 0},
	{"pg dollar quotes with and without tags", G, 0,
	 "select $$a;b$$;select $tag$ ; $$ $tag$;select $a$ $b$a$;",
	 "<select $$a;b$$;><select $tag$ ; $$ $tag$;><select $a$ $b$a$;>", 0},
	{"pg $1 parameters", G, 0, "prepare p as select $1, $2;execute p(1,2);",
	 "<prepare p as select $1, $2;><execute p(1,2);>", 0},
	{"pg a$b$ is an identifier", G, 0, "select a$b$ from t;select 2;",
	 "<select a$b$ from t;><select 2;>", 0},
	{"pg dollar-quoted body with ; and $$ inside $x$", G, P,
	 "CREATE FUNCTION f() RETURNS int AS $x$\nBEGIN\n  RETURN 1; -- $$\nEND;\n$x$ LANGUAGE plpgsql;\nselect f();",
	 "1:1<CREATE FUNCTION f() RETURNS int AS $x$\nBEGIN\n  RETURN 1; -- $$\nEND;\n$x$ LANGUAGE plpgsql;>6:1<select f();>", 0},
	{"pg parentheses hold ;", G, 0, "select (1;2); select 1); select 3;",
	 "<select (1;2);><select 1);><select 3;>", 0},
	{"pg BEGIN ATOMIC with CASE inside", G, P,
	 "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
	 "  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nselect 1;",
	 "1:1<CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
	 "  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;>6:1<select 1;>", 0},
	{"pg CREATE OR REPLACE PROCEDURE BEGIN ATOMIC", G, 0,
	 "create or replace procedure p() language sql begin atomic insert into t values (1); end; call p();",
	 "<create or replace procedure p() language sql begin atomic insert into t values (1); end;><call p();>", 0},
	{"pg BEGIN outside a routine is a transaction", G, 0, "BEGIN; select 1; END;",
	 "<BEGIN;><select 1;><END;>", 0},
	{"pg begin inside parentheses does not count", G, 0,
	 "create function f(begin int) returns int as 'select 1' language sql; select 2;",
	 "<create function f(begin int) returns int as 'select 1' language sql;><select 2;>", 0},

	/* Errors. */
	{"sqlite unterminated string", L, 0, "select 1;\nselect 'abc;\n", "error 2:8: unterminated string", 0},
	{"sqlite unterminated \"\"", L, 0, "select \"a;", "error 1:8: unterminated quoted identifier", 0},
	{"sqlite unterminated ``", L, 0, "\n  select `a;", "error 2:10: unterminated quoted identifier", 0},
	{"sqlite unterminated []", L, 0, "select [a;", "error 1:8: unterminated quoted identifier", 0},
	{"sqlite unterminated comment", L, 0, "select 1; /* a /* b */ c /* d", "error 1:26: unterminated comment", 0},
	{"sqlite CREATE TRIGGER without END", L, 0,
	 "select 1;\n  CREATE TRIGGER t AFTER INSERT ON x BEGIN\n select 1;\n",
	 "error 2:3: CREATE TRIGGER has no END; (unterminated trigger body)", 0},
	{"sqlite CREATE TRIGGER with END but no ;END;", L, 0,
	 "explain\ncreate trigger t begin select 1; end x;",
	 "error 2:1: CREATE TRIGGER has no END; (unterminated trigger body)", 0},
	{"sqlite shell command", L, 0, "select 1;\n.read x.sql\n",
	 "error 2:1: sqlite3 shell command .read is not supported", 0},
	{"sqlite shell command first", L, 0, ".headers on\nselect 1;",
	 "error 1:1: sqlite3 shell command .headers is not supported", 0},
	{"sqlite . not in column 1 is no shell command", L, 0, " .x;", "<.x;>", 0},
	{"sqlite NUL byte", L, 0, "select 1;\0select 2;", "error 1:10: NUL byte", 19},
	{"sqlite NUL byte in a string", L, 0, "select 'a\0';", "error 1:10: NUL byte", 12},
	{"pg unterminated string", G, 0, "select 1;\nselect 'abc;\n", "error 2:8: unterminated string", 0},
	{"pg unterminated E''", G, 0, "select E'abc\\';", "error 1:8: unterminated string", 0},
	{"pg unterminated \"\"", G, 0, "select \"a\"\";", "error 1:8: unterminated quoted identifier", 0},
	{"pg unterminated comment at the outermost /*", G, 0, "select 1; /* a /* b */ c",
	 "error 1:11: unterminated comment", 0},
	{"pg unterminated dollar quote $body$", G, 0, "select 1;\nselect $body$ ; $bod$ ;",
	 "error 2:8: unterminated dollar quote $body$", 0},
	{"pg unterminated dollar quote $$", G, 0, "do $$ begin", "error 1:4: unterminated dollar quote $$", 0},
	{"pg unbalanced parentheses", G, 0, "select 1;\nselect (a, (b)\n;",
	 "error 2:8: unbalanced parentheses: '(' is never closed", 0},
	{"pg unterminated BEGIN ATOMIC", G, 0,
	 "create function f() language sql\nbegin atomic select case when true then 1 end; select 1;",
	 "error 2:1: unterminated BEGIN ... END block", 0},
	{"pg meta-command \\i", G, 0, "select 1;\n\\i other.sql\n",
	 "error 2:1: psql meta-command \\i is not supported", 0},
	{"pg meta-command \\set", G, 0, "\\set x 1", "error 1:1: psql meta-command \\set is not supported", 0},
	{"pg meta-command \\\\", G, 0, "select 1 \\\\ select 2;",
	 "error 1:10: psql meta-command \\\\ is not supported", 0},
	{"pg \\restrict and \\unrestrict lines are skipped", G, P,
	 "\\restrict Ab1\nselect 1;\n\\unrestrict Ab1 \r\nselect 2;\n\\unrestrict Ab1",
	 "2:1<select 1;>4:1<select 2;>", 0},
	{"pg \\restrict inside a statement", G, 0, "select 1\n\\restrict Ab1\n;",
	 "error 2:1: psql meta-command \\restrict is accepted only as pg_dump writes it: alone on a line between "
	 "statements, with an alphanumeric key", 0},
	{"pg \\restrict not from column 1", G, 0, " \\restrict Ab1\n",
	 "error 1:2: psql meta-command \\restrict is accepted only as pg_dump writes it: alone on a line between "
	 "statements, with an alphanumeric key", 0},
	{"pg COPY FROM STDIN", G, 0, "select 1;\n  Copy t (a, b) From\nStdin;",
	 "error 2:3: COPY ... FROM STDIN is not supported: a migration has no client data stream (use INSERT "
	 "statements, COPY ... FROM 'file' on the server, or load the data from the application)", 0},
	{"pg COPY FROM stdin with data up to \\. at the end", G, 0, "copy t from stdin;\n1\n\\.",
	 "error 1:1: COPY ... FROM stdin with the data inline (as pg_dump writes it) is not supported: a migration "
	 "has no client data stream; use INSERTs (pg_dump --inserts) or load the data from the application", 0},
	{"pg COPY TO STDOUT", G, 0, "copy (select 1 from stdin) to stdout;",
	 "error 1:1: COPY ... TO STDOUT is not supported: a migration has no client to send the rows to (use COPY "
	 "... TO 'file' on the server, or SELECT)", 0},
	{"pg COPY to a file, and words named stdin", G, 0,
	 "copy t to 'stdout'; copy t from '/x' where stdin > 0; select stdin from stdout; copy_x from stdin;",
	 "<copy t to 'stdout';><copy t from '/x' where stdin > 0;><select stdin from stdout;><copy_x from stdin;>", 0},
	{"pg NUL byte", G, 0, "select 1;\0select 2;", "error 1:10: NUL byte", 19},
	{"pg NUL byte in a dollar quote", G, 0, "select $$\0$$;", "error 1:10: NUL byte", 13},

	/* kw[]. */
	{"sqlite kw BEGIN", L, K, "BEGIN;", "<BEGIN;>{begin,,,}", 0},
	{"sqlite kw COMMIT", L, K, "COMMIT", "<COMMIT>{commit,,,}", 0},
	{"sqlite kw PRAGMA foreign_keys=OFF", L, K, "PRAGMA foreign_keys=OFF;",
	 "<PRAGMA foreign_keys=OFF;>{pragma,foreign_keys,,}", 0},
	{"sqlite kw PRAGMA foreign_keys = OFF", L, K, "PRAGMA foreign_keys = OFF;",
	 "<PRAGMA foreign_keys = OFF;>{pragma,foreign_keys,,}", 0},
	{"sqlite kw quoted first word", L, K, "\"select\" 1;", "<\"select\" 1;>{,,,}", 0},
	{"sqlite kw words truncated to 15", L, K,
	 "Create Table IF_NOT_EXISTS_ABCDEFGH t;", "<Create Table IF_NOT_EXISTS_ABCDEFGH t;>{create,table,if_not_exists_a,t}", 0},
	{"sqlite kw four words at most", L, K, "create unique index concurrently i on t(x);",
	 "<create unique index concurrently i on t(x);>{create,unique,index,concurrently}", 0},
	{"sqlite kw stops at a number", L, K, "select 1 as x;", "<select 1 as x;>{select,,,}", 0},
	{"pg kw BEGIN", G, K, "BEGIN;", "<BEGIN;>{begin,,,}", 0},
	{"pg kw COMMIT", G, K, "commit;", "<commit;>{commit,,,}", 0},
	{"pg kw SET", G, K, "SET search_path=x, y;", "<SET search_path=x, y;>{set,search_path,,}", 0},
	{"pg kw quoted first word", G, K, "\"Select\" 1;", "<\"Select\" 1;>{,,,}", 0},
	{"pg kw string first", G, K, "E'x';", "<E'x';>{,,,}", 0},
	{"pg kw CREATE UNIQUE INDEX CONCURRENTLY", G, K, "CREATE UNIQUE INDEX CONCURRENTLY i ON t (x);",
	 "<CREATE UNIQUE INDEX CONCURRENTLY i ON t (x);>{create,unique,index,concurrently}", 0},
	{"pg kw stops at (", G, K, "REINDEX (VERBOSE) TABLE CONCURRENTLY t;",
	 "<REINDEX (VERBOSE) TABLE CONCURRENTLY t;>{reindex,,,}", 0},
	{"pg kw stops at a qualified name's dot", G, K, "ALTER TYPE public.mood ADD VALUE 'x';",
	 "<ALTER TYPE public.mood ADD VALUE 'x';>{alter,type,public,}", 0},

	/* Directives. */
	{"sqlite directive in the leading block is fine", L, P,
	 "-- migc: no-transaction\n--migc:x\n/* c */\nselect 1;", "4:1<select 1;>", 0},
	{"pg directive in the leading block is fine", G, P,
	 "-- migc: no-transaction\n--\tmigc:x\nselect 1;", "3:1<select 1;>", 0},
	{"sqlite directive after the first statement", L, 0, "select 1;\n  -- migc: x\n",
	 "error 2:3: migc directive after the first statement has no effect; move it to the leading comment block", 0},
	{"pg directive inside a statement", G, 0, "select 1 --\tmigc: x\n;",
	 "error 1:10: migc directive after the first statement has no effect; move it to the leading comment block", 0},
	{"pg directive after an empty statement", G, 0, ";\n-- migc: x\nselect 1;",
	 "error 2:1: migc directive after the first statement has no effect; move it to the leading comment block", 0},
	{"pg directive inside an E'' continuation", G, 0, "select E'a'\n-- migc: x\r'b';",
	 "error 2:1: migc directive after the first statement has no effect; move it to the leading comment block", 0},
	{"sqlite almost-directives are comments", L, 0, "select 1;\n-- migcx\n/* migc: x */\n-- not migc: x\n",
	 "<select 1;>", 0},
};

static int nfail;

struct buf {
	char *s;
	size_t n, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s) {
			fprintf(stderr, "scan_test: out of memory\n");
			exit(2);
		}
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
puts0(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* in, shown with C escapes. */
static char *
escape(const char *in, size_t n)
{
	struct buf b = {0};
	char tmp[8];
	unsigned char c;
	size_t i;

	puts0(&b, "");
	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		if (c == '\n') {
			puts0(&b, "\\n");
		} else if (c == '\t') {
			puts0(&b, "\\t");
		} else if (c == '\r') {
			puts0(&b, "\\r");
		} else if (c == '\\' || c == '"') {
			sprintf(tmp, "\\%c", c);
			puts0(&b, tmp);
		} else if (c < ' ' || c >= 0x7f) {
			sprintf(tmp, "\\%03o", c);
			puts0(&b, tmp);
		} else {
			put(&b, (const char *)&c, 1);
		}
	}
	return b.s;
}

/* The result of scanning in[0..n), in the notation of tcase.want. */
static char *
run(enum dialect d, const char *in, size_t n, int flags)
{
	struct buf b = {0};
	struct stmt *v;
	struct scanerr e;
	size_t nv, i, j;
	char tmp[300];

	puts0(&b, "");
	if (scansql(d, in, n, &v, &nv, &e) < 0) {
		sprintf(tmp, "error %lu:%lu: %s", e.line, e.col, e.msg);
		puts0(&b, tmp);
		return b.s;
	}
	for (i = 0; i < nv; i++) {
		if (flags & P) {
			sprintf(tmp, "%lu:%lu", v[i].line, v[i].col);
			puts0(&b, tmp);
		}
		puts0(&b, "<");
		put(&b, in + v[i].off, v[i].len);
		puts0(&b, ">");
		if (flags & K) {
			puts0(&b, "{");
			for (j = 0; j < SCAN_NKW; j++) {
				if (j > 0)
					puts0(&b, ",");
				puts0(&b, v[i].kw[j]);
			}
			puts0(&b, "}");
		}
	}
	free(v);
	return b.s;
}

static void
check(const char *name, const char *want, const char *got)
{
	char *w, *g;

	if (strcmp(want, got) == 0) {
		printf("[PASS] scan: %s\n", name);
		return;
	}
	w = escape(want, strlen(want));
	g = escape(got, strlen(got));
	printf("[FAIL] scan: %s: expected \"%s\" got \"%s\"\n", name, w, g);
	free(w);
	free(g);
	nfail++;
}

static void
table(void)
{
	const struct tcase *c;
	char *got;

	for (c = cases; c < cases + sizeof(cases) / sizeof(cases[0]); c++) {
		got = run(c->d, c->in, c->len ? c->len : strlen(c->in), c->flags);
		check(c->name, c->want, got);
		free(got);
	}
}

/* pre, then rep copies of open, then mid, then rep copies of close, then
** post: nested comments built at run time. */
static char *
build(const char *pre, const char *open, size_t rep, const char *mid,
      const char *close, size_t repclose, const char *post)
{
	struct buf b = {0};
	size_t i;

	puts0(&b, pre);
	for (i = 0; i < rep; i++)
		puts0(&b, open);
	puts0(&b, mid);
	for (i = 0; i < repclose; i++)
		puts0(&b, close);
	puts0(&b, post);
	return b.s;
}

static void
deep(void)
{
	char *in, *want, *got;

	in = build("", "/* ", 100000, ";", " */", 100000, "\nselect 1;");
	got = run(G, in, strlen(in), P);
	check("pg comments nested 100,000 deep", "2:1<select 1;>", got);
	free(got);
	free(in);
	in = build("select 1;\n  ", "/*", 100000, ";", "*/", 99999, "\nselect 1;");
	got = run(G, in, strlen(in), 0);
	check("pg comments nested 100,000 deep, one */ short", "error 2:3: unterminated comment", got);
	free(got);
	free(in);
	in = build("", "(", 100000, ";", ")", 100000, ";select 1;");
	want = build("<", "(", 100000, ";", ")", 100000, ";><select 1;>");
	got = run(G, in, strlen(in), 0);
	check("pg parentheses nested 100,000 deep", want, got);
	free(got);
	free(want);
	free(in);
}

/* Random texts for the differential test (tests/unit/complete_diff.c). */
static const char *const frags[] = {
	"create", "CREATE", "Create", "temp", "TEMP", "temporary", "TEMPORARY",
	"trigger", "TRIGGER", "begin", "BEGIN", "end", "END", "End", "case",
	"when", "explain", "EXPLAIN", "select 1", "x", "t1", "endx", "trigger_",
	"_end", "create2", "tempo", "1", "$a", "\303\251", "(", ")", ",",
	";", ";", ";", ";", ";", ";", " ", " ", " ", " ", "\n", "\n", "\t", "\r",
	"\f", "\v", "'a;b'", "'it''s;'", "''", "\"x;y\"", "\"\"", "`a;b`",
	"[x;y]", "[;]", "-- c;\n", "--;", "--", "/* ; */", "/**/", "/* end; */",
	"create trigger t", "CREATE TEMP TRIGGER", "begin select 1;", "end;",
	"-", "/", "*", ".", "]",
	"-- migc: x\n", "'", "\"", "`", "[",
};

/* The last five fragments make most texts an error: they are rarer. */
#define NRARE 5

#define NFRAGS (sizeof(frags) / sizeof(frags[0]))

static unsigned long long rngstate;

static unsigned long
rng(void)
{
	rngstate ^= rngstate << 13;
	rngstate ^= rngstate >> 7;
	rngstate ^= rngstate << 17;
	return (unsigned long)(rngstate >> 11);
}

static void
differential(void)
{
	static const unsigned long long seeds[] = {1, 42, 20240601, 0x9e3779b97f4a7c15ULL};
	char t[1024], *esc;
	const char *f, *why = NULL;
	sqlite3 *db;
	size_t n, s, k, nfrag, ntext = 0;
	int i;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		printf("[FAIL] scan: differential vs sqlite3_complete: cannot open :memory:\n");
		nfail++;
		return;
	}
	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]) && !why; s++) {
		rngstate = seeds[s];
		for (i = 0; i < 5000 && !why; i++) {
			n = 0;
			nfrag = 1 + rng() % 24;
			for (k = 0; k < nfrag; k++) {
				f = frags[rng() % (NFRAGS - NRARE)];
				if (rng() % 100 == 0)
					f = frags[NFRAGS - 1 - rng() % NRARE];
				memcpy(t + n, f, strlen(f));
				n += strlen(f);
				if (rng() % 2)
					t[n++] = rng() % 4 ? ' ' : '\n';
			}
			t[n] = '\0';
			ntext++;
			why = completediff(db, t, n);
		}
	}
	sqlite3_close(db);
	if (why) {
		esc = escape(t, n);
		printf("[FAIL] scan: differential vs sqlite3_complete: \"%s\": %s\n", esc, why);
		free(esc);
		nfail++;
		return;
	}
	printf("[PASS] scan: differential vs sqlite3_complete (%lu texts)\n", (unsigned long)ntext);
}

int
main(void)
{
	table();
	deep();
	differential();
	return nfail ? 1 : 0;
}
