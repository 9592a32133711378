#!/bin/bash
# resolv-conf-records.sh OUT: the foreign_option_N loop of Debian's
# /etc/openvpn/update-resolv-conf, verbatim in behaviour, writing the records
# it would give "resolvconf -a" to OUT instead, so tests can check that such
# helpers understand vpnc's environment without touching the system's DNS.
out="$1"
[ "$script_type" ] || exit 1
[ "$dev" ] || exit 1
split_into_parts()
{
	part1="$1"
	part2="$2"
	part3="$3"
}
NMSRVRS=""
SRCHS=""
foreign_options=$(printf '%s\n' ${!foreign_option_*} | /usr/bin/sort -t _ -k 3 -g)
for optionvarname in ${foreign_options} ; do
	option="${!optionvarname}"
	split_into_parts $option
	if [ "$part1" = "dhcp-option" ] ; then
		if [ "$part2" = "DNS" ] ; then
			NMSRVRS="${NMSRVRS:+$NMSRVRS }$part3"
		elif [ "$part2" = "DOMAIN" ] ; then
			SRCHS="${SRCHS:+$SRCHS }$part3"
		fi
	fi
done
R=""
[ "$SRCHS" ] && R="search $SRCHS
"
for NS in $NMSRVRS ; do
	R="${R}nameserver $NS
"
done
printf "%s" "$R" >"$out"
