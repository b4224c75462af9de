/*
** marks.h: the comment lines by which goose, dbmate and sql-migrate mark
** where a file's up and down sections start (gen/marks.c), read one line
** at a time as each tool reads them. gen/sections.c puts them together.
*/

struct buf;             /* gen/util.h; enum layout is gen/layout.h's */

enum mark {
	MARK_NONE,              /* no mark: SQL, a comment or a blank line */
	MARK_UP,                /* the up section starts */
	MARK_DOWN,              /* the down section starts */
	MARK_BEGIN,             /* the lines up to MARK_END are one statement */
	MARK_END,
	MARK_NOTX,              /* goose's NO TRANSACTION: both sections run outside a transaction */
	MARK_OTHER,             /* a mark that changes nothing here (goose's ENVSUB OFF) */
	MARK_BAD                /* written as a mark, but not one migc reads as the tool does */
};

/* How a layout's marks are written, for messages. */
struct marknames {
	const char *tool;               /* "goose" */
	const char *mark;               /* what the tool calls a mark: "annotation" */
	const char *up, *down;          /* "-- +goose Up", "-- +goose Down" */
	const char *begin, *end;        /* the block marks; NULL when the tool has none */
	int needsdown;                  /* the tool refuses a file without a down mark */
	const char *before;             /* what the tool does with SQL before the up mark */
	const char *inside;             /* what the tool does with a mark inside a statement */
};

const struct marknames *marknames(enum layout layout);

/*
** What line[0..n), its trailing blanks trimmed, is in a file of layout
** (a single-file one). The options of an up or down mark that turn its
** section's transaction off (dbmate's transaction:false, sql-migrate's
** notransaction) set *notx. MARK_BAD puts its reason in why.
*/
enum mark readmark(enum layout layout, const char *line, size_t n, int *notx, struct buf *why);

/* refinery's "-- refinery:noTransaction" line (its find_migrations.rs
** regex: dashes, at most one blank, that text, nothing after it): 1 when
** line[0..n) is one, -1 when it comes close (another case, more blanks,
** something after it: refinery runs that file in a transaction), else 0. */
int refinerymark(const char *line, size_t n);

/* Whether line[0..n) of a file of layout is the tool's own markup, which
** migc's layout says another way (migc import leaves it out): a single-file
** layout's marks, sqlx's "-- no-transaction" as the first line (first),
** refinery's noTransaction line. */
int markupline(enum layout layout, const char *line, size_t n, int first);
