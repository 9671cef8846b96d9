# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 240
#
# A hog in a cgroup with memory.max=32M is OOM-killed by the memcg OOM
# killer; a bystander in a sibling cgroup survives.
. selftests/vm/lib.sh

cg_new oomx/victim 32M
cg_new oomx/bystander

# The bystander holds 8 MiB in its own cgroup, well under any limit.
start_in_cgroup oomx/bystander "$HOG" --mb 8 --hold --ready "$T/bystander.ready"
bystander=$!
wait_for 60 "the bystander to be resident" test -s "$T/bystander.ready"

# The hog wants 64 MiB in a 32 MiB cgroup.
run_hog oomx/victim --mb 64
expect_sigkilled
expect_eq "$(cg_event oomx/victim oom_kill)" 1 "oom_kill in oomx/victim/memory.events"
expect_eq "$(cg_event oomx/bystander oom_kill)" 0 "oom_kill in oomx/bystander/memory.events"
expect_alive "$bystander" "the bystander"
expect_oom_killed "$HOG_PID" "Memory cgroup out of memory"
kill "$bystander"
