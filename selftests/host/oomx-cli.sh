# SPDX-License-Identifier: GPL-2.0
# The oomx command on the host, whose kernel has no oom_ext: 'oomx check'
# names what is missing and what to do, and exits 1; run/load/status
# refuse with a message pointing at 'oomx check'; every subcommand has
# --help; usage errors exit 2 and name the problem; an invalid
# configuration file is refused with its line before the kernel is asked.
set -u
. selftests/host-lib.sh



if [ -d /sys/kernel/oom_ext ]; then
	echo "skip: this host kernel has oom_ext"
	exit 77
fi
expect 1 "MISSING  struct oom_ext_ops in the kernel's BTF" check
expect 1 "-> this kernel lacks the oom_ext patches: build one with 'make kernel'" check
expect 1 "this kernel has no oom_ext (/sys/kernel/oom_ext is missing); run 'oomx check'" run default
expect 1 "this kernel has no oom_ext" load priority
expect 1 "this kernel has no oom_ext" status
expect 2 "no built-in policy named 'nosuch'; they are: default, priority, pressure (oomx list)" run nosuch
expect 2 "give exactly one POLICY" run
expect 2 "unknown command 'frob'" frob
expect 2 "expected NAME=VALUE" set reap_delay_ms

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf 'reap_delay_ms 100\nvictim_timeout_ms soon\n' >"$d/bad.conf"
expect 1 "$d/bad.conf:2: victim_timeout_ms wants an integer from 0 to 3600000, got 'soon'" \
	run default -c "$d/bad.conf"
expect 1 "$d/bad.conf:2: victim_timeout_ms wants an integer from 0 to 3600000, got 'soon'" \
	load default -c "$d/bad.conf"

for c in list run load unload events shadow set apply status check; do
	if "$OOMX" "$c" --help | grep -q "^Usage: oomx $c"; then
		echo "ok: oomx $c --help"
	else
		fail "oomx $c --help does not print its usage"
	fi
done
"$OOMX" list | grep -q '^priority ' && echo "ok: oomx list names priority" || fail "oomx list"
exit $rc
