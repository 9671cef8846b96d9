#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fault-matrix.sh - every way a policy can misbehave, one OOM each, in the VM
# (selftests/vm/oom-ext-errors.sh, which 'make test' also runs), and the table
# of what the kernel did: the exit kind, reason and message of each case.
# Needs 'make kernel tools oomx selftests'.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h|--help)
	echo "Usage: $(basename "$0")"
	echo "Run the oom_ext fault matrix in the VM and print its table."
	exit 0 ;;
'') ;;
*) die "unknown argument '$1'" "see --help" ;;
esac

out=$OOMX_BUILD/fault-matrix.out
rc=0
"$OOMX_ROOT/scripts/oomx-vm" -q -m 512M -t 600 -l "$OOMX_BUILD/fault-matrix.console.log" -o "$out" \
	-e OOMX_BUILD="$OOMX_BUILD" -e OOMX_TOOLS="$OOMX_CACHE/tools/current" \
	-- bash selftests/vm/oom-ext-errors.sh || rc=$?
if [ $rc -ne 0 ]; then
	grep -E '^FAIL' "$out" >&2 || true
	die "the fault matrix failed (exit $rc; output: $out, console: $OOMX_BUILD/fault-matrix.console.log)"
fi
sed -n '/^fault matrix:/,$p' "$out"
