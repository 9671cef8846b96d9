# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 300
#
# A broken policy is disabled with a recorded reason, and the OOM that hit
# the error is still resolved by the kernel's heuristic in the same
# invocation (A, the largest, dies; D completes):
#  - badness() returning a value out of range (OOM_EXT_EXIT_BAD_RETURN);
#  - the policy calling oom_ext_error() (OOM_EXT_EXIT_ERROR);
#  - select() returning 1 without killing (OOM_EXT_EXIT_NO_KILL).
. selftests/vm/lib.sh

# broken CASE KIND REASON MSG --set ...: one broken policy, one OOM.
# shellcheck disable=SC2016
broken()
{
	local name=$1 kind=$2 reason=$3 msg=$4 errors
	shift 4
	abc_start "errors/$name"
	# '$B' in MSG and the --set arguments stands for B's pid
	msg=${msg//\$B/$B}
	policy_start "$name" "${@//\$B/$B}"
	errors=$(counter errors)
	abc_trigger "errors/$name"
	abc_expect A
	expect_oom_killed "$A" "Memory cgroup out of memory"
	policy_wait "$name"
	expect_eq "$(pexit "$name")" "kind=$kind code=0 reason=$reason msg=$msg" "exit record"
	expect_eq "$(cat $X/state)" disabled "state"
	grep -qF "$reason (kind $kind, code 0): $msg" $X/exit_reason || fail "exit_reason: $(cat $X/exit_reason)"
	ok "exit_reason: $(cat $X/exit_reason)"
	expect_eq "$(($(counter errors) - errors))" 1 "errors moved by"
	dmesg | grep -qF "oom_ext: policy \"oomx_test\" disabled: $reason" || fail "no 'disabled' line in the kernel log"
	abc_stop
}

broken bad-return 1025 "invalid return value" \
	'badness() returned 1152921504606846977 for hog[$B]' --set 'bad_tgid=$B'
broken error 1024 "policy error" 'asked to fail on $B' --set 'error_tgid=$B'
broken select-lie 1026 "select claimed a kill it did not make" \
	"select() returned 1 but killed nothing" --set select_lie=1
