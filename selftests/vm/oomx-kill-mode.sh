# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# Kill modes: a rule decides whether a victim takes its whole cgroup or its
# process only, whatever memory.oom.group says (kernel: oom_ext_ops.kill_mode,
# patch 0024; rules: "kill group|process cgroup PATH", bpf/rules.bpf.h).
# 'oomx load' pins the priority policy with
#     kill group   cgroup /job          (memory.oom.group 0 below it)
#     class 60     cgroup /job/a        (nearer, no kill line: passed by)
#     kill process cgroup /svc          (memory.oom.group 1 there)
#     class 40     cgroup /svc          (the same path: one entry, both)
#     kill group   cgroup /job/c/inner  (no memory controller of its own)
# /job/a and /svc are created after the load (their tracepoint binds them).
#  - group: /job/a holds A1, A2 and BIG; an OOM in /job (100 MiB) kills BIG
#    and, with it, A1 and A2, all of them and nobody else: B in /job/b
#    lives, and the allocation completes. The event and the kernel log say
#    the policy's kill mode did it, with the rule's line; memory.events
#    counts one oom_group_kill in /job/a.
#  - process: /svc has memory.oom.group 1 and S1, S2, SBIG; an OOM kills
#    SBIG only; S1 and S2 live; no oom_group_kill; the kernel log names
#    the memory.oom.group the policy overrode; the class of the same entry
#    ranked SBIG.
#  - a group rule on a cgroup whose memcg is its parent's: the group would
#    be /job/c, more than the rule's path, so memory.oom.group decides: only
#    the victim dies, C1 in /job/c lives.
#  - 'oomx apply' keeping only /svc's class line: the next /svc OOM kills
#    all three, because memory.oom.group decides again (the kernel's
#    message); the class line still ranks.
#  - the kernel's checks, with the test policy: kill_mode() returning 7
#    disables the policy ("kill_mode() returned 7") and the kill goes on as
#    memory.oom.group says; returning 2 (group) for a victim whose cgroup
#    has memory.oom.group 0 kills the group; a select() kill with
#    OOM_EXT_KILL_MEMCG takes the group without asking kill_mode() (which
#    would say "process").
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

rules()
{
	"$OOMX" status --json | jq -c '[.rules[] | [.line, .action, (.kill_mode // .class), .value, .state]]'
}

cg_new job 100M
cat >"$T/kill.conf" <<'EOF'
# kill modes
kill group cgroup /job
class 60 cgroup /job/a
kill process cgroup /svc
class 40 cgroup /svc
kill group cgroup /job/c/inner
EOF
"$OOMX" load priority -c "$T/kill.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
grep -qF "lines 4 and 5: no cgroup /svc yet" "$T/load.out" || fail "load did not say /svc waits: $(cat "$T/load.out")"
expect_eq "$(rules)" \
	'[[2,"kill","group","/job","bound"],[3,"class",60,"/job/a","waiting"],[4,"kill","process","/svc","waiting"],[5,"class",40,"/svc","waiting"],[6,"kill","group","/job/c/inner","waiting"]]' \
	"the rules in oomx status, before their cgroups exist"
"$OOMX" status | grep -q "line 2    kill group cgroup /job" || fail "status text: $("$OOMX" status)"
cg_new svc 100M
echo 1 >"$CG/svc/memory.oom.group" || fail "cannot set memory.oom.group"
cg_new job/a
cg_new job/b
cg_new job/c
mkdir "$CG/job/c/inner" || fail "cannot create /job/c/inner"	# no memory controller of its own
expect_eq "$(rules)" \
	'[[2,"kill","group","/job","bound"],[3,"class",60,"/job/a","bound"],[4,"kill","process","/svc","bound"],[5,"class",40,"/svc","bound"],[6,"kill","group","/job/c/inner","bound"]]' \
	"the rules once the cgroups exist"

# --- group: the kill walk passes /job/a's class-only entry to /job's
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
klog_since "$mark" | grep -qF "oom_ext: the memory.oom.group of /svc is not killed: kill mode of policy \"priority\"" ||
	fail "no override line in the kernel log: $(klog_since "$mark" | grep -i 'group')"
ok "kernel: the override of memory.oom.group is reported"
"$OOMX" events >"$T/ev.txt" || fail "oomx events"
grep -q "killed pid $SBIG " "$T/ev.txt" || fail "the text event is not about SBIG: $(cat "$T/ev.txt")"
grep -F "kill mode:" "$T/ev.txt" >"$T/mode.txt"
expect_eq "$(cat "$T/mode.txt")" "    kill mode: process, by the policy (kill rule at line 4)" \
	"the text event (oomx events drains the ring: this OOM is read as text)"
grep -qF "why: lowest class (40, cgroup rule at line 5), largest in it" "$T/ev.txt" ||
	fail "the class of /svc's shared entry: $(grep why "$T/ev.txt")"
ok "the class line of the same path ranked SBIG"

# --- a group rule whose cgroup has no memcg of its own: memory.oom.group decides
hold C1 job/c 8
hold CBIG job/c/inner 50
mark=$(klog_mark)
run_hog job/b --mb 60
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation completed after one kill"
expect_eq "$(kills_since "$mark")" "$CBIG" "the kernel's kills (CBIG only, not /job/c)"
reap CBIG
expect_alive "$C1" "C1, in /job/c, the memcg the group would have been"
"$OOMX" events --json >"$T/ev.json" || fail "oomx events"
expect_eq "$(jq -r "select(.type == \"kill\" and .pid == $CBIG) | \"\(.kill_mode) \(.kill_line)\"" "$T/ev.json")" \
	"default null" "the event: memory.oom.group decided"
cleanup C1

# --- apply with only /svc's class line: memory.oom.group decides again
printf 'class 40 cgroup /svc\n' >"$T/plain.conf"
"$OOMX" apply "$T/plain.conf" >"$T/apply.out" 2>&1 || fail "oomx apply: $(cat "$T/apply.out")"
expect_eq "$(rules)" '[[1,"class",40,"/svc","bound"]]' "the rules after apply"
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
expect_eq "$(jq -r "select(.type == \"kill\" and .pid == $SBIG) | \"\(.kill_mode) \(.kill_line) \(.reason)\"" "$T/ev.json")" \
	"default null lowest class (40, cgroup rule at line 1), largest in it" "the event once memory.oom.group decides"
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
hold S1 svc 8
hold SBIG svc 50
policy_start selectgroup --set select_kill_tgid="$SBIG" --set select_kill_memcg=1 --set kill_mode_ret=1
mark=$(klog_mark)
run_hog svc --mb 60
expect_eq "$(kills_since "$mark")" "$(sorted "$S1" "$SBIG" "$HOG_PID")" \
	"the kernel's kills (select() asked for the group)"
reap S1 SBIG
policy_stop selectgroup
expect_eq "$(pvar selectgroup nr_kill_mode) $(pvar selectgroup killed_kill_mode)" "0 2" \
	"kill_mode() not asked after OOM_EXT_KILL_MEMCG; the kill mode killed() sees"
ok "kill modes: by rule, both ways, live, and checked by the kernel"
