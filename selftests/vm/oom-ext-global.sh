# SPDX-License-Identifier: GPL-2.0
# vm: -m 256M -t 240
#
# A policy in a global OOM (CONSTRAINT_NONE): in a 256 MB guest, M holds
# 48 MiB and a hog grows until it dies. The kernel alone would kill the
# hog, the largest; the policy picks M (OOM_EXT_PICK) first. The hog keeps
# growing, so the next OOM comes, and the policy (M gone) scores like the
# kernel: the hog dies. A small process survives both.
. selftests/vm/lib.sh

"$HOG" --mb 8 --hold --ready "$T/small.ready" &
small=$!
"$HOG" --mb 48 --mlock --hold --ready "$T/m.ready" &
m=$!
wait_for 60 "the small process and M to be resident" test -s "$T/small.ready" -a -s "$T/m.ready"

policy_start global --set pick_tgid="$m"
run_hog "" --mb 0 --mlock
expect_sigkilled
wait "$m"
expect_eq "$?" 137 "M exit status, SIGKILL"
expect_oom_killed "$m" "Out of memory"
expect_ext_line "$m" policy
expect_oom_killed "$HOG_PID" "Out of memory"
expect_ext_line "$HOG_PID" policy
policy_stop global
expect_eq "$(pvar global killed_tgids)" "$m,$HOG_PID,0,0" "victims in order"
expect_eq "$(pvar global killed_constraint)" 0 "constraint (CONSTRAINT_NONE)"
expect_eq "$(pvar global killed_memcg_id)" 0 "OOM memcg id of a global OOM"
expect_alive "$small" "the small process"
kill "$small"
