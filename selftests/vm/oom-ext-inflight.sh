# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# One victim at a time, for a policy that kills from select().
#
# V (a process held in its exit path by ptrace, so it keeps its memory
# until the OOM reaper takes it), B and D share a 64 MiB cgroup. The policy
# kills V at the first OOM, then asks to kill B at every later one. The
# kernel must treat those requests as it treats its own choice: while V has
# not released its memory (no MMF_OOM_SKIP) every scan aborts, so B's kill
# is dropped and nobody else dies.
#  1. reap_delay 1500 ms: the reaper frees V's memory, D completes, B lives:
#     exactly one kill, although select() asked for B again and again.
#  2. victim_timeout 300 ms: after 300 ms V no longer holds the scan back,
#     and B dies, not sooner.
#  3. reaped() spins for 2 s: the reaper sets MMF_OOM_SKIP before it calls
#     reaped(), so B, needed because V's reaped memory is not enough, dies
#     while reaped() is still running; the kernel then disables the policy
#     for running past OOM_EXT_RUN_BUDGET_MS.
# Before the one-eligibility-rule change, select() killed B at once in 1
# and 2, and in 3 B's kill waited for reaped() to return.
. selftests/vm/lib.sh

# scene NAME V_MB B_MB D_MB POLICY-SETTINGS...: V, B, then D allocating in
# cgroup inflight/NAME (64 MiB); D must complete. Leaves V held.
scene()
{
	local name=$1 v_mb=$2 b_mb=$3 d_mb=$4
	shift 4
	cg_new "inflight/$name" 64M
	held_victim_start "inflight/$name" "$v_mb"
	V=$HELD
	hold B "inflight/$name" "$b_mb"
	KLOG0=$(klog_mark)
	policy_start "$name" --set select_kill_tgid="$V" --set select_next_tgid="$B" "$@"
	run_hog "inflight/$name" --mb "$d_mb"
	expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed"
}

# scene_end NAME: detach the policy; the first victim was V
scene_end()
{
	policy_stop "$1"
	expect_eq "$(pvar "$1" select_kill_ret)" 0 "select() was allowed to kill V"
	expect_eq "$(pvar "$1" killed_tgid)" "$V" "the first victim"
}

# kills_since FROM: the pids the kernel killed after log line FROM, in order
kills_since()
{
	klog_kills "$1" | paste -sd ' '
}

# 1: the victim is still exiting: the policy's second kill is dropped
scene wait 40 16 16 --set reap_delay=1500
scene_end wait
expect_eq "$(kills_since "$KLOG0")" "$V" "the kernel's kills (V only)"
expect_alive "$B" "B, which select() asked to kill while V was exiting"
tries=$(pvar wait nr_select_next)
[ "$tries" -ge 1 ] || fail "select() never asked for B (nr_select_next=$tries): the scene proves nothing"
ok "select() asked for B $tries time(s) while V was exiting; the kfunc said $(pvar wait select_next_ret)"
expect_eq "$(pvar wait nr_killed)" 1 "killed() calls"
t_reap=$(klog_time "oom_reaper: reaped process $V (")
[ -n "$t_reap" ] || fail "the reaper did not reap V"
ok "the reaper freed V's memory, which D then used"
held_victim_release
kill -KILL "$B"; wait "$B" 2>/dev/null

# 2: the victim timeout lets the scan past V, then B dies
scene timeout 40 16 16 --set reap_delay=5000 --set victim_timeout=300
scene_end timeout
expect_eq "$(kills_since "$KLOG0")" "$V $B" "the kernel's kills (V, then B)"
wait "$B"
expect_eq "$?" 137 "B's exit status, SIGKILL"
t0=$(pvar timeout killed_ns | cut -d, -f1)
t1=$(pvar timeout killed_ns | cut -d, -f2)
gap=$(((t1 - t0) / 1000000))
[ "$gap" -ge 300 ] || fail "B died $gap ms after V, before the 300 ms victim timeout"
ok "B died $gap ms after V (victim timeout 300 ms)"
held_victim_release

# 3: a slow reaped() does not hold back the next kill
scene slowreap 16 24 40 --set reap_delay=0 --set reaped_burn_ms=2000
# reaped() is still spinning: the kernel disables the policy when it returns
policy_wait slowreap
expect_eq "$(pvar slowreap select_kill_ret)" 0 "select() was allowed to kill V"
expect_eq "$(pvar slowreap killed_tgid)" "$V" "the first victim"
expect_eq "$(kills_since "$KLOG0")" "$V $B" "the kernel's kills (V, then B)"
wait "$B"
expect_eq "$?" 137 "B's exit status, SIGKILL"
r0=$(pvar slowreap reaped_start_ns)
r1=$(pvar slowreap reaped_end_ns)
tb=$(pvar slowreap killed_ns | cut -d, -f2)
[ "$r0" -gt 0 ] && [ "$((r1 - r0))" -ge 1900000000 ] ||
	fail "reaped() did not spin for 2 s (start $r0, end $r1)"
[ "$tb" -lt "$r1" ] ||
	fail "B died $(((tb - r1) / 1000000)) ms after reaped() returned: reaped() held back the next kill"
ok "B died $(((tb - r0) / 1000000)) ms into reaped()'s $(((r1 - r0) / 1000000)) ms"
# 2 s is past OOM_EXT_RUN_BUDGET_MS: the kernel disabled the policy for it
rec=$(pexit slowreap)
[[ $rec == "kind=1027 code=0 reason=policy held the OOM killer too long msg=reaped() ran for "* ]] ||
	fail "exit record: '$rec', expected the reaped() budget (OOM_EXT_EXIT_STALL)"
ok "exit record: $rec"
held_victim_release

# 4: a sysrq-f OOM is the operator's: a policy that would wait is not asked
hold P "" 48
OV_MARK=$(klog_mark)
policy_start sysrq --set select_wait=1
echo f >/proc/sysrq-trigger
wait_for 30 "sysrq-f to kill P" eval "! alive $P"
expect_eq "$(klog_kills "$OV_MARK" | paste -sd ' ')" "$P" "the kernel's kills (P, the largest)"
policy_stop sysrq
expect_eq "$(pvar sysrq nr_select)" 0 "select() calls for a sysrq-f OOM"
wait "$P" 2>/dev/null

# 5: OOM_EXT_SELECT_WAIT with no kill of the policy's own to wait for: the
# kernel's choice (A, the largest) dies at once, counted as a fallback
cg_new inflight/waitbound 64M
hold A inflight/waitbound 40
hold B inflight/waitbound 8
KLOG0=$(klog_mark)
policy_start waitbound --set select_wait=1
fallbacks=$(counter fallbacks)
run_hog inflight/waitbound --mb 24
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed"
expect_eq "$(kills_since "$KLOG0")" "$A" "the kernel's kills (A only)"
expect_eq "$(($(counter fallbacks) - fallbacks))" 1 "fallbacks moved by"
klog_since "$KLOG0" | grep -F "select() asked to wait with no kill of its own" >/dev/null ||
	fail "no 'select() asked to wait' line in the kernel log"
ok "the kernel refused the wait: no kill of the policy's own to wait for"
policy_stop waitbound
expect_alive "$B" "B"
kill -KILL "$B"
