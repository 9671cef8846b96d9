# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# oomx watch: memory pressure starts the OOM killer, and the loaded policy
# decides. /work has memory.high = 70M and no memory.max: a leak there is
# throttled (mem_cgroup_handle_over_high()), stalls and never reaches an
# OOM of its own. DB (50 MiB, protected by a priority rule) is the largest
# process; the kernel alone would kill it.
#  - idle: the armed watcher sleeps (no context switch in 3 s);
#  - dry run: the trigger trips, the OOM killer chooses the leak, kills
#    nobody, and says so; the leak is still throttled, alive;
#  - the trigger, "some 100ms 1s for 2s", on /work created after the
#    watcher started: one kill, the leak, chosen by the policy, at least 2 s
#    after the pressure began; the kernel's report and the policy's event
#    say "pressure", which trigger, and the stall; memory.events counts
#    oom_kill 1 and oom 0; with panic_on_oom = 2 (which panics even in a
#    memcg OOM) the machine does not panic: this OOM is not exhaustion;
#  - /work is removed and created again (a service restarted): the watcher
#    arms again, and a second leak is killed the same way;
#  - after the pressure OOM, 'oomx set' applies at once (the policy saw the
#    OOM end); SIGHUP re-reads the file and a line that did not change
#    keeps its counters; SIGHUP with a broken file changes nothing;
#  - the watcher stopped, an OOM of exhaustion (memory.max) kills a third
#    leak; 'oomx metrics' (checked by promtool) counts exactly: 2 pressure
#    kills and 1 exhaustion kill chosen by the policy, by cgroup (the
#    removed /work's by id), one scan per OOM invocation, the watcher's
#    trips and kills. (The test kernel has no IPv4: the HTTP server of
#    'oomx metrics --listen' is scraped in host/metrics.)
#  - with no policy attached, a trip kills nobody: "no-policy".
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
bpffs_mount

# conf: the configuration the policy and the watcher share
cat >"$T/watch.conf" <<'CONF'
protect cgroup /work/db
pressure /work some 100ms 1s for 2s
CONF
"$OOMX" load priority -c "$T/watch.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"

# watch ARGS...: start 'oomx watch --json ARGS' in the background as WATCH
watch_start()
{
	"$OOMX" watch --json "$@" >"$T/watch.json" 2>"$T/watch.err" &
	WATCH=$!
}

# watch_says SECONDS WHAT PATTERN: wait for PATTERN in the watcher's stderr
watch_says()
{
	local deadline=$((SECONDS + $1))
	until grep -q "$3" "$T/watch.err"; do
		[ $SECONDS -lt $deadline ] && alive "$WATCH" ||
			fail "waiting for $2: oomx watch said: $(cat "$T/watch.err")"
		sleep 0.05
	done
}

watch_stop()
{
	kill -TERM "$WATCH"
	wait "$WATCH"
	local rc=$?
	[ "$rc" = 0 ] || fail "oomx watch exited $rc: $(cat "$T/watch.err")"
}

# work: /work (memory.high 70M) with DB (50 MiB) in /work/db
work()
{
	cg_new work/db
	cg_new work/batch
	echo 70M >"$CG/work/memory.high" || fail "cannot set memory.high"
	hold DB work/db 50
}

# --- idle, then a dry run ------------------------------------------------
work
watch_start -c "$T/watch.conf" --dry-run
watch_says 10 "the trigger to be armed" 'armed'
ok "$(cat "$T/watch.err")"
cs() { awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n }' "/proc/$WATCH/status"; }
c0=$(cs)
sleep 3
expect_eq "$(($(cs) - c0))" 0 "context switches of the armed watcher in 3 s without pressure"
mark=$(klog_mark)
start_in_cgroup work/batch "$HOG" --comm leak --mb 200 --hold
LEAK=$!
wait_for 60 "the dry run" grep -q '"result"' "$T/watch.json"
d=$(head -n 1 "$T/watch.json")
echo "watch: $d"
expect_eq "$(jq -r '[.result, .pid, .comm, .chosen_by, .scope, .kind, .dry_run] | join(" ")' <<<"$d")" \
	"would-kill $LEAK leak policy /work some true" "the dry run's verdict"
klog_since "$mark" | grep -q "oom_ext: dry run: would kill process $LEAK (leak)" ||
	fail "the kernel log has no dry-run line: $(klog_since "$mark" | tail -n 5)"
expect_eq "$(klog_kills "$mark")" "" "kills during the dry run"
expect_alive "$LEAK" "the leak, after the dry run"
watch_stop
kill -KILL "$LEAK"; wait "$LEAK" 2>/dev/null
kill -KILL "$DB"; wait "$DB" 2>/dev/null
rmdir "$CG/work/db" "$CG/work/batch" "$CG/work" || fail "cannot remove /work"

# --- the trigger, on a cgroup created after the watcher -------------------
watch_start -c "$T/watch.conf"
watch_says 10 "the watcher to wait for /work" 'waiting for the cgroup to appear'
ok "$(cat "$T/watch.err")"
work
watch_says 10 "the trigger to be armed on the new /work" 'armed'
ok "$(grep armed "$T/watch.err")"
echo 2 >/proc/sys/vm/panic_on_oom || fail "cannot set panic_on_oom"
mark=$(klog_mark)
t0=$(date +%s%N)
run_hog work/batch --comm leak --mb 200
t1=$(date +%s%N)
echo 0 >/proc/sys/vm/panic_on_oom
expect_sigkilled
expect_alive "$DB" "DB, protected, though the largest"
expect_eq "$(klog_kills "$mark")" "$HOG_PID" "the kills since the leak started"
expect_oom_killed "$HOG_PID" "Memory cgroup pressure"
line=$(klog_since "$mark" | grep -F "oom_ext: memory pressure in /work: trigger 2 (some 100000 us in 1000000 us), measured") ||
	fail "no pressure line in the kernel log: $(klog_since "$mark" | grep oom_ext)"
ok "kernel: ${line#*] }"
wait_for 10 "the watcher's report" grep -q '"result":"killed"' "$T/watch.json"
w=$(grep '"result":"killed"' "$T/watch.json")
echo "watch: $w"
expect_eq "$(jq -r '[.pid, .comm, .chosen_by, .line] | join(" ")' <<<"$w")" "$HOG_PID leak policy 2" \
	"the watcher's kill"
# the pressure cannot begin before the leak does: a kill sooner than 2 s
# after the leak started would be a kill before the line's duration
[ $(((t1 - t0) / 1000000)) -ge 2000 ] || fail "killed $(((t1 - t0) / 1000000)) ms after the leak started, before the 2 s the line asks"
# it acted on the stall averaged over the duration: at least 2 s of it, at
# least the line's 10%, and the kernel was told what the watcher measured
read -r measure stall measured <<<"$(jq -r '[.measure, .stall_us, .measured_us] | join(" ")' <<<"$w")"
expect_eq "$measure" duration "what the watcher's decision measured"
[ "$measured" -ge 2000000 ] && [ $((stall * 10)) -ge "$measured" ] ||
	fail "acted on ${stall} us of stall in ${measured} us: not 10% over 2 s"
expect_eq "${line##*measured }" "$stall us in $measured us" "the kernel's report of the measurement"
ok "killed $(((t1 - t0) / 1000000)) ms after the leak started, on $((stall / 1000)) ms of stall in the last $((measured / 1000)) ms (the line asks 10% over 2000)"
# the OOM the watcher started is over for the policy too: its configuration
# generation is free (fexit/oom_ext_pressure_oom), and set applies at once
for v in 100 default; do
	s0=$(date +%s%N)
	"$OOMX" set reap_delay_ms=$v >"$T/set.out" 2>&1 || fail "oomx set after a pressure OOM: $(cat "$T/set.out")"
	[ $(($(date +%s%N) - s0)) -lt 3000000000 ] || fail "oomx set waited: $(cat "$T/set.out")"
done
ok "oomx set twice after the pressure OOM, without waiting"
# SIGHUP with the same lines: re-read, and the line keeps its counters
echo '# a comment' >>"$T/watch.conf"
kill -HUP "$WATCH"
watch_says 10 "the re-read" 're-read: 1 pressure line'
expect_eq "$(awk '$1 == 2 { print $4 }' /run/oomx/watch.stats)" 1 "line 2's kills after a re-read"
"$OOMX" events --json >"$T/events.json" || fail "oomx events"
e=$(jq -c 'select(.type == "kill")' "$T/events.json" | tail -n 1)
expect_eq "$(jq -r '[.pid, .chosen_by, .cause, .trigger.id, .trigger.kind, .trigger.threshold_us, .trigger.window_us] | join(" ")' <<<"$e")" \
	"$HOG_PID policy pressure 2 some 100000 1000000" "the policy's kill event (trigger 2: the file's line)"
expect_eq "$(jq -r '[.trigger.stall_us, .trigger.measured_us] | join(" ")' <<<"$e")" "$stall $measured" \
	"the event's measurement (the watcher's)"
ok "event: $(jq -c .trigger <<<"$e"), why: $(jq -r .reason <<<"$e")"
selftests/validate-events "$T/events.json" || fail "the events do not match docs/events.schema.json"
selftests/validate-events "$T/watch.json" || fail "the watcher's lines do not match docs/events.schema.json"
expect_eq "$(cg_event work oom_kill) $(cg_event work oom)" "1 0" "/work memory.events oom_kill and oom"

# --- /work removed and created again: armed again --------------------------
kill -KILL "$DB"; wait "$DB" 2>/dev/null
rmdir "$CG/work/db" "$CG/work/batch" "$CG/work" || fail "cannot remove /work"
watch_says 10 "the watcher to notice /work went away" 'went away'
work
wait_for 10 "the trigger to be armed again" test "$(grep -c armed "$T/watch.err")" -ge 2
ok "re-armed: $(grep armed "$T/watch.err" | tail -n 1)"
mark=$(klog_mark)
run_hog work/batch --comm leak2 --mb 200
expect_sigkilled
expect_alive "$DB" "DB, in the new /work"
expect_eq "$(klog_kills "$mark")" "$HOG_PID" "the kills in the new /work"

# --- SIGHUP with a broken file keeps the triggers ---------------------------
cp "$T/watch.conf" "$T/watch.good"
echo 'pressure /work sometimes 1s 1s' >>"$T/watch.conf"
kill -HUP "$WATCH"
watch_says 10 "the refusal" 'keeping the configuration in force'
ok "$(grep -B1 'keeping the configuration' "$T/watch.err" | head -n 1)"
alive "$WATCH" || fail "the watcher died on a broken file"
"$OOMX" metrics >"$T/w.prom" || fail "oomx metrics exited $?"
expect_eq "$(awk '$1 == "oomx_pressure_kills_total{line=\"2\",scope=\"/work\",kind=\"some\"}" { print $2 }' "$T/w.prom")" 2 \
	"the watcher's kills, in the metrics while it runs"
watch_stop
[ ! -e /run/oomx/watch.stats ] || fail "the watcher left its counters behind"
ok "the stopped watcher's counters are gone"

# --- an OOM of exhaustion, then the metrics --------------------------------
echo 80M >"$CG/work/memory.max" || fail "cannot set memory.max"
echo max >"$CG/work/memory.high"
mark=$(klog_mark)
run_hog work/batch --comm leak3 --mb 200
expect_sigkilled
expect_oom_killed "$HOG_PID" "Memory cgroup out of memory"
"$OOMX" metrics >"$T/m.prom" || fail "oomx metrics exited $?"
if command -v promtool >/dev/null; then
	promtool check metrics <"$T/m.prom" >"$T/lint" 2>&1 || fail "promtool: $(cat "$T/lint")"
	ok "promtool check metrics"
else
	fail "promtool is missing: run 'make deps'"
fi
# metric NAME{LABELS}: its value
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/m.prom"; }
expect_eq "$(metric 'oomx_kills_total{policy="priority",chosen_by="policy",cause="pressure"}')" 2 "pressure kills"
expect_eq "$(metric 'oomx_kills_total{policy="priority",chosen_by="policy",cause="exhaustion"}')" 1 "exhaustion kills"
expect_eq "$(metric 'oomx_kills_total{policy="priority",chosen_by="kernel",cause="exhaustion"}')" 0 "kernel's choices"
expect_eq "$(metric 'oomx_cgroup_kills_total{policy="priority",cgroup="/work/batch"}')" 2 "kills in the new /work/batch"
expect_eq "$(grep -c '^oomx_cgroup_kills_total{policy="priority",cgroup="id:' "$T/m.prom")" 1 \
	"series of removed cgroups (the first /work/batch, by id)"
expect_eq "$(metric 'oomx_scan_seconds_count{policy="priority"}')" "$(metric oomx_oom_invocations_total)" \
	"scans = OOM invocations (each runs select_bad_process() once)"
expect_eq "$(grep -c '^oomx_pressure_' "$T/m.prom")" 0 "pressure series once the watcher stopped"
expect_eq "$(metric oomx_vmstat_oom_kills_total)" 3 "/proc/vmstat oom_kill"
"$OOMX" unload >/dev/null || fail "oomx unload"

# --- no policy: the watcher kills nobody (unless --kernel-choice) ----------
cp "$T/watch.good" "$T/watch.conf"
echo max >"$CG/work/memory.max"
echo 70M >"$CG/work/memory.high"
: >"$T/watch.json"
watch_start -c "$T/watch.conf"
watch_says 10 "the trigger to be armed" 'armed'
mark=$(klog_mark)
start_in_cgroup work/batch "$HOG" --comm leak4 --mb 200 --hold
LEAK=$!
wait_for 60 "the watcher's verdict" grep -q '"result"' "$T/watch.json"
expect_eq "$(jq -r .result "$T/watch.json" | head -n 1)" no-policy "the verdict with no policy attached"
expect_eq "$(klog_kills "$mark")" "" "kills with no policy"
expect_alive "$LEAK" "the leak, with no policy to choose it"
watch_stop
kill -KILL "$LEAK" "$DB"
wait "$LEAK" "$DB" 2>/dev/null || true	# killed: 137
