# SPDX-License-Identifier: GPL-2.0
# bench/events.sh - runs inside the VM, booted by bench/run.sh: does every
# kill reach 'oomx run' when kills come at BENCH_RATE a second (100) for
# BENCH_SECONDS (10), with the default ring buffer?
#
# bench/killstorm forks the victims, one every 1/RATE s, into 16 cgroups of
# memory.max = 4M in turn; each allocates until its cgroup's OOM kills it.
# 'oomx run default --json' receives the events. Prints one line:
#   RESULT part=events rate=R seconds=S started=N sigkilled=K oom_kills=V
#     kill_events=E lost=L first_ms=F last_ms=T loader_ticks=C hz=H
# (oom_kills: /proc/vmstat's oom_kill, more; kill_events: the loader's
# "kill" lines; lost: its exit record's lost_events; loader_ticks: its
# CPU time over the storm and until it has printed every event).
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
STORM=${OOMX_BUILD:-$PWD/build}/bench/killstorm
RATE=${BENCH_RATE:-100}
SECONDS_=${BENCH_SECONDS:-10}
K=16

[ -x "$STORM" ] || fail "no $STORM: run 'make bench' (it builds bench/killstorm)"
echo -1000 >/proc/self/oom_score_adj
echo 0 >/proc/sys/vm/oom_dump_tasks
# The console is a TCG serial port: printing an OOM report there is the
# slowest step of a kill. The reports still go to the kernel log.
dmesg -n 1
for i in $(seq 0 $((K - 1))); do
	cg_new "storm/$i" 4M
done

"$OOMX" run default --json >"$T/events.json" 2>"$T/run.err" &
run=$!
wait_for 120 "the policy to attach" grep -qx enabled "$X/state"

kills0=$(vmstat oom_kill) || exit 1
c0=$(cpu_ticks "$run")
(echo 0 >/proc/self/oom_score_adj &&
	exec "$STORM" --rate "$RATE" --seconds "$SECONDS_" --cgroups "$CG/storm" --count "$K") \
	>"$T/storm.out" 2>"$T/storm.err"
rc=$?
kills=$(($(vmstat oom_kill) - kills0))
read -r _ started _ sigkilled _ other _ first _ last <"$T/storm.out" ||
	fail "killstorm printed nothing: $(cat "$T/storm.err")"
[ "$rc" -eq 0 ] || fail "killstorm exited $rc: $(cat "$T/storm.out" "$T/storm.err")"
# every kill is in the ring buffer by now; give the loader up to 30 s to
# print them (fewer is a result, not a failure of the harness)
for _ in $(seq 600); do
	[ "$(grep -c '"type":"kill"' "$T/events.json")" -ge "$kills" ] && break
	sleep 0.05
done
c1=$(cpu_ticks "$run")	# the storm and the printing of its events
kill -INT "$run"
wait "$run" || fail "oomx run exited $?: $(cat "$T/run.err")"
events=$(grep -c '"type":"kill"' "$T/events.json")
lost=$(jq -r 'select(.type == "exit") | .lost_events' "$T/events.json")
[ -n "$lost" ] || fail "no exit record from oomx run"
dmesg -n 7
echo "RESULT part=events rate=$RATE seconds=$SECONDS_ started=$started sigkilled=$sigkilled" \
	"oom_kills=$kills kill_events=$events lost=$lost first_ms=$first last_ms=$last" \
	"loader_ticks=$((c1 - c0)) hz=$(getconf CLK_TCK)"
