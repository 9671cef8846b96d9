#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh - hundreds of OOMs in a row on the test kernel (lockdep on), under
# each built-in policy and under none: exactly one kill per OOM, one kill
# event per kill, no event lost, no kernel splat, no hang. The scenes are
# scripts/soak-guest.sh's; 'make test' runs a short version
# (selftests/vm/oom-soak.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") [--scenes N] [--policies "none default ..."] [--global-every K]

  --scenes N         OOMs per policy (default 500)
  --policies LIST    default: "none default priority pressure"
  --global-every K   every K-th OOM is global, the others memcg (default 5)

One VM boot for everything (256 MiB guest). About 3.5 s an OOM under TCG,
about 30 minutes per setup alone: the default run takes about two hours.
Run it alone: a busy host starves the emulated CPUs (docs/platform.md).
Needs 'make kernel tools oomx selftests'.
EOF
}

scenes=500 policies="none default priority pressure" every=5
while [ $# -gt 0 ]; do
	case "$1" in
	--scenes) scenes=${2:?--scenes needs a number}; shift 2 ;;
	--policies) policies=${2:?--policies needs a list}; shift 2 ;;
	--global-every) every=${2:?--global-every needs a number}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" "see --help" ;;
	esac
done
n=$(wc -w <<<"$policies")
out=$OOMX_BUILD/soak.out
rc=0
"$OOMX_ROOT/scripts/oomx-vm" -q -m 256M -t $((n * scenes * 6 + 300)) \
	-l "$OOMX_BUILD/soak.console.log" -o "$out" \
	-e OOMX_BUILD="$OOMX_BUILD" -e SOAK_SCENES="$scenes" -e SOAK_POLICIES="$policies" \
	-e SOAK_GLOBAL_EVERY="$every" -- bash scripts/soak-guest.sh || rc=$?
grep '^soak ' "$out" || true
case $rc in
0) echo "soak: passed (no splat, no hang; console: $OOMX_BUILD/soak.console.log)" ;;
124) die "soak: the VM timed out (a hang?); console: $OOMX_BUILD/soak.console.log" ;;
126) die "soak: the kernel log has a splat; console: $OOMX_BUILD/soak.console.log" ;;
*) grep '^FAIL' "$out" >&2 || true; die "soak: failed (exit $rc); output: $out" ;;
esac
