# SPDX-License-Identifier: GPL-2.0
# What the host tests (selftests/host/*.sh) share; sourced, not run.
rc=0
OOMX=${OOMX_BUILD:-$PWD/build}/oomx

fail()
{
	echo "FAIL: $*"
	rc=1
}

# expect_run CODE TEXT CMD...: CMD exits CODE and its output has TEXT
expect_run()
{
	local code=$1 text=$2 out got shown
	shift 2
	out=$("$@" 2>&1)
	got=$?
	shown=("$@")
	[ "${shown[0]}" = "$OOMX" ] && shown[0]=oomx
	if [ "$got" = "$code" ] && grep -qF -- "$text" <<<"$out"; then
		echo "ok: ${shown[*]} -> $code, '$text'"
	else
		fail "${shown[*]}: exit $got, expected $code and '$text'; output:"
		echo "$out" | sed 's/^/    /'
	fi
}

# expect CODE TEXT ARGS...: oomx ARGS exits CODE and its output has TEXT
expect()
{
	expect_run "$1" "$2" "$OOMX" "${@:3}"
}
