/*
** clihelp.c: what `--help`, `help COMMAND`, `help --man` and `version`
** print. All of it is made from cli.c's tables of commands and options,
** the parser's own, so that the help, the man page and what the command
** line takes cannot say different things.
*/
#include <stdio.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "cli.h"

static const char exitstatus[] =
	"0 ok, 1 runtime error, 2 usage or bad input, 3 verification failure,\n"
	"130 and 143 after SIGINT and SIGTERM (what ran was rolled back)";

/* Is op in the help at all (tool: the developer tool's)? */
static int
documented(const struct cli_optiondef *op, const struct cli_tool *tool)
{
	return op->help && (tool || !(op->forwhom & CLI_FORTOOL));
}

/* Is op one of command c's own options? */
static int
ownoption(const struct cli_optiondef *op, const struct cli_command *c)
{
	return op->misuse && (c->opts & CLI_BIT(op->id));
}

/* Is op an option every command takes that c's help lists? */
static int
sharedoption(const struct cli_optiondef *op, const struct cli_command *c)
{
	return !op->misuse && (op->forwhom & CLI_FOR(c->db));
}

/* "  --name ARG           first line", then each further line of the
** help indented to the first's column. */
static void
putoption(FILE *f, const char *name, const char *arg, const char *help)
{
	char head[40];
	const char *nl;

	snprintf(head, sizeof(head), "%s%s%s", name, arg ? " " : "", arg ? arg : "");
	fprintf(f, "  %-21s ", head);
	while ((nl = strchr(help, '\n')) != NULL) {
		fprintf(f, "%.*s\n%24s", (int)(nl - help), help, "");
		help = nl + 1;
	}
	fprintf(f, "%s\n", help);
}

static void
putcommands(FILE *f, const struct cli_command *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "  %s%s%s\n              %s\n", c[i].name, *c[i].usage ? " " : "", c[i].usage, c[i].help);
}

void
migc__cliusage(FILE *f, const char *prog, const struct cli_tool *tool)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [options]\n\ncommands:\n", prog);
	putcommands(f, migc__clicommands, migc__nclicommands);
	if (tool)
		putcommands(f, tool->commands, tool->ncommands);
	fprintf(f, "  help [COMMAND]\n              this help, or COMMAND's (also %s COMMAND --help); "
	        "help --man: the manual page\n\noptions:\n", prog);
	for (i = 0; i < migc__ncliopts; i++)
		if (documented(&migc__clioptions[i], tool))
			putoption(f, migc__clioptions[i].name, migc__clioptions[i].arg, migc__clioptions[i].help);
	putoption(f, "-h, --help", NULL, "show this help; after a command, that command's");
	putoption(f, "--version", NULL, "the same as the version command");
	fprintf(f, "\nexit status: %s\n", exitstatus);
}

void
migc__clihelp(FILE *f, const char *prog, const struct cli_command *c, const struct cli_tool *tool)
{
	size_t i;
	int any = 0;

	if (c->xMain) {
		fputs(c->text, f);
		return;
	}
	fprintf(f, "usage: %s %s%s%s [options]\n  %s\n", prog, c->name, *c->usage ? " " : "", c->usage, c->help);
	for (i = 0; i < migc__ncliopts; i++) {
		const struct cli_optiondef *op = &migc__clioptions[i];

		if (documented(op, tool) && ownoption(op, c)) {
			fprintf(f, "%s", any++ ? "" : "\noptions:\n");
			putoption(f, op->name, op->arg, op->help);
		}
	}
	fprintf(f, "\noptions every command takes:\n");
	for (i = 0; i < migc__ncliopts; i++) {
		const struct cli_optiondef *op = &migc__clioptions[i];

		if (documented(op, tool) && sharedoption(op, c))
			putoption(f, op->name, op->arg, op->help);
	}
	putoption(f, "-h, --help", NULL, "show this help");
	fprintf(f, "\nexit status: %s\n", exitstatus);
}

/* s as roff text: backslashes and hyphens escaped, a line starting with
** a control character guarded, the help's line breaks as spaces unless
** keeplines. */
static void
roff(FILE *f, const char *s, int keeplines)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = 0;
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\n' && !keeplines)
			fputc(' ', f);
		else {
			fputc(*s, f);
			bol = *s == '\n';
		}
	}
}

static void
manoption(FILE *f, const struct cli_optiondef *op)
{
	fputs(op->arg ? ".TP\n.BI \"" : ".TP\n.B ", f);
	roff(f, op->name, 0);
	if (op->arg) {
		fputs(" \" ", f);
		roff(f, op->arg, 0);
	}
	fputc('\n', f);
	roff(f, op->help, 0);
	fputc('\n', f);
}

void
migc__climan(FILE *f, const struct cli_tool *tool)
{
	size_t i, j;
	int any;

	fprintf(f, ".TH MIGC 1 \"\" \"migc %s\" \"migc manual\"\n", MIGC_VERSION);
	fputs(".SH NAME\nmigc \\- compile SQL migrations into C, and apply them\n"
	      ".SH SYNOPSIS\n.B migc\n.I COMMAND\n.RI [ options ]\n"
	      ".SH DESCRIPTION\n"
	      "migc reads a directory of numbered SQL migration files.\n"
	      ".B migc gen\n"
	      "compiles it into one C file, which an application links with libmigc;\n"
	      "the application's own command line (migc_main) then has the commands below\n"
	      "but those of the developer tool, and\n"
	      ".B migc\n"
	      "itself runs them on the directory\n"
	      ".B \\-\\-dir\n"
	      "names, read at run time.\n"
	      ".SH COMMANDS\n", f);
	for (i = 0; i < migc__nclicommands; i++) {
		const struct cli_command *c = &migc__clicommands[i];

		fputs(".TP\n.B ", f);
		roff(f, c->name, 0);
		fputc(' ', f);
		roff(f, c->usage, 0);
		fputc('\n', f);
		roff(f, c->help, 0);
		fputc('\n', f);
		for (j = 0, any = 0; j < migc__ncliopts; j++)
			if (documented(&migc__clioptions[j], tool) && ownoption(&migc__clioptions[j], c)) {
				fputs(any++ ? "" : ".RS\n", f);
				manoption(f, &migc__clioptions[j]);
			}
		fputs(any ? ".RE\n" : "", f);
	}
	for (i = 0; tool && i < tool->ncommands; i++) {
		fputs(".TP\n.B ", f);
		roff(f, tool->commands[i].name, 0);
		fputs("\n.nf\n", f);
		roff(f, tool->commands[i].text, 1);
		fputs(".fi\n", f);
	}
	fputs(".TP\n.BI \"help \" [COMMAND]\nthis help, or COMMAND's; help \\-\\-man prints this page\n"
	      ".SH OPTIONS\nThe options every command that reads the migrations or the database takes:\n", f);
	for (i = 0; i < migc__ncliopts; i++)
		if (documented(&migc__clioptions[i], tool) && !migc__clioptions[i].misuse)
			manoption(f, &migc__clioptions[i]);
	fputs(".TP\n.BR \\-h \", \" \\-\\-help\nthe help of migc, or of the command before it\n"
	      ".TP\n.B \\-\\-version\nthe same as the version command\n"
	      ".SH ENVIRONMENT\n.TP\n.B DATABASE_URL\nthe database when no \\-\\-database is given\n"
	      ".TP\n.BR PGHOST \", \" PGDATABASE \", \" PGSERVICE \", ...\"\n"
	      "libpq's variables: with no URL, a PostgreSQL set connects as psql does\n"
	      ".SH EXIT STATUS\n", f);
	roff(f, exitstatus, 0);
	fputs("\n.SH SEE ALSO\nREADME.md in migc's source, which documents every contract in full.\n", f);
}

static void
putdriver(FILE *f, const struct migc_driver *d, const struct migc_set *set)
{
	char client[64] = "not built in (./configure --without-postgres)";

	if (d->xClientVersion)
		d->xClientVersion(client, sizeof(client));
	fprintf(f, "%s: %s", d->name, client);
	if (set)
		fprintf(f, ", %lu migration%s embedded", set->count, set->count == 1 ? "" : "s");
	fputc('\n', f);
}

void
migc__cliversion(FILE *f, const struct migc_set *const *sets, size_t nsets, const struct cli_tool *tool)
{
	size_t i;

	fprintf(f, "migc %s\nrecord layout %d, tracking table layout %d\n", migc_libversion(), MIGC_LAYOUT, TRACK_LAYOUT);
	for (i = 0; i < nsets; i++)
		if (sets[i]->layout == MIGC_LAYOUT && sets[i]->driver)
			putdriver(f, sets[i]->driver, sets[i]);
	for (i = 0; tool && i < tool->ndrivers; i++)
		putdriver(f, tool->drivers[i], NULL);
}
