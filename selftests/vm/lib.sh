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
