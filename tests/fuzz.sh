# tests/fuzz.sh: each libFuzzer target of tests/fuzz/ for $FUZZ_SECONDS
# (./configure --sanitize: 10 s; --fuzz-seconds=N), one case per target. A
# long run: ninja fuzz && tests/fuzz/run 3600.

unit sh tests/fuzz/run "$FUZZ_SECONDS"
