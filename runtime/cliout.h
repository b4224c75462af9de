/*
** cliout.h: what cli.c (argument parsing, the command table, dispatch)
** shares with cliout.c (what the commands print): the parsed command
** line, one run of a command, and the functions that print. Include after
** stdio.h, migc.h and cli.h.
*/

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* The command line as parsed: each option given, its value as given, and
** that value as a number for a version or a number of seconds. */
struct cli_opts {
	const char *prog;
	int argc;                           /* the command line, as main() had it */
	char **argv;
	const char *cmd;
	int help;
	unsigned given;                     /* CLI_BIT of each option given */
	const char *text[CLI_NOPTIONS];
	int64_t number[CLI_NOPTIONS];
};
#define CLI_HAS(o, option) (((o)->given & CLI_BIT(option)) != 0)

/* One run of a command. */
struct cli_run {
	const struct cli_opts *o;
	const struct migc_set *set;
	const struct migc_set *const *sets;  /* every embedded set (none in the developer tool) */
	size_t nsets;
	const struct cli_tool *tool;        /* the developer tool's; NULL in an embedded binary */
	migc *m;                            /* the open database; NULL for CLI_NODB */
	const char *safeurl;                /* its URL without a password */
	char envnote[200];                  /* what stands for the URL when libpq's environment gives it */
	const struct migc_migration *last;  /* of the last SQL printed */
	int nevents;                        /* migrations applied, reverted or baselined */
	int jsondone;                       /* --json: the command printed its JSON object */
};

/* The commands that print what they find (struct cli_command's xRun). */
int migc__clistatus(struct cli_run *r);   /* status [--json] [--schema] */
int migc__cliverify(struct cli_run *r);   /* verify [--json] [--schema] */
int migc__clilist(struct cli_run *r);     /* list [--json] */
int migc__clishow(struct cli_run *r);     /* show V */

/* The event callback of a run, ctx its struct cli_run. */
void migc__clievent(void *ctx, const struct migc_event *ev);

/* --json: a command that failed before it printed its object prints
** {"ok":false,"error":MSG} instead, MSG in the command line's words. */
void migc__clijsonerror(const char *msg);

/* Print the library's message msg to f in the command line's words:
** --table where the library says migc_set_table, and so on. */
void migc__cliputmsg(FILE *f, const char *msg);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
