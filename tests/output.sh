# tests/output.sh: how migc writes its outputs (gen -o, --depfile, and
# migc hash's DIR/migc.sum), sourced by tests/run. A device or a FIFO is
# written in place and stays what it is; a regular file is replaced
# through a fresh temporary file that no planted link can redirect, two
# runs may race on one output, and a failed write leaves nothing behind.

# outdir NAME: a fresh, empty scratch directory.
outdir() {
	rm -rf "$tmp/out/$1"
	mkdir -p "$tmp/out/$1"
	echo "$tmp/out/$1"
}

# outref DIR: DIR/ref.c, DIR/ref.d and DIR/set/ (a copy of the base set
# with its migc.sum), written the ordinary way, to compare with.
outref() {
	cp -r "$base" "$1/set" &&
		build/migc gen --dialect sqlite -o "$1/ref.c" --depfile "$1/ref.d" "$1/set" >/dev/null &&
		build/migc hash "$1/set" >/dev/null &&
		cp "$1/set/migc.sum" "$1/ref.sum" && rm "$1/set/migc.sum"
}

# onlyfiles DIR NAME...: DIR holds exactly the entries NAME... (and no
# temporary file).
onlyfiles() {
	_d=$1
	shift
	_want=$(printf '%s\n' "$@" | sort)
	_got=$(ls -A "$_d" | sort)
	if [ "$_got" != "$_want" ]; then
		echo "$_d holds:"
		ls -lA "$_d"
		echo "expected only: $*"
		return 1
	fi
}

t_out_device() {
	o=$(outdir dev)
	outref "$o" || return 1
	if ! mknod "$o/node" c 1 3 2>/dev/null; then
		[ "$(id -u)" != 0 ] || return 1
		echo "not root: no device node can be made here; the FIFO case tests writing in place"
		return 0
	fi
	mknod "$o/depnode" c 1 3 || return 1
	build/migc gen --dialect sqlite -o "$o/node" --depfile "$o/depnode" "$o/set" || return 1
	[ -c "$o/node" ] || { echo "-o: $o/node is no longer a character device"; ls -l "$o"; return 1; }
	[ -c "$o/depnode" ] || { echo "--depfile: $o/depnode is no longer a character device"; ls -l "$o"; return 1; }
	mknod "$o/set/migc.sum" c 1 3 || return 1
	build/migc hash "$o/set" || return 1
	[ -c "$o/set/migc.sum" ] || { echo "hash: $o/set/migc.sum is no longer a character device"; ls -l "$o/set"; return 1; }
	onlyfiles "$o" node depnode set ref.c ref.d ref.sum
}
check "output: gen -o, --depfile and hash write a device node in place, which stays a device" t_out_device

# fifoget FIFO FILE: start a reader copying FIFO into FILE; its pid in $reader.
fifoget() {
	timeout 20 cat "$1" >"$2" &
	reader=$!
}

t_out_fifo() {
	o=$(outdir fifo)
	outref "$o" || return 1
	mkfifo "$o/c" "$o/d" || return 1
	fifoget "$o/c" "$o/got.c"
	timeout 20 build/migc gen --dialect sqlite -o "$o/c" "$o/set" || { echo "gen -o FIFO failed: $?"; return 1; }
	wait "$reader" || return 1
	cmp "$o/ref.c" "$o/got.c" || return 1
	# The depfile names the -o path: compare with one written for ref.c.
	fifoget "$o/d" "$o/got.d"
	timeout 20 build/migc gen --dialect sqlite -o "$o/ref.c" --depfile "$o/d" "$o/set" || { echo "--depfile FIFO failed: $?"; return 1; }
	wait "$reader" || return 1
	cmp "$o/ref.d" "$o/got.d" || return 1
	mkfifo "$o/set/migc.sum" || return 1
	fifoget "$o/set/migc.sum" "$o/got.sum"
	timeout 20 build/migc hash "$o/set" || { echo "hash into a FIFO failed: $?"; return 1; }
	wait "$reader" || return 1
	cmp "$o/ref.sum" "$o/got.sum" || return 1
	[ -p "$o/c" ] && [ -p "$o/d" ] && [ -p "$o/set/migc.sum" ] || { echo "a FIFO was replaced"; ls -l "$o" "$o/set"; return 1; }
	onlyfiles "$o" c d got.c got.d got.sum set ref.c ref.d ref.sum
}
check "output: gen -o, --depfile and hash write a FIFO in place (a reader gets the bytes), which stays a FIFO" t_out_fifo

t_out_stdout() {
	o=$(outdir stdout)
	outref "$o" || return 1
	(cd "$o" && "$OLDPWD/build/migc" gen --dialect sqlite -o - set >"$o/dash.c") || return 1
	cmp "$o/ref.c" "$o/dash.c" || return 1
	# Standard output through its /dev/fd name, appended to a file, is
	# written in place: what the file held stays.
	printf '/* before */\n' >"$o/append.c"
	build/migc gen --dialect sqlite -o /dev/fd/1 "$o/set" >>"$o/append.c" || return 1
	{ printf '/* before */\n'; cat "$o/ref.c"; } | cmp - "$o/append.c" || return 1
	build/migc gen --dialect sqlite -o "$o/x.c" --depfile - "$o/set" >"$o/dep.out" || return 1
	grep -qF "$o/x.c:" "$o/dep.out" || { cat "$o/dep.out"; return 1; }
	expect 2 "--depfile needs -o FILE" build/migc gen --dialect sqlite -o - --depfile "$o/y.d" "$o/set" || return 1
	onlyfiles "$o" dash.c append.c dep.out x.c set ref.c ref.d ref.sum
}
check "output: -o - (and /dev/fd/1, appended to) writes standard output in place; --depfile - too" t_out_stdout

t_out_planted_link() {
	o=$(outdir planted)
	outref "$o" || return 1
	printf 'victim\n' >"$o/victim"
	ln -s victim "$o/x.c.tmp"
	ln -s victim "$o/x.d.tmp"
	ln -s ../victim "$o/set/migc.sum.tmp"
	build/migc gen --dialect sqlite -o "$o/x.c" --depfile "$o/x.d" "$o/set" || return 1
	build/migc hash "$o/set" >/dev/null || return 1
	[ "$(cat "$o/victim")" = victim ] || { echo "the victim was overwritten:"; head -n 3 "$o/victim"; return 1; }
	[ -f "$o/x.c" ] && [ ! -L "$o/x.c" ] && [ -f "$o/set/migc.sum" ] && [ ! -L "$o/set/migc.sum" ] || { ls -l "$o" "$o/set"; return 1; }
	cmp "$o/ref.c" "$o/x.c" && cmp "$o/ref.sum" "$o/set/migc.sum" || return 1
	sed "s|$o/ref.c|$o/x.c|" "$o/ref.d" | cmp - "$o/x.d" || return 1
	[ -L "$o/x.c.tmp" ] && [ -L "$o/x.d.tmp" ] || return 1
	onlyfiles "$o" victim x.c x.d x.c.tmp x.d.tmp set ref.c ref.d ref.sum
}
check "output: a symlink planted at the old OUT.tmp name leaves its target untouched (-o, --depfile, hash)" t_out_planted_link

t_out_symlink() {
	o=$(outdir link)
	outref "$o" || return 1
	mkdir "$o/real" || return 1
	# A link to an existing file, a relative chain of two, and a dangling link.
	printf 'old\n' >"$o/real/x.c"
	ln -s "$o/real/x.c" "$o/abs.c"
	ln -s real/y.c "$o/hop.c"
	ln -s x.d "$o/real/hop.d"
	ln -s real/hop.d "$o/dep.d"
	ln -s ../real/set.sum "$o/set/migc.sum"
	build/migc gen --dialect sqlite -o "$o/abs.c" --depfile "$o/dep.d" "$o/set" || return 1
	[ -L "$o/abs.c" ] && [ -L "$o/dep.d" ] && [ -L "$o/real/hop.d" ] || { echo "a link was replaced"; ls -l "$o" "$o/real"; return 1; }
	cmp "$o/ref.c" "$o/real/x.c" || return 1
	sed "s|$o/ref.c|$o/abs.c|" "$o/ref.d" | cmp - "$o/real/x.d" || return 1
	build/migc gen --dialect sqlite -o "$o/hop.c" "$o/set" || return 1
	[ -L "$o/hop.c" ] && cmp "$o/ref.c" "$o/real/y.c" || { ls -l "$o" "$o/real"; return 1; }
	build/migc hash "$o/set" >/dev/null || return 1
	[ -L "$o/set/migc.sum" ] && cmp "$o/ref.sum" "$o/real/set.sum" || { ls -l "$o/set" "$o/real"; return 1; }
	# Unchanged output through the link is not rewritten (restat).
	touch -d '2000-01-01' "$o/real/x.c"
	build/migc gen --dialect sqlite -o "$o/abs.c" "$o/set" || return 1
	[ "$(date -r "$o/real/x.c" +%Y)" = 2000 ] || { echo "an unchanged output was rewritten through its link"; return 1; }
	onlyfiles "$o/real" x.c y.c hop.d x.d set.sum
}
check "output: a symlinked output is written through to its target (relative, chained or dangling); the link stays" t_out_symlink

# A C file of several mebibytes goes out a piece at a time, compared with
# the old file as it goes: whatever the old file holds (the same bytes,
# more, fewer, one byte off past the first mebibyte), the result is the
# new output, whole, and an unchanged one is not rewritten.
t_out_stream() {
	o=$(outdir stream)
	mkdir "$o/set" && awk -v n=600 -v dir="$o/set" -f bench/corpus.awk || return 1
	build/migc gen --dialect sqlite --no-replay "$o/set" >"$o/ref.c" || return 1
	[ "$(wc -c <"$o/ref.c")" -gt 3000000 ] || { echo "ref.c is only $(wc -c <"$o/ref.c") bytes"; return 1; }
	build/migc gen --dialect sqlite --no-replay -o "$o/x.c" "$o/set" && cmp "$o/ref.c" "$o/x.c" || return 1
	touch -d '2000-01-01' "$o/x.c"
	ino=$(ls -i "$o/x.c" | cut -d ' ' -f 1)
	build/migc gen --dialect sqlite --no-replay -o "$o/x.c" "$o/set" || return 1
	[ "$(date -r "$o/x.c" +%Y)" = 2000 ] && [ "$(ls -i "$o/x.c" | cut -d ' ' -f 1)" = "$ino" ] ||
		{ echo "an unchanged output was rewritten"; return 1; }
	for old in longer shorter empty flipped; do
		case $old in
		longer) { cat "$o/ref.c"; echo '/* more */'; } >"$o/x.c" ;;
		shorter) head -c 1500000 "$o/ref.c" >"$o/x.c" ;;
		empty) : >"$o/x.c" ;;
		flipped) { head -c 2000000 "$o/ref.c"; printf '#'; tail -c +2000002 "$o/ref.c"; } >"$o/x.c" ;;
		esac
		cmp -s "$o/ref.c" "$o/x.c" && { echo "$old: the old file is the new one"; return 1; }
		build/migc gen --dialect sqlite --no-replay -o "$o/x.c" "$o/set" || return 1
		cmp "$o/ref.c" "$o/x.c" || { echo "after an old file $old than the output"; return 1; }
	done
	onlyfiles "$o" set ref.c x.c
}
check "output: a large output is written in pieces: over an old file that matches, is longer, shorter, empty or differs late" t_out_stream

t_out_mode() {
	o=$(outdir mode)
	outref "$o" || return 1
	(umask 027 && build/migc gen --dialect sqlite -o "$o/new.c" "$o/set") || return 1
	[ "$(stat -c %a "$o/new.c")" = 640 ] || { echo "new file: mode $(stat -c %a "$o/new.c"), expected 640 (umask 027)"; return 1; }
	printf 'old\n' >"$o/old.c"
	chmod 604 "$o/old.c"
	build/migc gen --dialect sqlite -o "$o/old.c" "$o/set" || return 1
	[ "$(stat -c %a "$o/old.c")" = 604 ] || { echo "replaced file: mode $(stat -c %a "$o/old.c"), expected 604 (kept)"; return 1; }
	cmp "$o/ref.c" "$o/old.c"
}
check "output: a new output gets 0666 less the umask, a replaced one keeps its mode" t_out_mode

t_out_race() {
	o=$(outdir race)
	outref "$o" || return 1
	mkdir "$o/w" && cp -r "$base" "$o/hset" || return 1
	r=1
	while [ $r -le 40 ]; do
		rm -f "$o/w/x.c" "$o/w/x.d"
		[ $((r % 2)) = 0 ] && printf 'stale\n' >"$o/w/x.c"
		if [ $((r % 2)) = 0 ]; then printf 'stale\n' >"$o/hset/migc.sum"; else rm -f "$o/hset/migc.sum"; fi
		build/migc gen --dialect sqlite -o "$o/w/x.c" --depfile "$o/w/x.d" "$o/set" >"$o/r1" 2>&1 &
		p1=$!
		build/migc gen --dialect sqlite -o "$o/w/x.c" --depfile "$o/w/x.d" "$o/set" >"$o/r2" 2>&1 &
		p2=$!
		build/migc hash "$o/hset" >"$o/r3" 2>&1 &
		p3=$!
		build/migc hash "$o/hset" >"$o/r4" 2>&1 &
		p4=$!
		for p in $p1 $p2 $p3 $p4; do
			wait "$p" || { echo "round $r: a racing run failed:"; cat "$o/r1" "$o/r2" "$o/r3" "$o/r4"; return 1; }
		done
		cmp "$o/ref.c" "$o/w/x.c" && cmp "$o/ref.sum" "$o/hset/migc.sum" || { echo "round $r"; return 1; }
		sed "s|$o/ref.c|$o/w/x.c|" "$o/ref.d" | cmp - "$o/w/x.d" || { echo "round $r"; return 1; }
		onlyfiles "$o/w" x.c x.d || return 1
		r=$((r + 1))
	done
	onlyfiles "$o/hset" 0001_a.sql 0001_a.down.sql 0002_b.sql 0002_b.down.sql migc.sum
}
check "output: two gen and two hash runs racing on one output all exit 0, 40 times, and leave complete files" t_out_race

# fullrun DIR CMD...: run CMD in DIR as a full disk: files may grow to
# 512 bytes, SIGXFSZ ignored (tests/hostile.sh's "full disk" case).
fullrun() {
	_d=$1
	shift
	(cd "$_d" && trap '' XFSZ && ulimit -f 1 && exec "$@")
}

t_out_full() {
	o=$(outdir full)
	outref "$o" || return 1
	m=$(pwd)
	mkdir "$o/w" || return 1
	# The C (2.4 KB) does not fit in 512 bytes.
	expect 1 "migc: error: cannot write $o/w/x.c: File too large" \
		fullrun "$o" "$m/build/migc" gen --dialect sqlite -o "$o/w/x.c" "$o/set"
	st=$?
	onlyfiles "$o/w" && [ $st = 0 ] || return 1
	# An existing output is left as it was.
	printf 'old\n' >"$o/w/x.c"
	expect 1 "migc: error: cannot write $o/w/x.c: File too large" \
		fullrun "$o" "$m/build/migc" gen --dialect sqlite -o "$o/w/x.c" "$o/set"
	st=$?
	onlyfiles "$o/w" x.c && [ $st = 0 ] && [ "$(cat "$o/w/x.c")" = old ] || return 1
	# The depfile: x.c is already up to date (not rewritten), and the
	# depfile names the migrations through a long path, so only it fails.
	cp "$o/ref.c" "$o/w/x.c"
	long=$o/set
	i=0
	while [ $i -lt 100 ]; do long=$long/.; i=$((i + 1)); done
	expect 1 "migc: error: cannot write $o/w/x.d: File too large" \
		fullrun "$o" "$m/build/migc" gen --dialect sqlite -o "$o/w/x.c" --depfile "$o/w/x.d" "$long"
	st=$?
	onlyfiles "$o/w" x.c && [ $st = 0 ] && cmp "$o/ref.c" "$o/w/x.c" || return 1
	# migc.sum of eight migrations is more than 512 bytes.
	for v in 3 4 5 6 7 8; do mig "$o/set" "000${v}_t$v.sql" "CREATE TABLE t$v (x);\n"; done
	expect 1 "migc: error: cannot write $o/set/migc.sum: File too large" \
		fullrun "$o" "$m/build/migc" hash "$o/set"
	st=$?
	onlyfiles "$o/set" 0001_a.sql 0001_a.down.sql 0002_b.sql 0002_b.down.sql \
		0003_t3.sql 0004_t4.sql 0005_t5.sql 0006_t6.sql 0007_t7.sql 0008_t8.sql && [ $st = 0 ] || return 1
	# Without the shell's trap migc ignores SIGXFSZ itself: the same clean
	# failure instead of death by the signal with the temporary file left,
	# also when its warnings (the round trip's: 0003 to 0008 have no down)
	# overflow a standard error under the same limit.
	expect 1 "migc: error: cannot write $o/w/y.c: File too large" \
		sh -c "ulimit -f 1; exec '$m/build/migc' gen --no-replay --dialect sqlite -o '$o/w/y.c' '$o/set'"
	st=$?
	onlyfiles "$o/w" x.c && [ $st = 0 ] || return 1
	sh -c "ulimit -f 1; exec '$m/build/migc' gen --dialect sqlite -o '$o/w/y.c' '$o/set'" >"$o/full.err" 2>&1
	st=$?
	[ $st = 1 ] || { echo "gen with a full standard error exited $st, not 1"; return 1; }
	grep -q "0003_t3.sql: warning: no down migration" "$o/full.err" || return 1
	onlyfiles "$o/w" x.c
}
check "output: a full disk fails with exit 1 naming the file, keeps the old output and leaves no temporary file (-o, --depfile, hash)" t_out_full
