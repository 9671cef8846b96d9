# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# select() and the kill kfunc, in memcg OOMs:
#  - select() first tries to kill tasks the kernel would never kill: init,
#    kthreadd (a kernel thread), a task with oom_score_adj -1000 inside the
#    OOMing cgroup and a task outside it. bpf_oom_ext_kill() refuses each
#    with the documented errno (EPERM, EPERM, EPERM, EINVAL) and kills
#    nothing;
#  - it then kills C, the smallest: C dies, A and B (the kernel's choices)
#    live, and killed() reports OOM_EXT_KILL_SELECT;
#  - with OOM_EXT_KILL_MEMCG the whole cgroup goes, as with memory.oom.group.
. selftests/vm/lib.sh

cg_new select/outside
start_in_cgroup select/outside "$HOG" --mb 4 --hold --ready "$T/outside.ready"
outside=$!
wait_for 60 "the outside task to be resident" test -s "$T/outside.ready"

abc_start select/one
start_in_cgroup select/one "$HOG" --mb 4 --hold --ready "$T/minadj.ready"
minadj=$!
wait_for 60 "the oom_score_adj=-1000 task to be resident" test -s "$T/minadj.ready"
echo -1000 >"/proc/$minadj/oom_score_adj" || fail "cannot set oom_score_adj"

policy_start select --set select_kill_tgid="$C" --set refuse_pids="1,2,$minadj,$outside"
# 12 MiB, not abc_trigger's 16: the -1000 task takes 4 MiB of the cgroup
run_hog select/one --mb 12
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed after the OOM kill"
abc_expect C
expect_oom_killed "$C" "Memory cgroup out of memory"
expect_ext_line "$C" select
policy_stop select
expect_eq "$(pvar select refuse_ret)" "-1,-1,-1,-22" \
	"kill kfunc on init, kthreadd, oom_score_adj -1000, outside the memcg"
expect_eq "$(pvar select select_kill_ret)" 0 "kill kfunc on C"
expect_eq "$(pvar select killed_tgid)" "$C" "killed() victim"
expect_eq "$(pvar select killed_kind)" 3 "killed() kind (OOM_EXT_KILL_SELECT)"
# retries while C exits ask select() again; the scan drops those requests
expect_eq "$(pvar select nr_killed)" 1 "killed() calls (one OOM, one victim)"
expect_alive "$minadj" "the oom_score_adj -1000 task"
expect_alive "$outside" "the task outside the memcg"
expect_alive 1 "init"
kill -KILL "$minadj"
abc_stop

# the whole memcg
abc_start select/group
policy_start group --set select_kill_tgid="$C" --set select_kill_memcg=1
run_hog select/group --mb 16
expect_sigkilled
for x in A B C; do
	wait "${!x}"
	expect_eq "$?" 137 "$x exit status, SIGKILL"
done
expect_eq "$(cg_event select/group oom_group_kill)" 1 "oom_group_kill in memory.events"
# C, then the group walk: A, B, D and C again unless its mm is already gone
n=$(cg_event select/group oom_kill)
[ "$n" -ge 4 ] || fail "oom_kill in memory.events is $n, expected >= 4"
ok "oom_kill in memory.events: $n"
policy_stop group
expect_eq "$(pvar group killed_group_memcg_id)" "$(stat -c %i "$CG/select/group")" \
	"killed() group memcg id"
expect_alive "$outside" "the task outside the memcg"
kill "$outside"
