# SPDX-License-Identifier: GPL-2.0
# Helpers for VM tests. Sourced by selftests/vm/*.sh, which run as root
# inside the guest (scripts/oomx-vm) with the repository as the cwd.
set -uo pipefail

ST=${OOMX_BUILD:-$PWD/build}/selftests
HOG=$ST/hog
RUNWAIT=$ST/runwait
CG=/sys/fs/cgroup
T=/tmp/oomx-test
mkdir -p "$T"

# Every test prints what it checks; the first failure ends it.
fail()
{
	echo "FAIL: $*"
	exit 1
}

ok()
{
	echo "ok: $*"
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq()
{
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	ok "$3 = $2"
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 50 ms.
wait_for()
{
	local limit=$1 what=$2 deadline=$((SECONDS + $1))
	shift 2
	until "$@"; do
		[ $SECONDS -lt $deadline ] || fail "timed out after ${limit}s waiting for $what"
		sleep 0.05
	done
}

# alive PID: the process exists and is not a zombie.
alive()
{
	local st
	st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# cg_new PATH [memory.max]: a fresh cgroup with the memory controller
# enabled on the way down.
cg_new()
{
	local path=$CG/$1 dir=$CG part
	for part in $(dirname "$1" | tr / ' '); do
		[ "$part" = . ] && break
		echo +memory >"$dir/cgroup.subtree_control" || fail "cannot enable memory in $dir"
		dir=$dir/$part
		mkdir -p "$dir"
	done
	echo +memory >"$dir/cgroup.subtree_control" || fail "cannot enable memory in $dir"
	mkdir -p "$path" || fail "cannot create cgroup $path"
	if [ $# -ge 2 ]; then
		echo "$2" >"$path/memory.max" || fail "cannot set $path/memory.max"
	fi
}

# cg_event CGROUP KEY: a counter from memory.events.
cg_event()
{
	awk -v k="$2" '$1 == k {print $2}' "$CG/$1/memory.events"
}

# vmstat KEY: a counter from /proc/vmstat; use as v=$(vmstat KEY) || exit 1.
vmstat()
{
	local v
	v=$(awk -v k="$1" '$1 == k {print $2}' /proc/vmstat)
	if [ -z "$v" ]; then
		echo "FAIL: /proc/vmstat has no '$1' (CONFIG_VM_EVENT_COUNTERS?)" >&2
		return 1
	fi
	echo "$v"
}

# cpu_ticks PID: the process's user + system CPU time, in clock ticks
# (fields 14 and 15 of /proc/PID/stat; its comm has no blanks here)
cpu_ticks()
{
	local f
	read -r -a f <"/proc/$1/stat" || return 1
	echo $((f[13] + f[14]))
}

# start_in_cgroup CGROUP CMD...: start CMD in the background inside CGROUP;
# sets $! like '&' does.
start_in_cgroup()
{
	local cg=$CG/$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
}

# run_hog CGROUP ARGS...: run the hog (inside CGROUP unless it is "") until
# it ends; sets HOG_PID and HOG_END (runwait's "pid=P signal=N (NAME)").
run_hog()
{
	local cg=$1
	shift
	"$RUNWAIT" ${cg:+--cgroup "$CG/$cg"} --pidfile "$T/hog.pid" -- "$HOG" "$@" >"$T/hog.end" ||
		fail "runwait could not run the hog"
	HOG_PID=$(cat "$T/hog.pid")
	HOG_END=$(cat "$T/hog.end")
	echo "hog: $HOG_END"
}

# expect_sigkilled: the hog run by run_hog died by SIGKILL.
expect_sigkilled()
{
	expect_eq "$HOG_END" "pid=$HOG_PID signal=9 (SIGKILL)" "how the hog ended"
}

# expect_alive PID WHAT
expect_alive()
{
	alive "$1" || fail "$2 (pid $1) died"
	ok "$2 (pid $1) is alive"
}

# expect_oom_killed PID HEADLINE: the kernel's OOM report names PID as the
# victim ("HEADLINE: Killed process PID (comm) ...").
expect_oom_killed()
{
	local line
	line=$(dmesg | grep -F "$2: Killed process $1 (" | tail -n 1)
	[ -n "$line" ] || fail "the kernel log has no '$2: Killed process $1'"
	ok "kernel: ${line#*] }"
}

# ------------------------------------------------------------- oom_ext ---
X=/sys/kernel/oom_ext
POLICY_RUN=$ST/policy_run
POLICY_OBJ=${OOMX_BUILD:-$PWD/build}/selftests/progs/oomx_test.bpf.o

# policy_start NAME [--set VAR=VAL]...: attach the scriptable test policy
# (selftests/progs/oomx_test.bpf.c) in the background; its report goes to
# $T/NAME.out. Sets POLICY_PID. Fails unless it attached.
policy_start()
{
	local name=$1
	shift
	"$POLICY_RUN" "$POLICY_OBJ" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	POLICY_PID=$!
	until grep -q '^attached' "$T/$name.out"; do
		if ! kill -0 "$POLICY_PID" 2>/dev/null; then
			cat "$T/$name.out" "$T/$name.err"
			fail "policy $name did not attach"
		fi
		sleep 0.05
	done
	expect_eq "$(cat $X/state)" enabled "oom_ext state with $name attached"
}

# policy_stop NAME: detach (SIGTERM to the loader) and wait for its report.
policy_stop()
{
	kill -TERM "$POLICY_PID" 2>/dev/null
	wait "$POLICY_PID"
	grep -q '^exit kind=' "$T/$1.out" || fail "policy $1 printed no report: $(cat "$T/$1.out")"
}

# policy_wait NAME: wait for a loader whose policy the kernel detaches.
policy_wait()
{
	wait "$POLICY_PID"
	grep -q '^exit kind=' "$T/$1.out" || fail "policy $1 printed no report: $(cat "$T/$1.out")"
}

# pvar NAME VAR: a global of the policy, from its report.
pvar()
{
	sed -n "s/^$2=//p" "$T/$1.out"
}

# pexit NAME: the policy's exit line.
pexit()
{
	sed -n 's/^exit //p' "$T/$1.out"
}

# counter NAME: a counter of /sys/kernel/oom_ext.
counter()
{
	cat "$X/$1"
}

# The A/B/C scenario: three processes of 44, 28 and 16 MiB in a 100 MiB
# cgroup, then D allocates 16 MiB there, which takes exactly one OOM kill
# of any of them: 104 MiB do not fit, 88 MiB do, with room for the page
# tables, kernel stacks and page cache the cgroup is also charged for.
# The kernel's ranking is A > B > C > D (D has about 8 MiB when the OOM
# comes).
#
# abc_start CGROUP [LIMIT A B C]: create CGROUP (memory.max LIMIT, default
# 100M) and start A, B, C (of A, B, C MiB, default 44 28 16; pids in $A $B
# $C).
abc_start()
{
	local tag=${1//\//_}
	cg_new "$1" "${2:-100M}"
	rm -f "$T/$tag".?.ready
	start_in_cgroup "$1" "$HOG" --mb "${3:-44}" --hold --ready "$T/$tag.A.ready"
	A=$!
	start_in_cgroup "$1" "$HOG" --mb "${4:-28}" --hold --ready "$T/$tag.B.ready"
	B=$!
	start_in_cgroup "$1" "$HOG" --mb "${5:-16}" --hold --ready "$T/$tag.C.ready"
	C=$!
	wait_for 60 "A, B and C to be resident" \
		test -s "$T/$tag.A.ready" -a -s "$T/$tag.B.ready" -a -s "$T/$tag.C.ready"
	KLOG0=$(klog_mark)
}

# klog_mark: write a unique marker line into the kernel log and print it.
# Markers, not line counts, delimit a scene: the ring buffer wraps in a
# long test, and then a line count points at the wrong place.
klog_mark()
{
	local mark
	mark="oomx-test-mark-$(date +%s%N)"
	echo "$mark" >/dev/kmsg
	echo "$mark"
}

# klog_since MARK: the kernel log after the line MARK (all of it for "0")
klog_since()
{
	if [ "$1" = 0 ]; then
		dmesg
	else
		dmesg | awk -v m="$1" 'on { print } index($0, m) { on = 1 }'
	fi
}

# klog_kills MARK: the pids the kernel killed after marker MARK
klog_kills()
{
	klog_since "$1" | sed -n 's/.*: Killed process \([0-9]*\) .*/\1/p'
}
# abc_trigger CGROUP: D allocates its 16 MiB in CGROUP and must complete.
abc_trigger()
{
	run_hog "$1" --mb 16
	expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed after the OOM kill"
}

# abc_expect VICTIM: the OOM killed VICTIM (A, B or C), by SIGKILL, and no
# other task; every other of A, B, C is alive.
abc_expect()
{
	expect_kills "$KLOG0" "$1" A B C
}

# expect_kills MARK WHO VAR...: after kernel log marker MARK the kernel killed
# exactly one process, WHO's, which died by SIGKILL; each other one of
# $VAR... is alive. The processes must be children of the test's shell.
# One OOM, one victim: a memcg OOM used to kill a second task while the
# first exited (exit_mmap() set MMF_OOM_SKIP before tlb_finish_mmu() freed
# the pages it gathered); kernel/patches fixes that, so a second kill is a
# failure (docs/oom/selection.md).
expect_kills()
{
	local from=$1 who=$2 name pid rc kills
	shift 2
	kills=$(klog_kills "$from" | paste -sd ' ')
	expect_eq "$kills" "${!who}" "the kernel's kills ($who only)"
	for name in "$@"; do
		pid=${!name}
		if [ "$name" = "$who" ]; then
			wait "$pid"
			rc=$?
			expect_eq "$rc" 137 "$name (pid $pid) exit status, SIGKILL"
		else
			expect_alive "$pid" "$name"
		fi
	done
}

# abc_stop: end the survivors.
abc_stop()
{
	local x
	for x in A B C; do
		kill -KILL "${!x}" 2>/dev/null
		wait "${!x}" 2>/dev/null
	done
	return 0
}

# expect_ext_line PID CHOSEN_BY: the OOM report's oom_ext line for PID.
expect_ext_line()
{
	local line
	line=$(dmesg | grep -F "oom_ext: policy=" | grep -F "chosen_by=$2,pid=$1," | tail -n 1)
	[ -n "$line" ] || { dmesg | grep oom_ext; fail "no 'oom_ext: ... chosen_by=$2,pid=$1' in the kernel log"; }
	ok "kernel: ${line#*] }"
}

# held_victim_start CGROUP MB: a process of MB MiB in CGROUP that, once
# SIGKILLed, is held in its exit path (selftests/progs/ptrace_hold.c) for
# up to 60 s, keeping its memory. Sets HELD (its pid) and HOLDER.
held_victim_start()
{
	local tag=${1//\//_}
	rm -f "$T/$tag.held.ready" "$T/$tag.held.stopped"
	"$ST/ptrace_hold" --cgroup "$CG/$1" --mb "$2" --hold 60 \
		--ready "$T/$tag.held.ready" --stopped "$T/$tag.held.stopped" \
		>"$T/$tag.held.out" &
	HOLDER=$!
	wait_for 60 "the held victim to be resident" test -s "$T/$tag.held.ready"
	HELD=$(cat "$T/$tag.held.ready")
}

# held_victim_release: let the held victim die and check it was SIGKILLed.
held_victim_release()
{
	kill -TERM "$HOLDER"
	wait "$HOLDER"
	expect_eq "$(cat "$T"/*.held.out | grep "pid=$HELD ")" "pid=$HELD signal=9 (SIGKILL)" \
		"how the held victim ended"
}

# klog_time PATTERN: the printk timestamp (seconds) of the last kernel log
# line containing PATTERN.
klog_time()
{
	dmesg | grep -F "$1" | tail -n 1 | sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p'
}

# ms_between T0 T1: milliseconds from printk time T0 to T1.
ms_between()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
}

# hold VAR CGROUP MB [COMMAND...]: start a process holding MB MiB in CGROUP
# (COMMAND defaults to the hog; it gets --mb/--hold/--ready appended) and
# wait until it is resident; its pid goes into $VAR.
hold()
{
	local var=$1 cg=$2 mb=$3 ready
	shift 3
	[ $# -gt 0 ] || set -- "$HOG"
	ready=$(mktemp -u "$T/hold.$var.XXXXXX")
	start_in_cgroup "$cg" "$@" --mb "$mb" --hold --ready "$ready"
	wait_for 60 "$var to be resident" test -s "$ready"
	printf -v "$var" '%s' "$(cat "$ready")"
}

# only_victim WHO VAR...: expect_kills since the previous only_victim (or
# the start of the test), then end all of them. Tests where a process must
# survive say so with expect_alive.
OV_MARK=0
only_victim()
{
	local name
	expect_kills "$OV_MARK" "$@"
	shift
	for name in "$@"; do
		kill -KILL "${!name}" 2>/dev/null
		wait "${!name}" 2>/dev/null
	done
	OV_MARK=$(klog_mark)
	return 0
}

# run_kill_event FILE PID: wait for the kill event in FILE (the output of
# 'oomx run --json' running as PID), stop that oomx with SIGINT and put the
# first kill event's JSON line in $K.
run_kill_event()
{
	wait_for 30 "the kill event" grep -q '"type":"kill"' "$1"
	kill -INT "$2"
	wait "$2"
	K=$(grep -m1 '"type":"kill"' "$1")
}

# bpffs_mount: /sys/fs/bpf, for 'oomx load' and pinned shadows
bpffs_mount()
{
	mkdir -p /sys/fs/bpf
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
}

# guide_policy NAME: the policy docs/policy-guide.md shows as NAME.bpf.c,
# taken from the page and built out of tree into $T/NAME.bpf.o
guide_policy()
{
	selftests/guide-example "$1.bpf.c" "$T/$1.bpf.c" || fail "the guide's $1.bpf.c"
	make -s policy SRC="$T/$1.bpf.c" >"$T/make-$1.out" 2>&1 ||
		fail "make policy SRC=$T/$1.bpf.c: $(cat "$T/make-$1.out")"
}
