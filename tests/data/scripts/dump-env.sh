#!/bin/sh
# dump-env.sh OUT [ARGS...]: the script tests' probe. Appends its arguments
# (arg1=..., one per line) and its sorted environment to OUT, then a line
# "--". It uses absolute paths because vpnc, like OpenVPN, passes no PATH.
out="$1"
shift
{
	i=0
	for a in "$@"; do
		i=$((i + 1))
		printf 'arg%d=%s\n' "$i" "$a"
	done
	/usr/bin/env | /usr/bin/sort | /bin/grep -v -E '^(PWD|OLDPWD|SHLVL|_)='
	echo "--"
} >>"$out"
