/*
** directives.h: the -- migc:... lines of a migration's leading comment
** block (gen/directives.c).
*/

/* What the leading comment block of a file says. */
struct directives {
	unsigned flags;
	char **accept;          /* migc:also-accept checksums */
	size_t naccept;
};

/*
** Read the directives in text[0..end) (a file at path), the part before
** its first statement, into *dv: -- migc:no-transaction, foreign-keys-off,
** foreign-keys-on (SQLite only) and also-accept c1:<64 hex> (may repeat;
** dv->accept is malloc'd, each checksum too). An unknown directive, a bad
** argument, text after one or a contradicting pair is an error on d.
*/
void readdirectives(const char *path, const char *text, size_t end, enum dialect dialect,
                    struct directives *dv, struct diags *d);

/* Without the scanner (migc hash and check do not split statements):
** where the leading blank and "--" lines of text[0..len) end. */
size_t leadingend(const char *text, size_t len);
