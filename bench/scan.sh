# SPDX-License-Identifier: GPL-2.0
# bench/scan.sh - runs inside the VM, booted by bench/run.sh: what it costs
# the OOM killer to decide, with TASKS processes to scan, on this kernel.
#
# The cgroups are a Kubernetes node's: a crowd of sleeping processes spread
# over 100 burstable pods, the hog in a best-effort pod, and the priority
# policy configured with deploy/kubernetes/priority.conf (the preset an
# operator would load). Per OOM, oom_clock (selftests/progs/oom_clock.bpf.c)
# times the decision: from the start of the out_of_memory() call that
# killed to oom_kill_process() being entered (its call_ns): the policy's
# begin and select hooks, the scan with its per-task badness, the kernel's
# checks, and a shadow's walk (attached after oom_clock, its fentry on
# oom_kill_process() runs first: kernel/bpf/trampoline.c adds a link at the
# head of the list). Earlier calls that killed nothing are not in it. Not in
# it either: what a policy does after the decision (kill_mode, killed(),
# the kill event), and the OOM report, the same for every setup.
#
# For each task count, scope (memcg: the pods' parent at its memory.max;
# global: the whole guest) and round, every setup takes its turn, in an
# order that rotates round by round: it is attached, makes one OOM to warm
# up (under TCG the first run of code pays for its translation) and one
# that is timed. The hog is the victim in every setup (checked), and a
# policy must still be attached after its OOMs and have been told of both
# kills (/sys/kernel/oom_ext/kills).
#
# Prints one line per timed OOM:
#   RESULT kernel=K scope=S tasks=N setup=X round=R call_ns=D cold_ns=C [stopped=1]
# (stopped: a shadow that stopped itself at the warm-up OOM, over its
# 100 ms budget; D is then the warm-up's.)
#
# With BENCH_BPF_STATS=1 (the cost part), a policy's timed OOM is followed
# by one more with kernel.bpf_stats_enabled, and the line gains
# body_ns=B calls=C stats_call_ns=S: the time its badness program ran in
# that OOM, how many times (bpf_prog_info's run_time_ns and run_cnt), and
# that OOM's decision time. The statistics cost two clock reads a call, so
# they are kept out of call_ns. With
# BENCH_PROFILE=1, the first round of each setup also makes one OOM under
# 'perf record -g' and prints its decision's profile (bench/profile.py).
#
# Environment: BENCH_KERNEL (a label: unpatched, patched), BENCH_TASKS
# ("1000 10000"), BENCH_SCOPES ("memcg global"), BENCH_ROUNDS (3),
# BENCH_SETUPS (the kernel's list below; also priority-norules: priority
# with no rules), BENCH_BPF_STATS, BENCH_PROFILE.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
CLOCK=$ST/oom_clock
CROWD=${OOMX_BUILD:-$PWD/build}/bench/tasks
KERNEL=${BENCH_KERNEL:?BENCH_KERNEL names the kernel: unpatched or patched}
COUNTS=${BENCH_TASKS:-1000 10000}
SCOPES=${BENCH_SCOPES:-memcg global}
ROUNDS=${BENCH_ROUNDS:-3}
PRESET=$PWD/deploy/kubernetes/priority.conf
PODS=kubepods.slice
CROWD_CG=$PODS/kubepods-burstable.slice
HOG_CG=$PODS/kubepods-besteffort.slice/pod-hog
NPODS=100

[ -x "$CROWD" ] || fail "no $CROWD: run 'make bench' (it builds bench/tasks)"
if [ -n "${BENCH_SETUPS:-}" ]; then
	read -ra setups <<<"$BENCH_SETUPS"
elif [ -d "$X" ]; then
	setups=(none default priority pressure shadow)
else
	setups=(none shadow)	# an unpatched kernel has no oom_ext
fi
WRAP=()	# a command one_oom runs the hog under
STATS=${BENCH_BPF_STATS:-0}
PROFILE=${BENCH_PROFILE:-0}
[ "$PROFILE" = 0 ] || command -v perf >/dev/null || fail "BENCH_PROFILE needs perf (linux-perf): make deps"
[ "$PROFILE" = 0 ] || echo 1 >/proc/sys/net/core/bpf_jit_kallsyms	# name the programs
BPFTOOL=${OOMX_TOOLS:-}/bpftool/bpftool
[ "$STATS" = 0 ] || [ -x "$BPFTOOL" ] || fail "BENCH_BPF_STATS needs bpftool: no $BPFTOOL"
echo -1000 >/proc/self/oom_score_adj	# the harness is never the victim
echo 0 >/proc/sys/vm/oom_dump_tasks	# one scan per OOM: the victim's
dmesg -n 1	# the reports go to the log, not to the slow serial console
bpffs_mount
for i in $(seq 0 $((NPODS - 1))); do
	cg_new "$CROWD_CG/$i"
done
cg_new "$HOG_CG"
cg_new system.slice

"$CLOCK" >"$T/clock.out" 2>"$T/clock.err" &
clock=$!
wait_for 60 "oom_clock to attach" grep -qx ready "$T/clock.out"

crowd=
# crowd N: N sleeping processes of oom_score_adj 0 over the burstable pods
crowd()
{
	local n=$1
	if [ -n "$crowd" ]; then
		kill -TERM "$crowd"
		wait "$crowd"
		wait_for 120 "the old crowd to go" eval \
			"! cat $CG/$CROWD_CG/*/cgroup.procs | grep -q ."
	fi
	(echo 0 >/proc/self/oom_score_adj &&
		exec "$CROWD" --count "$n" --cgroup "$CG/$CROWD_CG" --pods $NPODS) >"$T/crowd.out" &
	crowd=$!
	wait_for 600 "$n processes in the crowd" grep -qx "ready $n" "$T/crowd.out"
}

policy=
# attach SETUP: load the setup's policy (or shadow); none: nothing
attach()
{
	case "$1" in
	none) policy= ;;
	shadow)
		"$OOMX" shadow --json "priority:$PRESET" >"$T/shadow.json" 2>"$T/shadow.err" &
		policy=$!
		wait_for 120 "the shadow to watch" grep -q "priority.*watching" "$T/shadow.err" ;;
	*)
		local args=() name=${1%-norules}
		[ "$1" = priority ] && args=(-c "$PRESET")
		"$OOMX" run "$name" "${args[@]}" >/dev/null 2>"$T/run.err" &
		policy=$!
		wait_for 120 "$1 to attach" grep -qx enabled "$X/state" ;;
	esac
}

detach()
{
	[ -n "$policy" ] || return 0
	kill -INT "$policy"
	wait "$policy" || fail "the $1 setup's process exited $?: $(cat "$T/run.err" "$T/shadow.err" 2>/dev/null)"
	policy=
	[ "$1" = shadow ] || wait_for 30 "the policy to detach" grep -qx disabled "$X/state"
}

# one_oom SETUP SCOPE N: the hog until it is killed; sets D, the OOM's
# decision time in ns, and SHADOW_NS, the shadow's own walk (or nothing)
one_oom()
{
	local setup=$1 scope=$2 n=$3 pid end line shadows i
	shadows=$(grep -c '"type":"shadow"' "$T/shadow.json" 2>/dev/null)
	(echo 0 >/proc/self/oom_score_adj &&
		exec "${WRAP[@]}" "$RUNWAIT" --cgroup "$CG/$HOG_CG" --pidfile "$T/hog.pid" -- \
			"$HOG" --mlock --comm hog) >"$T/hog.end" ||
		fail "runwait could not run the hog${WRAP:+ under $WRAP: $(cat "$T/perf.err" 2>/dev/null)}"
	pid=$(cat "$T/hog.pid")
	end=$(cat "$T/hog.end")
	[ "$end" = "pid=$pid signal=9 (SIGKILL)" ] || fail "$setup/$scope/$n: the hog ended '$end'"
	wait_for 30 "the OOM of hog $pid on the clock" grep -q "^kill .* tgid=$pid " "$T/clock.out"
	line=$(grep "^kill " "$T/clock.out" | tail -n 1)
	[[ "$line" == *" tgid=$pid "* ]] || fail "$setup/$scope/$n: the last victim was not the hog: $line"
	D=${line##*call_ns=}
	D=${D%% *}
	[[ "$D" =~ ^[1-9][0-9]*$ ]] || fail "$setup/$scope/$n: no decision time in '$line'"
	SHADOW_NS=
	if [ "$setup" = shadow ]; then
		# a shadow over its budget stops, after the event of that OOM
		for i in $(seq 200); do
			[ "$(grep -c '"type":"shadow"' "$T/shadow.json")" -gt "$shadows" ] && break
			sleep 0.05
		done
		SHADOW_NS=$(grep '"type":"shadow"' "$T/shadow.json" | sed -n "$((shadows + 1))p" |
			jq -r .shadow_ns)
	fi
}

# badness_stats: "RUN_TIME_NS RUN_CNT" of the attached policy's badness program
badness_stats()
{
	"$BPFTOOL" -j prog show | jq -r '[.[] | select(.name == "oomx_badness")] |
		if length == 1 then "\(.[0].run_time_ns // 0) \(.[0].run_cnt // 0)"
		else error("\(length) badness programs") end'
}

# body_oom SETUP SCOPE N: one more OOM with BPF statistics on; sets BODY to
# " body_ns=B calls=C" for its badness program
body_oom()
{
	local before after
	before=$(badness_stats) || fail "$1: cannot read the badness program's statistics"
	sysctl -qw kernel.bpf_stats_enabled=1 || fail "cannot enable kernel.bpf_stats_enabled"
	one_oom "$@"
	sysctl -qw kernel.bpf_stats_enabled=0 || fail "cannot disable kernel.bpf_stats_enabled"
	after=$(badness_stats) || fail "$1: cannot read the badness program's statistics"
	set -- $before $after
	[ $(($4 - $2)) -gt 0 ] && [ $(($3 - $1)) -gt 0 ] ||
		fail "the badness program did not run in the OOM with statistics: $before, then $after"
	BODY=" body_ns=$(($3 - $1)) calls=$(($4 - $2)) stats_call_ns=$D"
}

# profile_oom SETUP SCOPE N: one more OOM, the hog's process sampled by perf
# (the OOM runs in its context: its charge failed); prints the decision's
# profile (bench/profile.py)
profile_oom()
{
	local setup=$1 prof
	WRAP=(perf record -q -g -e cpu-clock -c 50000 -o "$T/perf.data" --)
	one_oom "$@" 2>"$T/perf.err"
	WRAP=()
	prof=$(perf script -i "$T/perf.data" -F comm,ip,sym 2>/dev/null | python3 bench/profile.py "$setup") ||
		fail "$setup: no profile of the decision; perf said: $(cat "$T/perf.err")"
	echo "$prof"
	# priority's program is a quarter of its decision: it must be named, or
	# its samples would count as the trampoline's (default's returns at once
	# and may have none)
	[[ "$setup" != priority* ]] || grep -q " frame=bpf_prog " <<<"$prof" ||
		fail "$setup: no sample in a named BPF program (net.core.bpf_jit_kallsyms?)"
}

# measure SETUP SCOPE N ROUND: attach, one OOM to warm up, one timed (and
# with BENCH_BPF_STATS, one with statistics; with BENCH_PROFILE, in the
# first round, one under perf)
measure()
{
	local setup=$1 scope=$2 n=$3 r=$4 cold timed kills0=0 kills=2 extra= BODY=
	attach "$setup"
	[ ! -d "$X" ] || kills0=$(cat "$X/kills")
	one_oom "$setup" "$scope" "$n"
	cold=$D
	if [ "$setup" = shadow ] && [ -n "$SHADOW_NS" ] && [ "$SHADOW_NS" -gt 100000000 ]; then
		extra=" stopped=1"	# the shadow stopped itself: no second walk to time
	else
		one_oom "$setup" "$scope" "$n"
		[ "$setup" != shadow ] || [ -n "$SHADOW_NS" ] ||
			fail "$scope/$n: the shadow sent no verdict for the timed OOM"
	fi
	timed=$D
	if [ "$STATS" != 0 ] && [ "$setup" != none ] && [ "$setup" != shadow ]; then
		body_oom "$setup" "$scope" "$n"
		kills=$((kills + 1))
	fi
	if [ "$PROFILE" != 0 ] && [ "$r" = 1 ] && [ "$setup" != shadow ]; then
		profile_oom "$setup" "$scope" "$n"
		kills=$((kills + 1))
	fi
	if [ "$setup" != none ] && [ "$setup" != shadow ]; then
		grep -qx enabled "$X/state" ||
			fail "$setup/$scope/$n: the policy was disabled: $(cat "$X/exit_reason" 2>/dev/null)"
		# a global OOM has calls that kill nothing (the victim still
		# exiting), so count the kills the policy was told of
		[ $(($(cat "$X/kills") - kills0)) -eq $kills ] ||
			fail "$setup/$scope/$n: the policy saw $(($(cat "$X/kills") - kills0)) kills, not $kills"
	fi
	detach "$setup"
	echo "RESULT kernel=$KERNEL scope=$scope tasks=$n setup=$setup round=$r" \
		"call_ns=$([ -n "$extra" ] && echo "$cold" || echo "$timed") cold_ns=$cold${extra}${BODY}"
}

for n in $COUNTS; do
	crowd "$n"
	for scope in $SCOPES; do
		if [ "$scope" = memcg ]; then
			echo $(($(cat "$CG/$PODS/memory.current") + 48 * 1024 * 1024)) \
				>"$CG/$PODS/memory.max" || fail "cannot set $PODS/memory.max"
		else
			echo max >"$CG/$PODS/memory.max"
		fi
		for r in $(seq "$ROUNDS"); do
			# the order rotates: no setup always follows the same one
			for k in $(seq 0 $((${#setups[@]} - 1))); do
				measure "${setups[$(((k + r) % ${#setups[@]}))]}" "$scope" "$n" "$r"
			done
		done
	done
done
kill -TERM "$crowd"
wait "$crowd"
kill -INT "$clock"
wait "$clock" || fail "oom_clock exited $?: $(cat "$T/clock.err")"
dmesg -n 7
ok "$(tail -n 1 "$T/clock.out")"
