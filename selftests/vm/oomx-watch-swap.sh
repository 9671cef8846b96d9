# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 240 --swap 128M
#
# oomx watch: "swap PCT%" acts at a trip, before the line's duration, once
# the scope's swap is that full. A 128 MiB swap disk; two slow leaks
# (4 MiB/s) in cgroups with memory.max = 48M, each under a line "for 60s":
#  - /work/a has memory.swap.max = 32M and the line "swap 50%": its own
#    swap share decides (memory.swap.current of memory.swap.max; the
#    machine's swap cannot be more than 25% used by it);
#  - /work/b has no swap limit and the line "swap 15%": the machine's
#    swap decides (SwapTotal - SwapFree in /proc/meminfo). /work/b is made
#    after the watcher armed: its swap files are opened when it appears.
# For each: the leak is killed by a pressure OOM of its cgroup (not an OOM of
# exhaustion: memory.events oom 0, oom_kill 1), chosen by the policy, well
# before 60 s; the watcher says "acted_on": "swap" with a share at or above
# the line's and at most 100%; the kernel's report says pressure.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
bpffs_mount

[ -b /dev/vda ] || fail "no scratch disk /dev/vda (oomx-vm --swap)"
mkswap /dev/vda >/dev/null || fail "mkswap /dev/vda"
swapon /dev/vda || fail "swapon /dev/vda"
ok "swap on: $(awk '/SwapTotal/ {print $2, $3}' /proc/meminfo)"

cat >"$T/swap.conf" <<'CONF'
protect cgroup /svc
pressure /work/a some 100ms 1s for 60s swap 50%
pressure /work/b some 100ms 1s for 60s swap 15%
CONF
cg_new svc
cg_new work/a 48M
echo 32M >"$CG/work/a/memory.swap.max" || fail "cannot set memory.swap.max"
hold DB svc 16
"$OOMX" load priority -c "$T/swap.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
"$OOMX" watch --json -c "$T/swap.conf" >"$T/watch.json" 2>"$T/watch.err" &
WATCH=$!
wait_for 10 "the trigger on /work/a to be armed" grep -q 'line 2.*armed' "$T/watch.err"
ok "$(grep 'line 2' "$T/watch.err")"

# leak_phase CGROUP LINE PCT: run the leak in CGROUP and check LINE's kill
leak_phase()
{
	local cg=$1 line=$2 pct=$3 mark w used t0 t1
	mark=$(klog_mark)
	t0=$(date +%s%N)
	run_hog "$cg" --comm leak --mb 400 --delay-ms 250
	t1=$(date +%s%N)
	expect_sigkilled
	expect_oom_killed "$HOG_PID" "Memory cgroup pressure"
	expect_eq "$(klog_kills "$mark")" "$HOG_PID" "the kills since the leak in $cg started"
	wait_for 10 "the watcher's report of line $line" \
		grep -q "\"line\":$line,.*\"result\":\"killed\"" "$T/watch.json"
	w=$(grep "\"line\":$line,.*\"result\":\"killed\"" "$T/watch.json")
	echo "watch: $w"
	expect_eq "$(jq -r '[.pid, .comm, .chosen_by, .acted_on, .swap_pct] | join(" ")' <<<"$w")" \
		"$HOG_PID leak policy swap $pct" "the watcher's kill (line $line)"
	used=$(jq -r '.swap_used * 100 | round' <<<"$w")
	[ "$used" -ge $((pct * 100)) ] && [ "$used" -le 10000 ] ||
		fail "acted at ${used}/100 % of swap used: not from ${pct}% to 100%"
	ok "acted at $(jq -r .swap_used <<<"$w")% of swap used (line: ${pct}%)"
	[ "$(jq -r .lasted_us <<<"$w")" -lt 60000000 ] && [ $(((t1 - t0) / 1000000000)) -lt 60 ] ||
		fail "the leak lived $(((t1 - t0) / 1000000))ms: the swap rule did not act before 60 s"
	ok "the leak lived $(((t1 - t0) / 1000000)) ms, the episode $(jq -r .lasted_us <<<"$w") us (line: for 60 s)"
	expect_eq "$(cg_event "$cg" oom_kill) $(cg_event "$cg" oom)" "1 0" \
		"$cg memory.events oom_kill and oom"
}

# The machine's swap used, percent, rounded up (the guest's own, outside
# the test's cgroups, is some hundreds of kB at most).
machine_swap_pct()
{
	awk '/SwapTotal/ {t=$2} /SwapFree/ {f=$2} END {print int(((t - f) * 100 + t - 1) / t)}' /proc/meminfo
}
[ "$(machine_swap_pct)" -le 1 ] || fail "the machine's swap is $(machine_swap_pct)% used before the leaks"
# /work/a can use 32 of 128 MiB of swap: an action at 50% or more was its own share
leak_phase work/a 2 50

cg_new work/b 48M
wait_for 10 "the trigger on /work/b to be armed" grep -q 'line 3.*armed' "$T/watch.err"
ok "$(grep 'line 3' "$T/watch.err" | tail -n 1)"
leak_phase work/b 3 15

selftests/validate-events "$T/watch.json" || fail "the watcher's lines do not match docs/events.schema.json"
expect_eq "$(grep -c '"result"' "$T/watch.json")" 2 "the watcher's actions"
kill -TERM "$WATCH"
wait "$WATCH" || fail "oomx watch exited $?: $(cat "$T/watch.err")"
kill -KILL "$DB"; wait "$DB" 2>/dev/null
"$OOMX" unload >/dev/null || fail "oomx unload"
swapoff /dev/vda || fail "swapoff"
ok "done"
