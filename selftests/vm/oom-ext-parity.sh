# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 240
#
# Default parity: the same memcg OOM, first with no policy and then with a
# policy whose badness returns the kernel's points unchanged, kills the
# same process (A, the largest). With the policy, the kill is reported as
# the policy's choice with equal kernel and policy points, the
# bpf_oom_ext_kernel_badness() kfunc agrees with the points the kernel
# passed for every task scored, and killed() saw the victim's memcg.
. selftests/vm/lib.sh

# 1. no policy
abc_start parity/none
abc_trigger parity/none
abc_expect A
expect_oom_killed "$A" "Memory cgroup out of memory"
dmesg | grep "oom_ext: policy=" >/dev/null && fail "an oom_ext line without a policy"
ok "no oom_ext line in the report without a policy"
abc_stop

# 2. a policy that returns the kernel's points
policy_start mirror
abc_start parity/mirror
abc_trigger parity/mirror
abc_expect A
expect_ext_line "$A" policy
policy_stop mirror

expect_eq "$(pvar mirror killed_tgid)" "$A" "killed() victim"
expect_eq "$(pvar mirror killed_kind)" 2 "killed() kind (OOM_EXT_KILL_POLICY)"
expect_eq "$(pvar mirror killed_constraint)" 3 "killed() constraint (CONSTRAINT_MEMCG)"
expect_eq "$(pvar mirror killed_policy_points)" "$(pvar mirror killed_kernel_points)" \
	"policy points = kernel points"
kp=$(pvar mirror killed_kernel_points)
[ "$kp" -gt $((43 * 256)) ] || fail "kernel points $kp < 43 MiB in pages"
ok "kernel points $kp cover A's 44 MiB"
# A's 44 MiB in pages, as oom_badness() counts it (rss, page tables)
rss=$(pvar mirror killed_rss_pages)
[ "$rss" -ge $((43 * 256)) ] && [ "$rss" -le "$kp" ] || fail "victim rss $rss pages (points $kp)"
ok "killed() victim rss $rss pages"
expect_eq "$(pvar mirror nr_badness_mismatch)" 0 "kernel_badness kfunc disagreements"
[ "$(pvar mirror nr_badness)" -ge 4 ] || fail "badness() ran $(pvar mirror nr_badness) times, expected >= 4 (A B C D)"
ok "badness() ran $(pvar mirror nr_badness) times"
cgid=$(stat -c %i "$CG/parity/mirror")
expect_eq "$(pvar mirror killed_memcg_id)" "$cgid" "killed() OOM memcg id = inode of the cgroup"
expect_eq "$(pvar mirror killed_victim_memcg_id)" "$cgid" "killed() victim memcg id"
expect_eq "$(pvar mirror killed_memcg_ret)" 0 "bpf_oom_ext_memcg_info() return"
expect_eq "$(pvar mirror killed_memcg_max)" $((100 << 20)) "memcg_info max = memory.max"
expect_eq "$(pexit mirror)" "kind=64 code=0 reason=unregistered from user space msg=" "exit record"
abc_stop
