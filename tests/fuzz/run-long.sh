#!/bin/bash
# run-long.sh: runs libFuzzer targets for longer than CI does, and grows the
# seed corpus in the repository with what they found (docs/fuzzing.md).
#
# Usage: tests/fuzz/run-long.sh [-t SECONDS] [-j JOBS] [--no-merge] all|TARGET...
#   -t SECONDS   time per target (default 600)
#   -j JOBS      parallel fuzzing processes per target (default 1)
#   --no-merge   leave tests/fuzz/corpus/ alone
# Builds build-fuzz/ (clang, -DVPNC_FUZZ=ON) if needed. Each target fuzzes into
# build-fuzz/fuzz-long/TARGET/ (its work corpus, kept between runs), starting
# from that and the seed corpus. Afterwards the inputs that add coverage are
# merged into tests/fuzz/corpus/TARGET/ (libFuzzer -merge=1: only new coverage
# is kept, so the seeds stay small); commit them. A crash stops that target,
# keeps the input as build-fuzz/fuzz-long/crash-TARGET-*, and makes the exit
# status 1; reproduce with: build-fuzz/tests/TARGET FILE.
set -u -o pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=600
jobs=1
merge=1
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	-t) secs=${2:?}; shift 2 ;;
	-j) jobs=${2:?}; shift 2 ;;
	--no-merge) merge=0; shift ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	*) targets+=("$1"); shift ;;
	esac
done
[ ${#targets[@]} -eq 0 ] && { sed -n '2,17p' "$0"; exit 2; }
case "$secs$jobs" in *[!0-9]*) echo "run-long: -t and -j take numbers" >&2; exit 2 ;; esac

bdir=$root/build-fuzz
if [ ! -f "$bdir/CMakeCache.txt" ]; then
	CC=clang cmake -S "$root" -B "$bdir" -DCMAKE_C_COMPILER=clang -DVPNC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
fi
cmake --build "$bdir" -j"$(nproc)" >/dev/null || { echo "run-long: the fuzz build failed" >&2; exit 1; }

if [ "${targets[0]}" = all ]; then
	targets=()
	for f in "$root"/tests/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

status=0
out=$bdir/fuzz-long
mkdir -p "$out"
for t in "${targets[@]}"; do
	bin=$bdir/tests/$t
	seeds=$root/tests/fuzz/corpus/$t
	if [ ! -x "$bin" ]; then
		echo "run-long: no fuzz target '$t'" >&2
		status=1
		continue
	fi
	mkdir -p "$out/$t" "$seeds"
	before=$(find "$seeds" -type f | wc -l)
	echo "run-long: $t for ${secs}s ($jobs job(s))"
	if ! (cd "$out" && "$bin" -max_total_time="$secs" -timeout=10 -jobs="$jobs" -workers="$jobs" \
		-artifact_prefix="$out/crash-$t-" -print_final_stats=1 "$out/$t" "$seeds" \
		>"$out/$t.log" 2>&1); then
		echo "run-long: $t FAILED; see $out/$t.log and $out/crash-$t-*"
		status=1
		continue
	fi
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$out/$t.log" | sed "s/^/  /"
	if [ $merge = 1 ]; then
		# Edge coverage only (no hit counters): a few inputs per new branch, not one per loop count.
		"$bin" -merge=1 -use_counters=0 "$seeds" "$out/$t" >"$out/$t.merge.log" 2>&1 || {
			echo "run-long: merging $t's corpus failed; see $out/$t.merge.log"
			status=1
			continue
		}
		echo "  seed corpus: $before -> $(find "$seeds" -type f | wc -l) inputs (tests/fuzz/corpus/$t)"
	fi
done
exit $status
