# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 420
#
# Shadows on the oomx kernel. 'oomx shadow default ./newest.bpf.o' beside
# the kernel's heuristic: at a memcg OOM the kernel kills A; the default
# shadow agrees (A, runner-up B), newest (the guide's policy) would have
# killed C (runner-up B); neither kills. Beside an attached policy (newest,
# pinned), the real victim is C and the default shadow differs (A). A
# broken shadow (its score out of range) stops with the reason at its
# first OOM, beside the attached policy, which stays enabled and decides as
# before. On exit each shadow prints its agreement and evaluation time.
# Pinned (--load), 'oomx status' shows each shadow's agreement.
. selftests/vm/lib.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx

bpffs_mount
guide_policy newest
printf 'min_mib 14\n' >"$T/newest.conf"

# shadow_start OUT SPEC...: oomx shadow --json SPEC... into OUT; pid in $SH
shadow_start()
{
	local out=$1
	shift
	"$OOMX" shadow --json "$@" >"$out" 2>"$out.err" &
	SH=$!
	wait_for 120 "the shadows to be watching" grep -q "watching every OOM kill" "$out.err"
}

# shadow_stop: SIGINT, and the summary lines in $out.err
shadow_stop()
{
	kill -INT "$SH"
	wait "$SH"
	expect_eq "$?" 0 "oomx shadow exit status"
}

# verdict FILE POLICY: "pid real_pid agree runner_up.pid" of POLICY's shadow event
verdict()
{
	jq -r --arg p "$2" 'select(.type == "shadow" and .policy == $p) |
		"\(.pid) \(.real_pid) \(.agree) \(.runner_up.pid)"' "$1"
}

# beside the kernel's heuristic
shadow_start "$T/s1.json" default "$T/newest.bpf.o:$T/newest.conf"
expect_eq "$(cat $X/state) [$(cat $X/policy)]" "none []" "no policy attached (the shadows are not one)"
abc_start shadow/kernel
abc_trigger shadow/kernel
abc_expect A
wait_for 30 "both shadows' verdicts" test "$(grep -c '"type":"shadow"' "$T/s1.json")" -ge 2
shadow_stop
selftests/validate-events "$T/s1.json" || fail "oomx shadow --json: $(cat "$T/s1.json")"
expect_eq "$(verdict "$T/s1.json" default)" "$A $A true $B" "default's shadow: A, as the kernel; runner-up B"
expect_eq "$(verdict "$T/s1.json" newest)" "$C $A false $B" "newest's shadow: C, not A; runner-up B"
expect_eq "$(jq -r 'select(.policy == "default") | .nr_scored' "$T/s1.json")" 4 "default's shadow scored A, B, C, D"
grep -qE "shadow default: 1 OOM kill, agreed on 1 \(100%\)" "$T/s1.json.err" || fail "summary: $(cat "$T/s1.json.err")"
grep -qE "shadow newest: 1 OOM kill, agreed on 0 \(0%\)" "$T/s1.json.err" || fail "summary: $(cat "$T/s1.json.err")"
ok "$(grep 'shadow default:' "$T/s1.json.err")"
ok "$(jq -r 'select(.type == "shadow") | "\(.policy): \(.shadow_ns) ns for \(.nr_scored) scored"' "$T/s1.json" | paste -sd ';')"
abc_stop

# beside an attached policy: newest decides, default watches
"$OOMX" load "$T/newest.bpf.o" -c "$T/newest.conf" >/dev/null || fail "oomx load newest"
shadow_start "$T/s2.json" default
abc_start shadow/policy
abc_trigger shadow/policy
abc_expect C
wait_for 30 "the shadow's verdict" grep -q '"type":"shadow"' "$T/s2.json"
shadow_stop
expect_eq "$(verdict "$T/s2.json" default)" "$A $C false $B" "default's shadow beside newest: A, the OOM killed C"
abc_stop
"$OOMX" unload >/dev/null || fail "oomx unload"

# a broken shadow stops with its reason; the attached policy and the OOM
# go on as if it were not there
cat >"$T/broken.bpf.c" <<'POLICY'
#define OOMX_POLICY_NAME	"broken"
#define OOMX_SCORE		broken_score
#include "oomx.bpf.h"

static s64 broken_score(struct task_struct *p, struct oom_control *oc, s64 points)
{
	return (1LL << 60) + 1;	/* beyond OOM_EXT_POINTS_MAX (2^60) */
}
POLICY
make -s policy SRC="$T/broken.bpf.c" >"$T/make2.out" 2>&1 || fail "make policy broken: $(cat "$T/make2.out")"
"$OOMX" load "$T/newest.bpf.o" -c "$T/newest.conf" >/dev/null || fail "oomx load newest (2)"
shadow_start "$T/s3.json" "$T/broken.bpf.o" default
abc_start shadow/broken
abc_trigger shadow/broken
abc_expect C
wait_for 30 "default's verdict" grep -q '"policy":"default"' "$T/s3.json"
shadow_stop
expect_eq "$(cat $X/state) $(cat $X/policy)" "enabled newest" "the attached policy, untouched"
expect_eq "$(jq -r 'select(.policy == "broken") | .pid' "$T/s3.json")" "" "no verdict from the broken shadow"
grep -qF "shadow broken: 0 OOM kills, agreed on 0 (0%), would have killed nobody in 0" "$T/s3.json.err" &&
	grep -qF "STOPPED: the score is out of range (beyond +-OOM_EXT_POINTS_MAX)" "$T/s3.json.err" ||
	fail "broken shadow summary: $(cat "$T/s3.json.err")"
expect_eq "$(verdict "$T/s3.json" default)" "$A $C false $B" "default's shadow beside the broken one"
ok "$(grep 'shadow broken:' "$T/s3.json.err")"
abc_stop
"$OOMX" unload >/dev/null || fail "oomx unload (2)"

# pinned: the shadows outlive the command, and 'oomx status' shows their agreement
"$OOMX" shadow --load default "$T/newest.bpf.o:$T/newest.conf" >"$T/load.out" 2>&1 ||
	fail "oomx shadow --load: $(cat "$T/load.out")"
ok "$(paste -sd ';' "$T/load.out")"
"$OOMX" shadow --load default >"$T/load2.out" 2>&1
expect_eq "$?" 1 "a second shadow named default"
grep -qF "a shadow of that name is loaded ('oomx shadow --unload default' first)" "$T/load2.out" ||
	fail "second load: $(cat "$T/load2.out")"
abc_start shadow/pinned
abc_trigger shadow/pinned
abc_expect A
abc_stop
stats() { "$OOMX" status --json | jq -r '.shadows[] | "\(.policy) \(.ooms) \(.agree) \(.stopped)"' | sort | paste -sd ';'; }
expect_eq "$(stats)" "default 1 1 null;newest 1 0 null" "oomx status --json: the pinned shadows' agreement"
"$OOMX" status | grep -qE '^  newest +1 OOM kill, agreed on 0 \(0%\)' || fail "oomx status: $("$OOMX" status)"
"$OOMX" shadow --unload newest >/dev/null || fail "oomx shadow --unload newest"
expect_eq "$(stats)" "default 1 1 null" "after unloading newest"
"$OOMX" shadow --unload >/dev/null || fail "oomx shadow --unload"
expect_eq "$("$OOMX" status --json | jq -c .shadows)" "[]" "no shadow after --unload"
expect_eq "$(ls /sys/fs/bpf/oomx-shadow | wc -l)" 0 "nothing left pinned"
