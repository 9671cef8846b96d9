# SPDX-License-Identifier: GPL-2.0
# bench/idle.sh - runs inside the VM, booted by bench/run.sh: what oomx
# costs a machine with no OOM, over BENCH_IDLE (60) seconds each:
#  - 'oomx run default': the loader's CPU time (/proc/PID/stat, in clock
#    ticks: the bench kernel has no schedstat), its context switches
#    (voluntary: its wakeups), its resident memory;
#  - the default policy pinned by 'oomx load', no oomx process left: how
#    often its BPF programs ran and for how long (kernel.bpf_stats_enabled),
#    and the whole guest's context switches and busy CPU ticks (/proc/stat)
#    against the same with no policy, before and after (none, pinned, none).
# Prints:
#   RESULT part=idle what=run seconds=S ticks=T hz=H voluntary=V involuntary=I rss_kb=R
#   RESULT part=idle what=pinned-progs seconds=S run_cnt=C run_ns=N procs=P
#   RESULT part=idle what=machine-none|machine-pinned|machine-none-after seconds=S
#     ctxt=X busy_ticks=B hz=H
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
BPFTOOL=${OOMX_TOOLS:-}/bpftool/bpftool
S=${BENCH_IDLE:-60}
HZ=$(getconf CLK_TCK)
[ -x "$BPFTOOL" ] || fail "bpftool not found at $BPFTOOL (OOMX_TOOLS)"
bpffs_mount

status() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# machine: context switches and busy ticks (all but idle and iowait), now
machine() { awk '/^ctxt/ {c=$2} /^cpu / {b=$2+$3+$4+$7+$8+$9} END {print c, b}' /proc/stat; }
# progs: run count and run time of every BPF program, summed
progs() { "$BPFTOOL" prog show --json | jq -r '[(map(.run_cnt // 0) | add), (map(.run_time_ns // 0) | add)] | join(" ")'; }

"$OOMX" run default >/dev/null 2>"$T/run.err" &
run=$!
wait_for 120 "the policy to attach" grep -qx enabled "$X/state"
sleep 2
n0=$(cpu_ticks "$run")
v0=$(status "$run" voluntary_ctxt_switches); i0=$(status "$run" nonvoluntary_ctxt_switches)
sleep "$S"
n1=$(cpu_ticks "$run")
v1=$(status "$run" voluntary_ctxt_switches); i1=$(status "$run" nonvoluntary_ctxt_switches)
rss=$(status "$run" VmRSS)
kill -INT "$run"
wait "$run" || fail "oomx run exited $?: $(cat "$T/run.err")"
echo "RESULT part=idle what=run seconds=$S ticks=$((n1 - n0)) hz=$HZ voluntary=$((v1 - v0))" \
	"involuntary=$((i1 - i0)) rss_kb=$rss"

# measure_machine WHAT: the guest's idle cost over S seconds, as it is now
measure_machine()
{
	local c0 b0 c1 b1
	sleep 2
	read -r c0 b0 <<<"$(machine)"
	sleep "$S"
	read -r c1 b1 <<<"$(machine)"
	echo "RESULT part=idle what=$1 seconds=$S ctxt=$((c1 - c0)) busy_ticks=$((b1 - b0)) hz=$HZ"
}
measure_machine machine-none
"$OOMX" load default >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
procs=$(pgrep -xc oomx || true)
[ "$procs" = 0 ] || fail "an oomx process is left after 'oomx load': $(pgrep -a oomx)"
grep -qx enabled "$X/state" || fail "the pinned policy is not attached: $(cat "$X/state")"
sysctl -qw kernel.bpf_stats_enabled=1 || fail "cannot enable BPF run-time stats"
read -r c0 r0 <<<"$(progs)"
measure_machine machine-pinned
read -r c1 r1 <<<"$(progs)"
sysctl -qw kernel.bpf_stats_enabled=0
echo "RESULT part=idle what=pinned-progs seconds=$((S + 2)) run_cnt=$((c1 - c0)) run_ns=$((r1 - r0)) procs=$procs"
"$OOMX" unload >/dev/null || fail "oomx unload"
measure_machine machine-none-after
