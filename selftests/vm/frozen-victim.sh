# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 180
#
# A multi-threaded OOM victim frozen by the cgroup v1 freezer must exit
# completely after the kill (kernel/patches/0001: every thread is thawed
# and exempt from freezing). On an unpatched 6.12 only the thread that got
# TIF_MEMDIE is thawed; the others stay in the refrigerator and the process
# never exits while its cgroup stays frozen.
. selftests/vm/lib.sh

mkdir -p /run/freezer
mount -t cgroup -o freezer freezer /run/freezer || fail "cannot mount the v1 freezer"
mkdir -p /run/freezer/frozen
cg_new oomx/shared 64M

# The victim-to-be: 4 threads holding 40 MiB in the shared memcg.
"$RUNWAIT" --cgroup "$CG/oomx/shared" --pidfile "$T/victim.pid" -- \
	"$HOG" --mb 40 --threads 4 --hold --ready "$T/victim.ready" >"$T/victim.end" &
wait_for 60 "the victim to be resident" test -s "$T/victim.ready"
victim=$(cat "$T/victim.pid")
expect_eq "$(ls "/proc/$victim/task" | wc -l)" 4 "threads in the victim"

echo "$victim" >/run/freezer/frozen/cgroup.procs || fail "cannot move $victim to the freezer cgroup"
echo FROZEN >/run/freezer/frozen/freezer.state
wait_for 30 "the victim to freeze" grep -qx FROZEN /run/freezer/frozen/freezer.state
ok "the victim (pid $victim) and its threads are frozen"

# A second process in the same memcg allocates 48 MiB: the memcg OOMs when
# it has about 24 MiB, and the victim, at 40 MiB, is the larger.
run_hog oomx/shared --mb 48
wait_for 30 "the frozen victim to exit" test -s "$T/victim.end"
expect_eq "$(cat "$T/victim.end")" "pid=$victim signal=9 (SIGKILL)" "how the victim ended"
expect_oom_killed "$victim" "Memory cgroup out of memory"
# The victim, and only it: the allocating hog completes.
expect_eq "$(klog_kills 0 | paste -sd ' ')" "$victim" "the kernel's kills"
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocating hog completed"
echo THAWED >/run/freezer/frozen/freezer.state
