# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# Bring your own policy: exactly what docs/policy-guide.md says, with the
# guide's own example (newest.bpf.c, taken from the page) built outside
# the tree. 'oomx run FILE.bpf.o' decides a real memcg OOM (the newest
# process of at least min_mib dies, not the kernel's choice, the largest);
# the event names the policy and the kernel's runner-up and count; 'oomx
# load FILE.bpf.o' pins it; 'oomx set min_mib=...' (a tunable oomx found in
# the object's BTF) changes the next victim live; a bad value changes
# nothing; 'oomx status' shows the tunable.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx

bpffs_mount

guide_policy newest
ok "built $T/newest.bpf.o ($(wc -l <"$T/newest.bpf.c") lines of C)"
printf 'min_mib 14\n' >"$T/newest.conf"
"$OOMX" check -c "$T/newest.conf" "$T/newest.bpf.o" >"$T/check.out" 2>&1 ||
	fail "oomx check -c: $(cat "$T/check.out")"
ok "$(cat "$T/check.out")"

# A (44M) is the oldest and largest: the kernel's choice. C (16M) is the
# newest of at least 14 MiB; D, newer still, holds about 12 MiB when the
# OOM comes: never chosen.
"$OOMX" run "$T/newest.bpf.o" -c "$T/newest.conf" --json >"$T/run.json" 2>"$T/run.err" &
run=$!
wait_for 60 "oomx to attach the policy" grep -qx enabled $X/state
expect_eq "$(cat $X/policy)" newest "the attached policy's name"
abc_start byo/run
abc_trigger byo/run
abc_expect C
run_kill_event "$T/run.json" "$run"
selftests/validate-events "$T/run.json" || fail "oomx run --json: $(cat "$T/run.json")"
kv() { jq -r "$1" <<<"$K"; }
expect_eq "$(kv .pid)" "$C" "event pid"
expect_eq "$(kv .policy)" newest "event policy"
expect_eq "$(kv .chosen_by)" policy "event chosen_by"
expect_eq "$(kv .reason)" "the policy's highest score" "event reason (the framework's, no OOMX_EXPLAIN)"
expect_eq "$(kv .runner_up.pid)" "$B" "runner-up: B, the next newest of at least 14 MiB"
expect_eq "$(kv .nr_scored)" 4 "tasks scored: A, B, C and D"
[ "$(kv .runner_up.points)" -lt "$(kv .policy_points)" ] ||
	fail "runner-up points $(kv .runner_up.points) >= the victim's $(kv .policy_points)"
ok "event: pid $(kv .pid) at $(kv .policy_points), runner-up $(kv .runner_up.pid) at $(kv .runner_up.points)"
abc_stop

# pinned, tuned live
"$OOMX" load "$T/newest.bpf.o" -c "$T/newest.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
ok "$(cat "$T/load.out")"
"$OOMX" set min_mib=20 >/dev/null || fail "oomx set min_mib=20"
expect_eq "$("$OOMX" status --json | jq -c .settings)" \
	'{"reap_delay_ms":"default","victim_timeout_ms":0,"min_mib":20}' "oomx status --json settings"
"$OOMX" status | grep -qE '^  min_mib +20 +processes smaller than this are never chosen$' ||
	fail "oomx status: $("$OOMX" status)"
abc_start byo/load
abc_trigger byo/load
abc_expect B
abc_stop
"$OOMX" set reap_delay_ms=100 min_mib=lots >"$T/set.out" 2>&1
expect_eq "$?" 1 "exit status of a set with a bad value"
grep -qF "oomx set: argument:2: min_mib wants an integer from 0 to 1048576, got 'lots'" "$T/set.out" ||
	fail "bad set: $(cat "$T/set.out")"
expect_eq "$("$OOMX" status --json | jq -c .settings)" \
	'{"reap_delay_ms":"default","victim_timeout_ms":0,"min_mib":20}' "settings after the refused set"
"$OOMX" set min_mib=36 >/dev/null || fail "oomx set min_mib=36"
# B (29 MiB) is now too small: A, the only one left, dies
abc_start byo/load2
abc_trigger byo/load2
abc_expect A
abc_stop
"$OOMX" events --json >"$T/events.json" || fail "oomx events"
expect_eq "$(jq -r 'select(.type == "kill") | "\(.policy) \(.comm)"' "$T/events.json" | sort -u)" "newest hog" \
	"the pinned policy's kill events"
"$OOMX" unload >/dev/null || fail "oomx unload"
expect_eq "$(cat $X/state)" disabled "state after unload"
