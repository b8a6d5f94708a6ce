#!/usr/bin/env bash
# Installs what sluice needs and is missing: the Debian packages in deps/debian-packages.txt and
# DuckDB's C library and header, pinned in deps/duckdb.lock. Does nothing when all is in place.
# DUCKDB_LOCK and DUCKDB_DIR override the lock file and the destination (used by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
  local missing=() package command
  while read -r package command; do
    case "$package" in '' | '#'*) continue ;; esac
    if [ -n "${command:-}" ] && command -v "$command" >/dev/null 2>&1; then continue; fi
    if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then continue; fi
    missing+=("$package")
  done <deps/debian-packages.txt
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "deps: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# npm pack NAME@VERSION into $2, then check the tarball against the pinned sha256.
fetch_npm_package() {
  local name=$1 version=$2 sha256=$3 into=$4 tarball actual
  tarball=$(cd "$into" && npm pack --silent "$name@$version" 2>/dev/null | tail -n 1) || {
    echo "deps: error: npm pack $name@$version failed" >&2
    exit 1
  }
  actual=$(sha256sum "$into/$tarball" | cut -d' ' -f1)
  if [ "$actual" != "$sha256" ]; then
    echo "deps: error: checksum mismatch for $name@$version" >&2
    echo "deps:   expected sha256 $sha256 (${DUCKDB_LOCK:-deps/duckdb.lock})" >&2
    echo "deps:   got      sha256 $actual" >&2
    echo "deps: refusing to build against an unverified DuckDB" >&2
    exit 1
  fi
  echo "$into/$tarball"
}

install_duckdb() {
  local dest=${DUCKDB_DIR:-third_party/duckdb} lock=${DUCKDB_LOCK:-deps/duckdb.lock}
  local stamp=$dest/.lock
  if [ -f "$stamp" ] && cmp -s "$stamp" "$lock" &&
    [ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ]; then
    return 0
  fi
  local work bindings header name version sha256
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  while read -r name version sha256; do
    case "$name" in '' | '#'*) continue ;; esac
    case "$name" in
      @duckdb/node-bindings-linux-x64) bindings=$(fetch_npm_package "$name" "$version" "$sha256" "$work") ;;
      duckdb) header=$(fetch_npm_package "$name" "$version" "$sha256" "$work") ;;
      *) echo "deps: error: unknown package $name in $lock" >&2 && exit 1 ;;
    esac
  done <"$lock"
  rm -rf "$dest" && mkdir -p "$dest/lib" "$dest/include"
  tar -xzf "$bindings" -C "$work" package/libduckdb.so package/LICENSE
  mv "$work/package/libduckdb.so" "$dest/lib/" && mv "$work/package/LICENSE" "$dest/"
  tar -xzf "$header" -C "$work" package/src/duckdb/src/include/duckdb.h
  mv "$work/package/src/duckdb/src/include/duckdb.h" "$dest/include/"
  cp "$lock" "$stamp"
  echo "deps: DuckDB installed into $dest"
}

[ -n "${SKIP_DEBIAN_PACKAGES:-}" ] || install_debian_packages
install_duckdb
