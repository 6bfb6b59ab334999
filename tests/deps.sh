#!/bin/sh
# deps.sh PKG...: install the Debian packages among PKG that are missing (with sudo when
# not root); do nothing when all are there. Used by `make deps` and `make deps-shots`.
set -eu

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: this is not a Debian-like system (no dpkg-query)." >&2
    echo "deps: install these packages (or your system's equivalents): $*" >&2
    exit 1
fi

missing=""
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all $# packages are installed"
    exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps: not root and no sudo: run as root: apt-get install -y$missing" >&2
    exit 1
fi
# an old package index can miss packages: refresh it once, then install
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
