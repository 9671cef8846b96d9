# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 360
#
# Pinned policies, for operators: 'oomx load priority -c FILE' pins the
# policy and returns; with the loader gone the policy still decides the
# next OOM; a second load is refused; bpftool prints the pinned settings
# and rules with their types; 'oomx events' reads the kill event;
# 'oomx set' changes settings all or nothing; 'oomx apply' replaces the
# rules (the next OOM follows the new ones) and an invalid file changes
# nothing; 'oomx unload' detaches it, says why, removes the pins, and the
# kernel's own choice is back. The scene: a 44 MiB "database" (db) and
# 28 + 16 MiB of batch work (the 16 MiB one named batchjob) in a 100 MiB
# cgroup, then 16 MiB more: one OOM kill.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
BPFTOOL=${OOMX_TOOLS:-}/bpftool/bpftool
P=/sys/fs/bpf/oomx
cp "$HOG" "$T/batchjob" || fail "cannot copy the hog"
mkdir -p /sys/fs/bpf
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"

# scene T: db, big and small (batchjob) in cgroup T, then one OOM
scene()
{
	local t=$1
	cg_new "$t/db"
	cg_new "$t/batch"
	echo 100M >"$CG/$t/memory.max" || fail "cannot set $t/memory.max"
	hold DB "$t/db" 44
	hold BIG "$t/batch" 28
	hold SMALL "$t/batch" 16 "$T/batchjob"
	run_hog "$t/batch" --mb 16
	expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "$t: the allocation completed after one kill"
}

cg_new l1/db
printf 'reap_delay_ms 1500\nprotect cgroup /l1/db\nprotect cgroup /l2/db\n' >"$T/protect.conf"
cg_new l2/db
"$OOMX" load priority -c "$T/protect.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
ok "$(cat "$T/load.out")"
expect_eq "$(cat $X/policy)" priority "attached policy after oomx load returned"
for f in link events settings data bss rodata prio_cgpath prio_cgroup prio_comm prio_uid growth growth_timer \
	link_oomx_oom_end link_prio_cgroup_mkdir link_prio_cgroup_rmdir; do
	[ -e "$P/$f" ] || fail "$P/$f is not pinned"
done
ok "pinned: $(ls $P | tr '\n' ' ')"

"$OOMX" load default >"$T/load2.out" 2>&1
expect_eq "$?" 1 "exit status of a second load"
grep -q "policy 'priority' is already loaded" "$T/load2.out" || fail "second load: $(cat "$T/load2.out")"
ok "refused: $(cat "$T/load2.out")"
expect_eq "$(cat $X/policy)" priority "the first policy is still attached"

if [ -x "$BPFTOOL" ]; then
	"$BPFTOOL" -j map dump pinned $P/settings >"$T/settings.json" || fail "bpftool map dump settings"
	expect_eq "$(jq -c '[.. | .oomx_gen? // empty][0]' "$T/settings.json")" 0 \
		"bpftool: the configuration generation"
	expect_eq "$(jq -c '[[.. | .reap_delay_ms? // empty][0], [.. | .victim_timeout_ms? // empty][0]]' "$T/settings.json")" \
		'[[1500,1500],[0,0]]' "bpftool: pinned settings (both slots of generation 0)"
	"$BPFTOOL" -j map dump pinned $P/prio_cgroup >"$T/rules.json" || fail "bpftool map dump rules"
	expect_eq "$(jq -c '[.[] | .formatted.value.klass]' "$T/rules.json")" '[255,255]' "bpftool: two protect rules"
	expect_eq "$(jq -c '[.[].formatted.key.id] | sort' "$T/rules.json")" \
		"$(printf '[%s,%s]' "$(stat -c %i $CG/l1/db)" "$(stat -c %i $CG/l2/db)" | jq -c sort)" \
		"bpftool: the rules' cgroup ids"
else
	fail "bpftool not found at $BPFTOOL (OOMX_TOOLS)"
fi

# the loader is gone; the pinned policy decides
scene l1
expect_alive "$DB" "DB, the protected"
only_victim BIG DB BIG SMALL
"$OOMX" events --json >"$T/events.json" || fail "oomx events failed"
selftests/validate-events "$T/events.json" || fail "oomx events --json: $(cat "$T/events.json")"
k=$(grep -m1 '"type":"kill"' "$T/events.json")
expect_eq "$(jq -r .pid <<<"$k")" "$BIG" "oomx events: the kill's pid"
expect_eq "$(jq -r .policy <<<"$k")" priority "oomx events: the policy"
"$OOMX" events --json >"$T/events2.json"
expect_eq "$(grep -c '"type":"kill"' "$T/events2.json")" 0 "events after they were read"

# settings: all or nothing
"$OOMX" set reap_delay_ms=0 victim_timeout_ms=250 >"$T/set.out" 2>&1 || fail "oomx set: $(cat "$T/set.out")"
"$OOMX" status --json >"$T/status.json"
expect_eq "$(jq -c .settings "$T/status.json")" '{"reap_delay_ms":0,"victim_timeout_ms":250,"rank":"size","growth_interval_ms":1000}' "settings after oomx set"
"$OOMX" set victim_timeout_ms=1000 reap_delay_ms=99999 >"$T/set2.out" 2>&1
expect_eq "$?" 1 "exit status of an invalid set"
grep -qF "oomx set: argument:2: reap_delay_ms wants an integer from 0 to 10000 or 'default', got '99999'" "$T/set2.out" ||
	fail "invalid set: $(cat "$T/set2.out")"
"$OOMX" status --json >"$T/status2.json"
expect_eq "$(jq -c .settings "$T/status2.json")" '{"reap_delay_ms":0,"victim_timeout_ms":250,"rank":"size","growth_interval_ms":1000}' \
	"settings after an invalid set (unchanged, victim_timeout_ms too)"

# apply: new rules replace the old ones as a whole
printf 'prefer comm batchjob\n' >"$T/prefer.conf"
"$OOMX" apply "$T/prefer.conf" >"$T/apply.out" 2>&1 || fail "oomx apply: $(cat "$T/apply.out")"
ok "$(cat "$T/apply.out")"
"$OOMX" status --json >"$T/status3.json"
expect_eq "$(jq -c .settings "$T/status3.json")" '{"reap_delay_ms":"default","victim_timeout_ms":0,"rank":"size","growth_interval_ms":1000}' \
	"settings after apply (the file sets none: defaults)"
# a reload cannot switch the policy: apply --policy refuses another one
"$OOMX" apply --policy default "$T/prefer.conf" >"$T/apply3.out" 2>&1
expect_eq "$?" 1 "exit status of apply --policy default with priority loaded"
grep -qF "the loaded policy is 'priority', not 'default'" "$T/apply3.out" ||
	fail "apply --policy: $(cat "$T/apply3.out")"
ok "refused: $(cat "$T/apply3.out")"
"$OOMX" apply --policy priority "$T/prefer.conf" >/dev/null || fail "apply --policy priority"
printf 'protect cgroup /l3/db\nprefer cgroup //l3//db/\n' >"$T/bad.conf"
"$OOMX" apply "$T/bad.conf" >"$T/apply2.out" 2>&1
expect_eq "$?" 1 "exit status of an invalid apply"
grep -qF "$T/bad.conf:2: a second class rule for the same cgroup; the first is at line 1" "$T/apply2.out" ||
	fail "bad apply: $(cat "$T/apply2.out")"
ok "refused: $(cat "$T/apply2.out")"
cg_new l3/db
scene l3
only_victim SMALL DB BIG SMALL
if [ -x "$BPFTOOL" ]; then
	expect_eq "$("$BPFTOOL" -j map dump pinned $P/prio_cgroup | jq length)" 0 "cgroup bindings left after apply"
	expect_eq "$("$BPFTOOL" -j map dump pinned $P/prio_cgpath | jq length)" 0 "cgroup rules left after apply"
	expect_eq "$("$BPFTOOL" -j map dump pinned $P/prio_comm | jq -c '[.[].formatted.key.comm]')" \
		'["batchjob"]' "comm rules after apply"
fi

# unload: the kernel's choice again
"$OOMX" unload >"$T/unload.out" 2>&1 || fail "oomx unload: $(cat "$T/unload.out")"
grep -q "policy unloaded: unregistered from user space (kind 64)" "$T/unload.out" ||
	fail "unload: $(cat "$T/unload.out")"
ok "$(cat "$T/unload.out")"
expect_eq "$(cat $X/state)" disabled "state after unload"
expect_eq "$(ls -A $P)" "" "pins left in $P after unload (the directory stays: oomx locks it)"
"$OOMX" unload >"$T/unload2.out" 2>&1
expect_eq "$?" 1 "exit status of unload with nothing loaded"
cg_new l4/db
scene l4
only_victim DB DB BIG SMALL

# a reader killed with SIGKILL does not take the policy with it; events
# that do not fit a small buffer are counted and reported, never silent
cg_new l5/db
"$OOMX" load priority --events-buffer 4 -c "$T/protect.conf" >"$T/load5.out" 2>&1 ||
	fail "oomx load --events-buffer 4: $(cat "$T/load5.out")"
"$OOMX" events --follow >/dev/null 2>&1 &
reader=$!
sleep 1
kill -KILL "$reader"
wait "$reader" 2>/dev/null
expect_eq "$(cat $X/state) $(cat $X/policy)" "enabled priority" "the policy after its reader was SIGKILLed"
reaps0=$(counter reaps)
cg_new l5/storm 32M
n=0
while [ "$(cg_event l5/storm oom_kill)" -lt 20 ] && [ $n -lt 100 ]; do
	run_hog l5/storm --mb 64 >/dev/null
	n=$((n + 1))
done
kills=$(cg_event l5/storm oom_kill)
reaps=$(($(counter reaps) - reaps0))
[ "$kills" -ge 20 ] || fail "only $kills OOM kills in the storm"
"$OOMX" events --json >"$T/storm.json" 2>"$T/storm.err" || fail "oomx events: $(cat "$T/storm.err")"
printed=$(wc -l <"$T/storm.json")
lost=$(sed -n 's/^oomx events: \([0-9]*\) events* w.* lost .*/\1/p' "$T/storm.err")
[ -n "$lost" ] || fail "no lost-events message: $(cat "$T/storm.err")"
expect_eq "$((printed + lost))" "$((kills + reaps))" "events printed + lost = kills + reaps"
ok "$printed events printed, $lost reported lost: $(cat "$T/storm.err")"
expect_eq "$("$OOMX" status --json | jq .lost_events)" "$lost" "oomx status --json lost_events"
"$OOMX" unload >/dev/null || fail "oomx unload"
