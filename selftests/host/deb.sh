# SPDX-License-Identifier: GPL-2.0
# make deb: a Debian package dpkg accepts, with the installed files in
# their Debian places (/usr/sbin, /usr/lib/systemd/system, /usr/share/man),
# /etc/oomx as conffiles, dependencies on the libraries the loader links,
# and a loader that runs from the unpacked package.
set -u
rc=0
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail()
{
	echo "FAIL: $*"
	rc=1
}
command -v dpkg-deb >/dev/null || { echo "skip: no dpkg-deb"; exit 77; }
deb=$(make -s -o deps -o deps-build -o source -o kernel -o tools deb 2>"$d/err" | tail -n 1)
[ -f "$deb" ] || { cat "$d/err"; fail "make deb made no package"; exit 1; }
echo "ok: built $(basename "$deb")"
want='etc/oomx/default.conf
etc/oomx/oomx.env
etc/oomx/pressure.conf
etc/oomx/priority.conf
usr/lib/systemd/system/oomx-watch.service
usr/lib/systemd/system/oomx.service
usr/sbin/oomx
usr/share/doc/oomx/copyright
usr/share/man/man8/oomx.8.gz'
got=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {sub("^\\./", "", $6); print $6}' | sort)
[ "$got" = "$want" ] && echo "ok: the package's files" || fail "the package's files: $got"
[ "$(dpkg-deb -f "$deb" Package)" = oomx ] || fail "Package: $(dpkg-deb -f "$deb" Package)"
dep=$(dpkg-deb -f "$deb" Depends)
for p in libc6 libelf1 zlib1g; do
	grep -qw "$p" <<<"$dep" || fail "Depends lacks $p: $dep"
done
echo "ok: Depends: $dep"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$d/conffiles"
[ "$(cat "$d/conffiles")" = "$(grep '^etc/' <<<"$want" | sed 's|^|/|')" ] &&
	echo "ok: /etc/oomx files are conffiles" || fail "conffiles: $(cat "$d/conffiles")"
dpkg-deb -x "$deb" "$d/root"
"$d/root/usr/sbin/oomx" list | grep -q '^pressure ' && echo "ok: the packaged oomx runs" ||
	fail "the packaged oomx does not run"
grep -q '^ExecStart=/usr/sbin/oomx load --replace ' "$d/root/usr/lib/systemd/system/oomx.service" &&
	echo "ok: the packaged unit runs /usr/sbin/oomx" || fail "the packaged unit"
exit $rc
