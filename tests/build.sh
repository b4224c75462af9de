# tests/build.sh: building migc and building with it: the README's
# embedding example, ninja rebuilding build/migrate when a migration
# changes, configure's errors, ninja install and its pkg-config files, and
# the README's vendoring snippets for ninja, make and CMake.

t_readme_example() {
	readmeblock example >"$tmp/example.c"
	[ -s "$tmp/example.c" ] || { echo "no example in README.md"; return 1; }
	build/migc gen --dialect sqlite --name app_migrations -o "$tmp/example_set.c" migrations/sqlite &&
	(PQ_LIBS= && cbuild "$tmp/example" -Wall -Wextra -Werror "$tmp/example.c" "$tmp/example_set.c") &&
	nolibpq "$tmp/example" && (cd "$tmp" && ./example) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ]
}
check "readme: the embedding example compiles with -Werror, links without libpq and migrates app.db" t_readme_example

t_ninja_regen() {
	src=$tmp/regen
	mkdir -p "$src"
	cp -r configure build.ninja compat gen runtime migrations tests "$src/" || return 1
	(cd "$src" && ./configure >/dev/null && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 6 ] || return 1
	sdir=$src/migrations/sqlite
	# A new file is refused until migc.sum records it; then the build picks it up.
	printf 'CREATE TABLE extra (x);\n' >"$sdir/0007_extra.sql"
	printf 'DROP TABLE extra;\n' >"$sdir/0007_extra.down.sql"
	expect 1 "0007_extra.sql is not in migrations/sqlite/migc.sum: run migc hash" sh -c "cd '$src' && ninja build/migrate" || return 1
	"$src/build/migc" hash "$sdir" >/dev/null && (cd "$src" && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 7 ] || return 1
	printf 'CREATE TABLE extra (x, y);\n' >"$sdir/0007_extra.sql"
	expect 1 "0007_extra.sql was edited since" sh -c "cd '$src' && ninja build/migrate" || return 1
	"$src/build/migc" hash "$sdir" >/dev/null && (cd "$src" && ninja build/migrate >/dev/null) || return 1
	"$src/build/migrate" show 7 | grep -q 'x, y' || return 1
	# The demo is built with gen --strict: a down that does not undo its
	# up stops the build (the down file is not checksummed).
	printf 'SELECT 1;\n' >"$sdir/0007_extra.down.sql"
	expect 1 "0007_extra.down.sql: error: the down migration does not restore the schema from before 0007_extra.sql: table extra left behind" \
		sh -c "cd '$src' && ninja build/migrate" || return 1
	rm "$sdir/0007_extra.sql" "$sdir/0007_extra.down.sql"
	expect 1 "0007_extra.sql (version 7) was removed" sh -c "cd '$src' && ninja build/migrate" || return 1
	"$src/build/migc" hash "$sdir" >/dev/null && (cd "$src" && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 6 ]
}
check "build: adding, editing or removing a migration stops the build until migc hash, then rebuilds build/migrate" t_ninja_regen

t_configure_install() {
	src=$tmp/regen
	# The tree and example.c the two cases above made (when -k left them out).
	[ -d "$src" ] || { mkdir -p "$src" && cp -r configure build.ninja compat gen runtime migrations tests "$src/"; } || return 1
	[ -s "$tmp/example.c" ] || readmeblock example >"$tmp/example.c"
	expect 1 "re2c not found: apt-get install re2c" sh -c "cd '$src' && RE2C=no-such-re2c ./configure" || return 1
	expect 1 "sqlite3 not found: apt-get install libsqlite3-dev" \
		sh -c "cd '$src' && PKG_CONFIG_LIBDIR=/nonexistent ./configure" || return 1
	mkdir -p "$tmp/pc"
	cp "$(pkg-config --variable=pcfiledir sqlite3)/sqlite3.pc" "$tmp/pc/" || return 1
	expect 1 "libpq not found: apt-get install libpq-dev (or ./configure --without-postgres)" \
		sh -c "cd '$src' && PKG_CONFIG_LIBDIR=$tmp/pc ./configure" || return 1
	expect 0 "wrote build/config.ninja" sh -c "cd '$src' && PKG_CONFIG_LIBDIR=$tmp/pc ./configure --without-postgres" || return 1
	expect 1 "unknown option '--frob'" sh -c "cd '$src' && ./configure --frob" || return 1
	expect 1 "--sanitize and --static do not go together" sh -c "cd '$src' && ./configure --static --sanitize" || return 1
	# A libpq without the server's static libraries: configure names the package.
	mkdir -p "$tmp/fakepg/lib"
	printf '#!/bin/sh\ncase $1 in --pkglibdir) echo %s/fakepg/lib ;; --version) echo "PostgreSQL 15.20" ;; esac\n' "$tmp" >"$tmp/fakepg/pg_config"
	chmod +x "$tmp/fakepg/pg_config"
	expect 1 "--static needs libpgcommon_shlib.a: apt-get install postgresql-server-dev-15" \
		sh -c "cd '$src' && PG_CONFIG='$tmp/fakepg/pg_config' ./configure --static" || return 1
	(cd "$src" && ./configure --prefix="$tmp/prefix" >/dev/null && ninja install >/dev/null) || return 1
	(cd "$src" && DESTDIR=$tmp/stage ninja install >/dev/null) || return 1
	for f in bin/migc lib/libmigc.a lib/libmigc_nogss.a include/migc.h lib/pkgconfig/migc.pc lib/pkgconfig/migc-sqlite.pc share/man/man1/migc.1; do
		[ -f "$tmp/prefix/$f" ] && [ -f "$tmp/stage$tmp/prefix/$f" ] || { echo "missing $f"; return 1; }
	done
	# Staged .pc files name the final prefix, not the staging directory.
	for pc in migc migc-sqlite; do
		grep -qx "prefix=$tmp/prefix" "$tmp/stage$tmp/prefix/lib/pkgconfig/$pc.pc" ||
			{ echo "staged $pc.pc:"; head -n 1 "$tmp/stage$tmp/prefix/lib/pkgconfig/$pc.pc"; return 1; }
	done
	static=
	[ "${STATIC:-no}" = yes ] && static=--static
	flags=$(PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig pkg-config $static --cflags --libs migc) || return 1
	"$tmp/prefix/bin/migc" gen --dialect sqlite --name app_migrations -o "$tmp/inst_set.c" migrations/sqlite &&
	$CC $LDFLAGS -std=c99 "$tmp/example.c" "$tmp/inst_set.c" $flags -o "$tmp/inst_example" || return 1
	(cd "$tmp" && rm -f app.db && ./inst_example >/dev/null) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	flags=$(PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig pkg-config $static --cflags --libs migc-sqlite) || return 1
	case " $flags " in *" -lpq "*) echo "migc-sqlite.pc names libpq: $flags"; return 1 ;; esac
	$CC $LDFLAGS -std=c99 "$tmp/example.c" "$tmp/inst_set.c" $flags -o "$tmp/inst_example" &&
		nolibpq "$tmp/inst_example" || return 1
	(cd "$tmp" && rm -f app.db && ./inst_example >/dev/null) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ]
}
check "build: configure names missing packages; ninja install (prefix, DESTDIR) gives usable migc.pc and migc-sqlite.pc, and migc(1)" t_configure_install

# The README's vendoring snippets, run exactly as printed, each building
# README's embedding example against migc as ninja install installed it
# (the tree above, --prefix=$tmp/prefix); the make snippet also against
# that tree as a subdirectory, through its -uninstalled.pc files. Then
# migrations are added, edited, renamed and deleted.

# installed: the tree above configured with --prefix=$tmp/prefix and
# installed there (t_configure_install leaves it so; made when -k left
# that case out).
installed() {
	[ -x "$tmp/prefix/bin/migc" ] && return 0
	src=$tmp/regen
	[ -d "$src" ] || { mkdir -p "$src" && cp -r configure build.ninja compat gen runtime migrations tests "$src/"; } || return 1
	(cd "$src" && ./configure --prefix="$tmp/prefix" && ninja install) >"$tmp/install.log" 2>&1 ||
		{ tail -n 20 "$tmp/install.log"; return 1; }
}

# vbuild TOOL DIR [ARGS]: build DIR/app with TOOL (ninja, make, cmake, or
# subdir: README's subdirectory recipe), as printed: no variables set.
vbuild() {
	(
		cd "$2" || exit 1
		case $1 in
		subdir) sh ./build.sh ;;
		*)
			PATH=$tmp/prefix/bin:$PATH PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig
			export PATH PKG_CONFIG_PATH
			case $1 in
			ninja) ninja ;;
			make) make ;;
			cmake*) { [ -d b ] || cmake -S . -B b $3; } && cmake --build b && cp b/app app ;;
			esac ;;
		esac
	) >"$2/build.log" 2>&1 || { tail -n 20 "$2/build.log"; return 1; }
}

t_vendor() {
	installed || return 1
	d=$tmp/vendor-$1
	rm -rf "$d" && mkdir -p "$d" && cp -r migrations/sqlite "$d/migrations" || return 1
	readmeblock example >"$d/app.c"
	opt=
	case $1 in
	ninja) readmeblock vendor-ninja >"$d/build.ninja" ;;
	make) readmeblock vendor-make >"$d/Makefile" ;;
	cmake) readmeblock vendor-cmake >"$d/CMakeLists.txt" ;;
	cmake-static) readmeblock vendor-cmake >"$d/CMakeLists.txt" && opt=-DAPP_STATIC=ON ;;
	subdir) readmeblock vendor-make >"$d/Makefile" && readmeblock vendor-subdir >"$d/build.sh" &&
		mkdir "$d/third_party" && ln -s "$tmp/regen" "$d/third_party/migc" ;;
	esac
	vbuild "$1" "$d" "$opt" && (cd "$d" && ./app >/dev/null) || return 1
	[ "$(q "$d/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	nolibpq "$d/app" || return 1
	case $1 in
	cmake-static) ldd "$d/app" >/dev/null 2>&1 && { echo "cmake-static: app is dynamic"; return 1; } ;;
	subdir) grep -q -- "-I$d/third_party/migc/runtime" "$d/build.log" ||
		{ echo "subdir: not built against third_party/migc"; cat "$d/build.log"; return 1; } ;;
	esac
	# A new migration: the next build regenerates the C and relinks.
	sleep 1
	printf 'CREATE TABLE extra (x);\n' >"$d/migrations/0007_extra.sql"
	"$tmp/prefix/bin/migc" hash "$d/migrations" >/dev/null && vbuild "$1" "$d" || return 1
	(cd "$d" && ./app >/dev/null) || return 1
	[ "$(q "$d/app.db" 'SELECT count(*) FROM migc_migrations')" = 7 ] || return 1
	# An edit to an applied migration's file reaches the binary too (and is refused).
	sleep 1
	printf '\n-- edited\n' >>"$d/migrations/0007_extra.sql"
	"$tmp/prefix/bin/migc" hash "$d/migrations" >/dev/null && vbuild "$1" "$d" || return 1
	expect 1 "0007_extra.sql was edited after it was applied" sh -c "cd '$d' && ./app" || return 1
	# Renamed, then deleted: the file the last build read is gone, and the
	# build goes on without it (make wants a rule for every prerequisite it
	# cannot find, so the depfile has an empty one for each input).
	sleep 1
	mv "$d/migrations/0007_extra.sql" "$d/migrations/0008_renamed.sql" &&
		"$tmp/prefix/bin/migc" hash "$d/migrations" >/dev/null && vbuild "$1" "$d" || return 1
	grep -q 0008_renamed "$d/app" && ! grep -q 0007_extra "$d/app" || { echo "$1: the rename did not reach app"; return 1; }
	sleep 1
	rm "$d/migrations/0008_renamed.sql" &&
		"$tmp/prefix/bin/migc" hash "$d/migrations" >/dev/null && vbuild "$1" "$d" || return 1
	! grep -q 0008_renamed "$d/app" || { echo "$1: the deletion did not reach app"; return 1; }
}
for tool in ninja make cmake cmake-static subdir; do
	check "vendor: README's $tool snippet, as printed, builds the application without libpq, regenerates its C when a migration is added, edited, renamed or deleted" \
		t_vendor "$tool"
done
