# SPDX-License-Identifier: GPL-2.0
# The side-by-side comparison, short (scripts/compare.sh --short; the full
# run is 'make compare', docs/compare.md), with tools whose outcome follows
# from their rules, so that each is asserted exactly:
#  - thrash (a working set 1/8 larger than what the VM has available, swept
#    through swap forever, never a real OOM):
#    - oomx (priority, "pressure /work full 100ms 1s for 5s swap 90%")
#      kills the workload, by SIGKILL, within 12 s of the pressure onset,
#      and its watcher's record names that pid and the stall as the cause
#      (swap stays near half used, under the line's 90%);
#    - the PSI killer at the same level (full avg10 above 10% for 5 s)
#      kills it too, within the window;
#    - earlyoom with its defaults kills nobody: it needs free swap below
#      10%, and swap use stays below 90% (asserted);
#  - healthy (RAM nearly full, a 16 MiB hot loop): nobody is killed;
#  - the protected service and the bystander live through both, and after.
# Boots one VM (about 5 minutes).
set -u
. selftests/host-lib.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! scripts/compare.sh --short --tools "earlyoom psi-tuned oomx" --workloads "thrash healthy" \
	--out "$out" >"$out/run.txt" 2>&1; then
	cat "$out/run.txt"
	[ -f "$out/guest.out" ] && tail -n 30 "$out/guest.out"
	echo "FAIL: scripts/compare.sh --short"
	exit 1
fi
sed -n '/^Comparison/,$p' "$out/run.txt"
J=$out/compare.json

# r TOOL WORKLOAD JQ: JQ applied to that episode's record
r()
{
	jq -r --arg t "$1" --arg w "$2" ".results[] | select(.tool == \$t and .workload == \$w) | $3" "$J"
}

check()
{
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $3"
	else
		fail "$1: got '$2', expected '$3'"
	fi
}

# num VALUE WHAT: VALUE is a number, or the test fails
num()
{
	[[ "$1" =~ ^[0-9]+$ ]] && return 0
	fail "$2: '$1' is not a number"
	return 1
}

for t in earlyoom psi-tuned oomx; do
	for w in thrash healthy; do
		check "$t/$w: episodes" "$(r "$t" "$w" '.m.window_ms' | wc -l)" 1
		check "$t/$w: the protected service and the bystander" \
			"$(r "$t" "$w" '[.m.protected.died_ms, .m.bystander.died_ms, .died_after[]] | map(tostring) | join(" ")')" \
			"null null"
	done
	check "$t/healthy: killed" "$(r "$t" healthy '.m.workload.died_ms')" null
done

onset=$(r oomx thrash '.m.onset_ms')
died=$(r oomx thrash '.m.workload.died_ms')
if num "$onset" "oomx/thrash onset" && num "$died" "oomx/thrash death"; then
	[ "$died" -ge "$onset" ] && [ $((died - onset)) -le 12000 ] &&
		echo "ok: oomx/thrash: the workload died $((died - onset)) ms after the pressure onset" ||
		fail "oomx/thrash: onset $onset ms, death $died ms (expected within 12 s after the onset)"
fi
check "oomx/thrash: how the workload ended" "$(r oomx thrash '.m.workload_status')" 137
pid=$(r oomx thrash '.m.workload.pid')
# the thrash never fills swap (it peaks near half): the stall decided
swap=$(r oomx thrash '.m.swap_used_max_kb')
if num "$swap" "oomx/thrash swap"; then
	[ "$swap" -lt $((256 * 1024 * 9 / 10)) ] &&
		echo "ok: oomx/thrash: swap use peaked at $((swap / 1024)) MiB of 256, under the line's 90%" ||
		fail "oomx/thrash: swap use reached $swap KiB, within the line's 'swap 90%'"
fi
got=$(sed -n 's/^LOG oomx: \({"type":"pressure".*\)$/\1/p' "$out/guest.out" |
	jq -r 'select(.result == "killed") | [.pid, .errno, .acted_on] | join(" ")')
[ "$got" = "$pid 0 stall" ] &&
	echo "ok: oomx watch's record names the workload, pid $pid, killed on the stall" ||
	fail "oomx watch's record is not one kill of pid $pid on the stall: $(grep '^LOG oomx' "$out/guest.out")"

pdied=$(r psi-tuned thrash '.m.workload.died_ms')
num "$pdied" "psi-tuned/thrash death" && echo "ok: psi-tuned/thrash: killed at $pdied ms (oomx: $died ms)"
check "psi-tuned/thrash: how the workload ended" "$(r psi-tuned thrash '.m.workload_status')" 137

check "earlyoom/thrash: killed" "$(r earlyoom thrash '.m.workload.died_ms')" null
swap=$(r earlyoom thrash '.m.swap_used_max_kb')
if num "$swap" "earlyoom/thrash swap"; then
	[ "$swap" -lt $((256 * 1024 * 9 / 10)) ] &&
		echo "ok: earlyoom/thrash: swap use peaked at $((swap / 1024)) MiB of 256: free swap stayed above earlyoom's 10%" ||
		fail "earlyoom/thrash: swap use reached $swap KiB, which would let earlyoom act"
fi
exit $rc
