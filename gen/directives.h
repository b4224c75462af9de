/*
** directives.h: the -- migc:... lines of a migration's leading comment
** block (gen/directives.c).
*/

/* What the leading comment block of a file says. */
struct directives {
	unsigned flags;
	char **accept;          /* migc:also-accept checksums */
	size_t naccept;
	long lock_timeout_ms;   /* migc:lock-timeout: migc_script.lock_timeout_ms */
	unsigned long lock_timeout_line;   /* where it was given; 0: not given */
};

/*
** Read the directives in text[0..end) (a file at path), the part before
** its first statement, into *dv: -- migc:no-transaction, foreign-keys-off,
** foreign-keys-on (SQLite only), also-accept c1:<64 hex> (may repeat;
** dv->accept is malloc'd, each checksum too) and lock-timeout DURATION or
** off (PostgreSQL only, once). An unknown directive, a bad argument, text
** after one, a repeated lock-timeout or a contradicting pair is an error
** on d.
*/
void readdirectives(const char *path, const char *text, size_t end, enum dialect dialect,
                    struct directives *dv, struct diags *d);

/* Without the scanner (migc hash and check do not split statements):
** where the leading blank and "--" lines of text[0..len) end. */
size_t leadingend(const char *text, size_t len);
