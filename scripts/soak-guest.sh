# SPDX-License-Identifier: GPL-2.0
# soak-guest.sh - runs inside the VM for scripts/soak.sh (and, short, for
# selftests/vm/oom-soak.sh).
#
# For each of SOAK_POLICIES ("none" is the kernel alone), SOAK_SCENES
# consecutive OOMs, every SOAK_GLOBAL_EVERY-th a global one, the others
# memcg OOMs (the A/B/C scene: one kill needed). Per scene: exactly one
# kill, of the expected task (A in a memcg OOM, the growing hog in a global
# one), every other task alive. Per policy: one kill event per kill in
# 'oomx run --json' (the default ring buffer), 0 lost. Splats and hangs are
# oomx-vm's to catch (exit 126 and 124). Prints one summary line per policy:
#   soak POLICY scenes N memcg M global G kills K events E lost L seconds S
#        global_max_s X refaults R
# where X is the longest global scene in seconds and R the file pages
# refaulted over all global scenes (workingset_refault_file): a global OOM
# in the guest is preceded by evicting and refaulting program text from 9p,
# and that thrash is what makes a global scene slow (docs/platform.md).
. selftests/vm/lib.sh

N=${SOAK_SCENES:-500}
POLICIES=${SOAK_POLICIES:-none default priority pressure}
EVERY=${SOAK_GLOBAL_EVERY:-5}
OOMX=${SOAK_OOMX:-${OOMX_BUILD:-$PWD/build}/oomx}
echo 0 >/proc/sys/vm/oom_dump_tasks
# Only warnings and worse reach the serial console, which under TCG is what
# an OOM report costs most; splats (KERN_WARNING and up) still do, for
# oomx-vm's check, and the whole log stays in the ring buffer for ours.
dmesg -n 5

# one memcg scene: A dies, and only A
memcg_scene()
{
	local cg=soak/$1 kills
	abc_start "$cg"
	run_hog "$cg" --mb 16 >/dev/null
	[ "$HOG_END" = "pid=$HOG_PID exited=0" ] || fail "scene $1: D ended '$HOG_END'"
	kills=$(klog_kills "$KLOG0" | paste -sd ' ')
	[ "$kills" = "$A" ] || fail "scene $1 (memcg): kills '$kills', expected A=$A (B=$B C=$C)"
	alive "$B" && alive "$C" || fail "scene $1: B or C died"
	abc_stop
	rmdir "$CG/$cg"
}

# one global scene: the hog that grows until the OOM dies, and only it
global_scene()
{
	local kills k0 t r0 r1
	k0=$(klog_mark)
	t=$SECONDS
	r0=$(vmstat workingset_refault_file) || exit 1
	run_hog "" --mb 0 --mlock >/dev/null
	r1=$(vmstat workingset_refault_file) || exit 1
	t=$((SECONDS - t))
	[ "$t" -gt "$gmax" ] && gmax=$t
	refaults=$((refaults + r1 - r0))
	echo "global scene $1: $t s, $((r1 - r0)) file refaults"
	[[ $HOG_END == *"signal=9"* ]] || fail "scene $1 (global): the hog ended '$HOG_END'"
	kills=$(klog_kills "$k0" | paste -sd ' ')
	[ "$kills" = "$HOG_PID" ] || fail "scene $1 (global): kills '$kills', expected the hog $HOG_PID"
}

for pol in $POLICIES; do
	ev=$T/soak-$pol.json
	opid=
	if [ "$pol" != none ]; then
		"$OOMX" run "$pol" --json >"$ev" 2>"$T/soak-$pol.err" &
		opid=$!
		wait_for 60 "policy $pol to attach" grep -qx enabled "$X/state"
	fi
	t0=$SECONDS m=0 g=0 gmax=0 refaults=0
	before=$(vmstat oom_kill) || exit 1
	for i in $(seq "$N"); do
		if [ $((i % EVERY)) -eq 0 ]; then
			global_scene "$i"
			g=$((g + 1))
		else
			memcg_scene "$i"
			m=$((m + 1))
		fi
	done
	kills=$(($(vmstat oom_kill) - before))
	[ "$kills" -eq "$N" ] || fail "$pol: $kills kills in /proc/vmstat for $N scenes"
	events=- lost=-
	if [ -n "$opid" ]; then
		wait_for 30 "the last kill event" eval \
			'[ "$(grep -c "\"type\":\"kill\"" "$ev")" -ge "$N" ]'
		kill -INT "$opid"
		wait "$opid"
		events=$(grep -c '"type":"kill"' "$ev")
		[ "$events" -eq "$kills" ] || fail "$pol: $events kill events for $kills kills"
		# detached by us (OOM_EXT_EXIT_UNREG, 64), not by the kernel
		exitl=$(grep '"type":"exit"' "$ev")
		[[ $exitl == '{"type":"exit","kind":64,'* ]] || fail "$pol: exit line '$exitl'"
		lost=$(sed -n 's/.*"lost_events":\([0-9]*\)}$/\1/p' <<<"$exitl")
		[ "$lost" = 0 ] || fail "$pol: $lost events lost"
	fi
	echo "soak $pol scenes $N memcg $m global $g kills $kills events $events lost $lost seconds $((SECONDS - t0)) global_max_s $gmax refaults $refaults"
	dmesg >"$T/soak-$pol.dmesg"
	scripts/splat-check "$T/soak-$pol.dmesg" >/dev/null || fail "$pol: the kernel log has a splat: $(scripts/splat-check "$T/soak-$pol.dmesg" | head -n 5)"
	dmesg -C
done
