#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compare/guest.sh [--short] [--tools "LIST"] [--workloads "LIST"]: the
# side-by-side comparison, inside the VM (scripts/compare.sh boots it with a
# swap disk as /dev/vda). For every tool and workload, one episode:
#   - the tool starts; its idle cost is measured (CPU ticks, context
#     switches, resident memory) before the first episode;
#   - the protected service (compare/protected.c, in /svc) runs throughout;
#     a bystander (16 MiB, idle) sits in /work/bystander;
#   - compare/monitor.c starts the workload in /work/culprit and watches
#     for the window: pressure onset, deaths, the service's progress.
# Prints one "RESULT {json}" line per episode, "IDLE {json}" and its log
# ("TOOLLOG TOOL ...") per tool;
# with the kernel alone, "TRACE WORKLOAD {json}" lines: compare/psirec's
# record of the episode.
set -uo pipefail

B=${OOMX_BUILD:-$PWD/build}
C=$B/compare
OOMX=$B/oomx
HOG=$B/selftests/hog
CG=/sys/fs/cgroup
R=/run/compare
short=0
tools="kernel earlyoom earlyoom-tuned psi-oomd psi-tuned oomx oomx-12s"
workloads="leak thrash healthy burst"

while [ $# -gt 0 ]; do
	case "$1" in
	--short) short=1 ;;
	--tools) tools=$2; shift ;;
	--workloads) workloads=$2; shift ;;
	*) echo "guest.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

fail()
{
	echo "FAIL: $*"
	exit 1
}

mkdir -p "$R"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
[ -b /dev/vda ] || fail "no swap disk /dev/vda (scripts/compare.sh attaches one)"
mkswap /dev/vda >/dev/null || fail "mkswap /dev/vda"
swapon /dev/vda || fail "swapon /dev/vda"
echo +memory >"$CG/cgroup.subtree_control" || fail "cannot enable the memory controller"
mkdir -p "$CG/work" "$CG/svc"
echo +memory >"$CG/work/cgroup.subtree_control"
mkdir -p "$CG/work/culprit" "$CG/work/bystander"

# the sizes, from what this VM has once the service and the bystander run
kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# The service runs on CPU 0 and the workloads on CPU 1: under TCG, a task
# that moves between vCPUs runs several times slower for a while (each vCPU
# has its own software TLB), which would make the service's rate depend on
# whether the other vCPU is busy rather than on memory.
start_service()
{
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/svc" \
		taskset -c 0 "$C/protected" --mb 32 --file "$C/service.dat" --counter "$R/ops" &
	SERVICE=$!
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/work/bystander" \
		"$HOG" --mb 16 --hold --comm bystander --ready "$R/bystander.ready" &
	BYSTANDER=$!
	while [ ! -s "$R/ops" ] || [ ! -s "$R/bystander.ready" ]; do sleep 0.1; done
	sleep 1
}

stop_all()
{
	kill -KILL "$SERVICE" "$BYSTANDER" 2>/dev/null
	wait "$SERVICE" "$BYSTANDER" 2>/dev/null
	rm -f "$R/ops" "$R/bystander.ready"
}

# the oomx configuration: the priority policy protects the service, and a
# pressure trigger on /work at the level psi-tuned uses (full 10%, 5 s),
# which also acts at a trip with swap 90% used (systemd-oomd's swap limit)
cat >"$R/oomx.conf" <<'EOF'
protect cgroup /svc
pressure /work full 100ms 1s for 5s swap 90%
EOF
# the same, patient: the pressure must last 12 s (longer than burst's)
sed 's/for 5s/for 12s/' "$R/oomx.conf" >"$R/oomx-12s.conf"

TOOL=
tool_start()
{
	TOOL=
	case "$1" in
	kernel) return 0 ;;
	earlyoom) earlyoom -r 3600 --avoid '^protected$' >"$R/tool.log" 2>&1 & ;;
	earlyoom-tuned) earlyoom -r 3600 -m 10 -s 100 --avoid '^protected$' >"$R/tool.log" 2>&1 & ;;
	psi-oomd) "$C/psikill" --cgroup "$CG/work" >"$R/tool.log" 2>&1 & ;;
	psi-tuned) "$C/psikill" --cgroup "$CG/work" --pressure-limit 10 --duration 5 \
		>"$R/tool.log" 2>&1 & ;;
	oomx|oomx-12s)
		"$OOMX" load --replace priority -c "$R/$1.conf" >"$R/load.log" 2>&1 ||
			fail "oomx load: $(cat "$R/load.log")"
		"$OOMX" watch -c "$R/$1.conf" --json >"$R/tool.log" 2>&1 & ;;
	*) fail "unknown tool '$1'" ;;
	esac
	TOOL=$!
	sleep 1
	kill -0 "$TOOL" 2>/dev/null || fail "$1 did not start: $(cat "$R/tool.log")"
}

tool_stop()
{
	if [ -n "$TOOL" ]; then
		kill -TERM "$TOOL" 2>/dev/null
		wait "$TOOL" 2>/dev/null
	fi
	case "$1" in oomx*) "$OOMX" unload >/dev/null 2>&1 ;; esac
	# what the tool said over its episodes (its kills, the watcher's
	# verdicts), for OUT/logs/
	[ -z "$TOOL" ] || sed "s/^/TOOLLOG $1 /" "$R/tool.log"
	return 0
}

# idle cost of the tool's process over $1 seconds: ticks, switches, RSS
tool_idle()
{
	local name=$1 secs=$2 t0 t1 s0 s1 rss
	if [ -z "$TOOL" ]; then
		echo "IDLE {\"tool\":\"$name\",\"seconds\":$secs,\"ticks\":0,\"switches\":0,\"rss_kb\":0}"
		return
	fi
	t0=$(awk '{ print $14 + $15 }' "/proc/$TOOL/stat")
	s0=$(awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$TOOL/status")
	sleep "$secs"
	t1=$(awk '{ print $14 + $15 }' "/proc/$TOOL/stat")
	s1=$(awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$TOOL/status")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$TOOL/status")
	echo "IDLE {\"tool\":\"$name\",\"seconds\":$secs,\"ticks\":$((t1 - t0)),\"switches\":$((s1 - s0)),\"rss_kb\":$rss}"
}

# the workload's command and window for $1 (docs/compare.md), sized from
# AVAIL, what was available once, with the service and bystander running:
#   leak     24 MiB/s until something kills it
#   thrash   a working set 1/8 larger than what is available, swept forever
#   healthy  RAM nearly full (32 MiB left available), a 16 MiB hot loop
#   burst    like healthy, but 96 MiB more than available: a one-time
#            swap-out while it allocates, then a 16 MiB hot loop
workload_cmd()
{
	local avail=$AVAIL
	case "$1" in
	leak) WCMD=(taskset -c 1 "$C/workload" leak --rate 24); WINDOW=$((short ? 40 : 90)) ;;
	thrash) WCMD=(taskset -c 1 "$C/workload" sweep --mb $((avail + avail / 8))); WINDOW=$((short ? 30 : 60)) ;;
	healthy) WCMD=(taskset -c 1 "$C/workload" sweep --mb $((avail - 32)) --hot 16)
		WINDOW=$((short ? 25 : 45)) ;;
	burst) WCMD=(taskset -c 1 "$C/workload" sweep --mb $((avail + 96)) --hot 16 --alloc-rate 48)
		WINDOW=$((short ? 30 : 45)) ;;
	*) fail "unknown workload '$1'" ;;
	esac
}

# between episodes: the workload gone, then 5 s for the service to fault
# its memory back in before its baseline (the swap is left alone: cycling
# it looks like a full swap to a tool that watches it)
settle()
{
	echo 1 >"$CG/work/culprit/cgroup.kill" 2>/dev/null
	while grep -q . "$CG/work/culprit/cgroup.procs"; do sleep 0.1; done
	sleep 5
}

# the service or the bystander killed after an episode's window (a tool
# still acting on it): "[]" or the names, for the episode's record
late_deaths()
{
	local names=()
	kill -0 "$SERVICE" 2>/dev/null || names+=('"protected"')
	kill -0 "$BYSTANDER" 2>/dev/null || names+=('"bystander"')
	local IFS=,
	echo "[${names[*]}]"
}

idle_secs=$((short ? 5 : 10))
# the workloads' sizes, once for the whole run: every tool gets the same
start_service
AVAIL=$(($(kb MemAvailable) / 1024))
stop_all
echo "SIZES {\"mem_available_mib\":$AVAIL}"
for tool in $tools; do
	start_service
	tool_start "$tool"
	tool_idle "$tool" "$idle_secs"
	settle
	for wl in $workloads; do
		if ! kill -0 "$SERVICE" 2>/dev/null || ! kill -0 "$BYSTANDER" 2>/dev/null; then
			stop_all
			start_service
		fi
		workload_cmd "$wl"
		# with no tool acting, record /work's pressure and the trips of
		# oomx's trigger from about the workload's start (after the
		# monitor's 5 s baseline), for compare/replay; unpinned and
		# locked in memory, as the watcher runs
		REC=
		if [ "$tool" = kernel ]; then
			(sleep 5 && exec "$C/psirec" --cgroup "$CG/work" \
				--trigger "full 100000 1000000") >"$R/trace" 2>"$R/trace.err" &
			REC=$!
		fi
		out=$("$C/monitor" --cgroup "$CG/work/culprit" --window-ms $((WINDOW * 1000)) --baseline-ms 5000 \
			--counter "$R/ops" --watch "protected=$SERVICE" --watch "bystander=$BYSTANDER" \
			-- "${WCMD[@]}") || fail "monitor failed for $tool/$wl"
		if [ -n "$REC" ]; then
			kill -TERM "$REC"
			if wait "$REC"; then
				sed "s/^/TRACE $wl /" "$R/trace"
			else
				echo "WARNING: no pressure record of $wl: $(cat "$R/trace.err")"
			fi
		fi
		echo "compare: $tool, $wl ($WINDOW s)" >/dev/console 2>/dev/null
		cmd="${WCMD[*]}"
		settle
		echo "RESULT {\"tool\":\"$tool\",\"workload\":\"$wl\",\"cmd\":\"${cmd//$C\//}\",\"m\":$out,\"died_after\":$(late_deaths)}"
	done
	tool_stop "$tool"
	grep -v -e '^$' -e 'mem avail:' "$R/tool.log" 2>/dev/null | sed "s/^/LOG $tool: /"
	stop_all
done
echo "DONE"
