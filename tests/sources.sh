#!/bin/sh
# tests/sources.sh TARGET: the C files TARGET is built from, as build.ninja
# says: the inputs of TARGET's build edge, each object replaced by the file
# its cc edge compiles. build.ninja's edge of build/libmigc.a is the one list
# of the runtime's sources: the fuzz targets (build.ninja) and the tests that
# compile the runtime themselves (tests/cli.sh) take it from here, so that a
# runtime file is added in build.ninja alone.
cd "$(dirname "$0")/.." || exit 2
[ $# = 1 ] || { echo "usage: tests/sources.sh TARGET" >&2; exit 2; }
awk -v target="$1" '
	# A line ending in $ goes on on the next one, without its indent.
	{
		line = held $0
		if (sub(/\$$/, "", line)) { held = line; next }
		held = ""
	}
	line ~ /^build / {
		sub(/^build /, "", line)
		outs = line; sub(/:.*/, "", outs)
		rest = line; sub(/^[^:]*: */, "", rest)
		sub(/ +\|.*/, "", rest)
		n = split(rest, w, " ")
		if (outs == target) { nins = n - 1; for (i = 2; i <= n; i++) ins[i - 1] = w[i] }
		if (w[1] == "cc") src[outs] = w[2]
	}
	END {
		if (nins == 0) { print "tests/sources.sh: build.ninja has no edge for " target > "/dev/stderr"; exit 1 }
		for (i = 1; i <= nins; i++) print (ins[i] in src) ? src[ins[i]] : ins[i]
	}
' build.ninja
