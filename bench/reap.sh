# SPDX-License-Identifier: GPL-2.0
# bench/reap.sh - runs inside the VM, booted by bench/run.sh: the time from
# an OOM kill to the victim's memory being free, per victim state, on this
# kernel, with the reaper's delay as the kernel has it and, on the patched
# kernel, with a policy's reap_delay_ms() of 0 and 200 ms.
#
# A memcg of 256M holds the victim (bench/victim, 160 MiB) in one state:
#   running  writing its memory; it exits at once when killed;
#   dstate   a thread asleep in sb_start_write() on a frozen ext4 (fsfreeze
#            on the scratch disk): the process cannot finish exiting;
#   frozen   4 threads frozen by the cgroup v1 freezer: only a whole thaw
#            lets it exit (kernel/patches/0001; 6.12 thaws one thread);
#   mlocked  its memory locked (mlockall); it exits at once when killed.
# A hog of 140 MiB in the same memcg makes the OOM. oom_clock times the kill
# (mark_victim), the reaper's end (finish_task_reaping: it ran and is done)
# and exit_mmap() of the victim's mm returning; the memory is free at the
# earlier of the last two. Then the victim is let go (thawed, unfrozen).
#
# Prints one line per OOM:
#   RESULT part=reap kernel=K state=S delay=D round=R free_ms=F by=reaper|exit
#     reaped_ms=X|- exited_ms=Y
# Environment: BENCH_KERNEL (unpatched, patched), BENCH_ROUNDS (3),
# BENCH_STATES ("running dstate frozen mlocked"). Needs a scratch disk
# (oomx-vm --swap 64M) for dstate.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
CLOCK=$ST/oom_clock
VICTIM=${OOMX_BUILD:-$PWD/build}/bench/victim
KERNEL=${BENCH_KERNEL:?BENCH_KERNEL names the kernel: unpatched or patched}
ROUNDS=${BENCH_ROUNDS:-3}
STATES=${BENCH_STATES:-running dstate frozen mlocked}
SCRATCH=/run/scratch
FREEZER=/run/freezer

[ -x "$VICTIM" ] || fail "no $VICTIM: run 'make bench' (it builds bench/victim)"
delays=kernel
[ ! -d "$X" ] || delays="kernel 0 200"
echo -1000 >/proc/self/oom_score_adj
echo 0 >/proc/sys/vm/oom_dump_tasks
dmesg -n 1	# the reports go to the log, not to the slow serial console
bpffs_mount

if [[ " $STATES " == *" dstate "* ]]; then
	[ -b /dev/vda ] || fail "no scratch disk /dev/vda (oomx-vm --swap)"
	mkfs.ext4 -q -F /dev/vda || fail "mkfs.ext4 /dev/vda"
	mkdir -p "$SCRATCH"
	mount /dev/vda "$SCRATCH" || fail "cannot mount the scratch disk"
fi
if [[ " $STATES " == *" frozen "* ]]; then
	mkdir -p "$FREEZER"
	mount -t cgroup -o freezer freezer "$FREEZER" || fail "cannot mount the v1 freezer"
	mkdir -p "$FREEZER/frozen"
fi
cg_new reap 256M
"$CLOCK" >"$T/clock.out" 2>"$T/clock.err" &
clock=$!
wait_for 60 "oom_clock to attach" grep -qx ready "$T/clock.out"

# ns EVENT FIELD=VALUE: the timestamp of the clock's last EVENT line with
# that field, or nothing
ns()
{
	grep -E "^$1 .* $2( |\$)" "$T/clock.out" | tail -n 1 | sed 's/.* ts=\([0-9]*\).*/\1/'
}

# in_d PID: a thread of PID is in uninterruptible sleep
in_d()
{
	grep -q ') D ' /proc/"$1"/task/*/stat 2>/dev/null
}

one()
{
	local state=$1 delay=$2 r=$3 pid policy= args=() kill thread reaped exited free by
	if [ "$delay" != kernel ]; then
		printf 'reap_delay_ms %s\n' "$delay" >"$T/reap.conf"
		"$OOMX" run default -c "$T/reap.conf" >/dev/null 2>"$T/run.err" &
		policy=$!
		wait_for 120 "the policy to attach" grep -qx enabled "$X/state"
	fi
	rm -f "$T/victim.ready"
	case $state in
	dstate) args=(--file "$SCRATCH/v.dat") ;;
	frozen) args=(--threads 4) ;;
	esac
	(echo 0 >/proc/self/oom_score_adj &&
		exec "$RUNWAIT" --cgroup "$CG/reap" --pidfile "$T/victim.pid" -- "$VICTIM" \
		--state "$state" --mb 160 --ready "$T/victim.ready" "${args[@]}") >"$T/victim.end" &
	wait_for 120 "the victim to be resident" test -s "$T/victim.ready"
	pid=$(cat "$T/victim.ready")
	case $state in
	dstate)
		fsfreeze -f "$SCRATCH" || fail "fsfreeze -f"
		wait_for 30 "a thread of the victim in D state" in_d "$pid" ;;
	frozen)
		echo "$pid" >"$FREEZER/frozen/cgroup.procs" || fail "cannot freeze $pid"
		echo FROZEN >"$FREEZER/frozen/freezer.state"
		wait_for 30 "the victim to freeze" grep -qx FROZEN "$FREEZER/frozen/freezer.state" ;;
	esac
	(echo 0 >/proc/self/oom_score_adj &&
		exec "$RUNWAIT" --cgroup "$CG/reap" -- "$HOG" --mb 140) >"$T/hog.end" 2>&1 &
	local hog=$!
	wait_for 60 "the victim's kill" eval "[ -n \"\$(ns kill tgid=$pid)\" ]"
	kill=$(ns kill "tgid=$pid")
	# the thread the reaper takes: the one marked
	thread=$(grep -E "^kill .* tgid=$pid " "$T/clock.out" | tail -n 1 | sed 's/.* pid=\([0-9]*\).*/\1/')
	# its memory is free when the reaper is done, or when it has exited
	wait_for 60 "the victim's memory to be freed" eval \
		"[ -n \"\$(ns reaped pid=$thread)\$(ns freed tgid=$pid)\" ]"
	reaped=$(ns reaped "pid=$thread")
	exited=$(ns freed "tgid=$pid")
	case $state in
	dstate) fsfreeze -u "$SCRATCH" || fail "fsfreeze -u" ;;
	frozen) echo THAWED >"$FREEZER/frozen/freezer.state" ;;
	esac
	wait "$hog" || fail "$state/$delay: runwait failed ($?)"
	[[ "$(cat "$T/hog.end")" == *" exited=0" ]] ||
		fail "$state/$delay: the hog did not get its memory: $(cat "$T/hog.end")"
	wait_for 60 "the victim to end" test -s "$T/victim.end"
	expect_eq "$(cat "$T/victim.end")" "pid=$pid signal=9 (SIGKILL)" "how the victim ended" >/dev/null
	[ -n "$exited" ] || exited=$(ns freed "tgid=$pid")
	if [ -n "$reaped" ] && { [ -z "$exited" ] || [ "$reaped" -lt "$exited" ]; }; then
		free=$reaped by=reaper
	else
		free=$exited by=exit
	fi
	[ -z "$policy" ] || { kill -INT "$policy"; wait "$policy"; }
	echo "RESULT part=reap kernel=$KERNEL state=$state delay=$delay round=$r" \
		"free_ms=$(((free - kill) / 1000000)).$(((free - kill) / 100000 % 10)) by=$by" \
		"reaped_ms=$([ -n "$reaped" ] && echo $(((reaped - kill) / 1000000)) || echo -)" \
		"exited_ms=$([ -n "$exited" ] && echo $(((exited - kill) / 1000000)) || echo -)"
}

for r in $(seq "$ROUNDS"); do
	for s in $STATES; do
		for d in $delays; do
			one "$s" "$d" "$r"
		done
	done
done
kill -INT "$clock"
wait "$clock" || fail "oom_clock exited $?: $(cat "$T/clock.err")"
dmesg -n 7
