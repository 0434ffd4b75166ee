#!/bin/sh
# Installs what the build needs, only when missing, through apt-get.
# With "test": also what the tests need (Chromium, and the npm packages of
# tests/ through npm ci).
set -e
PKGS="build-essential pkg-config libmicrohttpd-dev libjansson-dev libjwt-dev libsqlite3-dev \
libssl-dev libyaml-dev libcurl4-openssl-dev libjemalloc-dev"
if [ "$1" = test ]; then
    PKGS="$PKGS libcmocka-dev chromium sqlite3"
    command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
[ "$1" = test ] || exit 0
root=$(cd "$(dirname "$0")/.." && pwd)
# reinstall when the lock file changed since the last install
stamp="$root/tests/node_modules/.hookpost-lock"
if [ -f "$root/tests/package-lock.json" ] && ! cmp -s "$root/tests/package-lock.json" "$stamp" 2>/dev/null; then
    echo "deps: installing npm packages for tests"
    (cd "$root/tests" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$root/tests/package-lock.json" "$stamp"
fi
