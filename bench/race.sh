# SPDX-License-Identifier: GPL-2.0
# bench/race.sh - runs inside the VM, booted by bench/run.sh: the reaper
# racing a victim's exit (bench/mrelease.c) on a scratch ext4 that it
# freezes to hold the victim's last thread. Needs the scratch disk
# (oomx-vm --swap 64M). BENCH_KERNEL labels the lines; BENCH_ROUNDS (5).
. selftests/vm/lib.sh

KERNEL=${BENCH_KERNEL:?BENCH_KERNEL names the kernel: unpatched or patched}
MR=${OOMX_BUILD:-$PWD/build}/bench/mrelease
[ -x "$MR" ] || fail "no $MR: run 'make bench'"
[ -b /dev/vda ] || fail "no scratch disk /dev/vda (oomx-vm --swap)"
mkfs.ext4 -q -F /dev/vda || fail "mkfs.ext4 /dev/vda"
mkdir -p /run/scratch
mount /dev/vda /run/scratch || fail "cannot mount the scratch disk"
"$MR" --fs /run/scratch --rounds "${BENCH_ROUNDS:-5}" >"$T/race.out" || fail "mrelease failed"
sed "s/^RESULT /RESULT kernel=$KERNEL /" "$T/race.out"
umount /run/scratch
