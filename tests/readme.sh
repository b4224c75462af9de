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
