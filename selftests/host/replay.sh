# SPDX-License-Identifier: GPL-2.0
# The watcher's rule (user/pressure.c, through compare/replay) on pressure
# recorded in the VM (compare/traces: /work's memory.pressure every 100 ms
# and the trips of a "full 100000 1000000" trigger, with the kernel alone
# acting, docs/compare.md). Exact: the records are fixed, so is the rule's
# answer.
set -u
B=${OOMX_BUILD:-$PWD/build}
D=compare/traces
fails=0

# expect TRACE LINE...: replay's lines for --for-ms 5000 and 12000
expect()
{
	local trace=$1 got want
	shift
	got=$("$B/compare/replay" --for-ms 5000 --for-ms 12000 "$D/$trace.jsonl") ||
		{ echo "FAIL: replay $trace exited $?"; fails=1; return; }
	got=$(tail -n +2 <<<"$got")
	want=$(printf '%s\n' "$@")
	if [ "$got" = "$want" ]; then
		echo "ok: $trace: $(echo "$got" | tr '\n' ';')"
	else
		echo "FAIL: $trace: got"
		echo "$got"
		echo "expected"
		echo "$want"
		fails=1
	fi
}

# the leaks: both caught before their kernel OOM (the stall stops growing
# at 49.5 s and 42.7 s, when the OOM killed them); the rule this one
# replaced acted on neither at 5 s (no run of trips less than 1.5 s apart
# lasted 5 s)
expect leak-1 \
	'for 5000 ms: acts at 34805 ms (15.6% over 7103 ms, lasted 11882 ms)' \
	'for 12000 ms: acts at 35893 ms (13.1% over 12103 ms, lasted 12970 ms)'
expect leak-2 \
	'for 5000 ms: acts at 28874 ms (10.3% over 5812 ms, lasted 6897 ms)' \
	'for 12000 ms: acts at 35038 ms (12.8% over 13061 ms, lasted 13061 ms)'
# the thrashes: in 5.8 to 6 s at 5 s, in 12 to 15.6 s at 12 s
expect thrash-1 \
	'for 5000 ms: acts at 9991 ms (53.7% over 6001 ms, lasted 6001 ms)' \
	'for 12000 ms: acts at 19574 ms (22.1% over 12841 ms, lasted 15584 ms)'
expect thrash-2 \
	'for 5000 ms: acts at 9677 ms (52.6% over 5756 ms, lasted 5756 ms)' \
	'for 12000 ms: acts at 15959 ms (43.1% over 12038 ms, lasted 12038 ms)'
# the burst's swap-out (about 10 s of trips) passes a 5 s line, not a 12 s one
expect burst-1 \
	'for 5000 ms: acts at 18875 ms (25.9% over 5249 ms, lasted 5249 ms)' \
	'for 12000 ms: never (9 trips)'
expect burst-2 \
	'for 5000 ms: acts at 18098 ms (39.3% over 5516 ms, lasted 5516 ms)' \
	'for 12000 ms: never (8 trips)'
# nothing trips while the healthy workload runs
expect healthy-1 \
	'for 5000 ms: never (0 trips)' \
	'for 12000 ms: never (0 trips)'

# a file that is not a record is refused, and says so
if "$B/compare/replay" README.md >/dev/null 2>"$B/replay.err"; then
	echo "FAIL: replay accepted README.md"
	fails=1
else
	echo "ok: replay refuses a file that is not a record: $(cat "$B/replay.err")"
fi
exit $fails
