# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# Detaching is safe against OOMs in flight: a loop of memcg OOMs runs while
# a policy is attached, its loader is killed in the middle (closing the
# link), and the OOMs go on being resolved by the kernel's default. The
# VM runner fails the test on any lockdep report, BUG or WARNING. After
# the detach, an A/B/C OOM kills A (the kernel's choice) although the
# policy protected A while attached.
. selftests/vm/lib.sh

cg_new detach/storm 48M
# storm: hogs that OOM the cgroup over and over until told to stop
storm()
{
	while [ ! -e "$T/storm.stop" ]; do
		start_in_cgroup detach/storm "$HOG" --mb 64
		wait $! 2>/dev/null
	done
}
storm &
storm_pid=$!

# storm_kills_ge N: the storm cgroup has seen at least N OOM kills
storm_kills_ge()
{
	[ "$(cg_event detach/storm oom_kill)" -ge "$1" ]
}

abc_start detach/after
policy_start storm --set protect_tgid="$A"
wait_for 120 "three OOM kills in the storm" storm_kills_ge 3
kill -KILL "$POLICY_PID"
wait "$POLICY_PID" 2>/dev/null
wait_for 30 "the policy to be detached" grep -qx disabled $X/state
grep -q "unregistered" $X/exit_reason || fail "exit_reason: $(cat $X/exit_reason)"
ok "exit_reason after SIGKILL of the loader: $(cat $X/exit_reason)"
kills=$(cg_event detach/storm oom_kill)
wait_for 120 "three more OOM kills after the detach" storm_kills_ge $((kills + 3))
ok "OOM kills in the storm: $kills with the policy, $(cg_event detach/storm oom_kill) in all"
touch "$T/storm.stop"
wait "$storm_pid"

KLOG0=$(klog_mark)
abc_trigger detach/after
abc_expect A
abc_stop
