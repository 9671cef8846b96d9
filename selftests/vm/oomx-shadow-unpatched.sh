# SPDX-License-Identifier: GPL-2.0
# vm: -k unpatched -m 512M -t 300
#
# A shadow needs no oom_ext: on the same 6.12 without the series (make
# kernel-unpatched), 'oomx check' says the kernel lacks oom_ext, and yet
# 'oomx shadow default pressure ./newest.bpf.o' watches a real memcg OOM:
# the kernel kills A; default and pressure agree, newest would have killed
# C. The kernel points the shadow computed for A equal what the kernel's
# OOM report says of A (rss + swap entries + page tables), so the shadow
# scores what oom_badness() scores. Pinned with --load, a shadow shows in
# 'oomx status' there too.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx

[ ! -e /sys/kernel/oom_ext ] || fail "this kernel has oom_ext: the test wants the unpatched one"
"$OOMX" check >"$T/check.out" 2>&1
expect_eq "$?" 1 "oomx check on a kernel without oom_ext"
grep -q "MISSING  struct oom_ext_ops" "$T/check.out" || fail "oomx check: $(cat "$T/check.out")"
guide_policy newest
printf 'min_mib 14\n' >"$T/newest.conf"

"$OOMX" shadow --json default pressure "$T/newest.bpf.o:$T/newest.conf" >"$T/s.json" 2>"$T/s.err" &
sh=$!
wait_for 120 "the shadows to be watching" grep -q "newest.*watching every OOM kill" "$T/s.err"
abc_start unpatched/abc
abc_trigger unpatched/abc
abc_expect A
wait_for 30 "three verdicts" test "$(grep -c '"type":"shadow"' "$T/s.json")" -ge 3
kill -INT "$sh"
wait "$sh"
expect_eq "$?" 0 "oomx shadow exit status"
selftests/validate-events "$T/s.json" || fail "oomx shadow --json: $(cat "$T/s.json")"
v() { jq -r --arg p "$1" 'select(.policy == $p) | "\(.pid) \(.real_pid) \(.agree)"' "$T/s.json"; }
expect_eq "$(v default)" "$A $A true" "default's shadow: A, as the kernel"
expect_eq "$(v pressure)" "$A $A true" "pressure's shadow: A (no protection set: the largest)"
expect_eq "$(v newest)" "$C $A false" "newest's shadow: C"
# the kernel's own numbers for A, from the OOM report's task dump:
# rss + swapents + pgtables_bytes / 4096 is oom_badness() at oom_score_adj 0
# "[  pid]   uid  tgid total_vm rss rss_anon rss_file rss_shmem pgtables_bytes swapents adj name"
want=$(klog_since "$KLOG0" | sed 's/^\[[^]]*\] //' |
	awk -v pid="$A" '$1 == "[" && $2 == pid "]" { print $6 + $11 + int($10 / 4096); exit }')
[ -n "$want" ] || fail "no task dump line for A in the OOM report"
expect_eq "$(jq -r 'select(.policy == "default") | .kernel_points' "$T/s.json")" "$want" \
	"the shadow's kernel points for A = the OOM report's rss + swap + page tables"
ok "$(grep 'shadow default:' "$T/s.err")"
abc_stop

# pinned on a kernel without oom_ext: 'oomx status' shows the shadow alone
bpffs_mount
"$OOMX" shadow --load pressure >/dev/null || fail "oomx shadow --load pressure"
abc_start unpatched/pinned
abc_trigger unpatched/pinned
abc_expect A
abc_stop
"$OOMX" status --json >"$T/status.json"
expect_eq "$?" 0 "oomx status with a shadow and no oom_ext"
expect_eq "$(jq -c '[.state, (.shadows[] | .policy, .ooms, .agree)]' "$T/status.json")" '[null,"pressure",1,1]' \
	"oomx status --json without oom_ext"
"$OOMX" shadow --unload pressure >/dev/null || fail "oomx shadow --unload pressure"
