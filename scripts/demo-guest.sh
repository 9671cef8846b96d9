# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - runs inside the VM for 'make demo'. A "database" (the
# largest process) and a "batch" job that keeps allocating share a cgroup
# with memory.max = 100 MiB. Round 1: the kernel's heuristic (the default
# policy, which decides exactly as the kernel does and explains it) kills
# the database. Round 2: 'oomx load priority' with a three-line
# configuration that protects the database: the batch job dies. The two
# kill events are printed side by side.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
mkdir -p /sys/fs/bpf "$T/bin"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
# named copies of the hog, so that the kernel's comm shows the roles
cp "$HOG" "$T/bin/database" && cp "$HOG" "$T/bin/batch" || fail "cannot copy the hog"

# round NAME: the database holds 50 MiB, the batch job wants 60 MiB
round()
{
	cg_new "$1/db"
	cg_new "$1/batch"
	echo 100M >"$CG/$1/memory.max" || fail "cannot set memory.max"
	# not a job of this shell: its death is the point, not worth a "Killed" line
	(start_in_cgroup "$1/db" "$T/bin/database" --mb 50 --hold --ready "$T/$1.db.ready")
	wait_for 60 "the database to be resident" test -s "$T/$1.db.ready"
	DB=$(cat "$T/$1.db.ready")
	"$RUNWAIT" --cgroup "$CG/$1/batch" --pidfile "$T/$1.batch.pid" -- \
		"$T/bin/batch" --mb 60 >"$T/$1.batch.end"
	BATCH=$(cat "$T/$1.batch.pid")
}

# round 1: no rules
"$OOMX" run default --json >"$T/r1.json" 2>"$T/r1.err" &
run=$!
wait_for 60 "the default policy to attach" grep -qx enabled $X/state
round r1
wait_for 30 "the kill event" grep -q '"type":"kill"' "$T/r1.json"
kill -INT "$run"
wait "$run"
r1_db=$(alive "$DB" && echo alive || echo KILLED)
r1_batch=$(grep -q signal=9 "$T/r1.batch.end" && echo KILLED || echo "finished its work")
kill -KILL "$DB" 2>/dev/null

# round 2: protect the database
cat >"$T/priority.conf" <<CONF
# /etc/oomx/priority.conf
protect cgroup /r2/db
reap_delay_ms 500
CONF
cg_new r2/db
"$OOMX" load priority -c "$T/priority.conf" >"$T/load.out" 2>&1 || fail "oomx load: $(cat "$T/load.out")"
round r2
"$OOMX" events --json >"$T/r2.json"
r2_db=$(alive "$DB" && echo alive || echo KILLED)
r2_batch=$(grep -q signal=9 "$T/r2.batch.end" && echo KILLED || echo "finished its work")
"$OOMX" unload >"$T/unload.out" 2>&1
kill -KILL "$DB" 2>/dev/null

k1=$(grep -m1 '"type":"kill"' "$T/r1.json")
k2=$(grep -m1 '"type":"kill"' "$T/r2.json")
row()
{
	printf '  %-15s %-40s %s\n' "$1" "$(jq -r "$2" <<<"$k1")" "$(jq -r "$2" <<<"$k2")"
}
cat <<TXT
A cgroup with memory.max = 100 MiB holds a "database" (50 MiB, /rN/db) and a
"batch" job that allocates 60 MiB (/rN/batch). Both rounds end in one OOM kill.

  round 1: oomx run default     (the kernel's heuristic, explained)
  round 2: oomx load priority   with /etc/oomx/priority.conf:
$(sed 's/^/             | /' "$T/priority.conf")

  outcome         round 1                                  round 2
  database        $(printf '%-40s %s' "$r1_db" "$r2_db")
  batch           $(printf '%-40s %s' "$r1_batch" "$r2_batch")

  the kill events (round 1: oomx run --json; round 2: oomx events --json), abridged:
TXT
row victim '"\(.comm) pid \(.pid)"'
row cgroup '.cgroup.path'
row "chosen by" '"\(.policy) (\(.chosen_by))"'
row "kernel points" '.kernel_points'
row "anon memory" '"\(.mem.rss_anon_pages / 256 | floor) MiB"'
row "runner-up" 'if .runner_up then "pid \(.runner_up.pid)" else "none (the rest is protected)" end'
echo "  why:"
echo "    round 1: $(jq -r .reason <<<"$k1")"
echo "    round 2: $(jq -r .reason <<<"$k2")"
echo
echo "  $(cat "$T/unload.out")"
# The demo is only a demo if the rounds went as described.
[ "$r1_db" = KILLED ] && [ "$r2_db" = alive ] && [ "$r2_batch" = KILLED ]
