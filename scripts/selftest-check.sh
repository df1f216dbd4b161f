#!/usr/bin/env bash
# Proves that `make check` catches stale generated files: in a throwaway clone, edit a .templ file
# and then the CSS input without regenerating, and expect `make check` to fail each time.
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone -q "$repo" "$work/clone"
cd "$work/clone"
cp -a "$repo/node_modules" node_modules
touch node_modules # newer than package-lock.json: make must not reinstall

expect_failure() {
	local what=$1
	if make check >"$work/out" 2>&1; then
		echo "FAIL: make check passed after $what without regenerating"; cat "$work/out"; exit 1
	fi
	grep -q "Generated files were out of date" "$work/out" || { echo "FAIL: wrong failure after $what"; cat "$work/out"; exit 1; }
	echo "ok: make check fails after $what"
	git checkout -q -- views static
}

sed -i '0,/Trade the real market/s//Trade the actual market/' views/landing.templ
expect_failure "a .templ edit"
echo '.selftest-probe { color: red; }' >>views/css/app.css
expect_failure "a CSS input edit"
make check >/dev/null 2>&1 || { echo "FAIL: make check fails on a clean tree"; exit 1; }
echo "ok: make check passes on a clean tree"
