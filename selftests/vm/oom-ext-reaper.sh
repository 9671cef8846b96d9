# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# The reaper delay: a memcg OOM kills V, which is held in its exit path
# (ptrace exit stop) and so keeps its memory until the OOM reaper takes it.
# We measure, from the kernel log's timestamps, the time from V's kill to
# the reaper's "reaped process V": with no policy it is the kernel's 2 s
# (OOM_REAPER_DELAY); with a policy whose reap_delay_ms() returns 0 it is
# immediate. The policy's reaped() report must agree.
. selftests/vm/lib.sh

# reap_case NAME: one OOM in cgroup reaper/NAME; sets REAP_MS.
reap_case()
{
	local t_kill t_reap
	cg_new "reaper/$1" 64M
	held_victim_start "reaper/$1" 40
	# D needs 40 MiB: it can only complete once V's memory is reaped
	run_hog "reaper/$1" --mb 40
	expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed once V was reaped"
	t_kill=$(klog_time "Killed process $HELD (")
	t_reap=$(klog_time "oom_reaper: reaped process $HELD (")
	[ -n "$t_kill" ] && [ -n "$t_reap" ] || fail "kernel log lacks V's kill or reap: $(dmesg | tail -n 20)"
	REAP_MS=$(ms_between "$t_kill" "$t_reap")
	held_victim_release
}

reap_case default
default_ms=$REAP_MS
[ "$default_ms" -ge 1900 ] && [ "$default_ms" -lt 5000 ] ||
	fail "no policy: kill to reap took $default_ms ms, expected the 2 s delay"
ok "no policy: kill to reap $default_ms ms"

policy_start zero --set reap_delay=0
reap_case zero
zero_ms=$REAP_MS
policy_stop zero
[ "$zero_ms" -lt 1000 ] || fail "reap_delay_ms=0: kill to reap took $zero_ms ms"
ok "reap_delay_ms()=0: kill to reap $zero_ms ms ($default_ms ms without a policy)"

expect_eq "$(pvar zero nr_reaped)" 1 "reaped() calls"
expect_eq "$(pvar zero reaped_tgid)" "$HELD" "reaped() victim"
expect_eq "$(pvar zero reaped_result)" 0 "reaped() result"
since=$(pvar zero reaped_since_kill_ms)
[ "$since" -lt 1000 ] || fail "reaped() since_kill_ms = $since"
ok "reaped() says the reaper started $since ms after the kill"
before=$(pvar zero reaped_rss_before)
after=$(pvar zero reaped_rss_after)
[ "$before" -ge $((40 * 256)) ] && [ "$after" -lt $((before / 4)) ] ||
	fail "reaped() rss before $before, after $after pages"
ok "reaped() rss $before -> $after pages"
[ "$(pvar zero nr_reap_delay)" -ge 1 ] || fail "reap_delay_ms() was not called"
