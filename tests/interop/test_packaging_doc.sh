#!/bin/bash
# test_packaging_doc.sh: the Debian build and install commands that README.md
# ("Install and use") and docs/packaging.md give agree with debian/.
#
# Usage: test_packaging_doc.sh [vpnc-binary]   (the binary is not used)
#
# Each document's `sudo apt-get install -y build-essential ...` line (with
# its backslash continuations) names exactly Build-Depends of debian/control
# (debhelper-compat is debhelper's package) plus the tools that run the
# build: build-essential, dpkg-dev, fakeroot; nothing missing (the build
# would stop with unmet build dependencies) and nothing extra (it would
# install what the build does not need). Each document installs both
# binary packages of debian/control, named with debian/changelog's version
# and `$(dpkg --print-architecture)`, never a fixed architecture.
# test_deb.sh and test_systemd_pid1.sh check the names against a real build.
# Needs no root and no network. Last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
name=test_packaging_doc
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }

control="$top/debian/control"
build_tools="build-essential dpkg-dev fakeroot"
# Build-Depends, one package a line (first alternative, no version).
want=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$control" | sed '$d' |
	sed 's/^Build-Depends://' | tr ',' '\n' |
	sed 's/[(|[<].*//; s/[[:space:]]//g; /^$/d; s/^debhelper-compat$/debhelper/')
want=$(printf '%s\n' $want $build_tools | sort -u)
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/debian/changelog")
binpkgs=$(sed -n 's/^Package: *//p' "$control")
if [ -n "$want" ] && [ -n "$version" ] && [ -n "$binpkgs" ]; then
	pass "debian/: $(wc -l <<<"$want") build packages, version $version, packages $(tr '\n' ' ' <<<"$binpkgs")"
else
	fail "cannot read Build-Depends, the version or the packages from debian/"
fi

# doc_lines FILE: the indented command lines of FILE, continuations joined.
doc_lines() {
	awk '/^    / { sub(/^    /, ""); line = line $0
		if (line ~ /\\$/) { sub(/\\$/, "", line); next }
		print line; line = "" }' "$1"
}

for doc in README.md docs/packaging.md; do
	lines=$(doc_lines "$top/$doc")
	bd=$(grep -m 1 '^sudo apt-get install -y build-essential ' <<<"$lines")
	if [ -z "$bd" ]; then
		fail "$doc: no 'sudo apt-get install -y build-essential ...' line"
		continue
	fi
	got=$(sed 's/#.*//; s/^sudo apt-get install -y //' <<<"$bd" | tr -s ' ' '\n' | sed '/^$/d' | sort -u)
	missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got") | tr '\n' ' ')
	extra=$(comm -13 <(printf '%s\n' "$want") <(printf '%s\n' "$got") | tr '\n' ' ')
	if [ -z "$missing" ] && [ -z "$extra" ]; then
		pass "$doc: the build dependencies line is Build-Depends plus $build_tools"
	else
		fail "$doc: the build dependencies line lacks [${missing% }] and has more [${extra% }]"
	fi
	if grep -q '^dpkg-buildpackage -us -uc -b\( \|$\)' <<<"$lines"; then
		pass "$doc: dpkg-buildpackage -us -uc -b"
	else
		fail "$doc: no 'dpkg-buildpackage -us -uc -b' line"
	fi
	for p in $binpkgs; do
		deb="../${p}_${version}_\$(dpkg --print-architecture).deb"
		if grep -qxF "sudo apt-get install $deb" <<<"$(sed 's/[[:space:]]*#.*//' <<<"$lines")"; then
			pass "$doc: sudo apt-get install $deb"
		else
			fail "$doc: no 'sudo apt-get install $deb' line"
		fi
	done
	fixed=$(grep -E '\.deb' <<<"$lines" | grep -E '_(amd64|arm64|armhf|i386|ppc64el|s390x|riscv64)\.deb')
	if [ -z "$fixed" ]; then
		pass "$doc: no .deb named with a fixed architecture"
	else
		fail "$doc: a fixed architecture: $fixed"
	fi
done

printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"
[ "$failed" = 0 ]
