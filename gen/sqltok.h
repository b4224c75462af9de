/*
** sqltok.h: the tokens of one statement (gen/sqltok.c).
*/

/*
** A token of one statement, for the few statements whose shape matters
** past kw[] (REINDEX, ALTER TYPE ... ADD VALUE, ALTER TABLE ... DETACH,
** DO, SET, PRAGMA): a word (a run of [A-Za-z0-9_$\x80-\xff], such as $1,
** that opens no dollar quote), a '...' string or "..." identifier with its
** doubled quotes,
** an E'...' string with its backslash escapes, a $tag$ ... $tag$ dollar
** quote, or any other single byte; blanks and comments between tokens
** are skipped. The scanner has already checked that every quote, dollar
** quote and comment closes.
*/
struct pgtok {
	const char *p;  /* NULL past the statement's last token */
	size_t n;
};

/* Read the token at or after t[*i] (before end) into *k; *i moves past
** it; k->p is NULL past the last one. */
void pgnext(const char *t, size_t *i, size_t end, struct pgtok *k);

/* Is k the word (or punctuation) w, lower-case, in any case? */
int tokis(const struct pgtok *k, const char *w);

/* Is k the name w, bare or quoted ("w", 'w', `w`), in any case? */
int nameis(const struct pgtok *k, const char *w);

/* Read a name, possibly qualified (a.b.c): *k becomes the token after it. */
void skipname(const char *t, size_t *i, size_t end, struct pgtok *k);

/* Line and column of text[off], a byte of statement s. */
void placeat(const char *text, const struct stmt *s, size_t off, unsigned long *line, unsigned long *col);

/* The value of the string token k, '...' or E'...', into out (cap bytes,
** NUL-terminated): 1, or 0 when k is no string or it does not fit. */
int strvalue(const struct pgtok *k, char *out, size_t cap);

/* The length of k's delimiter ($$, $tag$) when k is a dollar quote, else 0. */
size_t dollardelim(const struct pgtok *k);
