# SPDX-License-Identifier: GPL-2.0
# vm: -m 256M -t 150
#
# A global OOM in a 256 MB guest: the largest process (a hog that grows
# until it dies) is killed; a small process survives; the kernel log names
# the victim and the constraint was CONSTRAINT_NONE (no cgroup limit).
. selftests/vm/lib.sh

before=$(vmstat oom_kill) || exit 1
"$HOG" --mb 16 --hold --ready "$T/small.ready" &
small=$!
wait_for 60 "the small process to be resident" test -s "$T/small.ready"

# --mlock: without it the hog's own text is evicted and refaulted from the
# 9p root over and over, and reclaim "makes progress" for minutes.
run_hog "" --mb 0 --mlock
expect_sigkilled
after=$(vmstat oom_kill) || exit 1
expect_eq "$((after - before))" 1 "OOM kills in /proc/vmstat"
expect_alive "$small" "the small process"
expect_oom_killed "$HOG_PID" "Out of memory"
dmesg | grep "constraint=CONSTRAINT_NONE" >/dev/null || fail "the OOM was not global (CONSTRAINT_NONE)"
ok "it was a global OOM (CONSTRAINT_NONE)"
kill "$small"
