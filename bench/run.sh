#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh - what oomx costs, measured in the VM against the unpatched
# 6.12 kernel built with the same options ('make bench'). Prints one table
# and writes OUT/bench.txt, OUT/bench.json and each boot's output.
# docs/performance.md explains every figure.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") [--parts "LIST"] [--boots N] [--rounds N] [--tasks "LIST"]
                 [--quick] [--out DIR]

  --parts LIST   of: scan cost race reap events idle (default: all of them)
  --boots N      scan: boots of each kernel, taking turns (default 2)
  --rounds N     scan, cost: timed OOMs per setup, scope and task count in a
                 boot (default 3; each after one to warm up)
  --tasks LIST   scan: task counts (default "1000 10000"); cost: the largest
  --quick        a smoke run: 1 boot, 2 rounds, 1000 tasks, 1 race and 1
                 reap round, 5 s of kills, 10 s idle (minutes, not an answer)
  --out DIR      where the results go (default build/bench)

The kernels are 'make kernel-bench' and 'make kernel-bench-unpatched': the
test kernel's options without lock debugging, with and without the series.
The full run takes about 40 minutes under TCG on an idle 2-core host; do
not run anything else meanwhile: the results are ratios within each boot and
across boots taking turns, and a busy host makes them noise.
EOF
}

parts="scan cost race reap events idle" boots=2 rounds=3 tasks="1000 10000" out=$OOMX_BUILD/bench
rate=100 seconds=10 idle=60 reap_rounds=3 race_rounds=5
# --quick sets the defaults; options given with it still win, wherever they are
for a in "$@"; do
	[ "$a" != --quick ] ||
		{ boots=1 rounds=2 tasks=1000 seconds=5 idle=10 reap_rounds=1 race_rounds=1; }
done
while [ $# -gt 0 ]; do
	case "$1" in
	--parts) parts=${2:?--parts needs a list}; shift 2 ;;
	--boots) boots=${2:?--boots needs a number}; shift 2 ;;
	--rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
	--tasks) tasks=${2:?--tasks needs a list}; shift 2 ;;
	--quick) shift ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" "see --help" ;;
	esac
done
for p in $parts; do
	case $p in
	scan|cost|race|reap|events|idle) ;;
	*) die "unknown part '$p'" "see --help for the parts" ;;
	esac
done
[[ "$boots" =~ ^[1-9][0-9]*$ ]] || die "--boots wants a positive number, not '$boots'"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive number, not '$rounds'"
for n in $tasks; do
	# the 1536 MiB guest has room for about 12,000 processes (kernel stacks,
	# page tables) beside the hog
	[[ "$n" =~ ^[1-9][0-9]*$ ]] && [ "$n" -le 12000 ] ||
		die "--tasks wants counts from 1 to 12000, not '$n'" "e.g. --tasks \"1000 10000\""
done
for s in bench bench-unpatched; do
	[ -r "$OOMX_CACHE/kernel-$s.env" ] ||
		die "no $s kernel built yet" "run 'make bench' (it builds both), or 'make kernel-$s'"
done
for f in oomx bench/tasks bench/killstorm bench/victim bench/mrelease selftests/oom_clock selftests/hog selftests/runwait; do
	[ -x "$OOMX_BUILD/$f" ] || die "$OOMX_BUILD/$f is missing" "run 'make bench'"
done

mkdir -p "$out"
out=$(realpath "$out")
cd "$OOMX_ROOT"
# a part run again replaces its own outputs; the other parts' stay in the report
for p in $parts; do
	rm -f "$out/$p"*.out "$out/$p"*.console.log
done

# vm NAME KERNEL ARGS... -- COMMAND: one boot; its output in OUT/NAME.out
vm()
{
	local name=$1 kernel=$2 rc=0
	shift 2
	scripts/oomx-vm -q -k "$kernel" -l "$out/$name.console.log" -o "$out/$name.out" \
		-e OOMX_BUILD="$OOMX_BUILD" "$@" >/dev/null || rc=$?
	case $rc in
	0) ;;
	124) die "bench: $name: the VM timed out; console: $out/$name.console.log" ;;
	126) die "bench: $name: the kernel log has a splat; console: $out/$name.console.log" ;;
	*) grep '^FAIL' "$out/$name.out" >&2 || tail -n 20 "$out/$name.out" >&2
	   die "bench: $name: the guest failed (exit $rc); output: $out/$name.out" ;;
	esac
}

stage "bench: parts '$parts' into $out"
if [[ " $parts " == *" scan "* ]]; then
	for b in $(seq "$boots"); do
		# the kernels take turns, and the first of a boot pair alternates
		order="unpatched patched"
		[ $((b % 2)) -eq 1 ] || order="patched unpatched"
		for k in $order; do
			kernel=bench-unpatched
			[ $k = unpatched ] || kernel=bench
			stage "scan: boot $b of $boots, the $k kernel ($tasks tasks, $rounds rounds)"
			# One vCPU: the timed window then has no other CPU's work in it
			# (PREEMPT_NONE: no reschedule inside it), and no other vCPU runs
			# while a trampoline is patched in (multi-threaded TCG once ran a
			# stale int3 after the function_graph tracer's patching; the 2-vCPU
			# parts attach BPF trampolines too, as the VM tests do, and have
			# not shown it).
			vm "scan-$k-$b" $kernel -c 1 -m 1536M -t 5400 -e BENCH_KERNEL=$k \
				-e BENCH_TASKS="$tasks" -e BENCH_ROUNDS="$rounds" -- bash bench/scan.sh
			info "$(grep -c '^RESULT' "$out/scan-$k-$b.out") OOMs timed"
		done
	done
fi
if [[ " $parts " == *" cost "* ]]; then
	n=$(tr ' ' '\n' <<<"$tasks" | sort -n | tail -n 1)
	stage "cost: where a policy's time goes, memcg OOMs over $n tasks, $rounds rounds"
	# the scan's guest; each policy's badness program also timed by the
	# kernel's BPF statistics, in an OOM of its own
	vm cost bench -c 1 -m 1536M -t 3600 -e BENCH_KERNEL=patched -e BENCH_TASKS="$n" \
		-e BENCH_SCOPES=memcg -e BENCH_ROUNDS="$rounds" -e BENCH_BPF_STATS=1 -e BENCH_PROFILE=1 \
		-e BENCH_SETUPS="none default priority-norules priority" \
		-e OOMX_TOOLS="$OOMX_CACHE/tools/current" -- bash bench/scan.sh
	info "$(grep -c '^RESULT' "$out/cost.out") OOMs timed"
fi
if [[ " $parts " == *" race "* ]]; then
	for k in unpatched patched; do
		kernel=bench-unpatched
		[ $k = unpatched ] || kernel=bench
		stage "race: the $k kernel, a 1 GiB victim in 4096 mappings, $race_rounds rounds"
		vm "race-$k" $kernel -c 2 -m 1536M -t 1800 --swap 64M -e BENCH_KERNEL=$k \
			-e BENCH_ROUNDS=$race_rounds -- bash bench/race.sh
		info "$(grep -c '^RESULT' "$out/race-$k.out") teardowns timed"
	done
fi
if [[ " $parts " == *" reap "* ]]; then
	for k in unpatched patched; do
		kernel=bench-unpatched
		[ $k = unpatched ] || kernel=bench
		stage "reap: the $k kernel, four victim states, $reap_rounds rounds"
		vm "reap-$k" $kernel -c 2 -m 1G -t 3600 --swap 64M -e BENCH_KERNEL=$k \
			-e BENCH_ROUNDS=$reap_rounds -- bash bench/reap.sh
		info "$(grep -c '^RESULT' "$out/reap-$k.out") OOMs timed"
	done
fi
if [[ " $parts " == *" events "* ]]; then
	stage "events: $rate kills a second for $seconds s, the bench kernel"
	vm events bench -c 2 -m 512M -t 900 -e BENCH_RATE=$rate -e BENCH_SECONDS=$seconds \
		-- bash bench/events.sh
fi
if [[ " $parts " == *" idle "* ]]; then
	stage "idle: $idle s each, the bench kernel"
	vm idle bench -c 2 -m 512M -t $((idle * 5 + 300)) -e BENCH_IDLE=$idle \
		-e OOMX_TOOLS="$OOMX_CACHE/tools/current" -- bash bench/idle.sh
fi
python3 bench/report.py "$out"/*.out --json "$out/bench.json" \
	--commit "$(git describe --always --dirty 2>/dev/null)" --date "$(date -u +%F)" |
	tee "$out/bench.txt"
stage "bench: $out/bench.txt, $out/bench.json"
