#!/bin/sh
# tests/symbols.sh HEADER LIBMIGC LIBNOGSS: the names the libraries give an
# application's link. Every name libmigc.a defines for the linker is either
# public (migc_, declared in HEADER, default visibility) or internal
# (migc__, hidden visibility); libmigc_nogss.a defines only weak GSSAPI and
# LDAP stand-ins. Prints each name that breaks the rule and exits 1; run by
# the build (build/symbols.ok), so a new unprefixed name fails it.
header=$1 lib=$2 nogss=$3
READELF=${READELF:-readelf}
command -v "$READELF" >/dev/null 2>&1 || { echo "symbols.sh: $READELF not found" >&2; exit 2; }

# member bind visibility name, one line per defined global or weak symbol.
defined() {
	"$READELF" -sW "$1" | awk '
		/^File: / { f = $2; sub(/.*\(/, "", f); sub(/\)$/, "", f); next }
		NF >= 8 && ($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND" { print f, $5, $6, $8 }'
}

bad=$(defined "$lib" | while read -r member bind vis name; do
	case $name in
	__odr_asan.*) ;;  # --sanitize: ASan's mark of a global; no C name has a dot
	migc__*) [ "$vis" = HIDDEN ] || echo "$lib($member): $name: internal, so hidden visibility" ;;
	migc_*)
		grep -q "\\<$name\\>" "$header" || echo "$lib($member): $name: not declared in $header"
		[ "$vis" = DEFAULT ] || echo "$lib($member): $name: public, so default visibility" ;;
	*) echo "$lib($member): $name: neither migc_ (public) nor migc__ (internal); make it static or prefix it" ;;
	esac
done
defined "$nogss" | while read -r member bind vis name; do
	case $name in
	gss_* | GSS_C_* | ldap_*) [ "$bind" = WEAK ] || echo "$nogss($member): $name: a stand-in, so weak" ;;
	*) echo "$nogss($member): $name: not a GSSAPI or LDAP name" ;;
	esac
done)
[ -z "$bad" ] && exit 0
printf '%s\n' "$bad" >&2
exit 1
