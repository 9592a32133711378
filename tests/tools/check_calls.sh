#!/bin/bash
# check_calls.sh: keeps the call graph of src/core as docs/architecture.md
# ("Calls between the engine's files") states it:
#  - no call cycle between two src/core files (A calls into B, and B, directly
#    or through others, back into A), except the pairs listed in ALLOWED below;
#  - nothing in src/core calls into engine.c: it drives the engine's files,
#    they never drive it;
#  - the section's list of which engine file calls which (engine_event.c
#    left out as a callee: every one calls it) is what the code does, and
#    names every engine*.c file.
# The graph is read from the built library with nm: file A calls into file B
# when A's object needs a global function B's object defines. Data (a shared
# constant string) is not a call and is left out.
# Usage: check_calls.sh LIBRARY SOURCE_DIR. Exit 0 when all three hold, else 1
# with each cycle (and its direct calls), each call into engine.c and each
# line of the list that the code does not match.
set -u -o pipefail

lib=${1:?usage: check_calls.sh LIBRARY SOURCE_DIR}
root=${2:?usage: check_calls.sh LIBRARY SOURCE_DIR}

# One module in two files, on purpose: the CBC path (dc_cbc.c) ends with the
# compression framing both ciphers share (datachan.c), which hands CBC packets
# to dc_cbc.c; both halves are declared in dc_int.h.
ALLOWED="datachan.c dc_cbc.c"

core=$(cd "$root/src/core" && ls -- *.c) || exit 1
# "caller callee symbol" for each call from one src/core file into another.
calls=$(nm -A "$lib" 2>/dev/null | awk -v core="$core" '
	BEGIN { n = split(core, f, "\n"); for (i = 1; i <= n; i++) is_core[f[i] ".o"] = 1 }
	{
		split($1, part, ":")
		m = part[2]
		if (!(m in is_core))
			next
		type = $(NF - 1)
		sym = $NF
		if (type == "U")
			uses[m, sym] = 1
		else if (type == "T")
			def[sym] = m
	}
	END {
		for (k in uses) {
			split(k, a, SUBSEP)
			if ((a[2] in def) && def[a[2]] != a[1])
				print a[1], def[a[2]], a[2]
		}
	}' | sed 's/\.c\.o /.c /g' | sort)
if ! grep -q '^engine\.c ' <<<"$calls"; then
	echo "check_calls: no calls from engine.c found in $lib (not the vpnc_core library, or built without symbols)"
	exit 1
fi

bad=0
while IFS= read -r hit; do
	[ -z "$hit" ] && continue
	echo "check_calls: $hit: nothing in src/core calls into engine.c (it drives the others)"
	bad=1
done < <(awk '$2 == "engine.c"' <<<"$calls")

# The documented list: "FILE -> A, B" or "FILE -> none" lines in the code block of the section.
doc=$root/docs/architecture.md
listed=$(awk '/^## Calls between the engine.s files/ { on = 1; next }
	/^## / { on = 0 }
	on && /^```/ { block = !block; next }
	on && block && /^[a-z0-9_]+\.c +-> / {
		sub(/;.*/, "")
		out = $1 ":"
		for (i = 3; i <= NF; i++) { f = $i; sub(/,$/, "", f); if (f ~ /\.c$/) out = out " " f }
		print out
	}' "$doc")
if [ -z "$listed" ]; then
	echo "check_calls: no list of calls between the engine's files in $doc"
	exit 1
fi
engine_files=$(cut -d: -f1 <<<"$listed")
# The engine's files: those the list names on either side.
named=$(tr ': ' '\n\n' <<<"$listed" | grep -v '^$' | sort -u)
for f in $(cd "$root/src/core" && ls -- engine*.c); do
	grep -qxF "$f" <<<"$engine_files" || { echo "check_calls: $f is missing from the list in $doc"; bad=1; }
done
while IFS=: read -r f want; do
	have=$(awk -v f="$f" -v files="$named" '
		BEGIN { n = split(files, a, "\n"); for (i = 1; i <= n; i++) eng[a[i]] = 1 }
		$1 == f && ($2 in eng) && $2 != "engine_event.c" { print $2 }' <<<"$calls" | sort -u | xargs)
	want=$(xargs -n1 <<<"$want" | sort -u | xargs)
	if [ "$have" != "$want" ]; then
		echo "check_calls: $doc lists $f -> ${want:-none}, but it calls ${have:-none}"
		bad=1
	fi
done <<<"$listed"

# Pairs of files that reach each other: the transitive closure of the file graph.
cycles=$(awk -v allowed="$ALLOWED" '
	{ node[$1] = 1; node[$2] = 1; reach[$1, $2] = 1 }
	END {
		na = split(allowed, al, " ")
		for (i = 1; i + 1 <= na; i += 2) {
			ok[al[i], al[i + 1]] = 1
			ok[al[i + 1], al[i]] = 1
		}
		for (k in node)
			for (i in node)
				if ((i, k) in reach)
					for (j in node)
						if ((k, j) in reach)
							reach[i, j] = 1
		for (i in node)
			for (j in node)
				if (i < j && ((i, j) in reach) && ((j, i) in reach) && !((i, j) in ok))
					print i, j
	}' <<<"$calls" | sort)
while IFS=' ' read -r a b; do
	[ -z "$a" ] && continue
	echo "check_calls: $a and $b call each other (directly, or through other files); the direct calls:"
	grep -E "^($a $b|$b $a) " <<<"$calls" | sed 's/^/check_calls:   /'
	bad=1
done <<<"$cycles"

[ "$bad" = 0 ] && echo "check_calls: ok ($(wc -l <<<"$calls") calls between src/core files, no cycle but $ALLOWED)"
exit "$bad"
