#!/bin/sh
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for a
# while.  usage: tests/fuzz/run.sh [SECONDS [TARGET...]]
#   SECONDS  per target (default 60); 0 builds only
#   TARGET   fuzz_run (the default and, for now, the only one here)
# Environment: CLANG (default clang), FUZZ_DIR (build and corpus directory,
# default $TMPDIR/ksim-fuzz), FUZZ_ARGS (more libFuzzer flags, e.g. -jobs=2),
# FUZZ_CFLAGS (more compiler flags, e.g. -fno-sanitize=pointer-overflow to
# go past a known finding; remove FUZZ_DIR/obj when you change them).
# Exits 77 when clang cannot build a fuzzer, 1 when a target finds a crash
# (the reproducer is in FUZZ_DIR, named crash-*, leak-*, timeout-* or oom-*).
srcdir=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_run}
cc=${CLANG:-clang}
out=${FUZZ_DIR:-${TMPDIR:-/tmp}/ksim-fuzz}
mkdir -p "$out" || exit 99

echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
    > "$out/probe.c"
if ! "$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2> /dev/null; then
	echo "SKIP: $cc cannot build a libFuzzer target (-fsanitize=fuzzer)"; exit 77
fi
flags="-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined ${FUZZ_CFLAGS:-}"
libs="$(pkg-config --libs yaml-0.1 jansson) -lm"
cflags="-I$srcdir/src -I$out $(pkg-config --cflags yaml-0.1 jansson)"

# What the library needs of configure's config.h (the version string).
version=$(sed -n 's/^AC_INIT(\[ksim\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")
printf '#define PACKAGE_VERSION "%s"\n' "${version:-unknown}" > "$out/config.h"

# The library once (without main.c), instrumented for coverage; the
# catalog's data is generated as the Makefile does.
sh "$srcdir/src/cloud/gen_catalog.sh" "$srcdir/data" > "$out/catalog_data.c" || exit 99
lib=$(cd "$srcdir" && find src -name '*.c' ! -name main.c | sort)
# Everything is rebuilt when any source or header is newer than the stamp.
mkdir -p "$out/obj"
stamp="$out/obj/stamp"
if [ ! -f "$stamp" ] || [ -n "$(find "$srcdir/src" -newer "$stamp" -name '*.[ch]' | head -n 1)" ]; then
	rm -f "$stamp" "$out"/obj/*.o
fi
objs="$out/obj/catalog_data.o"
# shellcheck disable=SC2086
"$cc" $flags -fsanitize=fuzzer-no-link $cflags -c "$out/catalog_data.c" -o "$out/obj/catalog_data.o" || exit 99
for f in $lib; do
	o="$out/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$o" ]; then
		# shellcheck disable=SC2086
		"$cc" $flags -fsanitize=fuzzer-no-link $cflags -c "$srcdir/$f" -o "$o" || exit 99
	fi
	objs="$objs $o"
done
touch "$stamp"

# The seed corpus: every scenario, case and error input we ship.
mkdir -p "$out/seeds"
for f in "$srcdir"/scenarios/*.yaml "$srcdir"/tests/cases/*.yaml "$srcdir"/tests/errors/*/input.yaml; do
	[ -f "$f" ] && cp "$f" "$out/seeds/$(echo "${f#"$srcdir"/}" | tr / _)"
done

fail=0
for t in $targets; do
	# shellcheck disable=SC2086
	"$cc" $flags $cflags "$srcdir/tests/fuzz/$t.c" $objs $libs -o "$out/$t" || exit 99
	[ "$secs" -eq 0 ] && continue
	mkdir -p "$out/corpus-$t"
	echo "fuzzing $t for $secs s (corpus $out/corpus-$t)"
	# shellcheck disable=SC2086
	(cd "$out" && "./$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 \
	    -dict="$srcdir/tests/fuzz/ksim.dict" $FUZZ_ARGS "corpus-$t" seeds) || fail=1
done
exit $fail
