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
	local limit=$1 what=$2 i
	shift 2
	for ((i = 0; i < limit * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	fail "timed out after ${limit}s waiting for $what"
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

# killed_line PID: the kernel's "Killed process" line for PID, if any.
killed_line()
{
	dmesg | grep -E "[Oo]ut of memory.*: Killed process $1 " | tail -n 1
}
