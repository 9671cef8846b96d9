# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# The pressure policy honours memory.low, which the kernel's OOM killer
# ignores. A 100 MiB cgroup has two children: prot, with memory.low =
# 60M, holds a 44 MiB service (the largest process); free, unprotected,
# holds 28 and 16 MiB, and 16 MiB more make the parent OOM once. The
# kernel alone kills the protected service; the pressure policy kills the
# largest process of free, the cgroup most above its protection, and
# says so in the event.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx

scene()
{
	local t=$1
	cg_new "$t/prot"
	cg_new "$t/free"
	echo 100M >"$CG/$t/memory.max" || fail "cannot set $t/memory.max"
	echo 60M >"$CG/$t/prot/memory.low" || fail "cannot set memory.low"
	hold SVC "$t/prot" 44
	hold BIG "$t/free" 28
	hold SMALL "$t/free" 16
	run_hog "$t/free" --mb 16
	expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "$t: the allocation completed after one kill"
}

scene pr0
only_victim SVC SVC BIG SMALL

"$OOMX" run pressure --json >"$T/run.json" 2>"$T/run.err" &
run=$!
wait_for 60 "the pressure policy to attach" grep -qx enabled $X/state
scene pr1
expect_alive "$SVC" "SVC, within its memory.low"
only_victim BIG SVC BIG SMALL
run_kill_event "$T/run.json" "$run"
k=$K
expect_eq "$(jq -r .pid <<<"$k")" "$BIG" "the event's victim"
expect_eq "$(jq -r .cgroup.path <<<"$k")" /pr1/free "the event's cgroup"
reason=$(jq -r .reason <<<"$k")
case "$reason" in
"its cgroup is "*" MiB above memory.min/low, most of all") ok "reason: $reason" ;;
*) fail "reason: $reason" ;;
esac
