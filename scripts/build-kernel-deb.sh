#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel-deb.sh - the kernel 'make kernel' built, as the Debian package
# an operator installs: the kernel tree's own bindeb-pkg target, run in the
# same output directory (nothing is rebuilt). Writes
# $OOMX_BUILD/linux-image.deb, a link to the package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h|--help) echo "Usage: $(basename "$0")   (run through 'make kernel-deb', after 'make kernel')"; exit 0 ;;
'') ;;
*) die "unknown argument '$1'" "see --help" ;;
esac
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage is missing" "run 'make deps'"
load_kernel_state
# one package version per build key, so that a rebuilt kernel is an upgrade
version="$KVER-1+oomx.$(echo "$KEY" | awk -F- '{print substr($(NF-1), 1, 8) substr($NF, 1, 8)}')"
dir=$(dirname "$KOUT")
deb=$(find "$dir" -maxdepth 1 -name "linux-image-${KVER}*_${version}_*.deb" | head -n 1)
if [ -z "$deb" ]; then
	stage "packaging kernel $KVER as $version (bindeb-pkg)"
	rm -f "$dir"/linux-image-"$KVER"*.deb "$dir"/linux-libc-dev_*.deb "$dir"/linux-headers-*.deb
	kmake "$KSRC" "$KOUT" -j"$(nproc)" KDEB_PKGVERSION="$version" DPKG_FLAGS=-d \
		bindeb-pkg >"$KOUT/bindeb-pkg.log" 2>&1 ||
		die "bindeb-pkg failed (log: $KOUT/bindeb-pkg.log)" "run 'make deps' and 'make kernel', then retry"
	deb=$(find "$dir" -maxdepth 1 -name "linux-image-${KVER}*_${version}_*.deb" | head -n 1)
	[ -n "$deb" ] || die "bindeb-pkg made no linux-image package in $dir (log: $KOUT/bindeb-pkg.log)"
fi
mkdir -p "$OOMX_BUILD"
ln -sfn "$deb" "$OOMX_BUILD/linux-image.deb"
info "$deb"
