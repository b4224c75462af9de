# tests/gen.sh: golden tests of `migc gen`, sourced by tests/run.
# Each tests/gen/NAME/ is a migration directory (pg-NAME: postgres
# dialect). NAME.c is the expected C, which must also compile with the
# strict flags; NAME.warn the expected warnings, if any; NAME.err the
# expected diagnostics of a directory that must fail with exit status 2.
# UPDATE_GOLDEN=1 tests/run rewrites the expected files.

strict="-std=c99 -Wall -Wextra -pedantic -Werror"

for dir in tests/gen/*/; do
	dir=${dir%/}
	name=${dir#tests/gen/}
	case $name in
	pg-*) dialect=postgres ;;
	*) dialect=sqlite ;;
	esac
	build/migc gen --dialect "$dialect" "$dir" >"$tmp/gen.c" 2>"$tmp/gen.err"
	rc=$?
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		if [ "$rc" -eq 2 ]; then
			cp "$tmp/gen.err" "$dir.err"
			rm -f "$dir.c" "$dir.warn"
		else
			rm -f "$dir.err"
			cp "$tmp/gen.c" "$dir.c"
			if [ -s "$tmp/gen.err" ]; then cp "$tmp/gen.err" "$dir.warn"; else rm -f "$dir.warn"; fi
		fi
	fi
	if [ -f "$dir.err" ]; then
		if [ "$rc" -eq 2 ] && cmp -s "$tmp/gen.err" "$dir.err"; then
			pass "gen: $name (exit 2, $(head -c 60 "$dir.err" | sed 's/.*error: //'))"
		else
			fail "gen: $name: expected exit 2 and $dir.err, got exit $rc:"
			diff "$dir.err" "$tmp/gen.err" | head -n 10 | sed 's/^/    /'
		fi
		continue
	fi
	if [ ! -f "$dir.c" ]; then
		fail "gen: $name has neither $name.c nor $name.err"
		continue
	fi
	touch "$tmp/empty"
	warn=$tmp/empty
	[ -f "$dir.warn" ] && warn=$dir.warn
	if [ "$rc" -ne 0 ] || ! cmp -s "$tmp/gen.c" "$dir.c" || ! cmp -s "$tmp/gen.err" "$warn"; then
		fail "gen: $name: output differs from $dir.c (exit $rc)"
		diff "$dir.c" "$tmp/gen.c" | head -n 10 | sed 's/^/    /'
		diff "$warn" "$tmp/gen.err" | head -n 5 | sed 's/^/    /'
	elif ! $CC $strict -Iruntime -c "$tmp/gen.c" -o "$tmp/gen.o" >"$tmp/cc.out" 2>&1; then
		fail "gen: $name: the golden C does not compile with $strict"
		head -n 10 "$tmp/cc.out" | sed 's/^/    /'
	else
		pass "gen: $name (matches $name.c, compiles with -pedantic -Werror)"
	fi
done
