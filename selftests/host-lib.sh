# SPDX-License-Identifier: GPL-2.0
# What the host tests (selftests/host/*.sh) share; sourced, not run.
rc=0
OOMX=${OOMX_BUILD:-$PWD/build}/oomx

fail()
{
	echo "FAIL: $*"
	rc=1
}

# expect CODE TEXT ARGS...: oomx ARGS exits CODE and its output has TEXT
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
