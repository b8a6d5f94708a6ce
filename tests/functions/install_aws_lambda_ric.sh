#!/usr/bin/env bash
# Installs AWS's official Node.js runtime interface client, the npm package aws-lambda-ric, into
# DEST_DIR/node_modules/aws-lambda-ric, so that tests can run a handler through the real client
# against sluice's Runtime API:
#   node DEST_DIR/node_modules/aws-lambda-ric/bin/index.mjs index.handler
# (with AWS_LAMBDA_RUNTIME_API=host:port and the handler's directory as the working directory).
#
# Why it is built here and not committed: the client is a native addon that its own install
# scripts compile from sources bundled in the package (curl, aws-lambda-cpp), for this machine's
# Node.js. Why not a plain `npm install aws-lambda-ric`: that also pulls node-gyp 9 with ~130
# unpinned transitive packages, and node-gyp would download Node.js headers from the internet
# unless told where they are. Instead the two packages the built client consists of are fetched
# with `npm pack` at pinned versions, checked against pinned sha256 sums, unpacked, and built by
# the package's own preinstall/postinstall scripts, with npm's bundled node-gyp pointed at the
# headers of the Node.js that runs it (--nodedir). Nothing but the npm registry is reached.
#
# 3.3.0 is the last release that supports Node.js 20 (4.x requires Node.js >= 22).
# Build needs: cmake make g++ autoconf automake libtool python3 (curl's sources come without a
# generated configure script). A clean build takes about a minute on 2 cores; the result is ~1 MB.
#
# Does nothing when DEST_DIR already holds this build (DEST_DIR/.aws-lambda-ric.stamp).
# On success it prints one line saying where the client is; build output goes to a log that is
# shown only on failure.
set -euo pipefail

RIC_NAME=aws-lambda-ric
RIC_VERSION=3.3.0
RIC_SHA256=fb6cd346ec91301e6a02921e60bea1cc8d73cc7ec301191416b95f7d1295e09a
ADDON_API_NAME=node-addon-api
ADDON_API_VERSION=6.1.0 # exactly what aws-lambda-ric 3.3.0 depends on
ADDON_API_SHA256=441ddeef9b009b74f79e840f3e4d469e89a29e1304c573b8f48b355c7d088086

me=install_aws_lambda_ric
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DEST_DIR" >&2
  exit 2
fi
mkdir -p "$1"
dest=$(cd "$1" && pwd)
stamp=$dest/.aws-lambda-ric.stamp
package_dir=$dest/node_modules/$RIC_NAME
# One install at a time into the same DEST_DIR (tests may start this in parallel).
exec 9>"$dest/.aws-lambda-ric.lock"
flock 9

node_version=$(node -p process.version 2>/dev/null) || {
  echo "$me: error: node is not on the PATH" >&2
  exit 1
}
stamp_text="$RIC_NAME $RIC_VERSION $RIC_SHA256 $ADDON_API_NAME $ADDON_API_VERSION $ADDON_API_SHA256 node $node_version $(uname -m)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] &&
  [ -f "$package_dir/dist/rapid-client.node" ] && [ -f "$package_dir/bin/index.mjs" ]; then
  exit 0
fi

# Build tools, each with the Debian package that brings it.
missing=()
for pair in cmake:cmake make:make g++:g++ cc:gcc autoreconf:autoconf automake:automake \
  libtoolize:libtool python3:python3 npm:npm; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "$me: error: building $RIC_NAME needs these Debian packages: ${missing[*]}" >&2
  echo "$me:   install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi
# The headers of the Node.js that runs the client, so that node-gyp downloads none.
node_dir=$(dirname "$(dirname "$(node -p 'require("fs").realpathSync(process.execPath)')")")
if [ ! -f "$node_dir/include/node/common.gypi" ] || [ ! -f "$node_dir/include/node/node_api.h" ]; then
  echo "$me: error: no Node.js headers in $node_dir/include/node (for $node_version)" >&2
  echo "$me:   they come with Debian's libnode-dev, or with the nodejs package of Node.js's own builds" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work" "$dest/.staging"' EXIT
log=$work/build.log

fail() {
  echo "$me: error: $1" >&2
  if [ -s "$log" ]; then
    echo "$me: last lines of the build log:" >&2
    tail -n 40 "$log" >&2
  fi
  exit 1
}

# npm pack NAME@VERSION into the work folder and check it against the pinned sha256.
fetch() {
  local name=$1 version=$2 sha256=$3 tarball actual
  tarball=$(cd "$work" && npm pack --silent "$name@$version" 2>>"$log" | tail -n 1) ||
    fail "npm pack $name@$version failed"
  [ -f "$work/$tarball" ] || fail "npm pack $name@$version gave no tarball"
  actual=$(sha256sum "$work/$tarball" | cut -d' ' -f1)
  if [ "$actual" != "$sha256" ]; then
    echo "$me: error: checksum mismatch for $name@$version" >&2
    echo "$me:   expected sha256 $sha256 (pinned in $0)" >&2
    echo "$me:   got      sha256 $actual" >&2
    echo "$me: refusing to build an unverified $name" >&2
    exit 1
  fi
  echo "$work/$tarball"
}
ric_tarball=$(fetch "$RIC_NAME" "$RIC_VERSION" "$RIC_SHA256")
addon_api_tarball=$(fetch "$ADDON_API_NAME" "$ADDON_API_VERSION" "$ADDON_API_SHA256")

# Build in a staging node_modules (the name matters: binding.gyp requires node-addon-api from it),
# then swap it in for DEST_DIR/node_modules.
rm -rf "$dest/.staging" "$stamp"
stage=$dest/.staging/node_modules
mkdir -p "$stage/$RIC_NAME" "$stage/$ADDON_API_NAME"
tar -xzf "$ric_tarball" -C "$stage/$RIC_NAME" --strip-components=1 --no-same-owner
tar -xzf "$addon_api_tarball" -C "$stage/$ADDON_API_NAME" --strip-components=1 --no-same-owner
(
  cd "$stage/$RIC_NAME"
  MAKEFLAGS=-j$(nproc) && export MAKEFLAGS
  export npm_config_nodedir=$node_dir
  # What `npm install` would run: preinstall builds curl and aws-lambda-cpp into deps/artifacts,
  # postinstall runs `npm run build:gyp` (npm's bundled node-gyp) and copies the addon to dist/.
  sh ./scripts/preinstall.sh
  sh ./scripts/postinstall.sh
) >>"$log" 2>&1 || fail "building $RIC_NAME $RIC_VERSION failed"
# postinstall's own clean-up misses the ~150 MB of unpacked sources: under sh its globs' [^gz]
# means "^, g or z", so it deletes the tarballs instead.
rm -rf "$stage/$RIC_NAME"/deps/curl-curl-* "$stage/$RIC_NAME"/deps/aws-lambda-cpp-*/ \
  "$stage/$RIC_NAME/deps/artifacts" "$stage/$RIC_NAME/build"
[ -f "$stage/$RIC_NAME/dist/rapid-client.node" ] || fail "the build left no dist/rapid-client.node"
# (the addon reads AWS_LAMBDA_RUNTIME_API when loaded and aborts if it is unset; loading connects nowhere)
AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 node -e 'require(process.argv[1])' "$stage/$RIC_NAME/dist/rapid-client.node" >>"$log" 2>&1 ||
  fail "the built rapid-client.node does not load"

rm -rf "$dest/node_modules"
mv "$stage" "$dest/node_modules"
echo "$stamp_text" >"$stamp"
echo "$me: $RIC_NAME $RIC_VERSION is in $package_dir (run: node $package_dir/bin/index.mjs HANDLER)"
