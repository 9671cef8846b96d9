#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-image.sh - the systemd guest: a Debian 12 root file system made by
# mmdebstrap from the Debian archive, with the packages this project builds
# installed into it the way an operator installs them (dpkg -i): the
# patched kernel (make kernel-deb) and oomx (make deb).
#
#   $OOMX_CACHE/images/bookworm-KEY.tar   the base system, built once per
#                                          package list (KEY hashes it)
#   $OOMX_BUILD/guest/root.ext4           base + our packages + the test's
#                                          files, made fresh each time
#   $OOMX_BUILD/guest/vmlinuz             the kernel the image's /boot holds
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What the operator's node has besides Debian's minimal base: systemd as
# init, udev for the disk, the system bus (systemd-run --wait needs it),
# what the test reads its results with, and what
# oomx.deb depends on (apt would pull libelf1 in; dpkg -i does not).
BASE_PACKAGES=systemd-sysv,udev,dbus,procps,jq,kmod,libelf1
SUITE=bookworm
IMAGE_RECIPE=1

usage()
{
	cat <<USAGE
Usage: $(basename "$0") [--base-only] [--help]

Build the systemd guest's disk, $OOMX_BUILD/guest/root.ext4, from the cached
Debian $SUITE base (built with mmdebstrap when its package list changed) and
the packages $OOMX_BUILD/oomx.deb and the kernel's linux-image .deb. Needs
root. OOMX_DEBIAN_MIRROR=URL picks the mirror (default deb.debian.org).
  --base-only  only make sure the cached base exists
USAGE
}

base_only=0
case "${1:-}" in
--base-only) base_only=1 ;;
-h|--help) usage; exit 0 ;;
'') ;;
*) usage >&2; die "unknown argument '$1'" "see --help" ;;
esac
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing" "run 'make deps'"
command -v mke2fs >/dev/null || die "mke2fs is missing" "run 'make deps'"
[ "$(id -u)" -eq 0 ] || die "building the guest image needs root (chroot, dpkg -i, device nodes)" \
	"run it as root"
# the Debian mirror mmdebstrap uses (default: its own, deb.debian.org)
mirror=${OOMX_DEBIAN_MIRROR:-}

key=$(printf '%s\n' "$SUITE" "$BASE_PACKAGES" "recipe $IMAGE_RECIPE" "$mirror" | sha256sum | cut -c1-16)
base=$OOMX_CACHE/images/$SUITE-$key.tar
mkdir -p "$OOMX_CACHE/images"
if [ ! -s "$base" ]; then
	stage "building the Debian $SUITE base with mmdebstrap ($BASE_PACKAGES)"
	# shellcheck disable=SC2086
	mmdebstrap --variant=minbase --format=tar --include="$BASE_PACKAGES" "$SUITE" "$base.tmp" $mirror \
		>"$OOMX_CACHE/images/mmdebstrap.log" 2>&1 ||
		die "mmdebstrap failed (log: $OOMX_CACHE/images/mmdebstrap.log)" \
			"check that the Debian archive is reachable (apt-get update)"
	mv "$base.tmp" "$base"
	info "base: $base ($(du -h "$base" | cut -f1))"
fi
[ $base_only -eq 1 ] && exit 0

# ------------------------------------------------------------------ disk ---
kdeb=$OOMX_BUILD/linux-image.deb
odeb=$OOMX_BUILD/oomx.deb
hog=$OOMX_BUILD/selftests/hog
for f in "$kdeb" "$odeb" "$hog"; do
	[ -r "$f" ] || die "$f is missing" "run 'make kernel-deb deb selftests' first"
done
out=$OOMX_BUILD/guest
mkdir -p "$out"
root=$(mktemp -d "$out/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
stage "assembling the guest: base + $(basename "$(readlink -f "$kdeb")") + $(basename "$(readlink -f "$odeb")")"
tar -C "$root" -xf "$base"
cp "$kdeb" "$root/tmp/linux-image.deb"
cp "$odeb" "$root/tmp/oomx.deb"
# as an operator would: dpkg -i, then enable the units
chroot "$root" dpkg -i /tmp/linux-image.deb /tmp/oomx.deb >"$out/dpkg.log" 2>&1 ||
	die "dpkg -i in the guest failed (log: $out/dpkg.log)"
chroot "$root" systemctl enable oomx.service oomx-watch.service >>"$out/dpkg.log" 2>&1 ||
	die "systemctl enable oomx oomx-watch in the guest failed (log: $out/dpkg.log)"
rm -f "$root/tmp/linux-image.deb" "$root/tmp/oomx.deb"

# the node: a root on the virtio disk, a hostname, the test's files
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo oomx-guest >"$root/etc/hostname"
install -m 0755 "$hog" "$root/usr/local/bin/hog"
cp -r "$OOMX_ROOT/selftests/guest/files/." "$root/"
chroot "$root" systemctl enable db.service oomx-guest-test.service >>"$out/dpkg.log" 2>&1 ||
	die "cannot enable the guest's test unit (log: $out/dpkg.log)"
cp "$(ls "$root"/boot/vmlinuz-* | head -n 1)" "$out/vmlinuz"

rm -f "$out/root.ext4"
mke2fs -q -t ext4 -L root -d "$root" "$out/root.ext4" 1G ||
	die "mke2fs could not make $out/root.ext4"
info "guest disk: $out/root.ext4, kernel: $out/vmlinuz"
