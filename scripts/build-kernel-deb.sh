#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel-deb.sh - the kernel 'make kernel' built, as a Debian package,
# for the systemd guest: the kernel tree's own bindeb-pkg target, run in the
# same output directory (it relinks vmlinux and bzImage with the package's
# build version; nothing is recompiled). Writes $OOMX_BUILD/linux-image.deb,
# a link to the package. The test kernel boots QEMU's virtio disk only: it
# is not a kernel for a real machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h|--help) echo "Usage: $(basename "$0")   (run through 'make kernel-deb', after 'make kernel')"; exit 0 ;;
'') ;;
*) die "unknown argument '$1'" "see --help" ;;
esac
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage is missing" "run 'make deps'"
load_kernel_state
# one package version per build: the time build-kernel.sh finished it first
# (its key file; bindeb-pkg relinks bzImage, not that), so that a rebuilt
# kernel is an upgrade, then the build key
[ -f "$KOUT/.oomx-key" ] || die "no finished kernel build in $KOUT" "run 'make kernel'"
version="$KVER-1+oomx.$(stat -c %Y "$KOUT/.oomx-key").$(echo "$KEY" | awk -F- '{print substr($(NF-1), 1, 8)}')"
dir=$(dirname "$KOUT")
find_deb() { find "$dir" -maxdepth 1 -name "linux-image-${KVER}*_${version}_*.deb" ! -name '*-dbg_*' | head -n 1; }
deb=$(find_deb)
if [ -z "$deb" ]; then
	stage "packaging kernel $KVER as $version (bindeb-pkg)"
	rm -f "$dir"/linux-image-"$KVER"*.deb "$dir"/linux-libc-dev_*.deb "$dir"/linux-headers-*.deb
	kmake "$KSRC" "$KOUT" -j"$(nproc)" KDEB_PKGVERSION="$version" DPKG_FLAGS=-d \
		bindeb-pkg >"$KOUT/bindeb-pkg.log" 2>&1 ||
		die "bindeb-pkg failed (log: $KOUT/bindeb-pkg.log)" "run 'make deps' and 'make kernel', then retry"
	deb=$(find_deb)
	[ -n "$deb" ] || die "bindeb-pkg made no linux-image package in $dir (log: $KOUT/bindeb-pkg.log)"
fi
mkdir -p "$OOMX_BUILD"
ln -sfn "$deb" "$OOMX_BUILD/linux-image.deb"
info "$deb"
