# SPDX-License-Identifier: GPL-2.0
# scorecard/guest.sh - runs inside the VM for scripts/scorecard.sh (and, short,
# for selftests/vm/scorecard.sh): every scenario of SC_SCENARIOS under every
# policy of SC_POLICIES ("none" is the kernel alone), one JSON line each on
# stdout, prefixed "result ". The format of a scenario: scorecard/README.md.
. selftests/vm/lib.sh
. scorecard/scenario.sh

OOMX=${OOMX_BUILD:-$PWD/build}/oomx
CLOCK=$ST/oom_clock
SC_CG=scorecard			# below /sys/fs/cgroup
SC_TIMEOUT=${SC_TIMEOUT:-90}	# seconds for the trigger to end
echo 0 >/proc/sys/vm/oom_dump_tasks
dmesg -n 5
# The harness (this shell, oom_clock, oomx run, the timeout's sleep) must
# not be what a setup kills: it inherits -1000, each task gets its own.
echo -1000 >/proc/self/oom_score_adj

# size VALUE: MiB, or N% of MemAvailable when the scene started
size_mib()
{
	case $1 in
	*%) echo $((${1%\%} * AVAIL_KB / 100 / 1024)) ;;
	*M) echo "${1%M}" ;;
	*) echo "$1" ;;
	esac
}

# the cgroups, with their limits; "frozen" is applied once the tasks are up
make_cgroups()
{
	local spec path w k v
	cg_new "$SC_CG/$SCN"
	for spec in "${CGROUPS[@]}"; do
		read -r path spec <<<"$spec"
		cg_new "$SC_CG/$SCN/$path"
		for w in $spec; do
			[[ $w == *=* ]] || continue
			k=${w%%=*} v=${w#*=}
			[[ $v == *% ]] && v=$(($(size_mib "$v") * 1048576))
			echo "$v" >"$CG/$SC_CG/$SCN/$path/$k" ||
				fail "$SCN: cannot write $v to $path/$k"
		done
	done
}

# start_task "NAME ATTRS": start it; $TPID[NAME] is its pid
start_task()
{
	local name attrs mb grow adj cmd
	read -r name attrs <<<"$1"
	mb=$(sc_attr "$attrs" mb) grow=$(sc_attr "$attrs" grow_ms) adj=$(sc_attr "$attrs" adj)
	cmd=("$HOG" --comm "$(sc_attr "$attrs" comm)")
	[ -n "${cmd[2]}" ] || cmd[2]=${name:0:15}
	cmd+=(--mb "$(size_mib "${mb:-0}")")
	[ -n "$grow" ] && cmd+=(--delay-ms "$grow")
	[ -n "$(sc_attr "$attrs" threads)" ] && cmd+=(--threads "$(sc_attr "$attrs" threads)")
	[ -n "$(sc_attr "$attrs" tmpfs)" ] && cmd+=(--file "$SC_TMP/$name")
	[ "$OOMKIND" = global ] && cmd+=(--mlock)
	if [ -z "$(sc_attr "$attrs" trigger)" ]; then
		cmd+=(--ready "$SC_TMP/$name.ready")
		[ -z "$(sc_attr "$attrs" exits)" ] && cmd+=(--hold)
	fi
	if [ -n "$(sc_attr "$attrs" uid)" ]; then
		cmd=(setpriv --reuid="$(sc_attr "$attrs" uid)" --regid="$(sc_attr "$attrs" uid)" \
			--clear-groups -- "${cmd[@]}")
	fi
	# into its cgroup and to its oom_score_adj (the runner's is -1000)
	# before it runs, then, for a uid, setpriv drops root
	sh -c 'echo $$ >"$0/cgroup.procs" && echo "$1" >/proc/self/oom_score_adj && shift &&
		exec "$@"' "$CG/$SC_CG/$SCN/$(sc_attr "$attrs" cgroup)" "${adj:-0}" \
		"${cmd[@]}" 2>>"$SC_TMP/tasks.err" &
	TPID[$name]=$!
	TNAME[$!]=$name
}

# task_ready NAME: NAME's memory is in place; fails if NAME is gone already
task_ready()
{
	[ -s "$SC_TMP/$1.ready" ] && return 0
	alive "${TPID[$1]}" ||
		fail "$SCN: task $1 ended before its memory was in place: $(cat "$SC_TMP/tasks.err")"
	return 1
}

# the policy's configuration lines for this scenario, "@" the scene's cgroup
policy_conf()
{
	local c p name=${1##*/}
	name=${name%.bpf.o}
	: >"$SC_TMP/policy.conf"
	for c in "${CONFIG[@]}"; do
		read -r p c <<<"$c"
		[ "$p" = "$name" ] && echo "${c//@//$SC_CG/$SCN}" >>"$SC_TMP/policy.conf"
	done
	[ -s "$SC_TMP/policy.conf" ]
}

# fate STATUS: how a task that ended ended, from its wait status
fate()
{
	case $1 in
	137) echo killed ;;
	0) echo completed ;;
	*) echo "exit$1" ;;
	esac
}

# in_list NAME GLOB...: NAME matches one of the globs
in_list()
{
	local n=$1 g
	shift
	for g in "$@"; do
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $n == $g ]] && return 0
	done
	return 1
}

# one scenario under one policy: prints its result line
run_scene()
{
	local file=$1 pol=$2 t name pid st opid= conf= trig= trigend ev
	local -A TPID=() TNAME=() FATE=()
	local victims=() collateral=0 right=true ooms lost reason= chosen= pexit=
	SCN=$(basename "$file" .scn)
	sc_parse "$file"
	SC_TMP=$T/sc-$SCN
	rm -rf "$SC_TMP"
	mkdir -p "$SC_TMP"
	mount -t tmpfs -o mode=1777 scorecard "$SC_TMP" || fail "cannot mount tmpfs on $SC_TMP"
	AVAIL_KB=$(awk '$1 == "MemAvailable:" {print $2}' /proc/meminfo)
	echo "scene $SCN under $pol: MemAvailable $((AVAIL_KB / 1024)) MiB"
	make_cgroups
	if [ "$pol" != none ]; then
		policy_conf "$pol" && conf=$SC_TMP/policy.conf
		ev=$T/sc-events.json
		"$OOMX" run "$pol" ${conf:+-c "$conf"} --json >"$ev" 2>"$T/sc-oomx.err" &
		opid=$!
		until grep -qx enabled "$X/state"; do
			kill -0 "$opid" 2>/dev/null ||
				fail "$SCN: oomx run $pol did not attach: $(cat "$T/sc-oomx.err")"
			sleep 0.05
		done
	fi
	for t in "${TASKS[@]}"; do
		if [ "${t%% *}" = "$TRIGGER" ]; then
			trig=$t
			continue
		fi
		start_task "$t"
	done
	for t in "${TASKS[@]}"; do
		read -r name t <<<"$t"
		[ "$name" != "$TRIGGER" ] || continue
		if [ -n "$(sc_attr "$t" exits)" ]; then
			wait "${TPID[$name]}" || fail "$SCN: $name did not complete: $(cat "$SC_TMP/tasks.err")"
			FATE[$name]=completed
		else
			wait_for 60 "$SCN: $name to be resident" task_ready "$name"
		fi
	done
	for t in "${CGROUPS[@]}"; do
		read -r name t <<<"$t"
		if [ -n "$(sc_attr "$t" frozen)" ]; then
			echo 1 >"$CG/$SC_CG/$SCN/$name/cgroup.freeze"
			wait_for 30 "$SCN: $name to freeze" grep -qx 'frozen 1' "$CG/$SC_CG/$SCN/$name/cgroup.events"
		fi
	done
	"$CLOCK" >"$SC_TMP/clock.out" 2>"$SC_TMP/clock.err" &
	local cpid=$!
	wait_for 30 "oom_clock to attach" grep -qx ready "$SC_TMP/clock.out"

	# Wait for the trigger without polling: near a global OOM every
	# program started is read back from 9p, and that refault storm, not
	# the OOM, is what starves the emulated CPUs (docs/platform.md).
	start_task "$trig"
	pid=${TPID[$TRIGGER]}
	sleep "$SC_TIMEOUT" &
	local guard=$! done=
	wait -n -p done "$pid" "$guard"
	st=$?
	if [ "$done" = "$guard" ] && alive "$pid"; then
		trigend=unresolved
		kill -KILL "$pid"
		wait "$pid"
	else
		# the trigger may have been reaped before 'wait -n' asked
		[ "$done" = "$guard" ] && { wait "$pid"; st=$?; }
		kill "$guard" 2>/dev/null
		wait "$guard"
		trigend=$(fate "$st")
	fi
	FATE[$TRIGGER]=$trigend
	# each victim's exit_mmap(), 10 s at most (the OOM is over: polling is cheap)
	for ((t = 0; t < 200; t++)); do
		[ "$(grep -c '^kill ' "$SC_TMP/clock.out")" -le "$(grep -c '^freed ' "$SC_TMP/clock.out")" ] &&
			break
		sleep 0.05
	done
	kill -INT "$cpid"
	wait "$cpid" || fail "oom_clock failed: $(cat "$SC_TMP/clock.err")"
	if [ -n "$opid" ]; then
		# the policy must have decided this scene: attached to the end,
		# and detached by us (OOM_EXT_EXIT_UNREG), not by the kernel
		grep -qx enabled "$X/state" || pexit="the kernel disabled it ($(cat "$X/state"))"
		kill -INT "$opid"
		wait "$opid"
		t=$(jq -r 'select(.type == "exit") | "\(.kind) \(.reason) \(.message)"' "$ev")
		[ "${t%% *}" = 64 ] || pexit=${pexit:-"it exited: $t"}
		reason=$(jq -r 'select(.type == "kill") | .reason' "$ev" | head -n 1)
		chosen=$(jq -r 'select(.type == "kill") | .chosen_by' "$ev" | paste -sd,)
	fi

	# fates: who of the scene's tasks died, and how
	for name in "${!TPID[@]}"; do
		pid=${TPID[$name]}
		[ -z "${FATE[$name]:-}" ] || continue
		if alive "$pid"; then
			FATE[$name]=alive
		else
			wait "$pid"
			FATE[$name]=$(fate $?)
		fi
	done

	# the timeline: one entry per process killed, in order
	local -A seen=() FREED=() REAPED=()
	local kill_lines=()
	while read -r kind a b c d e; do
		case $kind in
		kill) kill_lines+=("$a $b $c $d $e") ;;
		freed) [ -n "${FREED[${b#tgid=}]:-}" ] || FREED[${b#tgid=}]=${a#ts=} ;;
		reaped) [ -n "${REAPED[${b#pid=}]:-}" ] || REAPED[${b#pid=}]=${a#ts=} ;;
		end) ooms=${a#ooms=} lost=${b#lost=} ;;
		esac
	done <"$SC_TMP/clock.out"
	: >"$SC_TMP/kills.json"
	for t in "${kill_lines[@]}"; do
		read -r a b c d _ e <<<"$t"
		local ts=${a#ts=} tgid=${b#tgid=} tid=${c#pid=} dec=${d#decide_ns=}
		[ -z "${seen[$tgid]:-}" ] || continue
		seen[$tgid]=1
		name=${TNAME[$tgid]:-other:${e#comm=}}
		victims+=("$name")
		in_list "$name" "${DIE[@]}" || collateral=$((collateral + 1))
		jq -cn --arg v "$name" --argjson d "$((dec / 1000))" \
			--argjson r "$([ -n "${REAPED[$tid]:-}" ] && echo $(((REAPED[$tid] - ts) / 1000)) || echo null)" \
			--argjson f "$([ -n "${FREED[$tgid]:-}" ] && echo $(((FREED[$tgid] - ts) / 1000)) || echo null)" \
			'{victim: $v, decide_us: $d, reaped_us: $r, freed_us: $f}' >>"$SC_TMP/kills.json"
	done

	# the verdict: the OOM resolved by the setup itself, at least one kill,
	# every kill one of "die", every task "survive" names alive
	case $trigend in completed|killed) ;; *) right=false ;; esac
	[ ${#victims[@]} -gt 0 ] && [ "$collateral" = 0 ] && [ -z "$pexit" ] || right=false
	for name in "${!TPID[@]}"; do
		in_list "$name" "${SURVIVE[@]}" || continue
		[ "${FATE[$name]}" = alive ] || right=false
	done

	jq -cn --arg scenario "$SCN" --arg title "$TITLE" --arg oom "$OOMKIND" --arg policy "$pol" \
		--argjson right "$right" --argjson collateral "$collateral" --arg trigger "$trigend" \
		--argjson ooms "${ooms:-null}" --argjson lost "${lost:-null}" --arg reason "$reason" \
		--arg chosen "$chosen" --arg pexit "$pexit" --arg why "$WHY" \
		--slurpfile kills "$SC_TMP/kills.json" \
		'{scenario: $scenario, title: $title, oom: $oom, policy: $policy, right: $right,
		  victims: [$kills[].victim], collateral: $collateral, trigger: $trigger,
		  ooms: $ooms, lost: $lost, kills: $kills, reason: $reason,
		  chosen_by: ($chosen | if . == "" then [] else split(",") end),
		  policy_error: (if $pexit == "" then null else $pexit end), why: $why}' |
		sed 's/^/result /'
	# progress for scripts/scorecard.sh, which follows the console
	echo "scorecard: $SCN under $pol: $([ $right = true ] && echo right || echo WRONG)," \
		"killed $(IFS=,; echo "${victims[*]:-nobody}")${pexit:+ (policy: $pexit)}" \
		>/dev/console 2>/dev/null

	# clean up: thaw, kill what is left, remove the cgroups and the tmpfs
	for t in "${CGROUPS[@]}"; do
		read -r name t <<<"$t"
		[ -z "$(sc_attr "$t" frozen)" ] || echo 0 >"$CG/$SC_CG/$SCN/$name/cgroup.freeze"
	done
	for name in "${!FATE[@]}"; do
		[ "${FATE[$name]}" = alive ] || continue
		kill -KILL "${TPID[$name]}"
		wait "${TPID[$name]}" 2>/dev/null
	done
	umount "$SC_TMP" || fail "$SCN: cannot unmount its tmpfs $SC_TMP"
	find "$CG/$SC_CG/$SCN" -depth -type d -exec rmdir {} + ||
		fail "$SCN: cannot remove its cgroups"
}

[ -n "${SC_SCENARIOS:-}" ] || fail "SC_SCENARIOS names no scenario"
for pol in ${SC_POLICIES:-none default}; do
	for f in $SC_SCENARIOS; do
		run_scene "$f" "$pol"
	done
done
