# bench/lib.sh: how bench/run times things and summarises them, sourced by
# it (which defines $tmp, $measure and $keep). A sample is one line "WALL
# CPU MAXRSS" from bench/measure, appended to $tmp/res/LABEL; pair
# alternates two sides run by run after a warm-up; stat and the fmt
# helpers turn a label's samples into "median (min-max)" text.
# shellcheck shell=sh disable=SC2154

# m LABEL COMMAND...: run COMMAND under bench/measure; keep the sample in
# LABEL unless this is a warm-up ($keep empty). A failing command ends
# the run with its error output.
m() {
	_ml=$1
	shift
	if ! "$measure" "$@" >"$tmp/sample" 2>"$tmp/sample.err"; then
		echo "bench: failed: $*" >&2
		head -n 20 "$tmp/sample.err" >&2
		exit 1
	fi
	[ -z "$keep" ] || cat "$tmp/sample" >>"$tmp/res/$_ml"
}

# pair A B RUNS: call the shell functions A and B (each times one command
# through m) alternately, one warm-up round first, then RUNS kept rounds.
pair() {
	_pi=0
	keep=
	while [ "$_pi" -le "$3" ]; do
		"$1"
		"$2"
		keep=yes
		_pi=$((_pi + 1))
	done
}

# single A RUNS WARM: call A WARM times as warm-up, then RUNS times.
single() {
	_si=0
	keep=
	while [ "$_si" -lt $(($2 + $3)) ]; do
		[ "$_si" -lt "$3" ] || keep=yes
		"$1"
		_si=$((_si + 1))
	done
}

# have LABEL: whether LABEL has samples already (a later section reuses
# them instead of measuring the same thing again).
have() {
	[ -s "$tmp/res/$1" ]
}

# stat LABEL COLUMN: print "MEDIAN MIN MAX N" of column 1 (wall), 2 (cpu)
# or 3 (maxrss) of LABEL's samples.
stat() {
	cut -d ' ' -f "$2" "$tmp/res/$1" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "0 0 0 0"; exit }
			med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.9g %.9g %.9g %d\n", med, v[1], v[NR], NR
		}'
}

# fmtt SECONDS [MIN MAX]: a time in ms below a second, else in s; with
# MIN and MAX, " (MIN-MAX)" after it in the same unit.
fmtt() {
	awk -v t="$1" -v lo="${2:-}" -v hi="${3:-}" 'BEGIN {
		if (t < 1) { u = " ms"; k = 1000; f = t < 0.01 ? "%.2f" : "%.1f" }
		else { u = " s"; k = 1; f = t < 100 ? "%.2f" : "%.0f" }
		printf f, t * k
		if (lo != "") printf " (" f "-" f ")", lo * k, hi * k
		printf "%s", u
	}'
}

# fmtk KIB [MIN MAX]: a size in MiB, the same way.
fmtk() {
	awk -v k="$1" -v lo="${2:-}" -v hi="${3:-}" 'BEGIN {
		printf "%.1f", k / 1024
		if (lo != "") printf " (%.1f-%.1f)", lo / 1024, hi / 1024
		printf " MiB"
	}'
}

# cell LABEL COLUMN: "median (min-max)" of LABEL's COLUMN, or the median
# alone (with "1 run") when there is one sample; "-" without samples.
cell() {
	have "$1" || { printf -- '-'; return; }
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(stat "$1" "$2")
	_cf=fmtt
	[ "$2" -ne 3 ] || _cf=fmtk
	if [ "$6" -eq 1 ]; then
		printf '%s, 1 run' "$($_cf "$3")"
	else
		$_cf "$3" "$4" "$5"
	fi
}

# ratio A B COLUMN: the ratio of A's median to B's median.
ratio() {
	awk -v a="$(stat "$1" "$3" | cut -d ' ' -f 1)" -v b="$(stat "$2" "$3" | cut -d ' ' -f 1)" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

# verdict RATIO TARGET: "met" or "MISSED".
verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN { print (r != "-" && r + 0 <= t + 0) ? "met" : "MISSED" }'
}
