# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 180
#
# oom_ext registration (kernel/patches/0006): with no policy the state is
# "none"; a policy attaches and shows in sysfs; a second attach is refused
# with EBUSY; an operator disables it through sysfs without the loader, and
# the policy's .exit learns why; closing the link of another policy detaches
# it with reason "unregistered".
. selftests/vm/lib.sh

X=/sys/kernel/oom_ext
ATTACH=$ST/oom_ext_attach
[ -d $X ] || fail "$X is missing: the kernel has no oom_ext"
expect_eq "$(cat $X/state)" none "state before any policy"

start_attach()
{
	"$ATTACH" --timeout 120 >"$T/$1.out" 2>"$T/$1.err" &
	eval "$1=\$!"
}

start_attach first
wait_for 60 "the first policy to attach" grep -q '^attached' "$T/first.out"
expect_eq "$(cat $X/state)" enabled "state with a policy attached"
expect_eq "$(cat $X/policy)" selftest "policy name in sysfs"
expect_eq "$(cat "$T/first.out")" "attached init=1" "init() ran once"

"$ATTACH" >"$T/second.out" 2>&1
expect_eq "$?" 1 "exit status of a second attach"
grep -q '^attach failed: EBUSY' "$T/second.out" || fail "second attach: $(cat "$T/second.out")"
ok "a second policy is refused: $(head -n 1 "$T/second.out")"
expect_eq "$(cat $X/policy)" selftest "the first policy is still attached"

# The operator's off switch: no loader involved.
echo 0 >$X/enabled || fail "writing 0 to $X/enabled failed"
wait_for 30 "the state to become disabled" grep -qx disabled $X/state
grep -q sysfs $X/exit_reason || fail "exit_reason: $(cat $X/exit_reason)"
ok "exit_reason: $(cat $X/exit_reason)"
wait "$first"
expect_eq "$?" 0 "the first loader's exit status"
grep -q '^exit kind=65 .*reason=disabled through sysfs' "$T/first.out" ||
	fail "the policy's .exit saw: $(tail -n 1 "$T/first.out")"
ok "the policy's .exit saw: $(tail -n 1 "$T/first.out")"

# A new policy can attach once the old one is gone; closing its link
# (the loader exits) detaches it.
start_attach third
wait_for 60 "the third policy to attach" grep -q '^attached' "$T/third.out"
expect_eq "$(cat $X/state)" enabled "state after re-attaching"
kill -TERM "$third"
wait "$third"
expect_eq "$?" 0 "the third loader's exit status"
grep -q '^exit kind=64 ' "$T/third.out" || fail "detach: $(tail -n 1 "$T/third.out")"
ok "detach by closing the link: $(tail -n 1 "$T/third.out")"
expect_eq "$(cat $X/state)" disabled "state after the link closed"
