# SPDX-License-Identifier: GPL-2.0
# The VM runner rejects bad input before booting anything, with exit 125 and
# a message naming the problem; --help works.
set -u
rc=0
vm=scripts/oomx-vm

expect_refusal()
{
	local want=$1 out code
	shift
	out=$("$vm" "$@" 2>&1)
	code=$?
	if [ $code -ne 125 ] || ! grep -q -- "$want" <<<"$out"; then
		echo "FAIL: oomx-vm $* exited $code, wanted 125 and a message with '$want':"
		echo "$out" | sed 's/^/    /'
		rc=1
	else
		echo "ok: oomx-vm $* -> $(grep -- "$want" <<<"$out" | head -n 1)"
	fi
}

expect_refusal "no COMMAND given"
expect_refusal "--timeout wants whole seconds" -t soon -- true
expect_refusal "--cpus wants a positive number" -c 0 -- true
expect_refusal "--env wants VAR=VALUE" -e 1BAD -- true
expect_refusal "cannot read kernel image" -k /nonexistent/bzImage -- true
expect_refusal "unknown option '--bogus'" --bogus
expect_refusal "--swap wants a size with a unit" --swap 64 -- true
expect_refusal "--swap and --disk both want /dev/vda" --swap 64M --disk /dev/null -- true

if ! "$vm" --help | grep -q '^Usage: oomx-vm'; then
	echo "FAIL: oomx-vm --help does not print the usage"
	rc=1
else
	echo "ok: oomx-vm --help"
fi
exit $rc
