# SPDX-License-Identifier: GPL-2.0
# scorecard/scenario.sh - read a scenario file (format: scorecard/README.md)
# into globals, refusing what the runner could not run. Sourced by
# scorecard/guest.sh (in the VM) and scripts/scorecard.sh --check (on the
# host); the caller defines fail().

SC_TASK_ATTRS="cgroup mb grow_ms threads uid comm adj tmpfs exits trigger"

# sc_parse FILE: TITLE WHY OOMKIND, arrays CGROUPS TASKS DIE SURVIVE CONFIG
# (a TASKS entry is "NAME ATTR...", NAME*N already expanded) and TRIGGER
# (the trigger's name)
sc_parse()
{
	local file=$1 key rest name n w line=0 cgs=" " names=" " g hit
	TITLE= OOMKIND= WHY= TRIGGER= CGROUPS=() TASKS=() DIE=() SURVIVE=() CONFIG=()
	[ -r "$file" ] || fail "cannot read scenario $file"
	while IFS= read -r rest || [ -n "$rest" ]; do
		line=$((line + 1))
		rest=${rest%%#*}
		read -r key rest <<<"$rest"
		[ -n "$key" ] || continue
		[ -n "$rest" ] || fail "$file:$line: '$key' needs a value"
		case $key in
		title) TITLE=$rest ;;
		why) WHY="${WHY:+$WHY }$rest" ;;
		oom)
			case $rest in
			memcg|global) OOMKIND=$rest ;;
			*) fail "$file:$line: oom is 'memcg' or 'global', not '$rest'" ;;
			esac ;;
		cgroup)
			read -r name w <<<"$rest"
			[[ $name =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$ && $name != *..* ]] ||
				fail "$file:$line: cgroup '$name' must be a relative path of plain names"
			CGROUPS+=("$rest")
			cgs+="$name " ;;
		task)
			read -r name rest <<<"$rest"
			for w in $rest; do
				[[ " $SC_TASK_ATTRS " == *" ${w%%=*} "* ]] ||
					fail "$file:$line: task $name: unknown attribute '$w' (known: $SC_TASK_ATTRS)"
			done
			w=$(sc_attr "$rest" cgroup)
			[ -z "$w" ] || [[ $cgs == *" $w "* ]] ||
				fail "$file:$line: task $name: cgroup '$w' is not declared by a 'cgroup' line"
			if [ -n "$(sc_attr "$rest" trigger)" ]; then
				[ -z "$TRIGGER" ] || fail "$file:$line: a second trigger ($TRIGGER is one)"
				[[ $name != *'*'* ]] || fail "$file:$line: the trigger is one task, not $name"
				TRIGGER=$name
			fi
			if [[ $name =~ ^([A-Za-z0-9_-]+)\*([0-9]+)$ ]]; then
				for n in $(seq "${BASH_REMATCH[2]}"); do
					TASKS+=("${BASH_REMATCH[1]}$n $rest")
					names+="${BASH_REMATCH[1]}$n "
				done
			elif [[ $name =~ ^[A-Za-z0-9_-]+$ ]]; then
				[[ $names != *" $name "* ]] || fail "$file:$line: a second task $name"
				TASKS+=("$name $rest")
				names+="$name "
			else
				fail "$file:$line: task name '$name': letters, digits, _ and -, or NAME*N"
			fi ;;
		die) read -ra w <<<"$rest"; DIE+=("${w[@]}") ;;
		survive) read -ra w <<<"$rest"; SURVIVE+=("${w[@]}") ;;
		config) CONFIG+=("$rest") ;;
		*) fail "$file:$line: unknown directive '$key' (scorecard/README.md lists them)" ;;
		esac
	done <"$file"
	[ -n "$TITLE" ] || fail "$file: no 'title' line"
	[ -n "$OOMKIND" ] || fail "$file: no 'oom memcg' or 'oom global' line"
	[ -n "$TRIGGER" ] || fail "$file: no task is the trigger"
	# cgroup v2 keeps processes out of a cgroup whose children have controllers
	for w in "${TASKS[@]}"; do
		g=$(sc_attr "$w" cgroup)
		for n in $cgs; do
			[[ $n == "${g:+$g/}"* ]] || continue
			[ -n "$g" ] || g="the scenario's own"
			fail "$file: task ${w%% *} is in cgroup '$g', which has a child, $n; cgroup v2 allows processes only in leaves"
		done
	done
	[ ${#DIE[@]} -gt 0 ] || fail "$file: no 'die' line: who may die?"
	for g in "${DIE[@]}" "${SURVIVE[@]}"; do
		hit=
		for n in $names; do
			# shellcheck disable=SC2053 # a glob on purpose
			[[ $n == $g ]] && hit=1
		done
		[ -n "$hit" ] || fail "$file: '$g' in die or survive matches no task"
	done
	return 0
}

# sc_attr "ATTR..." KEY: the value of KEY=VALUE, "1" for a bare KEY, or ""
sc_attr()
{
	local w
	for w in $1; do
		case $w in
		"$2"=*) echo "${w#*=}"; return ;;
		"$2") echo 1; return ;;
		esac
	done
}
