/*
** command.h: the developer tool's own commands, gen, hash, check, lint,
** new and import (gen/cmdgen.c, cmdhash.c, cmdcheck.c, cmdlint.c, cmdnew.c,
** cmdimport.c), and what they share
** (gen/command.c). gen/main.c hands each its command line.
*/

/* Each takes migc's argc and argv (argv[1] the command's name) and
** returns the exit status. */
int cmdgen(int argc, char **argv);
int cmdhash(int argc, char **argv);
int cmdcheck(int argc, char **argv);
int cmdnew(int argc, char **argv);
int cmdimport(int argc, char **argv);
int cmdlint(int argc, char **argv);

/* What each prints for --help (and migc help COMMAND, and the man page). */
extern const char genusage[], hashusage[], checkusage[], newusage[], importusage[], lintusage[];

/* Write dir/migc.sum for the migrations in dir, read in layout, saying
** so on standard output. Returns the exit status: 0, 1 when it could not
** be written, 2 when the directory has errors (printed). */
int hashdir(const char *dir, enum layout layout);

/* "sqlite" or "postgres" into *d: 0, or -1 for any other name. */
int parsedialect(const char *s, enum dialect *d);

/* Print "migc: error: " and fmt (with arg), then usage, to standard
** error. Returns 2, the exit status of a usage error. */
int usageerror(const char *usage, const char *fmt, const char *arg);

/* Read dir (loadset), printing its diagnostics to standard error (with
** strict, its warnings as errors); the set names its dialect's driver.
** Returns the set, to free with freeset(), or NULL when the directory
** has errors. */
struct migc_set *loaddir(const char *dir, enum dialect dialect, enum layout layout, int strict);

/* Add the rules of --allow's value s (RULE[,RULE]) to *bits: 0, or a
** usage error's status 2 naming the first that is no rule. */
int allowoption(const char *usage, const char *s, unsigned long *bits);

/* Lint set (gen/lint.h), printing each finding to standard error as a
** warning, or as an error when strict. Returns the number of errors. */
int lintset(const struct migc_set *set, const char *dir, enum dialect dialect, unsigned long allow, int strict);

/* The options of the commands that read a directory as gen does and lint
** it (check, lint): --dialect D, --layout L, --strict, --allow RULES, and
** the directory, as --dir DIR or the operand. */
struct readopts {
	const char *dir;                /* NULL until given */
	const char *dialectarg;         /* NULL until given */
	enum layout layout;
	unsigned long allow;
	int strict;
};

/* Take argv[*i] when it is one of those (*i then past its value): 0, or a
** usage error's status 2 for a bad value; -1 when it is none of them (nor
** one that lacks its value), for the caller to look at. */
int readoption(const char *usage, int argc, char **argv, int *i, struct readopts *o);

/* --dir's value, or the directory operand, into *dir: 0, or a usage
** error's status 2 when a directory was given already. */
int diroption(const char *usage, const char *value, const char **dir);

/* Set *d from --dialect's value s: 0, or a usage error's status 2
** (printed with usage) for any other name than sqlite and postgres. */
int dialectoption(const char *usage, const char *s, enum dialect *d);

/* Set *layout from --layout's value s: 0, or a usage error's status 2
** (printed with usage) when migc does not read that layout. */
int layoutoption(const char *usage, const char *s, enum layout *layout);

struct sumproblems;     /* gen/sum.h */

/* Print p's problems: each on standard error as "migc: error: ..."
** (an accepted edit on standard output as "migc: note: ..."), or, with
** json, on standard output as the members of a JSON array. */
void printsumproblems(const struct sumproblems *p, int json);
