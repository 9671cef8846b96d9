# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# badness() semantics in memcg OOMs (the kernel would kill A, the largest):
#  - protecting A (OOM_EXT_NEVER for it) makes the kernel kill B, the next;
#  - OOM_EXT_PICK on C, the smallest, kills C;
#  - OOM_EXT_NEVER for every task cannot leave the OOM unresolved: the
#    kernel kills its own choice, A, and counts a fallback.
# Each case checks /sys/kernel/oom_ext's counters move by what happened,
# as the kernel log tells it, and that the OOM killed exactly one task.
. selftests/vm/lib.sh

# snap: remember the counters; delta NAME: how much NAME moved since.
snap()
{
	local c
	for c in invocations policy_choices fallbacks errors kills; do
		eval "before_$c=$(counter $c)"
	done
}
delta()
{
	local b="before_$1"
	echo $(($(counter "$1") - ${!b}))
}

# since_start PATTERN: kernel log lines with PATTERN since abc_start
since_start()
{
	klog_since "$KLOG0" | grep -cF -- "$1"
}

# expect_counters: kills, policy choices and fallbacks moved by what the
# kernel log reports for this scene
expect_counters()
{
	expect_eq "$(delta kills)" "$(since_start ': Killed process ')" "kills moved by (= kills in the log)"
	expect_eq "$(delta policy_choices)" "$(since_start ',chosen_by=policy,')" \
		"policy_choices moved by (= chosen_by=policy lines)"
	expect_eq "$(delta fallbacks)" "$(since_start ',chosen_by=kernel,')" \
		"fallbacks moved by (= chosen_by=kernel lines)"
	expect_eq "$(delta errors)" 0 "errors moved by"
}

# protect the largest
abc_start badness/protect
policy_start protect --set protect_tgid="$A"
snap
abc_trigger badness/protect
abc_expect B
expect_alive "$A" "A, the protected"
expect_oom_killed "$B" "Memory cgroup out of memory"
expect_ext_line "$B" policy
expect_counters
expect_eq "$(since_start ',chosen_by=kernel,')" 0 "kills chosen by the kernel"
[ "$(delta invocations)" -ge 1 ] || fail "invocations did not move"
ok "invocations moved by $(delta invocations)"
policy_stop protect
expect_eq "$(pvar protect killed_tgids | cut -d, -f1)" "$B" "killed() saw the victim first"
expect_eq "$(pvar protect killed_kind)" 2 "killed() kind (policy)"
abc_stop

# stop scanning: pick the smallest
abc_start badness/pick
policy_start pick --set pick_tgid="$C"
snap
abc_trigger badness/pick
abc_expect C
expect_ext_line "$C" policy
dmesg | grep -F ",chosen_by=policy,pid=$C," | grep ",policy_points=2305843009213693952" >/dev/null ||
	fail "the report does not give C's PICK as policy points"
ok "the report gives C's policy points as OOM_EXT_PICK"
expect_counters
policy_stop pick
expect_eq "$(pvar pick killed_tgids | cut -d, -f1)" "$C" "killed() saw the PICK first"
abc_stop

# never anyone: the kernel still resolves the OOM, with its own choice
abc_start badness/never
policy_start never --set reject_all=1
snap
abc_trigger badness/never
abc_expect A
expect_ext_line "$A" kernel
expect_counters
expect_eq "$(delta policy_choices)" 0 "policy_choices moved by"
[ "$(delta fallbacks)" -ge 1 ] || fail "no fallback counted"
expect_eq "$(cat $X/state)" enabled "the policy stays attached after a fallback"
policy_stop never
expect_eq "$(pvar never killed_kind)" 1 "killed() kind (kernel)"
expect_eq "$(pvar never killed_policy_points)" -2305843009213693952 "policy points (OOM_EXT_NEVER, -2^61)"
abc_stop
