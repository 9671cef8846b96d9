# SPDX-License-Identifier: GPL-2.0
#
# The operator's path on a real systemd node. Builds the guest (a cached
# Debian 12 base from mmdebstrap, with this tree's kernel and oomx
# installed as .debs and oomx.service enabled), boots it with systemd as
# init, and lets its test unit check what an operator would see
# (selftests/guest/files/usr/local/lib/oomx-guest/test.sh): oomx active
# after boot with the priority policy and its rule; a memcg OOM in
# work.slice kills the batch job and spares db.service; again after
# 'systemctl restart db'; 'systemctl reload oomx' applies an edited
# /etc/oomx/priority.conf and refuses to switch the policy; 'systemctl
# stop oomx' leaves the kernel's choice. Prints how long each step took.
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: the systemd guest is built as root (chroot, dpkg -i)"
	exit 77
fi
t0=$SECONDS
step()
{
	local what=$1 s=$SECONDS
	shift
	"$@" >"$OOMX_BUILD_DIR/guest-$what.log" 2>&1 ||
		{ tail -n 20 "$OOMX_BUILD_DIR/guest-$what.log"; echo "FAIL: $what"; exit 1; }
	echo "ok: $what ($((SECONDS - s))s)"
}
OOMX_BUILD_DIR=${OOMX_BUILD:-$PWD/build}
mkdir -p "$OOMX_BUILD_DIR"
step kernel-deb scripts/build-kernel-deb.sh
step oomx-deb scripts/make-deb.sh
step image scripts/build-image.sh
s=$SECONDS
scripts/guest-vm -t 300 -l "$OOMX_BUILD_DIR/guest/console.log"
rc=$?
# the test unit's lines, as the journal forwards them to the console
sed -n 's/\r$//; s/^.*test\.sh\[[0-9]*\]: \(ok\|FAIL\|oomx guest\)/\1/p' "$OOMX_BUILD_DIR/guest/console.log"
echo "boot and checks: $((SECONDS - s))s; in all $((SECONDS - t0))s"
exit $rc
