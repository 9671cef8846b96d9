# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# Cgroup rules follow paths, with no daemon: 'oomx load' pins the priority
# policy with "protect cgroup /svc/db" before /svc/db exists and returns.
#  - the rule is accepted and 'oomx status' says it waits for the cgroup;
#  - /svc/db appears (its tracepoint binds it): status says bound, to the
#    new directory's id; an OOM in /svc (DB 44 MiB, BIG 36 MiB, then 24
#    MiB more in a 100 MiB cgroup) kills BIG, not the larger DB;
#  - the service restarts: DB is killed, /svc/db removed and created again
#    (a new id) with DB2 in a child cgroup /svc/db/main: status says bound
#    to the new id, and the next OOM spares DB2 again;
#  - /svc/db goes away: status says waiting, and its binding is gone;
#  - 'oomx apply' with a second rule for a cgroup that does not exist yet
#    says so, binds /svc/db in the new generation, and 'oomx set' keeps
#    the rules (copied to the next generation, bound again).
# The bindings are checked in the map itself (prio_cgroup, bpftool).
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
BPFTOOL=${OOMX_TOOLS:-}/bpftool/bpftool
[ -x "$BPFTOOL" ] || fail "bpftool not found at $BPFTOOL (OOMX_TOOLS)"

# bindings: the prio_cgroup map as "id:gen ..." sorted
bindings()
{
	"$BPFTOOL" -j map dump pinned /sys/fs/bpf/oomx/prio_cgroup |
		jq -r '[.[].formatted.key | "\(.id):\(.gen)"] | sort | join(" ")'
}
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"

# rule_state: the state and cgroup id of the one cgroup rule, from status
rule_state()
{
	"$OOMX" status --json | jq -r '.rules[] | select(.match == "cgroup") |
		"\(.value) \(.state) \(.cgroup_id)"'
}

cg_new svc 100M
printf 'protect cgroup /svc/db\n' >"$T/svc.conf"
"$OOMX" load priority -c "$T/svc.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
ok "accepted before its cgroup exists: $(cat "$T/load.out")"
expect_eq "$(rule_state)" "/svc/db waiting null" "the rule before /svc/db exists"
"$OOMX" status | grep -F "waiting: no cgroup has this path yet" >/dev/null ||
	fail "status text: $("$OOMX" status)"
ok "status: $("$OOMX" status | grep -F 'cgroup /svc/db')"

cg_new svc/db
cg_new svc/batch
id1=$(stat -c %i "$CG/svc/db")
expect_eq "$(rule_state)" "/svc/db bound $id1" "the rule once /svc/db exists"
expect_eq "$(bindings)" "$id1:0" "the binding the mkdir tracepoint made"
hold DB svc/db 44
hold BIG svc/batch 36
run_hog svc/batch --mb 24
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation completed after one kill"
expect_alive "$DB" "DB, protected by a rule written before its cgroup existed"
only_victim BIG DB BIG
"$OOMX" events --json >"$T/ev1.json" || fail "oomx events"
expect_eq "$(jq -r 'select(.type == "kill") | "\(.pid) \(.reason)"' "$T/ev1.json")" \
	"$BIG lowest class (100, no rule), largest in it" "the kill event"

# the service restarts: a new cgroup with the same path, a new id
rmdir "$CG/svc/db" || fail "cannot remove /svc/db"
[ "$(rule_state)" = "/svc/db waiting null" ] || fail "after rmdir: $(rule_state)"
expect_eq "$(bindings)" "" "bindings once /svc/db is removed"
cg_new svc/db/main
id2=$(stat -c %i "$CG/svc/db")
[ "$id2" != "$id1" ] || fail "the new /svc/db has the old id $id1"
expect_eq "$(rule_state)" "/svc/db bound $id2" "the rule after the restart (new id, was $id1)"
expect_eq "$(bindings)" "$id2:0" "the binding after the restart"
hold DB2 svc/db/main 44
hold BIG svc/batch 36
run_hog svc/batch --mb 24
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation completed after one kill"
expect_alive "$DB2" "DB2, in a child of the re-created /svc/db"
only_victim BIG DB2 BIG

rmdir "$CG/svc/db/main" "$CG/svc/db" || fail "cannot remove /svc/db"
expect_eq "$(rule_state)" "/svc/db waiting null" "the rule once /svc/db is gone"
expect_eq "$(bindings)" "" "bindings once /svc/db is gone"

# new generations: apply (one rule waits), then set (the rules are kept)
cg_new svc/db
id3=$(stat -c %i "$CG/svc/db")
printf 'protect cgroup /svc/db\nprefer cgroup /svc/later\n' >"$T/two.conf"
"$OOMX" apply "$T/two.conf" >"$T/apply.out" 2>&1 || fail "oomx apply: $(cat "$T/apply.out")"
grep -qF "line 2: no cgroup /svc/later yet; the rule applies once one has this path" "$T/apply.out" ||
	fail "apply did not say the rule waits: $(cat "$T/apply.out")"
ok "$(grep note "$T/apply.out")"
expect_eq "$("$OOMX" status --json | jq -r '[.generation, (.rules[] | "\(.value)=\(.state)")] | join(" ")')" \
	"1 /svc/db=bound /svc/later=waiting" "status after apply"
expect_eq "$(bindings)" "$id3:1" "bindings after apply (generation 1 only)"
"$OOMX" set reap_delay_ms=100 >/dev/null || fail "oomx set"
expect_eq "$("$OOMX" status --json | jq -r '[.generation, .settings.reap_delay_ms, (.rules[] | "\(.value)=\(.state)")] | join(" ")')" \
	"2 100 /svc/db=bound /svc/later=waiting" "status after set"
expect_eq "$(bindings)" "$id3:2" "bindings after set (generation 2 only)"
cg_new svc/later
expect_eq "$(bindings)" "$(printf '%s\n' "$id3:2" "$(stat -c %i "$CG/svc/later"):2" | LC_ALL=C sort | paste -sd ' ')" \
	"bindings once /svc/later appears"
"$OOMX" unload >/dev/null || fail "oomx unload"
