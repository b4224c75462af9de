# tests/manifest.sh: migc hash and migc check: a migc.sum matches its
# directory, names each edited, removed, renamed, renumbered or unrecorded
# migration, catches a tampered or merged manifest, and --against a
# released one lets new migrations through.

# sumdir NAME: a copy of the base set with a fresh migc.sum.
sumdir() {
	rm -rf "$tmp/sum/$1"
	mkdir -p "$tmp/sum"
	cp -r "$base" "$tmp/sum/$1"
	build/migc hash "$tmp/sum/$1" >/dev/null
	echo "$tmp/sum/$1"
}

t_check_ok() {
	d=$(sumdir ok)
	expect 0 "ok: 2 migrations match $d/migc.sum" build/migc check --dialect sqlite "$d" || return 1
	expect 0 '{"ok":true,"migrations":2,"problems":[]}' build/migc check --dialect sqlite --json "$d" || return 1
	# Line endings do not matter, in the files or in migc.sum itself.
	sed 's/$/\r/' "$d/0001_a.sql" >"$d/x" && mv "$d/x" "$d/0001_a.sql"
	sed 's/$/\r/' "$d/migc.sum" >"$d/x" && mv "$d/x" "$d/migc.sum"
	expect 0 "ok: 2 migrations match" build/migc check --dialect sqlite "$d" || return 1
	expect 2 "check needs a directory" build/migc check
}
check "check: migc hash then migc check pass, CRLF in the files or in migc.sum makes no difference" t_check_ok

# check is CI's gate: it reads the files as gen does, so what gen refuses
# (an unterminated string, a COMMIT inside a transactional migration, a
# psql meta-command) fails check too, with file:line:col and exit 2, after
# migc hash recorded the checksums; the dialect is required for that.
t_check_scans() {
	d=$(sumdir scans)
	printf "INSERT INTO a (x) VALUES ('unterminated);\n" >"$d/0003_bad.sql"
	build/migc hash "$d" >/dev/null || return 1
	expect 2 "0003_bad.sql:1:27: error: unterminated string" build/migc check --dialect sqlite "$d" || return 1
	expect 2 "0003_bad.sql:1:27: error: unterminated string" build/migc check --dialect postgres "$d" || return 1
	expect 2 "check needs --dialect sqlite or postgres" build/migc check "$d" || return 1
	expect 2 "--dialect: 'mysql' is not sqlite or postgres" build/migc check --dialect mysql "$d" || return 1
	printf "CREATE TABLE c (id INTEGER);\nCOMMIT;\n" >"$d/0003_bad.sql"
	build/migc hash "$d" >/dev/null || return 1
	expect 2 "0003_bad.sql:2:1: error: COMMIT" build/migc check --dialect postgres "$d" || return 1
	printf "SELECT 1;\n\\\\connect other\n" >"$d/0003_bad.sql"
	build/migc hash "$d" >/dev/null || return 1
	expect 2 "0003_bad.sql:2:1: error: psql meta-command \\connect is not supported" build/migc check --dialect postgres "$d" || return 1
	printf "CREATE TABLE c (id INTEGER);\n" >"$d/0003_bad.sql"
	build/migc hash "$d" >/dev/null || return 1
	expect 0 "ok: 3 migrations match" build/migc check --dialect sqlite "$d"
}
check "check: it runs the scan, directive and transaction checks of gen (exit 2 with file:line:col), --dialect required" t_check_scans

t_check_problems() {
	d=$(sumdir edited)
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, y TEXT);\n' >"$d/0001_a.sql"
	expect 3 "0001_a.sql was edited since $d/migc.sum was written" build/migc check --dialect sqlite "$d" || return 1
	expect 3 '"version":1,"file":"0001_a.sql","problem":"edited"' build/migc check --dialect sqlite --json "$d" || return 1
	expect 3 "0001_a.sql was edited since" build/migc gen --dialect sqlite -o "$tmp/x.c" "$d" || return 1
	[ ! -e "$tmp/x.c" ] || return 1
	build/migc gen --no-sum --dialect sqlite -o "$tmp/x.c" "$d" && [ -s "$tmp/x.c" ] || return 1
	d=$(sumdir removed)
	rm "$d/0001_a.sql" "$d/0001_a.down.sql"
	expect 3 "0001_a.sql (version 1) was removed, but $d/migc.sum lists it" build/migc check --dialect sqlite "$d" || return 1
	d=$(sumdir renamed)
	mv "$d/0002_b.sql" "$d/0002_bee.sql"
	mv "$d/0002_b.down.sql" "$d/0002_bee.down.sql"
	expect 3 "0002_bee.sql was renamed: $d/migc.sum lists it as 0002_b.sql" build/migc check --dialect sqlite "$d" || return 1
	d=$(sumdir renumbered)
	mv "$d/0002_b.sql" "$d/0003_b.sql"
	mv "$d/0002_b.down.sql" "$d/0003_b.down.sql"
	expect 3 "0003_b.sql was renumbered: $d/migc.sum lists it as version 2 (0002_b.sql)" build/migc check --dialect sqlite "$d" || return 1
	d=$(sumdir below)
	mv "$d/0002_b.sql" "$d/0003_b.sql"
	mv "$d/0002_b.down.sql" "$d/0003_b.down.sql"
	build/migc hash "$d" >/dev/null
	mig "$d" 0002_late.sql "CREATE TABLE late (x INTEGER);\n"
	expect 3 "0002_late.sql was added with version 2, below the highest version $d/migc.sum lists (3)" build/migc check --dialect sqlite "$d" || return 1
	d=$(sumdir unrecorded)
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	expect 3 "0003_c.sql is not in $d/migc.sum: run migc hash" build/migc check --dialect sqlite "$d" || return 1
	rm "$d/migc.sum"
	expect 3 "$d/migc.sum: no such file: run migc hash first" build/migc check --dialect sqlite "$d"
}
check "check: edited, removed, renamed, renumbered, added below, unrecorded: exit 3 naming each; gen refuses unless --no-sum" t_check_problems

t_check_tampered() {
	d=$(sumdir tampered)
	sed 's/^1 0001_a.sql/1 0001_z.sql/' "$d/migc.sum" >"$d/x" && mv "$d/x" "$d/migc.sum"
	expect 3 "$d/migc.sum:1: the header hash does not match the lines below" build/migc check --dialect sqlite "$d" || return 1
	d=$(sumdir truncated)
	head -n 2 "$d/migc.sum" >"$d/x" && mv "$d/x" "$d/migc.sum"
	expect 3 "the header hash does not match" build/migc check --dialect sqlite "$d" || return 1
	d=$(sumdir garbage)
	echo "hello" >"$d/migc.sum"
	expect 3 "not a migc.sum of format 1" build/migc check --dialect sqlite "$d"
}
check "check: a tampered, truncated or foreign migc.sum fails (exit 3)" t_check_tampered

t_check_json_escapes() {
	d=$(sumdir json)
	# A path holding a quote and a tab: check --json wrote the quote bare in
	# "file" and the tab raw in both strings, which no JSON parser reads.
	bad=$(printf '%s/sum/rel"ease\tx.sum' "$tmp")
	echo "hello" >"$bad"
	expect 3 '"problems":[{"version":0,"file":"'"$tmp"'/sum/rel\"ease\u0009x.sum","problem":"corrupt","message":"'"$tmp"'/sum/rel\"ease\u0009x.sum: not a migc.sum of format 1' \
		build/migc check --dialect sqlite --json --against "$bad" "$d"
}
check "check --json: quotes and control characters in a path are escaped as JSON (as status --json does)" t_check_json_escapes

t_check_against() {
	d=$(sumdir against)
	cp "$d/migc.sum" "$tmp/sum/release.sum"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	build/migc hash "$d" >/dev/null
	expect 0 "ok: 3 migrations match $d/migc.sum and $tmp/sum/release.sum" build/migc check --dialect sqlite --against "$tmp/sum/release.sum" "$d" || return 1
	old=$(sed -n 's/^1 0001_a.sql \(c1:[0-9a-f]*\) .*/\1/p' "$d/migc.sum")
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL);\n' >"$d/0001_a.sql"
	build/migc hash "$d" >/dev/null
	expect 3 "0001_a.sql was edited since $tmp/sum/release.sum was written" build/migc check --dialect sqlite --against "$tmp/sum/release.sum" "$d" || return 1
	printf -- '-- migc:also-accept %s\nCREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL);\n' "$old" >"$d/0001_a.sql"
	build/migc hash "$d" >/dev/null
	expect 0 "note: 0001_a.sql was edited since $tmp/sum/release.sum was written, and accepts its old checksum" \
		build/migc check --dialect sqlite --against "$tmp/sum/release.sum" "$d"
}
check "check --against: new migrations pass, an edited released one fails unless it carries migc:also-accept" t_check_against

t_check_git_merge() {
	command -v git >/dev/null || { echo "git is not installed"; return 1; }
	r=$tmp/sum/repo
	rm -rf "$r"
	mkdir -p "$r"
	cp -r "$base" "$r/migrations"
	g() { git -C "$r" -c user.name=t -c user.email=t@example.invalid "$@" >/dev/null 2>&1; }
	g init -q -b main && build/migc hash "$r/migrations" >/dev/null && g add -A && g commit -qm base || return 1
	g checkout -q -b one && mig "$r/migrations" 0003_one.sql "CREATE TABLE one (x INTEGER);\n" &&
	build/migc hash "$r/migrations" >/dev/null && g add -A && g commit -qm one || return 1
	g checkout -q main && g checkout -q -b two && mig "$r/migrations" 0004_two.sql "CREATE TABLE two (x INTEGER);\n" &&
	build/migc hash "$r/migrations" >/dev/null && g add -A && g commit -qm two || return 1
	# A plain merge conflicts on migc.sum.
	g checkout -q one
	if g merge -q two; then echo "the merge did not conflict"; return 1; fi
	git -C "$r" diff --name-only --diff-filter=U | grep -qx migrations/migc.sum || return 1
	g merge --abort
	# A merge told to take both sides (merge=union) goes through, and check fails.
	echo 'migc.sum merge=union' >"$r/migrations/.gitattributes"
	g add -A && g commit -qm attrs && g merge -q two || { echo "the union merge failed"; return 1; }
	expect 3 "migc.sum:1: the header hash does not match the lines below" build/migc check --dialect sqlite "$r/migrations"
}
check "check: two branches appending migrations conflict in git, and a union merge fails the check" t_check_git_merge

t_demo_sums() {
	expect 0 "ok: 6 migrations match migrations/sqlite/migc.sum" build/migc check --dialect sqlite migrations/sqlite &&
	expect 0 "ok: 6 migrations match migrations/postgres/migc.sum" build/migc check --dialect postgres migrations/postgres
}
check "check: the demo sets match their committed migc.sum" t_demo_sums
