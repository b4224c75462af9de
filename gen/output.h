/*
** output.h: writing the generator's outputs (gen -o, --depfile, and
** migc hash's DIR/migc.sum) without ever replacing what is not a regular
** file or following a planted link (gen/output.c).
*/

/* Write len bytes of data to path. "-" is standard output; a path that
** names the file standard output or standard error already writes to is
** written through that descriptor; a device, a FIFO or another file that
** is not regular is written in place. A regular file (or a new one) is
** replaced through a temporary file made with mkstemp in its directory,
** and not at all when it already holds exactly data; a symbolic link is
** followed to its target, which is replaced, and the link stays. Returns 0,
** or -1 after printing "migc: error: cannot write PATH: reason" with no
** temporary file left behind. */
int writeoutput(const char *path, const char *data, size_t len);

/* The same, a piece at a time, for an output too big to hold: outputopen
** returns NULL after printing the error when path cannot be written at
** all; outputwrite keeps the first failure, which outputclose reports
** (-1, no temporary file left) or 0. outputclose frees o. A replaced file
** that ends up holding what it held is left alone, never rewritten. */
struct output;
struct output *outputopen(const char *path);
void outputwrite(struct output *o, const char *data, size_t len);
int outputclose(struct output *o);
