#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# second-kill.sh - how often a memcg OOM kills a second task while its first
# victim exits: SCENES consecutive memcg OOM scenes that each need exactly
# one kill, in one VM boot, on the oomx kernel and on the unpatched 6.12
# (same source and configuration, no series). See docs/oom/selection.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") [--scenes N] [--kernel oomx|unpatched|FILE]... [--policy NAME]

Run N (default 200) memcg OOM scenes (selftests/vm/lib.sh's A/B/C scene:
one kill needed) in one VM boot per kernel, and print the kills per scene.

  --scenes N     scenes per kernel (default 200)
  --kernel K     oomx (the last 'make kernel'), unpatched (built with
                 'scripts/build-kernel.sh --unpatched' if missing) or a
                 bzImage path; repeat to compare (default: unpatched, oomx)
  --policy NAME  on the oomx kernel, run 'oomx run NAME' during the scenes
  --out DIR      keep each kernel's per-scene log in DIR (default build/second-kill)
  --scene "A B C LIMIT D"  MiB of A, B, C, the cgroup limit and D's MiB
                 (default "30 20 12 80M 24"; "44 28 16 100M 16" is the VM
                 tests' A/B/C scene)

Needs 'make kernel tools oomx selftests'. About 1.5 s per scene under TCG.
EOF
}

scenes=200 kernels=() policy= outdir=$OOMX_ROOT/build/second-kill scene="30 20 12 80M 24"
while [ $# -gt 0 ]; do
	case "$1" in
	--scenes) scenes=${2:?--scenes needs a number}; shift 2 ;;
	--kernel) kernels+=("${2:?--kernel needs a value}"); shift 2 ;;
	--policy) policy=${2:?--policy needs a name}; shift 2 ;;
	--out) outdir=${2:?--out needs a directory}; shift 2 ;;
	--scene) scene=${2:?--scene needs "A B C LIMIT D"}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" "see --help" ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(unpatched oomx)
read -r s_a s_b s_c s_limit s_d <<<"$scene"
[ -n "$s_d" ] || die "--scene wants five values, 'A B C LIMIT D', not '$scene'"
mkdir -p "$outdir"

image()
{
	case "$1" in
	oomx)
		load_kernel_state
		echo "$BZIMAGE" ;;
	unpatched)
		OOMX_KERNEL_STATE=unpatched
		if [ ! -r "$(kernel_state_file)" ]; then
			"$OOMX_ROOT/scripts/build-kernel.sh" --unpatched >&2
		fi
		load_kernel_state
		echo "$BZIMAGE" ;;
	*)
		[ -r "$1" ] || die "no kernel image '$1'" "pass oomx, unpatched or a bzImage path"
		echo "$1" ;;
	esac
}

printf '%-12s %7s %5s %5s %5s %9s\n' kernel scenes one two more d_killed
for k in "${kernels[@]}"; do
	img=$(image "$k")
	name=$(basename "$k")
	env=(-e OOMX_BUILD="$OOMX_BUILD" -e SK_SCENES="$scenes" -e SK_MB="$s_a $s_b $s_c"
		-e SK_LIMIT="$s_limit" -e SK_D="$s_d")
	[ -n "$policy" ] && [ "$k" != unpatched ] && env+=(-e SK_POLICY="$policy") && name=$name+$policy
	log=$outdir/$name.log
	"$OOMX_ROOT/scripts/oomx-vm" -q -k "$img" -m 512M -t $((scenes * 10 + 120)) \
		-l "$outdir/$name.console.log" -o "$log" "${env[@]}" -- bash scripts/second-kill-guest.sh ||
		die "the run on $k failed (console: $outdir/$name.console.log)"
	set -- $(grep '^scenes ' "$log")
	printf '%-12s %7s %5s %5s %5s %9s\n' "$name" "$2" "$4" "$6" "$8" "${10}"
done
