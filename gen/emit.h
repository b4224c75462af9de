/*
** emit.h: write a migration set as one deterministic C file.
*/

/* Write to o (gen/output.h) the C source defining `const struct
** migc_set symbol` for set, and a main() calling migc_main() when
** withmain is set. */
struct output;
void emitset(struct output *o, const struct migc_set *set, const char *symbol, int withmain);

/* Whether s can name the set: a C identifier of at most 63 bytes, not
** main and not starting with migc__ (the generated file's own names). */
int iscident(const char *s);
