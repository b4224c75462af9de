/*
** checksum.h: the checksum contract (gen/checksum.c): the canonical
** bytes of a migration file, its c1:/r1: checksums and the set hash.
*/

/* The canonical bytes of a migration file: a leading UTF-8 BOM removed,
** CRLF and lone CR turned into LF. Returns a malloc'd, NUL-terminated
** copy and its length in *outlen. */
char *canonicalize(const char *raw, size_t len, size_t *outlen);

/* 1 when raw[0..len) is canonical already (no leading BOM, no CR). */
int iscanonical(const char *raw, size_t len);

/* How many of raw[0..len)'s bytes canonicalize gives its first canonlen
** bytes from: where a section that ends canonlen bytes into the
** canonical text ends in the raw one. */
size_t rawlength(const char *raw, size_t len, size_t canonlen);

/* An up file's checksum, "c1:" over its canonical bytes text[0..len), and
** its raw checksum, "r1:" over its bytes raw[0..rawlen) as they are. */
void filechecksums(const char *raw, size_t rawlen, const char *text, size_t len,
                   char sum[68], char rawsum[68]);

/* set->hash (malloc'd): "c1:" over one line per migration of m[0..n), in
** version order, "<version> <checksum>\n". */
void sethash(struct migc_set *set, const struct migc_migration *m, size_t n);
