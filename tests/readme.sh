# tests/readme.sh: README.md's table "Where each guarantee is tested" stays
# true: each test file it names exists (a pattern such as tests/gen/*.err
# matches one), and each case name it gives begins a case those files run.
# A name is looked for in the files' text, with [$B] read as [sqlite] and
# as [postgres], hostile "NAME" as hostile: NAME, and each string of a C
# test program after its testname, as testlib.c prints them.

# readme_rows: the table's rows, one per line, without its header.
readme_rows() {
	sed -n '/^### Where each guarantee is tested$/,/^##/p' README.md | grep '^| ' | sed 1d
}

# readme_words CELL: the `...` words of a table cell, one per line.
readme_words() {
	printf '%s\n' "$1" | grep -o '`[^`]*`' | tr -d '`'
}

# readme_names FILE...: the text in which the case names of FILEs appear.
readme_names() {
	for f; do
		[ -f "$f" ] || continue
		case $f in
		*.c)
			cat "$f"
			t=$(sed -n 's/^const char testname\[\] = "\(.*\)";$/\1/p' "$f")
			[ -z "$t" ] || grep -o '"[^"]*"' "$f" | sed "s/^\"/$t: /; s/\"\$//"
			;;
		*)
			sed 's/\[\$B\]/[sqlite]/g' "$f"
			sed 's/\[\$B\]/[postgres]/g' "$f"
			sed -n 's/^[ 	]*hostile "\([^"]*\)".*/hostile: \1/p' "$f"
			;;
		esac
	done
}

t_readme_table() {
	readme_rows >"$tmp/readme.rows"
	[ -s "$tmp/readme.rows" ] || { echo "README.md has no table under ### Where each guarantee is tested"; return 1; }
	st=0 nfiles=0 nnames=0
	while IFS='|' read -r _ what files names _; do
		what=$(echo $what)
		set -f
		# shellcheck disable=SC2046
		set -- $(readme_words "$files")
		set +f
		[ $# -gt 0 ] || { echo "$what: no test file"; st=1; }
		fs=
		for pat; do
			# shellcheck disable=SC2086
			found=$(ls -d $pat 2>/dev/null)
			[ -n "$found" ] || { echo "$what: $pat does not exist"; st=1; }
			fs="$fs $found"
			nfiles=$((nfiles + 1))
		done
		# shellcheck disable=SC2086
		readme_names $fs >"$tmp/readme.names"
		readme_words "$names" >"$tmp/readme.want"
		[ -s "$tmp/readme.want" ] || { echo "$what: no case name"; st=1; }
		while IFS= read -r n; do
			grep -qF -- "$n" "$tmp/readme.names" || { echo "$what: no case of${fs:- (no file)} is named $n..."; st=1; }
			nnames=$((nnames + 1))
		done <"$tmp/readme.want"
	done <"$tmp/readme.rows"
	echo "$(wc -l <"$tmp/readme.rows") rows: $nfiles files, $nnames case names"
	return $st
}
check "readme: every file and case name in the table of where each guarantee is tested exists" t_readme_table

# readme_flags FILE: the --flags FILE names, one per line, sorted.
readme_flags() {
	sed 's/\\-/-/g' "$1" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# Every flag README.md names is one the binary (its help and man page,
# made from the parser's table) or ./configure takes, or another
# program's, listed here with it; and every flag of the man page is in
# README.md.
t_readme_flags() {
	readme_flags README.md >"$tmp/flags.readme"
	build/migc help --man >"$tmp/flags.man" && ./configure --help >>"$tmp/flags.man" || return 1
	# Other programs' flags that README.md shows in their commands.
	printf '%s\n' --cflags --libs --static `# pkg-config` --inserts --schema-only `# pg_dump` \
		--no-install-recommends `# apt-get` --rm `# docker run` --wrap `# ld` >>"$tmp/flags.man"
	readme_flags "$tmp/flags.man" >"$tmp/flags.known"
	comm -23 "$tmp/flags.readme" "$tmp/flags.known" >"$tmp/flags.unknown"
	[ ! -s "$tmp/flags.unknown" ] || { echo "README.md names flags nothing takes:"; cat "$tmp/flags.unknown"; return 1; }
	build/migc help --man >"$tmp/flags.man" && readme_flags "$tmp/flags.man" >"$tmp/flags.binary" || return 1
	comm -13 "$tmp/flags.readme" "$tmp/flags.binary" >"$tmp/flags.undocumented"
	[ ! -s "$tmp/flags.undocumented" ] || { echo "README.md never names:"; cat "$tmp/flags.undocumented"; return 1; }
	[ "$(wc -l <"$tmp/flags.binary")" -gt 30 ] || { echo "only $(wc -l <"$tmp/flags.binary") flags in the man page"; return 1; }
}
check "readme: every flag README.md names exists (migc's help and man page, configure, or a named other program), and every flag migc has is in README.md" t_readme_flags

# The states README.md lists for status are the ones it prints (the names
# runtime/cliout.c's statename gives), no more, no fewer.
t_readme_states() {
	sed -n '/^statename(/,/^}/s/.*return "\([a-z-]*\)";.*/\1/p' runtime/cliout.c | sort >"$tmp/states.code"
	sed -n 's/.*<!-- states:begin -->\(.*\)<!-- states:end -->.*/\1/p' README.md | grep -o '^`[a-z-]*`\|, `[a-z-]*`' |
		tr -d '`, ' | sort >"$tmp/states.readme"
	[ "$(wc -l <"$tmp/states.code")" -ge 8 ] || { echo "states in cliout.c:"; cat "$tmp/states.code"; return 1; }
	diff "$tmp/states.code" "$tmp/states.readme"
}
check "readme: the states it lists for status are the ones status prints" t_readme_states

# The fuzz targets README.md lists, with their seed directories, are the
# ones tests/fuzz/run runs.
t_readme_fuzz() {
	sed -n 's/^run \(fuzz_[a-z_]*\) \(.*\)$/\1 \2/p' tests/fuzz/run >"$tmp/fuzz.run"
	[ "$(wc -l <"$tmp/fuzz.run")" -ge 7 ] || { echo "tests/fuzz/run:"; cat "$tmp/fuzz.run"; return 1; }
	sed -n '/<!-- fuzz:begin -->/,/<!-- fuzz:end -->/p' README.md | tr '\n' ' ' | sed 's/ - `/\n`/g' >"$tmp/fuzz.readme"
	while read -r target dirs; do
		line=$(grep -F "\`$target\`" "$tmp/fuzz.readme") || { echo "README.md does not list $target"; return 1; }
		for d in $dirs; do
			printf '%s\n' "$line" | grep -qF "\`$d\`" || { echo "README.md: $target does not name its seeds $d"; return 1; }
		done
	done <"$tmp/fuzz.run"
	n=$(grep -c '^`fuzz_' "$tmp/fuzz.readme")
	[ "$n" -le "$(wc -l <"$tmp/fuzz.run")" ] || { echo "README.md lists more fuzz targets than tests/fuzz/run runs"; return 1; }
}
check "readme: the fuzz targets it lists, and their seed directories, are those tests/fuzz/run runs" t_readme_fuzz

# gen's usage and exit status in README.md are the binary's, as printed.
t_readme_gen_usage() {
	readmeblock gen-usage >"$tmp/gen-usage.readme"
	build/migc gen --help | sed -n '1,/^  [^ ]/p' | sed '$d' >"$tmp/gen-usage.binary" &&
		build/migc gen --help | sed -n '/^exit status:/,$p' >>"$tmp/gen-usage.binary" || return 1
	[ "$(wc -l <"$tmp/gen-usage.binary")" -ge 4 ] || { cat "$tmp/gen-usage.binary"; return 1; }
	diff "$tmp/gen-usage.binary" "$tmp/gen-usage.readme"
}
check "readme: gen's usage and exit status are what migc gen --help prints" t_readme_gen_usage
