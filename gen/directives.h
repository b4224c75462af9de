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
	char *irreversible;     /* migc:irreversible REASON (malloc'd); NULL: not given */
	unsigned long irreversible_line;
	unsigned long allow;    /* migc:allow RULE[,RULE]: the lint rules it accepts (gen/lint.h) */
	unsigned long noreplay_line;       /* migc:no-replay: where it was given; 0: not given */
};

/* A struct directives with nothing read yet. */
#define DIRECTIVES_NONE {0, NULL, 0, 0, 0, NULL, 0, 0, 0}

/*
** Read the directives in text[0..end) (a file at path), the part before
** its first statement, into *dv: -- migc:no-transaction, foreign-keys-off,
** foreign-keys-on (SQLite only), also-accept c1:<64 hex> (may repeat;
** dv->accept is malloc'd, each checksum too), lock-timeout DURATION or
** off (PostgreSQL only, once), irreversible REASON (the rest of the
** line, once), allow RULE[,RULE] (lint rules; may repeat) and no-replay
** (once). An unknown directive, a bad argument, text
** after one, a repeated lock-timeout or a contradicting pair is an error
** on d.
*/
void readdirectives(const char *path, const char *text, size_t end, enum dialect dialect,
                    struct directives *dv, struct diags *d);

/* The directives of script sc, read and checked already (its errors were
** reported then), into *dv, to free with freedirectives. */
void scriptdirectives(const struct migc_script *sc, enum dialect dialect, struct directives *dv);

/* Free what readdirectives allocated in *dv (a member set to NULL was
** taken over by its caller). */
void freedirectives(struct directives *dv);

/* Without the scanner (migc hash and check do not split statements):
** where the leading blank and "--" lines of text[0..len) end. */
size_t leadingend(const char *text, size_t len);
