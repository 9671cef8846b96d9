#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The operator's path on a booted systemd node (selftests/guest/
# systemd-operator.sh boots it): oomx.service loaded the priority policy at
# boot, before db.service (enabled too) started; db.service is protected
# in work.slice (100 MiB) while batch jobs
# run there; the protection survives a restart of db.service; a reload
# applies an edited /etc/oomx/priority.conf; oomx-watch.service, enabled
# at boot, idles without a pressure line and, with one, kills a throttled
# leak on pressure; stopping oomx leaves the kernel's own choice. The result, 0 or 1, goes to /mnt/oomxrun/status.
set -u
R=/mnt/oomxrun
mkdir -p $R
mount -t 9p -o trans=virtio,version=9p2000.L oomxrun $R || { echo "FAIL: cannot mount the result share"; exit 1; }
echo 1 >$R/status
CG=/sys/fs/cgroup

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; ok "$3 = $2"; }
wait_for()
{
	local limit=$1 what=$2 deadline=$((SECONDS + $1))
	shift 2
	until "$@"; do
		[ $SECONDS -lt $deadline ] || fail "timed out after ${limit}s waiting for $what"
		sleep 0.1
	done
}
mainpid() { systemctl show -p MainPID --value "$1"; }
rule() { oomx status --json | jq -r '.rules[] | "\(.action) \(.value) \(.state) \(.cgroup_id)"'; }
kills() { awk '$1 == "oom_kill" {print $2}' $CG/work.slice/memory.events; }

# batch N: a 36 MiB batch job in work.slice, as an operator starts one
batch()
{
	rm -f /run/batch$1.ready
	systemd-run -q --unit=batch$1 --slice=work.slice /usr/local/bin/hog --mb 36 --hold \
		--ready /run/batch$1.ready || fail "systemd-run batch$1"
	wait_for 60 "batch$1 to be resident" test -s /run/batch$1.ready
}

# oom N: 24 MiB more in work.slice: one OOM, which must leave room for it
oom()
{
	local k0
	k0=$(kills)
	systemd-run -q --wait --unit=trigger$1 --slice=work.slice /usr/local/bin/hog --mb 24 ||
		fail "the allocation of OOM $1 did not complete"
	expect_eq "$(($(kills) - k0))" 1 "OOM $1: kills in work.slice"
}

db_up()
{
	systemctl start db || fail "systemctl start db"
	wait_for 60 "db to be resident" test -s /run/db.ready
}

echo "oomx guest: $(uname -r), $(systemctl --version | head -n 1)"
expect_eq "$(systemctl is-active oomx)" active "systemctl is-active oomx after boot"
expect_eq "$(cat /sys/kernel/oom_ext/policy)" priority "the policy oomx.service loaded"
# db.service is enabled at boot: oomx.service must be up before it starts
wait_for 60 "db to be resident" test -s /run/db.ready
o=$(systemctl show -p ActiveEnterTimestampMonotonic --value oomx)
d=$(systemctl show -p ExecMainStartTimestampMonotonic --value db)
[ "$o" -gt 0 ] && [ "$o" -le "$d" ] ||
	fail "oomx.service was active at $o us, db.service started at $d us: not before it"
ok "oomx.service was active (${o} us) before db.service started (${d} us)"
expect_eq "$(rule)" "protect /work.slice/db.service bound $(stat -c %i $CG/work.slice/db.service)" \
	"the rule once the node is up"

# 1: the protected service and a batch job; the batch job dies
db1=$(mainpid db)
batch 1
b1=$(mainpid batch1)
oom 1
expect_eq "$(mainpid db)" "$db1" "db.service's process after OOM 1 (spared)"
systemctl is-active -q batch1 && fail "batch1 survived OOM 1"
ok "batch1 (pid $b1) was killed"
oomx events --json >/tmp/ev1.json
expect_eq "$(jq -r 'select(.type == "kill") | "\(.pid) \(.reason)"' /tmp/ev1.json)" \
	"$b1 lowest class (100, no rule), largest in it" "the kill event of OOM 1"

# 2: db.service restarts: a new cgroup, the same path; still spared
old=$(stat -c %i $CG/work.slice/db.service)
systemctl restart db || fail "systemctl restart db"
wait_for 60 "db to be resident again" test -s /run/db.ready
new=$(stat -c %i $CG/work.slice/db.service)
[ "$new" != "$old" ] || fail "db.service kept its cgroup ($old) across the restart"
expect_eq "$(rule)" "protect /work.slice/db.service bound $new" "the rule after the restart (cgroup $old -> $new)"
db2=$(mainpid db)
batch 2
oom 2
expect_eq "$(mainpid db)" "$db2" "db.service's process after OOM 2 (spared after its restart)"
systemctl is-active -q batch2 && fail "batch2 survived OOM 2"
ok "batch2 was killed"

# watch: oomx-watch.service, enabled at boot, found no pressure line in
# the configuration and ended; with one, it arms, keeps itself out of the
# way (not a candidate, its memory locked), a leak throttled in work.slice
# is killed on pressure, chosen by the policy, and a reload of oomx
# reaches it
expect_eq "$(systemctl is-active oomx-watch) $(systemctl show -p Result --value oomx-watch)" \
	"inactive success" "oomx-watch after boot, with no pressure line"
[ "$(systemctl show -p ExecMainStartTimestampMonotonic --value oomx-watch)" -gt 0 ] &&
	journalctl -b -u oomx-watch --no-pager | grep -q "has no 'pressure' line: nothing to watch" ||
	fail "oomx-watch did not run at boot: $(journalctl -b -u oomx-watch -n 5 --no-pager)"
ok "oomx-watch ran at boot and ended: no pressure line"
echo 'pressure /work.slice some 100ms 1s for 2s' >>/etc/oomx/priority.conf
systemctl reload oomx || fail "systemctl reload oomx with a pressure line"
systemctl start oomx-watch || fail "systemctl start oomx-watch"
wait_for 20 "the watcher to arm its trigger" sh -c \
	'journalctl -u oomx-watch --no-pager | grep -q "pressure line 3 (/work.slice some 100ms/1000ms): armed"'
ok "oomx-watch armed line 3 on /work.slice"
w=$(mainpid oomx-watch)
expect_eq "$(cat /proc/$w/oom_score_adj)" -1000 "the watcher's oom_score_adj"
# every mapping with resident pages is locked (mlockall: "lo" in its
# VmFlags), but those mlock() passes over, which are kernel memory that is
# never paged out anyway: the vdso and the BPF map the watcher mmaps (its
# program's .bss), both VM_DONTEXPAND and so VM_SPECIAL, and the vsyscall
# gate. smaps' "Locked:" is proportional, so shared pages show less there:
# the flag is the test
unlocked=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 } /^Rss:/ { rss = $2 }
	/^VmFlags:/ && rss > 0 && !/ lo( |$)/ &&
	name !~ /^(\[(vdso|vvar|vsyscall)\]|anon_inode:bpf-map)$/ {
		print name " (" rss " kB)" }' /proc/$w/smaps)
lck=$(awk '/^VmLck:/ { print $2 }' /proc/$w/status)
[ -z "$unlocked" ] && [ "$lck" -gt 0 ] || fail "the watcher has resident pages not locked: $unlocked"
ok "the watcher locked all it has resident ($lck kB; the vdso and BPF maps aside)"
db3=$(mainpid db)
systemd-run -q --unit=leak1 --slice=work.slice -p MemoryHigh=30M /usr/local/bin/hog --mb 200 ||
	fail "systemd-run leak1"
l=$(mainpid leak1)
wait_for 60 "the throttled leak to be killed" sh -c '! systemctl is-active -q leak1'
# the journal takes the watcher's line and the kernel's asynchronously
wait_for 10 "the watcher's report of the kill of $l" sh -c \
	"journalctl -u oomx-watch --no-pager | grep -q 'killed $l (hog), chosen by the policy'"
wait_for 10 "the kernel's report of the kill of $l" sh -c \
	"journalctl -k --no-pager | grep -q 'Memory cgroup pressure: Killed process $l (hog)'"
ok "the leak ($l) was killed on pressure: $(journalctl -u oomx-watch --no-pager | grep -o "pressure line 3.*killed $l.*")"
expect_eq "$(mainpid db)" "$db3" "db.service's process after the pressure kill (spared)"
n0=$(journalctl -u oomx-watch --no-pager | grep -c 're-read: 1 pressure line')
systemctl reload oomx || fail "systemctl reload oomx"
wait_for 20 "the reload to reach the watcher" sh -c \
	"[ \$(journalctl -u oomx-watch --no-pager | grep -c 're-read: 1 pressure line') -gt $n0 ]"
ok "systemctl reload oomx re-read the watcher's configuration too"
systemctl stop oomx-watch || fail "systemctl stop oomx-watch"

# 3: the operator edits the configuration and reloads: db.service is now
# what goes first
printf 'prefer cgroup /work.slice/db.service\n' >/etc/oomx/priority.conf
systemctl reload oomx || fail "systemctl reload oomx: $(journalctl -u oomx -n 5 --no-pager)"
expect_eq "$(rule)" "prefer /work.slice/db.service bound $new" "the rule after systemctl reload oomx"
batch 3
b3=$(mainpid batch3)
oom 3
systemctl is-active -q db && fail "db.service survived OOM 3, though preferred"
expect_eq "$(mainpid batch3)" "$b3" "batch3 after OOM 3 (db.service went first)"
ok "db.service was killed first, as the reloaded rule says"
systemctl stop batch3

# 4: a reload cannot switch the policy: it fails and changes nothing
sed -i 's/^OOMX_POLICY=.*/OOMX_POLICY=default/' /etc/oomx/oomx.env
before=$(rule)
systemctl reload oomx && fail "systemctl reload switched the policy"
journalctl -u oomx --no-pager | grep -q "the loaded policy is 'priority', not 'default'" ||
	fail "the refused reload did not say why: $(journalctl -u oomx -n 5 --no-pager)"
expect_eq "$(cat /sys/kernel/oom_ext/policy) $(rule)" "priority $before" \
	"the policy and rules after a refused reload (unchanged)"
sed -i 's/^OOMX_POLICY=.*/OOMX_POLICY=priority/' /etc/oomx/oomx.env

# 5: systemctl stop oomx: the kernel decides, and kills the largest, db
systemctl stop oomx || fail "systemctl stop oomx"
expect_eq "$(cat /sys/kernel/oom_ext/state)" disabled "oom_ext state after systemctl stop oomx"
db_up
batch 4
oom 4
systemctl is-active -q db && fail "db.service survived OOM 4 with oomx stopped"
expect_eq "$(systemctl is-active batch4)" active "batch4 after OOM 4 (the kernel took db, the largest)"
ok "with oomx stopped the kernel killed db.service, the largest"

echo 0 >$R/status
echo "oomx guest: all checks passed"
