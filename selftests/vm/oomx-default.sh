# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# The oomx loader with the "default" policy: 'oomx check' passes in the
# VM; the same memcg OOM kills the same process (A) with and without the
# policy; 'oomx run default --json' prints a kill event whose fields match
# what happened (pid, scores, the runner-up B, the cgroup path, a reason)
# and, on SIGINT, an exit record; 'oomx status --json' shows the policy
# while it runs; the text form names the victim and the reason.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx

mkdir -p /sys/fs/bpf
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
"$OOMX" check >"$T/check.out" || { cat "$T/check.out"; fail "oomx check failed in the VM"; }
ok "oomx check: $(tail -n 1 "$T/check.out")"

# the kernel alone
abc_start default/none
abc_trigger default/none
abc_expect A
abc_stop

# the default policy, JSON events
"$OOMX" run default --json >"$T/run.json" 2>"$T/run.err" &
run=$!
wait_for 60 "oomx to attach the policy" grep -qx enabled $X/state
"$OOMX" status --json >"$T/status.json" || fail "oomx status failed"
expect_eq "$(jq -r '[.state, .policy] | join(" ")' "$T/status.json")" "enabled default" "oomx status --json"
abc_start default/json
abc_trigger default/json
abc_expect A
wait_for 30 "the kill event" grep -q '"type":"kill"' "$T/run.json"
kill -INT "$run"
wait "$run"
expect_eq "$?" 0 "oomx run exit status after SIGINT"
selftests/validate-events "$T/run.json" || fail "oomx run --json: $(cat "$T/run.json")"
k=$(grep -m1 '"type":"kill"' "$T/run.json")
kv() { jq -r "$1" <<<"$k"; }
expect_eq "$(kv .pid)" "$A" "event pid"
expect_eq "$(kv .chosen_by)" policy "event chosen_by"
expect_eq "$(kv .policy)" default "event policy"
expect_eq "$(kv .constraint)" memcg "event constraint"
expect_eq "$(kv .cgroup.path)" /default/json "event cgroup path"
expect_eq "$(kv .policy_points)" "$(kv .kernel_points)" "policy points = kernel points"
expect_eq "$(kv .runner_up.pid)" "$B" "runner-up (B, the second largest)"
expect_eq "$(kv .nr_scored)" 4 "tasks scored: A, B, C and D (the kernel counts them)"
# rss counters are per-CPU approximations (percpu_counter_read_positive)
[ "$(kv .mem.rss_anon_pages)" -ge $((43 * 256)) ] || fail "rss_anon $(kv .mem.rss_anon_pages)"
ok "event: $(kv .reason)"
expect_eq "$(tail -n 1 "$T/run.json" | jq -c '[.type, .kind, .reason]')" \
	'["exit",64,"unregistered from user space"]' "exit record"
abc_stop

# text events
"$OOMX" run default >"$T/run.txt" 2>"$T/run.err" &
run=$!
wait_for 60 "oomx to attach the policy" grep -qx enabled $X/state
abc_start default/text
abc_trigger default/text
abc_expect A
wait_for 30 "the kill event" grep -q "killed pid $A " "$T/run.txt"
kill -INT "$run"
wait "$run"
grep -q "why: largest oom_badness" "$T/run.txt" || fail "text event: $(cat "$T/run.txt")"
ok "text: $(grep "killed pid $A " "$T/run.txt")"
grep -q "policy default exited: unregistered from user space" "$T/run.err" ||
	fail "exit message: $(cat "$T/run.err")"
abc_stop

# a configuration file: rules are refused for the default policy before
# anything is loaded; reap_delay_ms 0 makes the reaper start at once, as
# the reap event shows
printf 'reap_delay_ms 0\nprotect comm hog\n' >"$T/rules.conf"
"$OOMX" run default -c "$T/rules.conf" >"$T/rules.out" 2>&1
expect_eq "$?" 1 "exit status with rules for the default policy"
grep -qF "$T/rules.conf:2: the default policy takes no rules" "$T/rules.out" ||
	fail "rules.conf: $(cat "$T/rules.out")"
ok "refused: $(cat "$T/rules.out")"
expect_eq "$(cat $X/state)" disabled "oom_ext state after the refused configuration"

printf '# reap at once\nreap_delay_ms 0\n' >"$T/fast.conf"
"$OOMX" run default -c "$T/fast.conf" --json >"$T/fast.json" 2>"$T/fast.err" &
run=$!
wait_for 60 "oomx to attach the policy" grep -qx enabled $X/state
cg_new default/reap 64M
held_victim_start default/reap 40
run_hog default/reap --mb 40
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed once V was reaped"
wait_for 30 "the reap event" grep -q '"type":"reap"' "$T/fast.json"
kill -INT "$run"
wait "$run"
selftests/validate-events "$T/fast.json" || fail "oomx run --json: $(cat "$T/fast.json")"
# in order: the kill, then its reap, then the exit record
expect_eq "$(jq -r '.type' "$T/fast.json" | tr '\n' ' ')" "kill reap exit " "the order of the records"
expect_eq "$(jq -s '.[0].pid == .[1].pid and .[0].time_ns < .[1].time_ns' "$T/fast.json")" true \
	"the reap follows its kill (same pid, later time)"
r=$(grep '"type":"reap"' "$T/fast.json")
expect_eq "$(jq -r .pid <<<"$r")" "$HELD" "reap event pid (the kill's pid)"
expect_eq "$(jq -r .result <<<"$r")" 0 "reap result"
since=$(jq -r .since_kill_ns <<<"$r")
[ "$since" -lt 1000000000 ] || fail "the reaper started $since ns after the kill with reap_delay_ms 0"
ok "reap event: started $((since / 1000000)) ms after the kill, $(jq -r .rss_before_pages <<<"$r") -> $(jq -r .rss_after_pages <<<"$r") pages"
expect_eq "$(grep -c '"type":"kill"' "$T/fast.json")" 1 "kill events"
held_victim_release

# not root: refused with what to do, nothing attached
setpriv --reuid=1000 --regid=1000 --clear-groups "$OOMX" run default >"$T/user.out" 2>&1
expect_eq "$?" 1 "exit status of oomx run as uid 1000"
grep -qF "not allowed to load BPF programs: run oomx as root" "$T/user.out" ||
	fail "as uid 1000: $(cat "$T/user.out")"
ok "as uid 1000: $(cat "$T/user.out")"
expect_eq "$(cat $X/state)" disabled "oom_ext state after the refused run"
