#!/bin/bash
# check_layers.sh: keeps the library's layering as docs/architecture.md
# ("Public API and shared internal headers") states it:
#  - src/core includes only src/core and include/vpnc headers (the sans-I/O
#    core knows nothing of the daemon, the OS or the config reader);
#  - outside src/core, the product (src/config, src/daemon, src/control,
#    src/priv, src/os, contrib) includes only the core/ headers that table lists.
# Usage: check_layers.sh SOURCE_DIR. Exit 0 when both hold, else 1 with each
# offending file:line.
set -u -o pipefail

root=${1:?usage: check_layers.sh SOURCE_DIR}
doc=$root/docs/architecture.md
bad=0

# The shared headers: `src/core/X.h` in the first column of the section's table.
allowed=$(awk '/^## Public API and shared internal headers/ { on = 1; next }
	/^## / { on = 0 }
	on && /^\| `src\/core\/[a-z0-9_]+\.h`/ { sub(/^\| `src\//, ""); sub(/`.*/, ""); print }' "$doc")
if [ -z "$allowed" ]; then
	echo "check_layers: no shared-header table found in $doc"
	exit 1
fi

while IFS= read -r hit; do
	[ -z "$hit" ] && continue
	inc=${hit#*#include \"}
	inc=${inc%%\"*}
	case "$inc" in core/* | vpnc/*) ;; *)
		echo "check_layers: src/core includes a header outside the core: $hit"
		bad=1
		;;
	esac
done < <(grep -rn '#include "' "$root/src/core" | sed "s|^$root/||")

while IFS= read -r hit; do
	[ -z "$hit" ] && continue
	inc=${hit#*#include \"}
	inc=${inc%%\"*}
	if ! grep -qxF "$inc" <<<"$allowed"; then
		echo "check_layers: $hit: $inc is the engine's own (docs/architecture.md lists the shared ones)"
		bad=1
	fi
done < <(grep -rn '#include "core/' "$root/src/config" "$root/src/daemon" "$root/src/control" \
	"$root/src/priv" "$root/src/os" "$root/contrib" 2>/dev/null | sed "s|^$root/||")

[ "$bad" = 0 ] && echo "check_layers: ok ($(wc -l <<<"$allowed") shared core headers)"
exit "$bad"
