#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# export-series.sh - write the commits of a kernel branch on top of the
# pristine tag into kernel/patches (one file per commit) and regenerate
# kernel/patches/series. The way to change the series: edit the commits in a
# clone or worktree of the cached tree (git rebase -i pristine), then export.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") TREE [REV]

Export pristine..REV (default HEAD) of the kernel git tree TREE into
kernel/patches and kernel/patches/series, replacing the patches there.
EOF
}

case "${1:-}" in
''|-h|--help) usage; [ $# -ge 1 ]; exit ;;
esac
tree=$1 rev=${2:-HEAD}
git -C "$tree" rev-parse -q --verify pristine >/dev/null ||
	die "$tree has no 'pristine' tag" "pass a tree made by scripts/build-kernel.sh, or a clone of one"
n=$(git -C "$tree" rev-list --count "pristine..$rev")
[ "$n" -gt 0 ] || die "pristine..$rev of $tree has no commits" "commit the patches first"

dir=$OOMX_ROOT/kernel/patches
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" format-patch -q --no-signature --zero-commit -o "$tmp" "pristine..$rev"
rm -f "$dir"/[0-9][0-9][0-9][0-9]-*.patch
{
	echo "# The oomx kernel series, applied in this order to Debian's linux-source-6.12"
	echo "# by scripts/build-kernel.sh (git am). One patch per line; '#' starts a comment."
	for p in "$tmp"/*.patch; do
		mv "$p" "$dir/"
		basename "$p"
	done
} >"$dir/series"
info "exported $n patch(es) from $tree to kernel/patches"
