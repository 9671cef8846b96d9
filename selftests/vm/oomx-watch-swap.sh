# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 240 --swap 128M
#
# oomx watch: "swap PCT%" acts at a trip, before the line's duration, once
# the swap the scope can use is that full and the scope's own swap use grew
# since the last trip. A 128 MiB swap disk; three slow leaks (4 MiB/s) in
# cgroups with memory.max = 48M, each under a line "for 60s":
#  - /work/a has memory.swap.max = 32M and "swap 50%": its own share decides
#    (the machine's swap cannot be more than a quarter used by it);
#  - /lim/b, made after the watcher armed, has no swap limit of its own,
#    its parent /lim has 32M, and "swap 50%": the ancestor's share decides;
#  - /work/c, made after the watcher armed, has no swap limit on its way
#    up, and "swap 15%": the machine's share decides.
# For each: the leak is killed by a pressure OOM of its cgroup (not an OOM
# of exhaustion: memory.events oom 0, oom_kill 1), chosen by the policy, in
# under 60 s; the watcher's record says "acted_on": "swap", the source that
# decided, a share from the line's PCT to below 100% and a growth. /work/a
# removed and made again is re-armed with the same number of open files.
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
pressure /lim/b some 100ms 1s for 60s swap 50%
pressure /work/c some 100ms 1s for 60s swap 15%
CONF
cg_new svc
cg_new work/a 48M
echo 32M >"$CG/work/a/memory.swap.max" || fail "cannot set memory.swap.max"
cg_new lim
echo 32M >"$CG/lim/memory.swap.max" || fail "cannot set /lim's memory.swap.max"
hold DB svc 16
"$OOMX" load priority -c "$T/swap.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
"$OOMX" watch --json -c "$T/swap.conf" >"$T/watch.json" 2>"$T/watch.err" &
WATCH=$!
wait_for 10 "the trigger on /work/a to be armed" grep -q 'line 2 .*armed' "$T/watch.err"
expect_eq "$(grep 'line 2 ' "$T/watch.err" | sed 's/.*armed; //')" \
	"swap 50% of: /work/a, /work, the machine" "the swap limits line 2 reads"

# The machine's swap used, percent, rounded up (the guest's own, outside
# the test's cgroups, is some hundreds of kB at most).
machine_swap_pct()
{
	awk '/SwapTotal/ {t=$2} /SwapFree/ {f=$2} END {print int(((t - f) * 100 + t - 1) / t)}' /proc/meminfo
}

# leak_phase CGROUP LINE PCT SOURCE: run the leak in CGROUP and check LINE's kill
leak_phase()
{
	local cg=$1 line=$2 pct=$3 source=$4 mark w used t0 t1
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
	expect_eq "$(jq -r '[.pid, .comm, .chosen_by, .acted_on, .swap.limit_pct, .swap.source] | join(" ")' <<<"$w")" \
		"$HOG_PID leak policy swap $pct $source" "the watcher's kill (line $line)"
	used=$(jq -r '.swap.used_pct * 100 | round' <<<"$w")
	[ "$used" -ge $((pct * 100)) ] && [ "$used" -lt 10000 ] ||
		fail "acted at ${used}/100 % of swap used: not from ${pct}% to below 100%"
	[ "$(jq -r '.swap.grew_bytes' <<<"$w")" -gt 0 ] || fail "acted on swap with no growth: $w"
	ok "acted at $(jq -r .swap.used_pct <<<"$w")% of swap used (line: ${pct}%, source $source), the scope's swap $(jq -r .swap.grew_bytes <<<"$w") bytes more since the last trip"
	[ "$(jq -r .lasted_us <<<"$w")" -lt 60000000 ] && [ $(((t1 - t0) / 1000000000)) -lt 60 ] ||
		fail "the leak lived $(((t1 - t0) / 1000000))ms: the swap rule did not act before 60 s"
	ok "the leak lived $(((t1 - t0) / 1000000)) ms, the episode $(jq -r .lasted_us <<<"$w") us (line: for 60 s)"
	expect_eq "$(cg_event "$cg" oom_kill) $(cg_event "$cg" oom)" "1 0" \
		"$cg memory.events oom_kill and oom"
}

[ "$(machine_swap_pct)" -le 1 ] || fail "the machine's swap is $(machine_swap_pct)% used before the leaks"
leak_phase work/a 2 50 /work/a

# /work/a removed and made again: re-armed, and no file descriptor leaked
fds=$(ls "/proc/$WATCH/fd" | wc -l)
rmdir "$CG/work/a" || fail "cannot remove /work/a"
wait_for 10 "the watcher to see /work/a go" grep -q 'line 2: /work/a went away' "$T/watch.err"
[ "$(ls "/proc/$WATCH/fd" | wc -l)" -lt "$fds" ] || fail "the watcher kept its files of /work/a"
cg_new work/a 48M
wait_for 10 "/work/a to be armed again" eval "[ \$(grep -c 'line 2 .*armed' $T/watch.err) -ge 2 ]"
expect_eq "$(ls "/proc/$WATCH/fd" | wc -l)" "$fds" "the watcher's open files, /work/a made again"

cg_new lim/b 48M
wait_for 10 "the trigger on /lim/b to be armed" grep -q 'line 3 .*armed' "$T/watch.err"
expect_eq "$(grep 'line 3 .*armed' "$T/watch.err" | tail -n 1 | sed 's/.*armed; //')" \
	"swap 50% of: /lim/b, /lim, the machine" "the swap limits line 3 reads"
[ "$(machine_swap_pct)" -le 25 ] || fail "the machine's swap is $(machine_swap_pct)% used before /lim/b's leak"
leak_phase lim/b 3 50 /lim

[ "$(machine_swap_pct)" -lt 15 ] || fail "the machine's swap is $(machine_swap_pct)% used before /work/c's leak"
cg_new work/c 48M
wait_for 10 "the trigger on /work/c to be armed" grep -q 'line 4 .*armed' "$T/watch.err"
leak_phase work/c 4 15 machine

selftests/validate-events "$T/watch.json" || fail "the watcher's lines do not match docs/events.schema.json"
expect_eq "$(grep -c '"result"' "$T/watch.json")" 3 "the watcher's actions"
kill -TERM "$WATCH"
wait "$WATCH" || fail "oomx watch exited $?: $(cat "$T/watch.err")"
kill -KILL "$DB"; wait "$DB" 2>/dev/null
"$OOMX" unload >/dev/null || fail "oomx unload"
swapoff /dev/vda || fail "swapoff"
ok "done"
