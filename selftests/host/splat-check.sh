# SPDX-License-Identifier: GPL-2.0
#
# The splat detector: canned console logs with a WARNING, a lockdep report,
# a BUG, a hung task and a panic must fail; a clean boot log and an ordinary
# OOM report (which prints a stack trace) must pass.
set -u
fx=selftests/host/fixtures
check=scripts/splat-check
rc=0

for f in "$fx"/splat-*.log; do
	if $check --quiet "$f"; then
		echo "FAIL: $f shows a splat but splat-check passed it"
		rc=1
	else
		echo "ok: $(basename "$f") detected"
	fi
done
for f in "$fx"/clean-*.log; do
	if ! out=$($check "$f"); then
		echo "FAIL: $f is clean but splat-check failed it:"
		echo "$out"
		rc=1
	else
		echo "ok: $(basename "$f") passes"
	fi
done
$check /nonexistent/log 2>/dev/null
[ $? -eq 2 ] || { echo "FAIL: an unreadable log must exit 2"; rc=1; }
exit $rc
