# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# The priority policy decides differently from the kernel, as its rules
# say. A 100 MiB cgroup holds a "database" (44 MiB, prio/db) and batch
# work (prio/batch: 28 and 16 MiB); 16 MiB more make it OOM once. The
# kernel alone kills the database, the largest. With
#  - "protect cgroup /<t>/db": the largest batch process dies instead;
#  - "class 10 uid 1000" for the smaller batch process: it dies first
#    although it is smaller (a lower class beats size);
#  - "prefer comm batchjob": the process named batchjob dies first;
#  - a batch cgroup that asks for whole-cgroup kills (memory.oom.group):
#    the policy's victim takes its whole cgroup with it, and the event
#    names the cgroup killed and counts the other process it took;
#  - "rank growth": a leaking process dies before two larger steady ones.
# Each kill event names the rule (kind of rule and line) that decided.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
cp "$HOG" "$T/batchjob" || fail "cannot copy the hog"

# scene NAME [--uid1000] [--batchjob]: db (44M), big (28M), small (16M)
scene()
{
	local t=$1 small_cmd=("$HOG") small_ready
	shift
	cg_new "$t/db"
	cg_new "$t/batch"
	echo 100M >"$CG/$t/memory.max" || fail "cannot set $t/memory.max"
	rm -f "$T/$t".*.ready
	start_in_cgroup "$t/db" "$HOG" --mb 44 --hold --ready "$T/$t.db.ready"
	DB=$!
	case "${1:-}" in
	--uid1000)
		# uid 1000 needs a directory it can write its ready file in
		mkdir -p "$T/u1000"
		mountpoint -q "$T/u1000" || mount -t tmpfs -o mode=1777 tmpfs "$T/u1000" ||
			fail "cannot mount a tmpfs for uid 1000"
		small_cmd=(setpriv --reuid=1000 --regid=1000 --clear-groups "$HOG") ;;
	--batchjob) small_cmd=("$T/batchjob") ;;
	esac
	start_in_cgroup "$t/batch" "$HOG" --mb 28 --hold --ready "$T/$t.big.ready"
	BIG=$!
	small_ready=$T/$t.small.ready
	[ "${1:-}" = --uid1000 ] && small_ready=$T/u1000/$t.small.ready
	start_in_cgroup "$t/batch" "${small_cmd[@]}" --mb 16 --hold --ready "$small_ready"
	SMALL=$!
	wait_for 60 "db to be resident" test -s "$T/$t.db.ready"
	wait_for 60 "big to be resident" test -s "$T/$t.big.ready"
	wait_for 60 "small to be resident" test -s "$small_ready"
	SMALL=$(cat "$small_ready")	# setpriv execs, but be sure
}

# trigger T: 16 MiB more in T/batch, which must complete after one kill
trigger()
{
	run_hog "$1/batch" --mb 16
	expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation completed after the OOM kill"
}


# run_policy NAME CONFIG: start 'oomx run priority -c' with CONFIG's text
run_policy()
{
	printf '%s\n' "$2" >"$T/$1.conf"
	"$OOMX" run priority -c "$T/$1.conf" --json >"$T/$1.json" 2>"$T/$1.err" &
	RUN=$!
	wait_for 60 "oomx to attach the priority policy" grep -qx enabled $X/state
}

# stop_policy NAME PID REASON: the one kill event names PID and REASON, and
# no group kill
stop_policy()
{
	local k
	run_kill_event "$T/$1.json" "$RUN"
	k=$K
	expect_eq "$(jq -r .pid <<<"$k")" "$2" "$1: the event's victim"
	expect_eq "$(jq -r .reason <<<"$k")" "$3" "$1: the event's reason"
	expect_eq "$(jq -r '[.group_killed, .group_killed_count] | tostring' <<<"$k")" \
		'[null,0]' "$1: no group kill in the event"
}

# the kernel alone: the database dies
scene p0
trigger p0
only_victim DB DB BIG SMALL

# protect the database's cgroup
scene p1
run_policy protect "protect cgroup /p1/db"
trigger p1
expect_alive "$DB" "DB, the protected"
only_victim BIG DB BIG SMALL
stop_policy protect "$BIG" "lowest class (100, no rule), largest in it"

# a lower class for uid 1000 beats size
scene p2 --uid1000
expect_eq "$(awk '/^Uid:/ {print $2}' "/proc/$SMALL/status")" 1000 "the small process's uid"
run_policy uid "$(printf 'protect cgroup /p2/db\nclass 10 uid 1000')"
trigger p2
expect_alive "$DB" "DB, the protected"
only_victim SMALL DB BIG SMALL
stop_policy uid "$SMALL" "lowest class (10, uid rule at line 2), largest in it"

# prefer a command name
scene p3 --batchjob
run_policy comm "$(printf '# batch jobs go first\nprefer comm batchjob')"
trigger p3
only_victim SMALL DB BIG SMALL
stop_policy comm "$SMALL" "lowest class (0, comm rule at line 2), largest in it"

# a cgroup that asks to be killed as a whole
cg_new p4/db
cg_new p4/batch
cg_new p4/other
echo 100M >"$CG/p4/memory.max" || fail "cannot set p4/memory.max"
echo 1 >"$CG/p4/batch/memory.oom.group" || fail "cannot set memory.oom.group"
hold DB p4/db 44
hold BIG p4/batch 28
hold SMALL p4/batch 16
run_policy group "protect cgroup /p4/db"
run_hog p4/other --mb 16
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "the allocation in p4/other completed"
for name in BIG SMALL; do
	wait_for 10 "$name to die" eval "! alive ${!name}"
	ok "$name (pid ${!name}) died with its cgroup"
done
expect_alive "$DB" "DB"
run_kill_event "$T/group.json" "$RUN"
k=$K
expect_eq "$(jq -r .pid <<<"$k")" "$BIG" "the event's victim (the largest of batch)"
expect_eq "$(jq -r .group_killed.path <<<"$k")" /p4/batch "the event's group_killed"
expect_eq "$(jq -r .group_killed_count <<<"$k")" 1 "the event's group_killed_count (SMALL)"
expect_eq "$(jq -r .tid <<<"$k")" "$BIG" "the event's tid (a single-threaded victim)"
expect_eq "$(cg_event p4/batch oom_group_kill)" 1 "oom_group_kill of p4/batch"
# One OOM: BIG, then the group walk (mem_cgroup_scan_tasks() with
# oom_kill_memcg_member()) over p4/batch, which kills SMALL and meets BIG
# again unless BIG got there first: __oom_kill_process() kills it again
# while it has its mm, says it "is already exiting" once exit_mm() is done,
# and the walk no longer sees it after cgroup_exit(). Nobody else dies.
kills=$(klog_kills "$OV_MARK" | paste -sd ' ')
case "$kills" in
"$BIG $BIG $SMALL") ok "the kernel's kills: BIG, then its cgroup (BIG again, SMALL)" ;;
"$BIG $SMALL")
	if klog_since "$OV_MARK" | grep -q "OOM victim $BIG (.*) is already exiting"; then
		ok "the kernel's kills: BIG, then its cgroup (SMALL; BIG was already exiting)"
	else
		ok "the kernel's kills: BIG, then its cgroup (SMALL; BIG had left it)"
	fi ;;
*) fail "the kernel's kills: got '$kills', expected BIG ($BIG), its cgroup's walk (SMALL, $SMALL), BIG again only if it had not exited" ;;
esac
kill -KILL "$DB" 2>/dev/null
wait "$DB" "$BIG" "$SMALL" 2>/dev/null
OV_MARK=$(klog_mark)

# rank growth: a leak dies before larger steady processes. db (44M) and
# mid (28M) hold still; leak grows 1 MiB every 40 ms from nothing until the
# cgroup's 100 MiB are gone, and is the smallest of the three when the OOM
# comes, so the kernel (and rank size) would kill db.
cg_new p5/app
echo 100M >"$CG/p5/memory.max" || fail "cannot set p5/memory.max"
start_in_cgroup p5/app "$HOG" --mb 44 --hold --ready "$T/p5.db.ready"
DB=$!
start_in_cgroup p5/app "$HOG" --mb 28 --hold --ready "$T/p5.mid.ready"
MID=$!
wait_for 60 "db to be resident" test -s "$T/p5.db.ready"
wait_for 60 "mid to be resident" test -s "$T/p5.mid.ready"
run_policy growth "$(printf 'rank growth\ngrowth_interval_ms 200')"
start_in_cgroup p5/app "$HOG" --delay-ms 40
LEAK=$!
run_kill_event "$T/growth.json" "$RUN"
k=$K
only_victim LEAK DB MID LEAK
expect_eq "$(jq -r .pid <<<"$k")" "$LEAK" "growth: the event's victim"
kib=$(jq '(.mem.rss_anon_pages + .mem.rss_file_pages + .mem.rss_shmem_pages) * 4' <<<"$k")
[ "$kib" -lt $((44 * 1024)) ] || fail "the leak ($kib KiB) was not smaller than db (44 MiB)"
ok "the leak had $kib KiB, less than db's 44 MiB: the kernel would have chosen db"
reason=$(jq -r .reason <<<"$k")
[[ $reason =~ ^lowest\ class\ \(100,\ no\ rule\),\ growing\ ([0-9]+)\ KiB/s$ ]] ||
	fail "growth: the event's reason: $reason"
[ "${BASH_REMATCH[1]:-0}" -gt 0 ] || fail "growth: a growth of 0 KiB/s in '$reason'"
ok "growth: the event's reason = $reason"
expect_eq "$(jq -r .runner_up.pid <<<"$k")" "$DB" "growth: the runner-up (steady, largest)"
kill -KILL "$DB" "$MID" 2>/dev/null
wait "$DB" "$MID" 2>/dev/null

# the rank as status shows it, changed live by set; refused for default
"$OOMX" load priority -c "$T/growth.conf" >/dev/null || fail "oomx load priority failed"
rank_status()
{
	"$OOMX" status --json | jq -r '[.settings.rank, .settings.growth_interval_ms] | join(" ")'
}
expect_eq "$(rank_status)" "growth 200" "status after load: rank and interval"
walks() { "$OOMX" status --json | jq .sampler.walks; }
wait_for 20 "the growth sampler to walk twice" eval '[ "$(walks)" -ge 2 ]'
"$OOMX" status --json >"$T/sampler.json"
n=$(jq .sampler.processes "$T/sampler.json")
ns=$(jq .sampler.duration_ns "$T/sampler.json")
[ "$n" -ge 20 ] && [ "$ns" -gt 0 ] && [ "$(jq .sampler.truncated_walks "$T/sampler.json")" = 0 ] ||
	fail "sampler: $(cat "$T/sampler.json")"
ok "the sampler walked $n processes in $ns ns"
# a policy the kernel disabled does no more work: the sampler stops (five
# of its 200 ms intervals without a walk), though its maps stay pinned
echo 0 >"$X/enabled" || fail "cannot write $X/enabled"
wait_for 10 "the kernel to disable the policy" grep -qx disabled "$X/state"
w1=$(walks)
sleep 1
expect_eq "$(walks)" "$w1" "sampler walks in the second after the kernel disabled the policy"
"$OOMX" unload >/dev/null || fail "oomx unload of the disabled policy failed"
"$OOMX" load priority -c "$T/growth.conf" >/dev/null || fail "oomx load priority (again) failed"
"$OOMX" set rank=size growth_interval_ms=5000 >/dev/null || fail "oomx set rank=size failed"
expect_eq "$(rank_status)" "size 5000" "status after set"
"$OOMX" set rank=size growth_interval_ms=50 >"$T/set.out" 2>&1
expect_eq "$?" 1 "exit status of set with an interval too short"
expect_eq "$(rank_status)" "size 5000" "status after the refused set (nothing applied)"
"$OOMX" unload >/dev/null || fail "oomx unload failed"
"$OOMX" load default >/dev/null || fail "oomx load default failed"
"$OOMX" set rank=growth >"$T/set.out" 2>&1
expect_eq "$?" 1 "exit status of set rank on the default policy"
grep -qF "oomx set: argument:1: the default policy has no setting 'rank'; its settings are: reap_delay_ms, victim_timeout_ms" "$T/set.out" ||
	fail "set rank on default: $(cat "$T/set.out")"
ok "refused: $(cat "$T/set.out")"
"$OOMX" unload >/dev/null || fail "oomx unload (default) failed"
"$OOMX" run default -c "$T/growth.conf" >"$T/rank.out" 2>&1
expect_eq "$?" 1 "exit status of run default with a rank"
grep -qF "$T/growth.conf:1: the default policy has no setting 'rank'; its settings are: reap_delay_ms, victim_timeout_ms" \
	"$T/rank.out" || fail "run default with a rank: $(cat "$T/rank.out")"
expect_eq "$(cat $X/state)" disabled "state after the refused run"

# an invalid configuration changes nothing
printf 'protect cgroup /p1/db\nclass 20 cgroup /p1/db/\n' >"$T/bad.conf"
"$OOMX" run priority -c "$T/bad.conf" >"$T/bad.out" 2>&1
expect_eq "$?" 1 "exit status with two rules for one cgroup"
grep -qF "$T/bad.conf:2: a second class rule for the same cgroup; the first is at line 1" "$T/bad.out" ||
	fail "bad.conf: $(cat "$T/bad.out")"
ok "refused: $(cat "$T/bad.out")"
expect_eq "$(cat $X/state)" disabled "state after the refused configuration"
