#!/usr/bin/env bash
# scripts/deps.sh: a tarball whose sha256 differs from the lock stops it with a clear message and
# installs nothing; with everything in place, a second run does nothing and says nothing.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Wrong checksum.
printf 'duckdb 1.4.4 %064d\n' 0 >"$work/bad.lock"
DUCKDB_LOCK="$work/bad.lock" DUCKDB_DIR="$work/duckdb" SKIP_DEBIAN_PACKAGES=1 \
  "$repo/scripts/deps.sh" >"$work/out" 2>"$work/err"
status=$?
[ "$status" -ne 0 ] || fail "deps.sh accepted a tarball with the wrong checksum"
grep -q "checksum mismatch for duckdb@1.4.4" "$work/err" || fail "no clear message: $(cat "$work/err")"
grep -q "expected sha256 0000" "$work/err" || fail "message lacks the expected sum: $(cat "$work/err")"
[ ! -e "$work/duckdb/lib/libduckdb.so" ] && [ ! -e "$work/duckdb/include/duckdb.h" ] ||
  fail "files were installed despite the mismatch"

# 2. Everything in place: nothing to do, nothing printed.
(cd "$repo" && scripts/deps.sh) >"$work/out2" 2>&1 || fail "deps.sh failed: $(cat "$work/out2")"
[ ! -s "$work/out2" ] || fail "a second run did something: $(cat "$work/out2")"
echo "deps: ok"
