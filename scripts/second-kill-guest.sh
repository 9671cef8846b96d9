# SPDX-License-Identifier: GPL-2.0
# second-kill-guest.sh - runs inside the VM for scripts/second-kill.sh.
#
# SK_SCENES consecutive memcg OOM scenes in one boot. Each: A, B and C of
# SK_MB ("A B C" MiB, default "30 20 12") in a fresh cgroup of SK_LIMIT
# (default 80M), then D allocates SK_D MiB (default 24), which takes exactly
# one kill: A, the largest. The default victim is smaller than the ~38 MiB
# an mmu_gather holds before it must free pages (10000 / MAX_GATHER_BATCH
# batches), so exit_mmap() frees none of A's pages before tlb_finish_mmu().
# SK_MB="44 28 16" SK_LIMIT=100M SK_D=16 is the VM tests' A/B/C scene.
# Counts the kills of each scene (memory.events oom_kill) and prints one
# line per scene and a summary:
#   scene N kills K victims PID... d=exited|killed
#   scenes S one X two Y more Z d_killed W
# SK_POLICY, if set, runs 'oomx run SK_POLICY' during all the scenes.
. selftests/vm/lib.sh

N=${SK_SCENES:-200}
read -r MB_A MB_B MB_C <<<"${SK_MB:-30 20 12}"
LIMIT=${SK_LIMIT:-80M}
MB_D=${SK_D:-24}
OOMX=${OOMX_BUILD:-$PWD/build}/oomx
echo 0 >/proc/sys/vm/oom_dump_tasks	# keep the log short; the scan is unchanged

pol=
if [ -n "${SK_POLICY:-}" ]; then
	"$OOMX" run "$SK_POLICY" >"$T/sk-policy.out" 2>&1 &
	pol=$!
	wait_for 60 "policy $SK_POLICY to attach" grep -qx enabled "$X/state"
fi

one=0 two=0 more=0 dkilled=0
for i in $(seq "$N"); do
	abc_start "sk/$i" "$LIMIT" "$MB_A" "$MB_B" "$MB_C"
	run_hog "sk/$i" --mb "$MB_D" >/dev/null
	k=$(cg_event "sk/$i" oom_kill)
	victims=$(klog_kills "$KLOG0" | paste -sd ' ')
	d=exited
	[[ $HOG_END == *"signal=9"* ]] && { d=killed; dkilled=$((dkilled + 1)); }
	case $k in
	1) one=$((one + 1)) ;;
	2) two=$((two + 1)) ;;
	*) more=$((more + 1)) ;;
	esac
	echo "scene $i kills $k victims $victims d=$d"
	abc_stop
	rmdir "$CG/sk/$i"
done
echo "scenes $N one $one two $two more $more d_killed $dkilled"
if [ -n "$pol" ]; then
	kill -INT "$pol"
	wait "$pol"
fi
