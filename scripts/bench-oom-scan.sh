# SPDX-License-Identifier: GPL-2.0
# bench-oom-scan.sh - runs inside the VM: what a policy costs the OOM
# killer's victim scan, as a ratio against no policy, in the same boot.
#
# From the host (the kernel cached, 'make oomx selftests' done):
#   scripts/oomx-vm -q -c 1 -m 1G -t 1800 -o build/bench.out -e OOMX_BUILD=$PWD/build \
#       -e BENCH_TASKS=1000 -e BENCH_ROUNDS=11 -- bash scripts/bench-oom-scan.sh
#   cat build/bench.out
#
# A memory cgroup holds BENCH_TASKS sleeping processes; a hog in it
# allocates until the memcg OOM kills it, BENCH_ROUNDS times per setup:
# no policy and each built-in policy through 'oomx run', taking turns. The scan is the
# one mem_cgroup_scan_tasks() call of each OOM (oom_dump_tasks is 0, no
# group kill), timed by the function_graph tracer limited to that function
# (depth 1: nothing below it is traced). Reported: the minimum and median
# scan times, the minimum per task, and their ratios to no policy. Under
# QEMU/TCG the absolute times are for an emulated CPU; the ratios are the
# result.
#
# One CPU (-c 1): turning the tracer on patches kernel text while the other
# vCPU runs, and multi-threaded TCG can then execute a stale int3 (seen
# once: "Oops: int3" in decay_load, a panic). With one vCPU nothing runs
# during the patching, and the timings are steadier too.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
N=${BENCH_TASKS:-1000}
ROUNDS=${BENCH_ROUNDS:-7}
TR=/sys/kernel/tracing

mountpoint -q $TR || mount -t tracefs nodev $TR || fail "cannot mount tracefs"
echo 0 >/proc/sys/vm/oom_dump_tasks	# one scan per OOM, the victim's

cg_new bench
for i in $(seq "$N"); do
	start_in_cgroup bench sleep 100000
done
wait_for 120 "$N sleepers in the cgroup" eval \
	'[ "$(wc -l <"$CG/bench/cgroup.procs")" -ge "$N" ]'
# room for a 48 MiB hog on top of what the sleepers use
echo $(($(cat "$CG/bench/memory.current") + 48 * 1024 * 1024)) >"$CG/bench/memory.max" ||
	fail "cannot set bench/memory.max"

echo mem_cgroup_scan_tasks >$TR/set_graph_function
echo 1 >$TR/max_graph_depth
echo function_graph >$TR/current_tracer

# scan SETUP: one OOM; prints its scan time in ns
scan()
{
	echo >$TR/trace
	run_hog bench >/dev/null
	[[ $HOG_END == *"signal=9"* ]] || fail "$1: the hog was not OOM-killed: $HOG_END"
	# " 0) # 1234.567 us |  mem_cgroup_scan_tasks();" (the marker may be absent)
	grep 'mem_cgroup_scan_tasks' $TR/trace | sed -n 's/.* \([0-9.]*\) us .*/\1/p' |
		awk '{ printf "%d\n", $1 * 1000 }' | head -n 1
}

# stat min|median: of the numbers on stdin
stat()
{
	tr ' ' '\n' | grep . | sort -n |
		awk -v w="$1" '{ v[NR] = $1 } END { print w == "min" ? v[1] : v[int((NR + 1) / 2)] }'
}

# the setups take turns, round after round, so that a drift of the
# emulated machine's speed touches them all alike
declare -A times med min
setups=(none default priority pressure)
printf 'class 50 cgroup /bench\nprotect comm oomx\n' >"$T/priority.conf"
for r in $(seq "$ROUNDS"); do
	for s in "${setups[@]}"; do
		if [ "$s" != none ]; then
			args=()
			[ "$s" = priority ] && args=(-c "$T/priority.conf")
			"$OOMX" run "$s" "${args[@]}" >/dev/null 2>"$T/$s.err" &
			pid=$!
			wait_for 60 "$s to attach" grep -qx enabled $X/state
		fi
		t=$(scan "$s")
		[ -n "$t" ] || fail "$s: round $r: no scan in the trace"
		times[$s]+="$t "
		if [ "$s" != none ]; then
			kill -INT "$pid"
			wait "$pid"
		fi
	done
done
for s in "${setups[@]}"; do
	med[$s]=$(stat median <<<"${times[$s]}")
	min[$s]=$(stat min <<<"${times[$s]}")
	echo "$s: scans (ns): ${times[$s]}"
done

echo
echo "memcg OOM victim scan, $N sleeping tasks + the hog, $ROUNDS OOMs each (QEMU/TCG);"
echo "the minimum is the least disturbed run, the median the typical one:"
printf '%-10s %10s %12s %8s %10s %8s\n' setup "min (us)" "ns per task" ratio "med (us)" ratio
for s in "${setups[@]}"; do
	printf '%-10s %10.1f %12d %8.2f %10.1f %8.2f\n' "$s" "$(bc -l <<<"${min[$s]} / 1000")" \
		$((min[$s] / (N + 1))) "$(bc -l <<<"${min[$s]} / ${min[none]}")" \
		"$(bc -l <<<"${med[$s]} / 1000")" "$(bc -l <<<"${med[$s]} / ${med[none]}")"
done
echo 0 >$TR/tracing_on
echo nop >$TR/current_tracer
