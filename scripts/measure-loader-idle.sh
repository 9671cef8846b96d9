# SPDX-License-Identifier: GPL-2.0
# measure-loader-idle.sh - runs inside the VM: the idle cost of 'oomx run
# default' (CPU over 30 s, resident memory). From the host:
#   scripts/oomx-vm -q -o build/measure.out -e OOMX_BUILD=$PWD/build -- \
#       bash scripts/measure-loader-idle.sh && cat build/measure.out
# Under QEMU/TCG the CPU figure is for an emulated CPU: an upper bound.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
"$OOMX" run default >/dev/null 2>&1 &
pid=$!
wait_for 60 "the policy to attach" grep -qx enabled $X/state
sleep 2
# utime and stime, fields 14 and 15 of /proc/PID/stat (comm has no blanks)
set -- $(cut -d' ' -f14,15 "/proc/$pid/stat")
t0=$(($1 + $2))
start=$SECONDS
sleep 30
set -- $(cut -d' ' -f14,15 "/proc/$pid/stat")
t1=$(($1 + $2))
echo "oomx run default, idle for $((SECONDS - start)) s: $((t1 - t0)) ticks of CPU at $(getconf CLK_TCK) Hz"
grep -E '^(VmRSS|VmHWM)' "/proc/$pid/status"
kill -INT "$pid"
wait "$pid"
