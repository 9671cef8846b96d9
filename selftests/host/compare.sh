# SPDX-License-Identifier: GPL-2.0
# The side-by-side comparison, short (scripts/compare.sh --short; the full
# run is 'make compare', docs/compare.md), with the tools whose outcome
# follows from their rules, so that each is asserted exactly:
#  - thrash (a working set 1/8 larger than what the VM has free, through
#    swap, never a real OOM):
#    - oomx (priority, "pressure /work full 100ms 1s for 2s") kills the
#      workload, by SIGKILL, within 10 s of the pressure onset, and its
#      watcher's record names that pid; the protected service and the
#      bystander live;
#    - earlyoom with its defaults kills nobody: it needs free swap below
#      10%, and swap use stays below 90% (asserted);
#    - the PSI killer with systemd-oomd's defaults kills nobody in the 30 s
#      window: pressure must stay above 60% for 30 s from an onset after the
#      start (asserted);
#  - healthy (RAM full, its cold part in swap, a small hot loop): nobody
#    is killed by any of the three.
# Boots one VM (about 5 minutes).
set -u
. selftests/host-lib.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! scripts/compare.sh --short --tools "earlyoom psi-oomd oomx" --workloads "thrash healthy" \
	--out "$out" >"$out/run.txt" 2>&1; then
	cat "$out/run.txt"
	[ -f "$out/guest.out" ] && tail -n 30 "$out/guest.out"
	echo "FAIL: scripts/compare.sh --short"
	exit 1
fi
sed -n '/^Comparison/,$p' "$out/run.txt"
J=$out/compare.json

# r TOOL WORKLOAD JQ: JQ applied to that episode's measurements (.m)
r()
{
	jq -r --arg t "$1" --arg w "$2" ".results[] | select(.tool == \$t and .workload == \$w) | .m | $3" "$J"
}

check()
{
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $3"
	else
		fail "$1: got '$2', expected '$3'"
	fi
}

for t in earlyoom psi-oomd oomx; do
	for w in thrash healthy; do
		check "$t/$w: episodes" "$(r "$t" "$w" '.window_ms' | wc -l)" 1
		check "$t/$w: killed after the window" "$(jq -c --arg t "$t" --arg w "$w" '.results[] | select(.tool == $t and .workload == $w) | .died_after' "$J")" "[]"
		check "$t/$w: the protected service and the bystander" \
			"$(r "$t" "$w" '[.protected.died_ms, .bystander.died_ms] | map(tostring) | join(" ")')" \
			"null null"
	done
	check "$t/healthy: nobody killed" "$(r "$t" healthy '.workload.died_ms')" null
done

onset=$(r oomx thrash '.onset_ms')
died=$(r oomx thrash '.workload.died_ms')
[ "$onset" != null ] && [ "$died" != null ] && [ $((died - onset)) -ge 0 ] &&
	[ $((died - onset)) -le 10000 ] &&
	echo "ok: oomx/thrash: the workload died $((died - onset)) ms after the pressure onset" ||
	fail "oomx/thrash: onset $onset ms, death $died ms (expected within 10 s after the onset)"
check "oomx/thrash: how the workload ended" "$(r oomx thrash '.workload_status')" 137
pid=$(r oomx thrash '.workload.pid')
grep -q "^LOG oomx: {\"type\":\"pressure\".*\"result\":\"killed\",\"errno\":0,\"pid\":$pid," "$out/guest.out" &&
	echo "ok: oomx watch's record names the workload, pid $pid" ||
	fail "oomx watch's record does not name pid $pid: $(grep '^LOG oomx' "$out/guest.out")"

check "earlyoom/thrash: killed" "$(r earlyoom thrash '.workload.died_ms')" null
swap=$(r earlyoom thrash '.swap_used_max_kb')
[ "$swap" -lt $((256 * 1024 * 9 / 10)) ] &&
	echo "ok: earlyoom/thrash: swap use peaked at $((swap / 1024)) MiB of 256, so free swap stayed above earlyoom's 10%" ||
	fail "earlyoom/thrash: swap use reached $swap KiB, which would let earlyoom act"

check "psi-oomd/thrash: killed" "$(r psi-oomd thrash '.workload.died_ms')" null
o=$(r psi-oomd thrash '.onset_ms')
[ "$o" != null ] && [ "$o" -ge 0 ] && [ $((o + 30000)) -gt "$(r psi-oomd thrash '.window_ms')" ] &&
	echo "ok: psi-oomd/thrash: onset at $o ms, 30 s of pressure would end after the window" ||
	fail "psi-oomd/thrash: onset $o ms leaves room for a kill in the window; the assertion is wrong"
exit $rc
