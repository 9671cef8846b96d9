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
"$RUNWAIT" --cgroup "$CG/oomx/victim" --pidfile "$T/hog.pid" -- "$HOG" --mb 64 >"$T/hog.status"
hog=$(cat "$T/hog.pid")
echo "hog: $(cat "$T/hog.status")"

expect_eq "$(cat "$T/hog.status")" "pid=$hog signal=9 (SIGKILL)" "how the hog ended"
expect_eq "$(cg_event oomx/victim oom_kill)" 1 "oom_kill in oomx/victim/memory.events"
expect_eq "$(cg_event oomx/bystander oom_kill)" 0 "oom_kill in oomx/bystander/memory.events"
alive "$bystander" || fail "the bystander (pid $bystander) died"
ok "the bystander (pid $bystander) is alive"

line=$(killed_line "$hog")
[ -n "$line" ] || fail "the kernel log does not name pid $hog as the victim"
ok "kernel: ${line#*] }"
dmesg | grep -q "Memory cgroup out of memory" || fail "the kill was not a memcg OOM kill"
ok "it was a memcg OOM"
kill "$bystander"
