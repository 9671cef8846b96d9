# SPDX-License-Identifier: GPL-2.0
# policy_run (the test policies' loader) refuses bad --set arguments before
# it loads anything, naming the variable and the problem; --help works.
# Runs on the host: nothing here reaches the kernel. Under valgrind when it
# is installed, so the BTF walking code is also checked for leaks and
# invalid reads.
set -u
rc=0
B=${OOMX_BUILD:-$PWD/build}
run=$B/selftests/policy_run
obj=$B/selftests/progs/oomx_test.bpf.o
vg=()
command -v valgrind >/dev/null && vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99)

expect_refusal()
{
	local want=$1 out code
	shift
	out=$("${vg[@]}" "$run" "$obj" "$@" 2>&1)
	code=$?
	if [ $code -ne 1 ] || ! grep -qF -- "$want" <<<"$out"; then
		echo "FAIL: policy_run $* exited $code, wanted 1 and '$want':"
		echo "$out" | sed 's/^/    /'
		rc=1
	else
		echo "ok: policy_run $* -> $(grep -F -- "$want" <<<"$out" | head -n 1)"
	fi
}

expect_refusal "the policy has no global 'nosuch'" --set nosuch=1
expect_refusal "'12x' is not a number" --set protect_tgid=12x
expect_refusal "expected NAME=VALUE" --set protect_tgid
expect_refusal "more than 4 values" --set refuse_pids=1,2,3,4,5
expect_refusal "'uei' is not an integer global" --set uei=1

out=$("$run" --help)
if grep -q '^Usage: policy_run' <<<"$out"; then
	echo "ok: --help prints the usage"
else
	echo "FAIL: --help: $out"
	rc=1
fi
exit $rc
