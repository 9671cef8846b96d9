# SPDX-License-Identifier: GPL-2.0
# bench-shadow.sh - runs inside the VM: what a shadow costs the OOM path
# (docs/shadow.md), as a ratio against the kernel's own victim scan of the
# same OOMs, in the same boot.
#
# From the host (the kernel cached, 'make oomx selftests' done):
#   scripts/oomx-vm -q -c 1 -m 1G -t 1800 -o build/bench-shadow.out -e OOMX_BUILD=$PWD/build \
#       -e BENCH_TASKS=1000 -e BENCH_ROUNDS=7 -- bash scripts/bench-shadow.sh
#   cat build/bench-shadow.out
# Add "-k unpatched" to measure on 6.12 without the series.
#
# A memory cgroup holds BENCH_TASKS sleeping processes; a hog in it
# allocates until the memcg OOM kills it, BENCH_ROUNDS times, with the
# shadows default, pressure and priority watching ('oomx shadow --json').
# For each OOM: the kernel's scan (the one mem_cgroup_scan_tasks() call,
# timed by the function_graph tracer at depth 1) and each shadow's own
# evaluation (shadow_ns of its event, taken in
# the program around its walk). A shadow's time is added to the OOM: it
# runs in oom_kill_process() before the kill. Under QEMU/TCG the absolute
# times are an emulated CPU's; the ratios are the result. One vCPU (-c 1),
# for the reason bench/run.sh gives.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
N=${BENCH_TASKS:-1000}
ROUNDS=${BENCH_ROUNDS:-7}
TR=/sys/kernel/tracing

mountpoint -q $TR || mount -t tracefs nodev $TR || fail "cannot mount tracefs"
echo 0 >/proc/sys/vm/oom_dump_tasks

cg_new bench
for i in $(seq "$N"); do
	start_in_cgroup bench sleep 100000
done
wait_for 300 "$N sleepers in the cgroup" eval \
	'[ "$(wc -l <"$CG/bench/cgroup.procs")" -ge "$N" ]'
echo $(($(cat "$CG/bench/memory.current") + 48 * 1024 * 1024)) >"$CG/bench/memory.max" ||
	fail "cannot set bench/memory.max"

printf 'class 50 cgroup /bench\nprotect comm oomx\n' >"$T/priority.conf"
"$OOMX" shadow --json default pressure "priority:$T/priority.conf" >"$T/shadow.json" 2>"$T/shadow.err" &
sh=$!
wait_for 300 "the shadows to be watching" grep -q "priority.*watching" "$T/shadow.err"

echo mem_cgroup_scan_tasks >$TR/set_graph_function
echo 1 >$TR/max_graph_depth
echo function_graph >$TR/current_tracer

scans=""
for r in $(seq "$ROUNDS"); do
	echo >$TR/trace
	run_hog bench >/dev/null
	[[ $HOG_END == *"signal=9"* ]] || fail "round $r: the hog was not OOM-killed: $HOG_END"
	t=$(grep 'mem_cgroup_scan_tasks' $TR/trace | sed -n 's/.* \([0-9.]*\) us .*/\1/p' |
		awk '{ printf "%d\n", $1 * 1000 }' | head -n 1)
	[ -n "$t" ] || fail "round $r: no scan in the trace"
	scans+="$t "
	wait_for 60 "round $r's three verdicts" test "$(grep -c '"type":"shadow"' "$T/shadow.json")" -ge $((3 * r))
done
echo 0 >$TR/tracing_on
echo nop >$TR/current_tracer
kill -INT "$sh"
wait "$sh"

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
scan=$(median <<<"$scans")
echo "kernel scans (ns): $scans"
echo
echo "memcg OOM with $N sleeping tasks + the hog, $ROUNDS OOMs (QEMU/TCG, one vCPU); medians:"
printf '%-10s %12s %14s %10s %8s\n' what "time (us)" "ns per task" "of scan" agree
printf '%-10s %12.1f %14d %10s %8s\n' "scan" "$(bc -l <<<"$scan / 1000")" $((scan / (N + 1))) 1.00 -
for p in default pressure priority; do
	ns=$(jq -r --arg p "$p" 'select(.policy == $p) | .shadow_ns' "$T/shadow.json" | median)
	ag=$(jq -r --arg p "$p" 'select(.policy == $p) | .agree' "$T/shadow.json" | grep -c true)
	walked=$(jq -r --arg p "$p" 'select(.policy == $p) | .nr_scored' "$T/shadow.json" | median)
	printf '%-10s %12.1f %14d %10.2f %8s\n' "$p" "$(bc -l <<<"$ns / 1000")" \
		$((ns / (N + 1))) "$(bc -l <<<"$ns / $scan")" "$ag/$ROUNDS"
done
echo "(each shadow scored $walked tasks per OOM; ns per task divides by the cgroup's)"
