# SPDX-License-Identifier: GPL-2.0
# The oomx command on the host, whose kernel has no oom_ext: 'oomx check'
# names what is missing and what to do, and exits 1; run/load/status
# refuse with a message pointing at 'oomx check'; every subcommand has
# --help; usage errors exit 2 and name the problem; an invalid
# configuration file is refused with its line before the kernel is asked.
set -u
rc=0
OOMX=${OOMX_BUILD:-$PWD/build}/oomx

fail()
{
	echo "FAIL: $*"
	rc=1
}

# expect CODE TEXT ARGS...: oomx ARGS exits CODE and prints TEXT
expect()
{
	local code=$1 text=$2 out got
	shift 2
	out=$("$OOMX" "$@" 2>&1)
	got=$?
	if [ "$got" = "$code" ] && grep -qF -- "$text" <<<"$out"; then
		echo "ok: oomx $* -> $code, '$text'"
	else
		fail "oomx $*: exit $got, output:"
		echo "$out" | sed 's/^/    /'
	fi
}

if [ -d /sys/kernel/oom_ext ]; then
	echo "ok: skipped: this host kernel has oom_ext"
	exit 0
fi
expect 1 "MISSING  struct oom_ext_ops in the kernel's BTF" check
expect 1 "-> this kernel lacks the oom_ext patches: build one with 'make kernel'" check
expect 1 "this kernel has no oom_ext (/sys/kernel/oom_ext is missing); run 'oomx check'" run default
expect 1 "this kernel has no oom_ext" load priority
expect 1 "this kernel has no oom_ext" status
expect 2 "no policy named 'nosuch'; the built-in policies are: default priority pressure" run nosuch
expect 2 "give exactly one POLICY" run
expect 2 "unknown command 'frob'" frob
expect 2 "expected KEY=VALUE" set reap_delay_ms

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf 'reap_delay_ms 100\nvictim_timeout_ms soon\n' >"$d/bad.conf"
expect 1 "$d/bad.conf:2: victim_timeout_ms wants 0 to 3600000 milliseconds (0: never), got 'soon'" \
	run default -c "$d/bad.conf"

for c in list run load unload events set apply status check; do
	if "$OOMX" "$c" --help | grep -q "^Usage: oomx $c"; then
		echo "ok: oomx $c --help"
	else
		fail "oomx $c --help does not print its usage"
	fi
done
"$OOMX" list | grep -q '^priority ' && echo "ok: oomx list names priority" || fail "oomx list"
exit $rc
