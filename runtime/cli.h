/*
** cli.h: the command-line front end, shared by every embedded binary
** (through migc_main) and the developer tool, which adds commands of its
** own and reads the migrations from a directory at run time. One table of
** commands (struct cli_command) says what each command takes. Include
** after stdio.h and migc.h.
*/

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* The options cli.c parses, each one bit (CLI_BIT) in a command's opts
** and needs. CLI_OPERAND is the command's operand (show V, baseline V). */
enum cli_option {
	CLI_DATABASE, CLI_TABLE, CLI_SCHEMA, CLI_DIALECT, CLI_DIR, CLI_LAYOUT, CLI_LOCK_TIMEOUT,
	CLI_ALLOW_OUT_OF_ORDER, CLI_JSON, CLI_DRIFT, CLI_TO, CLI_DRY_RUN, CLI_SINGLE_TRANSACTION,
	CLI_RESUME, CLI_CLEAR_FAILED, CLI_ACCEPT_CHECKSUMS, CLI_DDL_LOCK_TIMEOUT, CLI_DDL_RETRIES,
	CLI_STATEMENT_TIMEOUT, CLI_CREATE_SCHEMA, CLI_FROM, CLI_FROM_TABLE, CLI_IGNORE_TABLE, CLI_OPERAND, CLI_NOPTIONS
};
#define CLI_BIT(option) (1u << (option))

/* What a command does with the database. */
enum cli_db {
	CLI_NOSET,    /* nothing: it needs neither the set nor a database (version) */
	CLI_NODB,     /* nothing: it needs only the set */
	CLI_READ,     /* opens it read-only */
	CLI_WRITE     /* opens it to change it (read-only for up --dry-run) */
};

/* How an option's value is read: none (a flag); none, and only when no
** value follows it (DRIFT: --schema alone, the drift check, against
** --schema NAME); text; a version; seconds (0 to 86400); a duration
** (500ms, 2s, 1min); a count (0 to 1000). */
enum cli_kind { CLI_KFLAG, CLI_KDRIFT, CLI_KTEXT, CLI_KVERSION, CLI_KSECONDS, CLI_KDURATION, CLI_KCOUNT };

/* Whose help lists an option every command takes: the commands of these
** enum cli_db values; with CLI_FORTOOL, only in the developer tool. */
#define CLI_FOR(db) (1u << (db))
#define CLI_FORDB   (CLI_FOR(CLI_READ) | CLI_FOR(CLI_WRITE))
#define CLI_FORALL  (CLI_FOR(CLI_NODB) | CLI_FORDB)
#define CLI_FORTOOL 0x100u

/*
** One option (cli.c's table, the one source of the parser, every help and
** the man page). A command takes those whose misuse is NULL and those in
** its opts; any other is refused with the misuse message, as is one given
** with an option it excludes. Misuse is checked in table order.
*/
struct cli_optiondef {
	const char *name;          /* "--database" */
	enum cli_option id;
	enum cli_kind kind;
	unsigned excludes;         /* CLI_BIT of the options it cannot go with */
	const char *misuse;        /* NULL: every command takes it */
	unsigned forwhom;          /* one every command takes: whose help lists it (CLI_FOR*) */
	const char *arg;           /* its value in the help, "URL"; NULL for a flag */
	const char *help;          /* what it does, lines of at most 52 columns;
	                              NULL: an alias another's help names */
};
extern const struct cli_optiondef migc__clioptions[];
extern const size_t migc__ncliopts;

struct cli_run;   /* one run of a command: its options, set and handle (cliout.h) */

/*
** One command. The runtime's commands (cli.c) are run by cli.c: it checks
** the options against opts and needs, prints missing when one is missing,
** opens the database as db says, then calls xRun, which returns a MIGC_
** result code (negated when it printed the message itself). A command of
** the developer tool parses its own arguments instead: xMain gets argc and
** argv as main() did, argv[1] the command, and returns the exit status.
*/
struct cli_command {
	const char *name;          /* "up" */
	const char *usage;         /* what follows the name in the help: "[--to V] [--dry-run]" */
	const char *help;          /* what it does, one line */
	enum cli_db db;
	int (*xRun)(struct cli_run *r);
	unsigned opts;             /* the options it takes beyond those every command takes
	                              (those cli.c's option table gives no misuse message) */
	unsigned needs;            /* it needs exactly one of these; 0: none */
	const char *missing;       /* the error when that one is missing */
	int (*xMain)(int argc, char **argv);
	const char *text;          /* with xMain: its whole --help, which xMain prints too */
};
extern const struct cli_command migc__clicommands[];
extern const size_t migc__nclicommands;

/* The developer tool: where it gets its set (loaded from a directory),
** and the commands it adds. */
struct cli_tool {
	/* Read dir for the dialect ("sqlite"/"postgres"), its files in layout
	** (--layout: NULL for migc's own); print diagnostics; NULL when the
	** directory has errors or the layout is not one it reads. */
	const struct migc_set *(*xLoad)(const char *dir, const char *dialect, const char *layout);
	void (*xFree)(const struct migc_set *set);
	const struct cli_command *commands;
	size_t ncommands;
	const struct migc_driver *const *drivers;   /* the drivers it links, for migc version */
	size_t ndrivers;
};

/* clihelp.c: the help of prog (every command, every option), of one
** command (its own options, then those every command takes), the man page
** (roff, of everything), and what migc version prints for these sets or,
** with tool, the tool's drivers. All from the tables above. */
void migc__cliusage(FILE *f, const char *prog, const struct cli_tool *tool);
void migc__clihelp(FILE *f, const char *prog, const struct cli_command *c, const struct cli_tool *tool);
void migc__climan(FILE *f, const struct cli_tool *tool);
void migc__cliversion(FILE *f, const struct migc_set *const *sets, size_t nsets, const struct cli_tool *tool);

/* Run one command on the embedded sets (one per dialect; the URL picks),
** or, with tool, one of its commands or a command on the set it loads.
** Returns the exit status. */
int migc__climain(const char *prog, int argc, char **argv, const struct migc_set *const *sets,
            size_t nsets, const struct cli_tool *tool);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
