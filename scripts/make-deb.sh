#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-deb.sh - build/oomx_VERSION_ARCH.deb from 'make install' into a
# staging tree: the loader in /usr/sbin, its man page, oomx.service in
# /usr/lib/systemd/system, /etc/oomx as conffiles (dpkg keeps an operator's
# edits on upgrade). The version is 0.N+gSHA, N the commit count.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h|--help) echo "Usage: $(basename "$0")   (run through 'make deb')"; exit 0 ;;
esac
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing" "install dpkg (Debian's package tools)"

cd "$OOMX_ROOT"
umask 022
n=$(git rev-list --count HEAD 2>/dev/null || echo 0)
sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
version=0.$n+g$sha
# a build of uncommitted changes must not pass for the commit
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || version=$version.dirty$(date +%s)
arch=$(dpkg --print-architecture)
stage_dir=$(mktemp -d "${TMPDIR:-/tmp}/oomx-deb.XXXXXX")
trap 'rm -rf "$stage_dir"' EXIT
chmod 0755 "$stage_dir"

make -s -o deps -o deps-build -o source -o kernel -o tools install DESTDIR="$stage_dir" \
	PREFIX=/usr UNITDIR=/usr/lib/systemd/system SYSCONFDIR=/etc >/dev/null ||
	die "make install into the staging tree failed" "run 'make oomx' and retry"
gzip -9n "$stage_dir/usr/share/man/man8/oomx.8"

# the shared libraries the loader links, by the packages that ship them
deps=$(ldd "$stage_dir/usr/sbin/oomx" | awk '$3 ~ /^\// {print $3}' |
	while read -r lib; do dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" || true; done |
	cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
# built against this glibc: no older one will do
glibc=$(dpkg-query -W -f='${Version}' libc6 | sed 's/-.*//')
deps=$(sed "s/\blibc6\b/libc6 (>= $glibc)/" <<<"$deps")
[ -n "$deps" ] || die "cannot tell which packages the loader's libraries come from"

mkdir -p "$stage_dir/DEBIAN"
cat >"$stage_dir/DEBIAN/control" <<CTRL
Package: oomx
Version: $version
Architecture: $arch
Maintainer: oomx developers <oomx@localhost>
Depends: $deps
Section: admin
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage_dir" | cut -f1)
Description: BPF-programmable OOM killer policies (oom_ext)
 oomx attaches a BPF policy to the Linux OOM killer through oom_ext, the
 struct_ops interface of the oomx kernel series, and explains every kill.
 Built-in policies: default, priority, pressure. Needs a kernel with the
 oom_ext series; 'oomx check' says what is missing.
CTRL
(cd "$stage_dir" && find etc -type f | sed 's|^|/|' | sort) >"$stage_dir/DEBIAN/conffiles"
cat >"$stage_dir/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null || true
fi
SH
mkdir -p "$stage_dir/usr/share/doc/oomx"
cat >"$stage_dir/usr/share/doc/oomx/copyright" <<'TXT'
oomx - BPF-programmable OOM killer policies (oom_ext)
License: GPL-2.0 (SPDX-License-Identifier: GPL-2.0); on Debian systems the
full text is in /usr/share/common-licenses/GPL-2.
TXT
cat >"$stage_dir/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
	rm -f /etc/systemd/system/basic.target.wants/oomx.service \
		/etc/systemd/system/basic.target.wants/oomx-watch.service
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null || true
fi
SH
cat >"$stage_dir/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	systemctl stop oomx-watch.service oomx.service >/dev/null 2>&1 || true
fi
SH
chmod 0755 "$stage_dir/DEBIAN/postinst" "$stage_dir/DEBIAN/prerm" "$stage_dir/DEBIAN/postrm"
out=$OOMX_BUILD/oomx_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage_dir" "$out" >/dev/null ||
	die "dpkg-deb failed" "see the message above"
ln -sfn "$(basename "$out")" "$OOMX_BUILD/oomx.deb"
echo "$out"
