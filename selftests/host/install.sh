# SPDX-License-Identifier: GPL-2.0
# make install into a DESTDIR: the binary runs, the man page renders, the
# systemd unit points at the installed binary and passes systemd's own
# check when systemd-analyze is there, configuration files are installed
# once and never overwritten.
set -u
rc=0
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

fail()
{
	echo "FAIL: $*"
	rc=1
}

inst()
{
	make -s -o deps -o deps-build -o source -o kernel -o tools install DESTDIR="$d" PREFIX=/opt/oomx >"$d.log" 2>&1 ||
		{ cat "$d.log"; fail "make install failed"; }
}
inst
for f in opt/oomx/sbin/oomx opt/oomx/share/man/man8/oomx.8 opt/oomx/lib/systemd/system/oomx.service \
	opt/oomx/lib/systemd/system/oomx-watch.service etc/oomx/oomx.env etc/oomx/default.conf etc/oomx/priority.conf etc/oomx/pressure.conf; do
	[ -e "$d/$f" ] && echo "ok: installed /$f" || fail "/$f was not installed"
done
"$d/opt/oomx/sbin/oomx" list | grep -q '^default ' && echo "ok: the installed oomx runs" ||
	fail "the installed oomx does not run"
grep -q '^ExecStart=/opt/oomx/sbin/oomx load --replace ' "$d/opt/oomx/lib/systemd/system/oomx.service" &&
	echo "ok: the unit runs the installed binary" || fail "oomx.service: $(grep Exec "$d/opt/oomx/lib/systemd/system/oomx.service")"
if command -v man >/dev/null && man -l "$d/opt/oomx/share/man/man8/oomx.8" 2>&1 | grep -q 'oomx - load, observe'; then
	echo "ok: the man page renders"
elif command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$d/opt/oomx/share/man/man8/oomx.8" 2>"$d.groff" && [ ! -s "$d.groff" ] &&
		echo "ok: groff reads the man page without a warning" || fail "groff: $(cat "$d.groff")"
else
	echo "ok: skipped rendering the man page (no man, no groff)"
fi
grep -q '^ExecStart=/opt/oomx/sbin/oomx watch -c /etc/oomx/${OOMX_POLICY}.conf$' \
	"$d/opt/oomx/lib/systemd/system/oomx-watch.service" &&
	echo "ok: oomx-watch.service watches the loaded policy's configuration" ||
	fail "oomx-watch.service: $(grep Exec "$d/opt/oomx/lib/systemd/system/oomx-watch.service")"
if command -v systemd-analyze >/dev/null; then
	for u in oomx oomx-watch; do
		SYSTEMD_LOG_LEVEL=err systemd-analyze verify --man=no "$d/opt/oomx/lib/systemd/system/$u.service" \
			>"$d.verify" 2>&1 && echo "ok: systemd-analyze verify $u.service" ||
			{ grep -v "not executable\|No such file\|ConditionPathExists" "$d.verify" | grep -q . &&
				fail "systemd-analyze $u.service: $(cat "$d.verify")" ||
				echo "ok: systemd-analyze verify $u.service (only the missing binary path)"; }
	done
fi
# every built-in policy has its configuration file, and each one parses
for p in $("$d/opt/oomx/sbin/oomx" list | awk '{print $1}'); do
	[ -e "$d/etc/oomx/$p.conf" ] || fail "no /etc/oomx/$p.conf for the built-in policy $p"
done
echo "ok: /etc/oomx has a configuration for every built-in policy"
grep -q '^ExecStartPre=/opt/oomx/sbin/oomx check$' "$d/opt/oomx/lib/systemd/system/oomx.service" &&
	! grep -q '^ConditionPathExists' "$d/opt/oomx/lib/systemd/system/oomx.service" &&
	echo "ok: the unit fails (oomx check), not skips, on a kernel without oom_ext" ||
	fail "oomx.service does not run 'oomx check' first"
# make install builds no kernel and installs no QEMU
make -n install >"$d.plan" 2>&1
if grep -q 'build-kernel.sh$\|build-kernel.sh --unpatched' "$d.plan" ||
	! grep -qx 'scripts/deps.sh --build' "$d.plan" ||
	scripts/deps.sh --build --list | grep -q 'qemu\|busybox'; then
	fail "make install would build a kernel or install QEMU: $(cat "$d.plan")"
else
	echo "ok: make install builds no kernel and installs no QEMU ($(scripts/deps.sh --build --list | wc -l) build packages)"
fi
# an operator's edit survives a second install
echo "OOMX_POLICY=priority" >"$d/etc/oomx/oomx.env"
inst
grep -qx "OOMX_POLICY=priority" "$d/etc/oomx/oomx.env" && echo "ok: a second install keeps /etc/oomx edits" ||
	fail "make install overwrote /etc/oomx/oomx.env"
rm -f "$d.log" "$d.groff" "$d.verify" "$d.plan"
exit $rc
