# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# Kill modes: a rule decides whether a victim takes its whole cgroup or its
# process only, whatever memory.oom.group says (kernel: oom_ext_ops.kill_mode,
# patch 0024; rules: "kill group|process cgroup PATH", bpf/rules.bpf.h).
# 'oomx load' pins the priority policy with
#     kill group   cgroup /job    (memory.oom.group 0 below it)
#     kill process cgroup /svc    (memory.oom.group 1 there)
#  - group: /job/a, created after the load, holds A1, A2 and BIG; an OOM in
#    /job (100 MiB) kills BIG and, with it, A1 and A2, all of them and
#    nobody else: B in /job/b lives, and the allocation completes. The
#    event and the kernel log say the policy's kill mode did it, with the
#    rule's line; memory.events counts one oom_group_kill in /job/a.
#  - process: /svc has memory.oom.group 1 and S1, S2, SBIG; an OOM kills
#    SBIG only; S1 and S2 live; no oom_group_kill; the kernel log names
#    the memory.oom.group the policy overrode.
#  - 'oomx apply' without the kill lines: the next /svc OOM kills all
#    three, because memory.oom.group decides again (the kernel's message).
#  - the kernel's checks, with the test policy: kill_mode() returning 7
#    disables the policy ("kill_mode() returned 7") and the kill goes on as
#    memory.oom.group says; returning 2 (group) for a victim whose cgroup
#    has memory.oom.group 0 kills the group.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
bpffs_mount

# kills_since MARK: the distinct pids the kernel killed after MARK, sorted
kills_since()
{
	klog_kills "$1" | sort -n -u | paste -sd ' '
}

sorted()
{
	printf '%s\n' "$@" | sort -n | paste -sd ' '
}

# reap NAME...: each process died by SIGKILL
reap()
{
	local name rc
	for name in "$@"; do
		wait "${!name}"
		rc=$?
		expect_eq "$rc" 137 "$name (pid ${!name}) exit status, SIGKILL"
	done
}

cleanup()
{
	local name
	for name in "$@"; do
		kill -KILL "${!name}" 2>/dev/null
		wait "${!name}" 2>/dev/null
	done
	return 0
}

cg_new job 100M
cg_new svc 100M
echo 1 >"$CG/svc/memory.oom.group" || fail "cannot set memory.oom.group"
printf '# kill modes\nkill group cgroup /job\nkill process cgroup /svc\n' >"$T/kill.conf"
"$OOMX" load priority -c "$T/kill.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
expect_eq "$("$OOMX" status --json | jq -c '[.rules[] | [.line, .action, .kill_mode, .value, .state]]')" \
	'[[2,"kill","group","/job","bound"],[3,"kill","process","/svc","bound"]]' "the kill rules in oomx status"
"$OOMX" status | grep -q "line 2    kill group cgroup /job" || fail "status text: $("$OOMX" status)"

# --- group: a cgroup created after the load, under the rule's path
cg_new job/a
cg_new job/b
hold A1 job/a 8
hold A2 job/a 8
hold BIG job/a 40
hold B job/b 20
mark=$(klog_mark)
run_hog job/b --mb 40
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation completed after the group kill"
expect_eq "$(kills_since "$mark")" "$(sorted "$BIG" "$A1" "$A2")" "the kernel's kills (BIG's whole cgroup)"
reap BIG A1 A2
expect_alive "$B" "B, in the sibling cgroup /job/b"
expect_eq "$(cg_event job/a oom_group_kill)" 1 "oom_group_kill in /job/a"
klog_since "$mark" | grep -qF 'oom_ext: tasks in /job/a are going to be killed: kill mode of policy "priority"' ||
	fail "no kill mode line in the kernel log: $(klog_since "$mark" | grep -i 'killed\|group')"
klog_since "$mark" | grep -qF "memory.oom.group set" && fail "the kernel blamed memory.oom.group"
ok "kernel: the policy's kill mode took /job/a, memory.oom.group is not named"
"$OOMX" events --json >"$T/ev.json" || fail "oomx events"
expect_eq "$(jq -r "select(.type == \"kill\" and .pid == $BIG) |
	\"\(.kill_mode) \(.kill_line) \(.group_killed.path) \(.group_killed_count)\"" "$T/ev.json")" \
	"group 2 /job/a 2" "the event: kill mode, rule line, cgroup, others killed"
cleanup B

# --- process: memory.oom.group 1, overridden
hold S1 svc 8
hold S2 svc 8
hold SBIG svc 50
mark=$(klog_mark)
run_hog svc --mb 60
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation completed after one kill"
expect_eq "$(kills_since "$mark")" "$SBIG" "the kernel's kills (SBIG only)"
reap SBIG
expect_alive "$S1" "S1, though /svc has memory.oom.group 1"
expect_alive "$S2" "S2, though /svc has memory.oom.group 1"
expect_eq "$(cg_event svc oom_group_kill)" 0 "oom_group_kill in /svc"
klog_since "$mark" | grep -qF "oom_ext: only the victim's process dies, not the memory.oom.group of /svc: kill mode of policy \"priority\"" ||
	fail "no override line in the kernel log: $(klog_since "$mark" | grep -i 'group')"
ok "kernel: the override of memory.oom.group is reported"
"$OOMX" events >"$T/ev.txt" || fail "oomx events"
grep -q "killed pid $SBIG " "$T/ev.txt" || fail "the text event is not about SBIG: $(cat "$T/ev.txt")"
grep -F "kill mode:" "$T/ev.txt" >"$T/mode.txt"
expect_eq "$(cat "$T/mode.txt")" "    kill mode: process, by the policy (kill rule at line 3), not memory.oom.group" \
	"the text event (oomx events drains the ring: this OOM is read as text)"

# --- apply without the kill lines: memory.oom.group decides again
printf 'prefer cgroup /elsewhere\n' >"$T/plain.conf"
"$OOMX" apply "$T/plain.conf" >"$T/apply.out" 2>&1 || fail "oomx apply: $(cat "$T/apply.out")"
hold SBIG svc 50
mark=$(klog_mark)
run_hog svc --mb 60
expect_eq "$HOG_END" "pid=$HOG_PID signal=9 (SIGKILL)" "the hog, in the group memory.oom.group kills"
expect_eq "$(kills_since "$mark")" "$(sorted "$S1" "$S2" "$SBIG" "$HOG_PID")" \
	"the kernel's kills (all of /svc, as memory.oom.group says)"
reap S1 S2 SBIG
klog_since "$mark" | grep -qF "Tasks in /svc are going to be killed due to memory.oom.group set" ||
	fail "the kernel's memory.oom.group line is missing"
ok "kernel: memory.oom.group decided once the rule was gone"
"$OOMX" events --json >"$T/ev.json" || fail "oomx events"
expect_eq "$(jq -r "select(.type == \"kill\" and .pid == $SBIG) | \"\(.kill_mode) \(.kill_line)\"" "$T/ev.json")" \
	"default null" "the event once memory.oom.group decides"
"$OOMX" unload >/dev/null || fail "oomx unload"

# --- the kernel's checks on kill_mode(), with the test policy
hold S1 svc 8
hold SBIG svc 50
policy_start badmode --set kill_mode_ret=7
mark=$(klog_mark)
run_hog svc --mb 60
policy_wait badmode
expect_eq "$(pexit badmode)" "kind=1025 code=0 reason=invalid return value msg=kill_mode() returned 7" \
	"the policy's exit"
grep -qF "invalid return value (kind 1025, code 0): kill_mode() returned 7" $X/exit_reason ||
	fail "exit_reason: $(cat $X/exit_reason)"
expect_eq "$(kills_since "$mark")" "$(sorted "$S1" "$SBIG" "$HOG_PID")" \
	"the kernel's kills (memory.oom.group decides after the bad answer)"
reap S1 SBIG
echo 0 >"$CG/svc/memory.oom.group"
hold S1 svc 8
hold SBIG svc 50
policy_start groupmode --set kill_mode_ret=2
mark=$(klog_mark)
run_hog svc --mb 60
expect_eq "$(kills_since "$mark")" "$(sorted "$S1" "$SBIG" "$HOG_PID")" \
	"the kernel's kills (kill_mode() asked for the group; memory.oom.group is 0)"
reap S1 SBIG
policy_stop groupmode
expect_eq "$(pvar groupmode killed_kill_mode) $(pvar groupmode killed_group_memcg_id)" \
	"2 $(stat -c %i "$CG/svc")" "killed(): the kill mode and the group"
ok "kill modes: by rule, both ways, live, and checked by the kernel"
