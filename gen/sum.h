/*
** sum.h: migc.sum, the manifest that lets CI check a migration directory
** without a database (gen/sum.c).
*/

#define SUMFILE "migc.sum"

/* The text of migc.sum for set: a header line with a hash over the rest,
** then one line per migration whose last field chains all before it. */
void sumwrite(struct buf *out, const struct migc_set *set);

/* One problem found by sumcheck, for human and JSON output. */
struct sumproblem {
	int64_t version;
	char file[256];
	const char *kind;       /* "edited", "removed", "renamed", "renumbered", "added-below", "unrecorded", "accepted", "corrupt" */
	char text[512];
};

struct sumproblems {
	struct sumproblem *v;
	size_t n;
	int nfail;              /* problems that fail the check ("accepted" does not) */
};

/*
** Compare set with the manifest text[0..len) read from path. strict: every
** migration must be listed (the directory's own migc.sum); otherwise new
** migrations above the highest listed version are fine (--against a
** release's manifest). Adds to p; returns p->nfail.
*/
int sumcheck(const struct migc_set *set, const char *path, const char *text, size_t len,
             int strict, struct sumproblems *p);

/* sumcheck with the manifest read from the file at path. Returns 0, 1
** when path does not exist, or -1 after another error reading it (errno
** set). */
int sumcheckfile(const struct migc_set *set, const char *path, int strict, struct sumproblems *p);
