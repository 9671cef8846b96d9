# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 600
#
# The fault matrix: every way a policy can misbehave, one case each. In
# every case the OOM that met the fault is resolved in the same invocation
# (the kernel's choice, A, the largest, dies and only A; D completes) and
# the policy is disabled with the exit record that names the cause:
#
#   badness-return   badness() returns a value out of range   BAD_RETURN
#   badness-error    oom_ext_error() in badness()             ERROR
#   badness-exit     oom_ext_exit() in badness(), mid-scan    DONE, code 42
#   badness-burn     badness() spins 1.5 s per task           STALL
#   select-return    select() returns 7                       BAD_RETURN
#   select-error     oom_ext_error() in select()              ERROR
#   select-lie       select() returns KILLED, killed nobody   NO_KILL
#   select-refused   a refused kill (init), KILLED anyway     NO_KILL
#   timeout-error    oom_ext_error() in victim_timeout_ms()   ERROR
#   killed-error     oom_ext_error() in killed()              ERROR (after the kill)
#   reapdelay-error  oom_ext_error() in reap_delay_ms()       ERROR (after the kill)
#   reaped-error     oom_ext_error() in reaped()              ERROR (after the reap)
#   reject-all       OOM_EXT_NEVER for every task             a fallback; stays enabled
#
# scripts/fault-matrix.sh runs this and prints the table.
. selftests/vm/lib.sh

TABLE=$T/fault-matrix
: >"$TABLE"

# resolved WHO CHOSEN_BY: the OOM killed WHO's pid, and only it, and the
# report says who chose it
resolved()
{
	local kills
	kills=$(klog_kills "$KLOG0" | paste -sd ' ')
	expect_eq "$kills" "${!1}" "the OOM's kills ($1 only)"
	expect_ext_line "${!1}" "$2"
}

# disabled NAME KIND CODE REASON MSG-PREFIX: the policy's exit record, sysfs
# and the kernel log agree on why it was disabled
disabled()
{
	local name=$1 kind=$2 code=$3 reason=$4 msg=$5 rec
	policy_wait "$name"
	rec=$(pexit "$name")
	[[ $rec == "kind=$kind code=$code reason=$reason msg=$msg"* ]] ||
		fail "exit record: got '$rec', expected 'kind=$kind code=$code reason=$reason msg=$msg...'"
	ok "exit record: $rec"
	expect_eq "$(cat $X/state)" disabled "state"
	grep -qF "$reason (kind $kind, code $code): $msg" $X/exit_reason ||
		fail "exit_reason: $(cat $X/exit_reason)"
	dmesg | grep -F "oom_ext: policy \"oomx_test\" disabled: $reason" >/dev/null ||
		fail "no 'disabled' line in the kernel log"
	printf '%-16s kind %-4s %-40s %s\n' "$name" "$kind" "$reason" "${rec#*msg=}" >>"$TABLE"
}

# fault NAME KIND CODE REASON MSG CHOSEN_BY SETTINGS...: one A/B/C scene
# under the faulty policy. '$A'/'$B' in MSG and SETTINGS stand for the pids.
# shellcheck disable=SC2016
fault()
{
	local name=$1 kind=$2 code=$3 reason=$4 msg=$5 by=$6 errors args=()
	shift 6
	abc_start "errors/$name"
	msg=${msg//\$A/$A}
	msg=${msg//\$B/$B}
	for a in "$@"; do
		a=${a//\$B/$B}
		args+=("${a//\$A/$A}")
	done
	policy_start "$name" "${args[@]}"
	errors=$(counter errors)
	abc_trigger "errors/$name"
	resolved A "$by"
	disabled "$name" "$kind" "$code" "$reason" "$msg"
	expect_eq "$(($(counter errors) - errors))" $((kind >= 1024)) "errors moved by"
	abc_stop
}

fault badness-return 1025 0 "invalid return value" \
	'badness() returned 1152921504606846977 for hog[$B]' kernel --set 'bad_tgid=$B'
fault badness-error 1024 0 "policy error" 'asked to fail on $B' kernel --set 'error_tgid=$B'
fault badness-exit 1 42 "policy requested exit" "leaving mid-scan at " kernel --set fault=4
fault badness-burn 1027 0 "policy held the OOM killer too long" \
	"badness() took the policy's time in this OOM to " kernel --set fault=5
fault select-return 1025 0 "invalid return value" "select() returned 7" kernel --set fault=1
fault select-error 1024 0 "policy error" "select() gives up" kernel --set fault=2
fault select-lie 1026 0 "select claimed a kill it did not make" \
	"select() returned 1 but killed nothing" kernel --set select_lie=1
fault select-refused 1026 0 "select claimed a kill it did not make" \
	"select() returned 1 but killed nothing" kernel --set fault=3
expect_eq "$(pvar select-refused select_kill_ret)" -1 "the refused kill of init (-EPERM)"
fault timeout-error 1024 0 "policy error" "victim_timeout_ms() gives up" kernel --set fault=9
fault killed-error 1024 0 "policy error" 'killed() gives up on $A' policy --set fault=6
fault reapdelay-error 1024 0 "policy error" 'reap_delay_ms() gives up on $A' policy --set fault=7

# reaped() runs only if the reaper gets to the victim before it exits:
# hold the victim (V, the largest) in its exit path
cg_new errors/reaped 64M
held_victim_start errors/reaped 40
V=$HELD
KLOG0=$(klog_mark)
policy_start reaped-error --set fault=8 --set reap_delay=0
run_hog errors/reaped --mb 40
expect_eq "$HOG_END" "pid=$HOG_PID exited=0" "D completed once V was reaped"
resolved V policy
disabled reaped-error 1024 0 "policy error" "reaped() gives up on $V"
held_victim_release

# rejecting every task is not a fault: the kernel's choice, counted
abc_start errors/reject-all
policy_start reject-all --set reject_all=1
fallbacks=$(counter fallbacks)
abc_trigger errors/reject-all
resolved A kernel
expect_eq "$(($(counter fallbacks) - fallbacks))" 1 "fallbacks moved by"
expect_eq "$(cat $X/state)" enabled "state (still enabled)"
policy_stop reject-all
printf '%-16s %s\n' reject-all "stays enabled; the kernel's choice, counted in fallbacks" >>"$TABLE"
abc_stop

echo "fault matrix:"
cat "$TABLE"
