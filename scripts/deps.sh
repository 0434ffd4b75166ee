#!/bin/sh
# Installs what the build and the tests need, only when missing: Debian
# packages through apt-get, npm packages for the black-box tests through npm ci.
set -e
PKGS="build-essential pkg-config libmicrohttpd-dev libjansson-dev libjwt-dev libsqlite3-dev \
libssl-dev libyaml-dev libcurl4-openssl-dev libcmocka-dev"
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
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
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$root/tests/package.json" ] && [ ! -d "$root/tests/node_modules" ]; then
    echo "deps: installing npm packages for tests"
    (cd "$root/tests" && npm ci --no-audit --no-fund --loglevel=error)
fi
