# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 360
#
# One OOM sees one configuration. Two loops of 'oomx apply' alternate two
# configurations of the loaded priority policy (each loop applies its own
# file: the applies also race each other for the pin lock), while a storm
# of memcg OOMs runs:
#   A: class 10 comm hogA, class 20 comm hogB  -> hogA dies, "class (10,
#      comm rule at line 1)"
#   B: class 30 comm hogA, class 5 comm hogB   -> hogB dies, "class (5,
#      comm rule at line 3)"
# Every kill event must be one of these two pairs (victim, reason): an OOM
# that scored with one configuration and explained with the other, or
# lost its rules to an apply in mid-scan, gives another pair. Every apply
# must succeed, every OOM must kill exactly one process, and both
# configurations must have decided some OOMs.
#
# An OOM rarely spans an apply, so first the loader's side of the protocol
# is made deterministic: pin_poke makes the policy look as if an OOM held
# the generation in force (oomx_oom.state = ACTIVE | generation). An apply
# then switches to the next generation but keeps the old rules until that
# OOM ends; if it does not end within 5 s, the apply says so and leaves
# them, and the next apply, with an OOM holding an older generation,
# changes nothing.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
BPFTOOL=${OOMX_TOOLS:-}/bpftool/bpftool
POKE=$ST/pin_poke
P=/sys/fs/bpf/oomx
ACTIVE=$((0x40000000))
SCENES=20
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
cp "$HOG" "$T/hogA" && cp "$HOG" "$T/hogB" || fail "cannot copy the hog"

printf 'class 10 comm hogA\nclass 20 comm hogB\n' >"$T/A.conf"
printf '# B\nclass 30 comm hogA\nclass 5 comm hogB\n' >"$T/B.conf"
want_a="hogA lowest class (10, comm rule at line 1), largest in it"
want_b="hogB lowest class (5, comm rule at line 3), largest in it"

cg_new storm 64M
"$OOMX" load priority -c "$T/A.conf" >/dev/null || fail "oomx load"
[ -x "$BPFTOOL" ] || fail "bpftool not found at $BPFTOOL (OOMX_TOOLS)"

gen_now() { "$POKE" $P/settings oomx_gen; }
# the generations the comm rules are stored under
rule_gens() { "$BPFTOOL" -j map dump pinned $P/prio_comm | jq -c '[.[].formatted.key.gen] | unique'; }

g=$(gen_now)
expect_eq "$(rule_gens)" "[$g]" "rule generations after load"
"$POKE" $P/bss oomx_oom $((ACTIVE | g)) >/dev/null || fail "pin_poke"
"$OOMX" apply "$T/B.conf" >"$T/held.out" 2>&1 &
ap=$!
wait_for 10 "apply to switch to generation $((g + 1))" eval '[ "$(gen_now)" = $((g + 1)) ]'
sleep 1
alive "$ap" || fail "apply did not wait for the OOM holding generation $g: $(cat "$T/held.out")"
expect_eq "$(rule_gens)" "[$g,$((g + 1))]" "rule generations while an OOM holds $g"
"$POKE" $P/bss oomx_oom 0 >/dev/null
wait "$ap" || fail "apply: $(cat "$T/held.out")"
expect_eq "$(rule_gens)" "[$((g + 1))]" "rule generations once that OOM ended"

g=$(gen_now)
"$POKE" $P/bss oomx_oom $((ACTIVE | g)) >/dev/null
"$OOMX" apply "$T/A.conf" >"$T/stuck.out" 2>&1 || fail "apply with a stuck OOM: $(cat "$T/stuck.out")"
grep -q "an OOM still uses the previous configuration after 5000 ms" "$T/stuck.out" ||
	fail "apply with a stuck OOM: $(cat "$T/stuck.out")"
expect_eq "$(gen_now) $(rule_gens)" "$((g + 1)) [$g,$((g + 1))]" "an OOM held $g past the wait: switched, old rules kept"
"$OOMX" apply "$T/B.conf" >"$T/older.out" 2>&1
expect_eq "$?" 1 "exit status of an apply while an OOM holds an older generation"
grep -q "an OOM has held an older configuration" "$T/older.out" || fail "older: $(cat "$T/older.out")"
expect_eq "$(gen_now) $(rule_gens)" "$((g + 1)) [$g,$((g + 1))]" "after the refused apply (nothing changed)"
"$POKE" $P/bss oomx_oom 0 >/dev/null
"$OOMX" apply "$T/A.conf" >/dev/null 2>&1 || fail "apply once the OOM ended"
expect_eq "$(gen_now) $(rule_gens)" "$((g + 2)) [$((g + 2))]" "the next apply drops what was left"

# apply_loop FILE: apply FILE until $T/stop exists; count in $T/FILE.n
apply_loop()
{
	local n=0
	until [ -e "$T/stop" ]; do
		"$OOMX" apply "$1" >"$1.out" 2>&1 || { echo "apply $1 failed: $(cat "$1.out")" >"$1.err"; return; }
		n=$((n + 1))
	done
	echo "$n" >"$1.n"
}
apply_loop "$T/A.conf" &
la=$!
apply_loop "$T/B.conf" &
lb=$!

A=0 B=0
for i in $(seq "$SCENES"); do
	alive "$A" || hold A storm 16 "$T/hogA"
	alive "$B" || hold B storm 16 "$T/hogB"
	before=$(cg_event storm oom_kill)
	run_hog storm --mb 40 >/dev/null
	[ "$HOG_END" = "pid=$HOG_PID exited=0" ] || fail "scene $i: the allocation ended '$HOG_END'"
	wait_for 10 "scene $i's victim to exit" eval '! alive "$A" || ! alive "$B"'
	alive "$A" || alive "$B" || fail "scene $i: both hogA and hogB died"
	expect_eq "$(($(cg_event storm oom_kill) - before))" 1 "scene $i: OOM kills" >/dev/null
done
touch "$T/stop"
wait "$la" "$lb"
for f in A B; do
	[ ! -e "$T/$f.conf.err" ] || fail "$(cat "$T/$f.conf.err")"
	ok "config $f applied $(cat "$T/$f.conf.n") times, every time successfully"
done
ok "$SCENES OOMs, one kill each"

"$OOMX" events --json >"$T/events.json" || fail "oomx events"
kills=$(jq -r 'select(.type == "kill") | "\(.comm) \(.reason)"' "$T/events.json")
expect_eq "$(wc -l <<<"$kills")" "$SCENES" "kill events"
na=$(grep -cxF "$want_a" <<<"$kills")
nb=$(grep -cxF "$want_b" <<<"$kills")
[ $((na + nb)) -eq "$SCENES" ] ||
	fail "kill events that match neither configuration: $(grep -vxF -e "$want_a" -e "$want_b" <<<"$kills")"
[ "$na" -gt 0 ] && [ "$nb" -gt 0 ] || fail "one configuration decided every OOM (A: $na, B: $nb)"
ok "every kill event matches one configuration (A: $na, B: $nb)"
kill -KILL "$A" "$B" 2>/dev/null
"$OOMX" unload >/dev/null || fail "oomx unload"
