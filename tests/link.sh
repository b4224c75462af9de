# tests/link.sh: the names libmigc.a and libmigc_nogss.a bring into an
# application's link (tests/symbols.sh is the rule; the build runs it).

# The generic names the runtime once exported: an application may define
# any of them itself.
generic="adderr checkhandle checkmarker clearerr_ climain emit fingerprint freetrack growtrack
isfailed linesadd linesjoin monotonicms newhandle openresult pgsessionfree pgsessionsave
prefixadd prefixbegin prefixhex readbrief readtrack recordschema redacturl resumable
schemaprint seterr sha256final sha256hex sha256init sha256update sqlitepragma
sqlitesessionfkcheck sqlitesessionfree sqlitesessionnote sqlitesessionreset
sqlitesessionsave sqlitesessionunguard sqliteuri stmtpos strdup_ urlkind verifytrack"

link_rule_holds() {
	sh tests/symbols.sh runtime/migc.h build/libmigc.a build/libmigc_nogss.a
}

# The rule can fail: a copy of libmigc.a with one object that exports emit,
# one that exports a migc__ name with default visibility, and a nogss copy
# with a strong gss_ name.
link_rule_catches() {
	d=$tmp/symcheck
	rm -rf "$d" && mkdir -p "$d" || return 1
	printf 'int emit(void) { return 0; }\n' >"$d/bad1.c"
	printf '__attribute__((visibility("default"))) int migc__open(void) { return 0; }\n' >"$d/bad2.c"
	printf 'int gss_wrap(void) { return 0; }\n' >"$d/bad3.c"
	for f in bad1 bad2 bad3; do $CC -c "$d/$f.c" -o "$d/$f.o" || return 1; done
	cp build/libmigc.a "$d/lib.a" && ar rcs "$d/lib.a" "$d/bad1.o" "$d/bad2.o" &&
		cp build/libmigc_nogss.a "$d/nogss.a" && ar rcs "$d/nogss.a" "$d/bad3.o" || return 1
	expect 1 "bad1.o): emit: neither migc_" sh tests/symbols.sh runtime/migc.h "$d/lib.a" "$d/nogss.a" &&
		grep -qF "bad2.o): migc__open: internal, so hidden visibility" "$tmp/expect.out" &&
		grep -qF "bad3.o): gss_wrap: a stand-in, so weak" "$tmp/expect.out"
}

# An application that defines every one of those names links with
# libmigc.a and migrates a SQLite database.
link_generic_names() {
	d=$tmp/generic
	rm -rf "$d" && mkdir -p "$d" || return 1
	build/migc gen --dialect sqlite --name app_set -o "$d/set.c" migrations/sqlite || return 1
	{
		echo '#include <stdio.h>'
		echo '#include "migc.h"'
		echo 'extern const struct migc_set app_set;'
		for n in $generic; do echo "int $n(void) { return 7; }"; done
		echo 'int main(int argc, char **argv) {'
		echo '	migc *m; int rc;'
		echo '	(void)argc;'
		echo '	if (migc_open(&m, argv[1], &app_set, 0) != MIGC_OK) return 1;'
		echo '	rc = migc_up(m, MIGC_LATEST);'
		echo '	migc_close(m);'
		echo "	return rc == MIGC_OK && emit() + seterr() + strdup_() == 21 ? 0 : 1;"
		echo '}'
	} >"$d/app.c"
	cbuild "$d/app" -Wall "$d/app.c" "$d/set.c" && rm -f "$tmp/generic.db" &&
		"$d/app" "sqlite:$tmp/generic.db" &&
		[ "$(sqlite3 "$tmp/generic.db" 'SELECT count(*) FROM migc_migrations')" -gt 0 ]
}

# An application that links a real GSSAPI ahead of -lmigc_nogss, with the
# static libpq, calls the real library: the stand-ins stay out of its link.
link_real_gssapi() {
	d=$tmp/gss
	rm -rf "$d" && mkdir -p "$d" || return 1
	libdir=$(pkg-config --variable=libdir libpq) && pkglibdir=$(pg_config --pkglibdir) || return 1
	[ -f "$libdir/libpq.a" ] || { echo "no static libpq in $libdir (libpq-dev)"; return 1; }
	cat >"$d/app.c" <<-'EOF'
	#include <stdio.h>
	#include <gssapi/gssapi.h>
	#include <libpq-fe.h>
	int main(void) {
		OM_uint32 minor, ctx = 0;
		gss_buffer_desc b;
		gss_display_status(&minor, GSS_S_FAILURE, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &b);
		printf("%.*s\n%d\n", (int)b.length, (char *)b.value, PQlibVersion() > 0);
		gss_release_buffer(&minor, &b);
		return 0;
	}
	EOF
	# The configured flags (a --sanitize build's libmigc_nogss.a needs its
	# runtimes), but not -static: there is no static libgssapi_krb5.
	$CC $(echo " $LDFLAGS " | sed 's/ -static / /') -I"$(pg_config --includedir)" "$d/app.c" "$libdir/libpq.a" -L"$pkglibdir" -lpgcommon_shlib -lpgport_shlib \
		-lgssapi_krb5 -Lbuild -lmigc_nogss -lssl -lcrypto -lm -pthread -o "$d/app" || {
		echo "(needs libkrb5-dev and postgresql-server-dev-15)"
		return 1
	}
	"$d/app" >"$d/out" || return 1
	cat "$d/out"
	grep -q 'Unspecified GSS failure' "$d/out" && ! grep -q "migc" "$d/out" &&
		! nm "$d/app" | grep -E ' [TtWw] gss_display_status$'
}

check "link: every name libmigc.a exports is migc_ (public, in migc.h) or migc__ (hidden); libmigc_nogss.a's are weak stand-ins" link_rule_holds
check "link: the symbol rule fails on an unprefixed name, a visible migc__ name and a strong stand-in" link_rule_catches
check "link: an application defining emit, seterr, fingerprint, sha256init, strdup_ and the other former names links and migrates" link_generic_names
if [ "${POSTGRES:-yes}" != no ]; then
	check "link: an application linking a real GSSAPI before -lmigc_nogss (static libpq) calls the real one" link_real_gssapi
fi
