#!/bin/bash
# run-all.sh: the one test command (README "Testing", .ci/run). Installs the
# Debian packages the tests need first (contrib/install-deps.sh test).
#
# Usage: tests/run-all.sh [release] [asan] [fuzz]     (default: all three)
#
# release: Release build (-Werror) in build/, then every ctest test: unit
#          tests and the interop tests against stock OpenVPN.
# asan:    the same with -DVPNC_SANITIZE=ON (ASan+UBSan) in build-asan/.
# fuzz:    clang build with -DVPNC_FUZZ=ON in build-fuzz/, then each fuzzer
#          for a short time (ctest -L fuzz).
# VPNC_BUILD_PREFIX (default "build") names the build directories:
# <prefix>, <prefix>-asan, <prefix>-fuzz.
# The interop tests need root; without root they are skipped and said so.
# VPNC_CI=1 (set by .ci/run), or CI=true as CI services set it: a test that
# would skip for a missing package of contrib/install-deps.sh fails instead.
# A failing stage does not stop the others. The last line is
# "run-all: N passed, M failed", counting ctest tests and failed builds.
set -u -o pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
notes=""
bp=${VPNC_BUILD_PREFIX:-build}
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(release asan fuzz)

# The Debian packages the tests need (nothing happens when they are there;
# without root, a missing package is only named).
if [ "$(id -u)" = 0 ]; then
	"$root/contrib/install-deps.sh" test || { echo "run-all: installing the dependencies failed"; exit 1; }
else
	"$root/contrib/install-deps.sh" test || true
fi

ctest_select=()
if [ "$(id -u)" != 0 ]; then
	ctest_select=(-LE interop)
	notes="$notes; interop tests skipped (not root)"
	echo "run-all: WARNING: not root, the interop tests will be skipped"
fi

banner() { printf '\n===== %s =====\n' "$*"; }

# count_ctest LOG: adds the ctest totals found in LOG to passed/failed.
count_ctest() {
	local line total bad
	line=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		if grep -q 'No tests were found' "$1"; then
			notes="$notes; $2: no tests found"
			return 0
		fi
		echo "run-all: $2: no ctest summary"
		failed=$((failed + 1))
		return 0
	fi
	bad=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
	total=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
	passed=$((passed + total - bad))
	failed=$((failed + bad))
}

# build DIR NAME CMAKE-ARGS...: configure and build; a failure counts once.
build() {
	local dir=$1 name=$2
	shift 2
	banner "$name: configure and build in $dir"
	if cmake -S "$root" -B "$root/$dir" "$@" && cmake --build "$root/$dir" -j "$jobs"; then
		return 0
	fi
	echo "run-all: $name: BUILD FAILED"
	failed=$((failed + 1))
	return 1
}

# run_ctest DIR NAME CTEST-ARGS...: runs ctest and counts its results.
run_ctest() {
	local dir=$1 name=$2 log
	shift 2
	log="$root/$dir/run-all-ctest.log"
	banner "$name: ctest $*"
	ctest --test-dir "$root/$dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log"
	count_ctest "$log" "$name"
}

for stage in "${stages[@]}"; do
	case "$stage" in
	release)
		build "$bp" release -DCMAKE_BUILD_TYPE=Release &&
			run_ctest "$bp" release "${ctest_select[@]}"
		;;
	asan)
		export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
		export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
		build "$bp-asan" asan -DCMAKE_BUILD_TYPE=Debug -DVPNC_SANITIZE=ON &&
			run_ctest "$bp-asan" asan "${ctest_select[@]}"
		;;
	fuzz)
		if ! command -v clang >/dev/null 2>&1; then
			echo "run-all: fuzz: clang not found"
			failed=$((failed + 1))
			continue
		fi
		CC=clang build "$bp-fuzz" fuzz -DCMAKE_C_COMPILER=clang -DVPNC_FUZZ=ON &&
			run_ctest "$bp-fuzz" fuzz -L fuzz
		;;
	*)
		echo "run-all: unknown stage '$stage' (want release, asan, fuzz)"
		failed=$((failed + 1))
		;;
	esac
done

banner "summary ($SECONDS s)"
[ -n "$notes" ] && echo "run-all: notes: ${notes#; }"
echo "run-all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
