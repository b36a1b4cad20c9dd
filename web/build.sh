#!/usr/bin/env bash
# Builds nasviz's page into target/web/ (index.html, nasviz.js, nasviz_bg.wasm):
# a static folder any web server serves. Installs what it needs first: the
# wasm32 target, wasm-bindgen-cli at Cargo.lock's wasm-bindgen version, and
# wasm-opt (npm's binaryen, under target/web-tools). Serve it with
#   python3 -m http.server -d target/web 8000
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${NASVIZ_WEB_OUT:-$root/target/web}"
tools="$root/target/web-tools"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "web/build.sh: adding the wasm32-unknown-unknown target" >&2
    rustup target add wasm32-unknown-unknown
fi

want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$want" ]; then
    echo "web/build.sh: Cargo.lock names no wasm-bindgen" >&2
    exit 1
fi
# wasm-bindgen at the lockfile's version: on the PATH, or installed under target/
bindgen=wasm-bindgen
have="$($bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
    bindgen="$tools/bin/wasm-bindgen"
    have="$($bindgen --version 2>/dev/null | awk '{print $2}' || true)"
fi
if [ "$have" != "$want" ]; then
    echo "web/build.sh: installing wasm-bindgen-cli $want into $tools" >&2
    cargo install --root "$tools" wasm-bindgen-cli --version "$want"
fi

wasm_opt="$tools/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
    if command -v npm >/dev/null; then
        echo "web/build.sh: installing wasm-opt (npm binaryen) into $tools" >&2
        mkdir -p "$tools"
        npm install --prefix "$tools" --no-audit --no-fund --silent binaryen@132 >&2
    else
        echo "web/build.sh: no npm: the .wasm is not optimised by wasm-opt (larger)" >&2
    fi
fi

cargo build -p nasviz-web --profile web-release --target wasm32-unknown-unknown "$@"
wasm="$root/target/wasm32-unknown-unknown/web-release/nasviz_web.wasm"

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
"$bindgen" --target web --no-typescript --out-dir "$out.tmp" --out-name nasviz "$wasm"
# NASVIZ_WEB_NO_OPT=1: skip wasm-opt (a quicker build, a larger .wasm)
if [ -x "$wasm_opt" ] && [ "${NASVIZ_WEB_NO_OPT:-}" != 1 ]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types \
        --strip-debug --strip-producers \
        "$out.tmp/nasviz_bg.wasm" -o "$out.tmp/nasviz_bg.opt.wasm"
    mv "$out.tmp/nasviz_bg.opt.wasm" "$out.tmp/nasviz_bg.wasm"
fi
cp web/index.html "$out.tmp/index.html"
rm -rf "$out"
mv "$out.tmp" "$out"
size="$(wc -c < "$out/nasviz_bg.wasm")"
gz="$(gzip -9c "$out/nasviz_bg.wasm" | wc -c)"
echo "web/build.sh: $out (nasviz_bg.wasm: $((size / 1024)) KiB, $((gz / 1024)) KiB gzipped)" >&2
