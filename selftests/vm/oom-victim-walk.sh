# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 180
#
# kernel/patches/0005 walks a memcg's threads after its process walk, to
# find a multi-threaded victim whose leader the process walk skips; it does
# so only while a victim that had more than one thread when it was marked
# still has its signal_struct (oom_victim_groups). Counted with kprobe
# events in the OOMing task's first out_of_memory() call: css_task_iter_start()
# runs once per memcg for the process walk and once more for the thread walk.
#
#   A  a single-threaded victim, nothing counted: one walk
#   B  a 4-thread victim killed (kept a zombie): its own OOM, one walk
#   C  an OOM while that zombie lives: two walks, and the OOMing task dies
#   D  once the zombie is reaped and its signal_struct freed (the free
#      probe says the counted one went): one walk again
. selftests/vm/lib.sh

TR=/sys/kernel/tracing
[ -d "$TR/events" ] || mount -t tracefs tracefs "$TR" || fail "cannot mount tracefs"
echo 0 >/proc/sys/vm/oom_dump_tasks	# its dump walks the memcg too
echo 0 >"$TR/tracing_on"
echo >"$TR/trace"
echo 'p:oomx/oom out_of_memory' >>"$TR/kprobe_events" || fail "cannot probe out_of_memory"
echo 'p:oomx/walk css_task_iter_start' >>"$TR/kprobe_events" ||
	fail "cannot probe css_task_iter_start"
# BTF argument access (CONFIG_PROBE_EVENTS_BTF_ARGS): the flag 0005 reads
echo 'p:oomx/free oom_victim_group_free counted=sig->oom_victim_counted' >>"$TR/kprobe_events" ||
	fail "cannot probe oom_victim_group_free with its argument's field"
echo 1 >"$TR/events/oomx/enable"
echo 1 >"$TR/tracing_on"
cg_new w 64M

# walks COMM: css_task_iter_start() calls in COMM's first out_of_memory() call
# (a task whose charge fails again while its victim exits calls it again,
# and may then meet the victim, or, hidden, walk the threads for it)
walks()
{
	awk -v c="$1" '$1 ~ "^" c "-[0-9]+$" {
		if ($0 ~ / oom: /) { n++; next }
		if (n == 1 && $0 ~ / walk: /) w++
	} END { print w + 0 }' "$TR/trace"
}

# A: a single-threaded victim, no victim counted
run_hog w --mb 80 --comm walka
expect_sigkilled
expect_eq "$(walks walka)" 1 "css_task_iter_start() calls in A's OOM (the process walk)"

# B: a 4-thread victim whose parent never reaps it (sleep, after exec)
sh -c "echo \$\$ >$CG/w/cgroup.procs || exit 1
	\"$HOG\" --mb 40 --threads 4 --hold --ready $T/mt.ready --comm walkmt & echo \$! >$T/mt.pid
	exec sleep 600" &
parent=$!
wait_for 60 "the 4-thread victim to be resident" test -s "$T/mt.ready"
mt=$(cat "$T/mt.pid")
expect_eq "$(ls "/proc/$mt/task" | wc -l)" 4 "threads in the victim-to-be"
mark=$(klog_mark)
run_hog w --mb 48 --comm walkb	# the memcg OOMs at about 24 MiB: the 40 MiB victim dies
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "B's allocating hog completed"
expect_eq "$(klog_kills "$mark" | paste -sd ' ')" "$mt" "B's kills"
wait_for 30 "the victim to be a zombie" grep -q '^State:.*Z' "/proc/$mt/status"
expect_eq "$(walks walkb)" 1 "css_task_iter_start() calls in B's OOM (nothing counted yet)"

# C: the zombie's signal_struct lives, counted: the thread walk runs too
run_hog w --mb 80 --comm walkc
expect_sigkilled
expect_eq "$(walks walkc)" 2 "css_task_iter_start() calls in C's OOM (the process and thread walks)"

# D: reap the zombie; its signal_struct goes once the OOM reaper drops it too
kill "$parent"
wait "$parent" 2>/dev/null
wait_for 30 "the zombie to be reaped" eval "! test -e /proc/$mt"
wait_for 30 "the counted signal_struct to be freed" grep -q "free:.* counted=1" "$TR/trace"
expect_eq "$(grep -c "free:.* counted=1" "$TR/trace")" 1 "counted victims freed"
run_hog w --mb 80 --comm walkd
expect_sigkilled
expect_eq "$(walks walkd)" 1 "css_task_iter_start() calls in D's OOM (nothing counted)"

echo 0 >"$TR/events/oomx/enable"
echo '-:oomx/oom' >>"$TR/kprobe_events"
echo '-:oomx/walk' >>"$TR/kprobe_events"
echo '-:oomx/free' >>"$TR/kprobe_events"
ok "the thread walk ran exactly while a multi-threaded victim's signal_struct lived"
