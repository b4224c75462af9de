/*
** depfile.h: the depfile of `migc gen -o FILE --depfile FILE`
** (gen/depfile.c).
*/

/* Append to out the rule "target: " and dir's files of set, up and down,
** and dir/extra unless extra is NULL (migc.sum, when gen compared it),
** escaped as make and ninja read them, and a newline. */
void putdepfile(struct buf *out, const char *target, const char *dir, const struct migc_set *set,
                const char *extra);
