# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 240
#
# oomx watch on the machine: a pressure line on "/" starts a global OOM.
# /work has memory.high = 70M and no memory.max: a leak there is throttled
# and stalls, and never reaches an OOM of its own. PSI is hierarchical, so
# that stall is the machine's too (/proc/pressure/memory). DB (100 MiB,
# in /svc, protected by a priority rule) is the largest process; the
# kernel alone would kill it.
#  - one kill, the leak, chosen by the policy, on a stall of at least 10%
#    over at least 2 s; the kernel's headline is "Memory pressure" (the
#    machine's, not a cgroup's), its report names trigger 2 "in the
#    machine" with the watcher's numbers and says constraint=CONSTRAINT_NONE;
#  - panic_on_oom = 1, which panics on any global OOM of exhaustion, does
#    not panic: this OOM is pressure (check_panic_on_oom() is not called);
#  - /work's memory.events counts oom_kill 1 and oom 0 (it had no OOM of
#    its own), /proc/vmstat oom_kill one more;
#  - the watcher's line and the policy's event: scope "/", cause pressure.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
bpffs_mount

cat >"$T/global.conf" <<'CONF'
protect cgroup /svc
pressure / some 100ms 1s for 2s
CONF
cg_new svc
cg_new work/batch
echo 70M >"$CG/work/memory.high" || fail "cannot set memory.high"
hold DB svc 100
"$OOMX" load priority -c "$T/global.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
"$OOMX" watch --json -c "$T/global.conf" >"$T/watch.json" 2>"$T/watch.err" &
WATCH=$!
wait_for 10 "the trigger on the machine to be armed" grep -q 'armed' "$T/watch.err"
ok "$(cat "$T/watch.err")"

echo 1 >/proc/sys/vm/panic_on_oom || fail "cannot set panic_on_oom"
kills0=$(vmstat oom_kill) || exit 1
mark=$(klog_mark)
run_hog work/batch --comm leak --mb 200
echo 0 >/proc/sys/vm/panic_on_oom
expect_sigkilled
expect_alive "$DB" "DB, protected, though the largest"
expect_eq "$(klog_kills "$mark")" "$HOG_PID" "the kills since the leak started"
expect_oom_killed "$HOG_PID" "Memory pressure"
expect_eq "$(klog_since "$mark" | grep -c 'Memory cgroup')" 0 "memcg OOM lines"
klog_since "$mark" | grep -q "oom-kill:constraint=CONSTRAINT_NONE,.*,pid=$HOG_PID," ||
	fail "no CONSTRAINT_NONE summary for $HOG_PID: $(klog_since "$mark" | grep oom-kill:)"
ok "the OOM's constraint: CONSTRAINT_NONE (the whole machine)"
line=$(klog_since "$mark" | grep -F "oom_ext: memory pressure in the machine: trigger 2 (some 100000 us in 1000000 us), measured") ||
	fail "no pressure line for the machine in the kernel log: $(klog_since "$mark" | grep oom_ext)"
ok "kernel: ${line#*] }"

wait_for 10 "the watcher's report" grep -q '"result":"killed"' "$T/watch.json"
w=$(grep '"result":"killed"' "$T/watch.json")
echo "watch: $w"
expect_eq "$(jq -r '[.pid, .comm, .chosen_by, .line, .scope, .measure] | join(" ")' <<<"$w")" \
	"$HOG_PID leak policy 2 / duration" "the watcher's kill"
read -r stall measured <<<"$(jq -r '[.stall_us, .measured_us] | join(" ")' <<<"$w")"
[ "$measured" -ge 2000000 ] && [ $((stall * 10)) -ge "$measured" ] ||
	fail "acted on ${stall} us of stall in ${measured} us: not 10% over 2 s"
expect_eq "${line##*measured }" "$stall us in $measured us" "the kernel's report of the measurement"
expect_eq "$(cg_event work oom_kill) $(cg_event work oom)" "1 0" "/work memory.events oom_kill and oom"
expect_eq "$(($(vmstat oom_kill) - kills0))" 1 "/proc/vmstat oom_kill, more"

"$OOMX" events --json >"$T/events.json" || fail "oomx events"
e=$(jq -c 'select(.type == "kill")' "$T/events.json" | tail -n 1)
expect_eq "$(jq -r '[.pid, .chosen_by, .cause, .trigger.id, .trigger.stall_us, .trigger.measured_us] | join(" ")' <<<"$e")" \
	"$HOG_PID policy pressure 2 $stall $measured" "the policy's kill event"
selftests/validate-events "$T/watch.json" || fail "the watcher's lines do not match docs/events.schema.json"

kill -TERM "$WATCH"
wait "$WATCH" || fail "oomx watch exited $?: $(cat "$T/watch.err")"
kill -KILL "$DB"; wait "$DB" 2>/dev/null
"$OOMX" unload >/dev/null || fail "oomx unload"
ok "done"
