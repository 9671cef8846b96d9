#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-series.sh - the review gate for kernel/patches: every patch passes
# scripts/checkpatch.pl --strict, and every prefix of the series builds
# without a compiler warning in the files it recompiles.
#
# The prefixes are built in their own worktree and build directory
# ($OOMX_CACHE/src/check-series, $OOMX_CACHE/build/check-series), so the
# kernel 'make kernel' built stays usable (VM tests can run meanwhile).
# The first run is a full build; later runs recompile only what differs
# between consecutive prefixes. The whole series is built by 'make kernel'
# in the main tree at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h|--help)
	echo "Usage: $(basename "$0")"
	echo "checkpatch --strict every patch in kernel/patches/series, then build every prefix."
	exit 0 ;;
esac

"$OOMX_ROOT/scripts/build-kernel.sh" >/dev/null
load_kernel_state
patch_dir=$OOMX_ROOT/kernel/patches
mapfile -t patches < <(grep -v -e '^#' -e '^$' "$patch_dir/series")
failed=0

stage "checkpatch --strict on ${#patches[@]} patch(es)"
for p in "${patches[@]}"; do
	if out=$("$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet "$patch_dir/$p" 2>&1); then
		info "clean: $p"
	else
		info "NOT CLEAN: $p"
		echo "$out" | sed 's/^/        /'
		failed=$((failed + 1))
	fi
done

# Every proper prefix; the whole series is built by build-kernel.sh below.
# One commit per patch, made once in a scratch worktree; each prefix is then
# a checkout of its commit in the check worktree, which rewrites only the
# files that differ from the previous prefix, so make rebuilds as little as
# the series allows.
wt=$OOMX_CACHE/src/.check.$$
ct=$OOMX_CACHE/src/check-series
co=$OOMX_CACHE/build/check-series
cleanup()
{
	tree_git "$KSRC" worktree remove --force "$wt" >/dev/null 2>&1
	rm -rf "$wt"
}
trap cleanup EXIT
tree_git "$KSRC" worktree prune
tree_git "$KSRC" worktree add -q --detach "$wt" pristine
commits=()
for p in "${patches[@]}"; do
	tree_git "$wt" am -q "$patch_dir/$p" ||
		die "$p does not apply" "run 'make kernel' for the failing hunk"
	commits+=("$(tree_git "$wt" rev-parse HEAD)")
done
if ! tree_git "$ct" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$ct"
	tree_git "$KSRC" worktree add -q --detach "$ct" pristine
fi
mkdir -p "$co"

for ((k = 1; k < ${#patches[@]}; k++)); do
	stage "building with patches 1..$k of ${#patches[@]} (up to ${patches[k - 1]})"
	tree_git "$ct" checkout -q --detach "${commits[k - 1]}"
	# the test kernel's config; symbols a prefix does not know yet drop out
	cmp -s "$KOUT/.config" "$co/.config.oomx" || cp "$KOUT/.config" "$co/.config.oomx"
	cp "$co/.config.oomx" "$co/.config"
	if kmake "$ct" "$co" olddefconfig >"$co/prefix-$k.log" 2>&1 &&
		kmake "$ct" "$co" -j"$(nproc)" bzImage >>"$co/prefix-$k.log" 2>&1 &&
		! grep -q 'warning:' "$co/prefix-$k.log"; then
		info "builds: prefix $k ($(grep -c '^  CC' "$co/prefix-$k.log" || true) files recompiled)"
	else
		info "DOES NOT BUILD CLEANLY: prefix $k (log: $co/prefix-$k.log)"
		grep -E 'error|warning:' "$co/prefix-$k.log" | head -n 10 | sed 's/^/        /'
		failed=$((failed + 1))
	fi
done

stage "building the whole series (${#patches[@]} patch(es))"
if "$OOMX_ROOT/scripts/build-kernel.sh" >/dev/null; then
	info "builds: the whole series"
else
	failed=$((failed + 1))
fi

if [ $failed -gt 0 ]; then
	die "$failed check(s) failed" "fix the patches named above"
fi
stage "all ${#patches[@]} patch(es) are checkpatch-clean and every prefix builds"
