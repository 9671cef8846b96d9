# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 180
#
# Policies the kernel must refuse at load time, with a message that says
# why: a store into the oom_control a callback is given, a sleepable
# badness callback, and the kill kfunc called from badness (only select
# may kill). A valid policy object loads with the same tool (the
# control: a tool that failed every load would prove nothing).
. selftests/vm/lib.sh

TRY=$ST/oom_ext_tryload
OBJ=${OOMX_BUILD:-$PWD/build}/selftests/progs

# expect_refused OBJECT MESSAGE
expect_refused()
{
	local rc
	"$TRY" "$OBJ/$1" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	expect_eq "$rc" 1 "exit status loading $1"
	grep -q '^load failed: ' "$T/$1.out" || fail "$1: $(cat "$T/$1.out")"
	grep -qF "$2" "$T/$1.err" || { cat "$T/$1.err"; fail "$1: the log does not say '$2'"; }
	ok "$1 refused: $(head -n 1 "$T/$1.out"), log says '$2'"
}

"$TRY" "$OBJ/oom_ext_attach.bpf.o" >"$T/control.out" 2>"$T/control.err" ||
	{ cat "$T/control.err"; fail "the valid policy did not load: $(cat "$T/control.out")"; }
expect_eq "$(cat "$T/control.out")" loaded "loading a valid policy"

expect_refused oom_ext_reject_write.bpf.o "oom_ext: writing to kernel structures is not allowed"
expect_refused oom_ext_reject_sleepable.bpf.o "attach to unsupported member badness of struct oom_ext_ops"
expect_refused oom_ext_reject_kill.bpf.o "calling kernel function bpf_oom_ext_kill is not allowed"
# the control for the kfunc filter: the test policy calls it from select
"$TRY" "$OBJ/oomx_test.bpf.o" >"$T/control2.out" 2>"$T/control2.err" ||
	{ cat "$T/control2.err"; fail "oomx_test.bpf.o did not load: $(cat "$T/control2.out")"; }
ok "oomx_test.bpf.o, which calls bpf_oom_ext_kill() from select, loads"
expect_eq "$(cat /sys/kernel/oom_ext/state)" none "state after the refused loads"
