# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# The victim timeout. V (40 MiB) and B (24 MiB) live in a 96 MiB cgroup
# and D asks for 60 MiB. The first OOM kills V, which is held in its exit
# path and keeps its memory; the reaper is told to wait 10 s
# (reap_delay_ms). Every further OOM then finds V still there:
#  - with victim_timeout_ms() = 300, V stops blocking after 300 ms and the
#    OOM killer chooses a second victim (D, the largest left) while V is
#    still held;
#  - the control, with no timeout, waits until the reaper frees V's memory
#    10 s later; D then completes without a second kill.
. selftests/vm/lib.sh

vt_case()
{
	cg_new "vt/$1" 96M
	held_victim_start "vt/$1" 40
	start_in_cgroup "vt/$1" "$HOG" --mb 24 --hold --ready "$T/vt-$1.B.ready"
	B=$!
	wait_for 60 "B to be resident" test -s "$T/vt-$1.B.ready"
	run_hog "vt/$1" --mb 60
	T_KILL1=$(klog_time "Killed process $HELD (")
	[ -n "$T_KILL1" ] || fail "V ($HELD) was not OOM-killed"
}

policy_start timeout --set reap_delay=10000 --set victim_timeout=300
vt_case timeout
expect_sigkilled
test -s "$T/vt_timeout.held.stopped" || fail "V never reached its exit stop"
alive "$HELD" || fail "V was released before D was killed"
ok "V ($HELD) is still held in its exit path"
t_kill2=$(klog_time "Killed process $HOG_PID (")
ms=$(ms_between "$T_KILL1" "$t_kill2")
[ "$ms" -ge 300 ] && [ "$ms" -lt 5000 ] || fail "second kill $ms ms after the first"
ok "second victim D killed $ms ms after V (timeout 300 ms, reaper at 10 s)"
dmesg | grep "oom_ext: victim $HELD (.*) still holds its memory after" >/dev/null ||
	fail "no 'still holds its memory' line in the kernel log"
expect_alive "$B" "B"
policy_stop timeout
held_victim_release
kill "$B"

policy_start control --set reap_delay=10000
vt_case control
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed without a second kill"
t_reap=$(klog_time "oom_reaper: reaped process $HELD (")
ms=$(ms_between "$T_KILL1" "$t_reap")
[ "$ms" -ge 9500 ] || fail "the reaper freed V after $ms ms, expected the 10 s delay"
ok "without a timeout, D waited for the reaper: V reaped $ms ms after its kill"
policy_stop control
expect_eq "$(pvar control nr_killed)" 1 "kills seen by the control policy"
held_victim_release
kill "$B"
