# SPDX-License-Identifier: GPL-2.0
# vm: -m 256M -t 600
#
# The scorecard's short run (scripts/scorecard.sh is the whole suite): three
# scenarios under the kernel alone, default and priority, each outcome the
# one the scenario's sizes make certain. leak-vs-service: the kernel and
# default kill the steady 90 MiB postgres first and then the leak (two OOMs);
# priority with "rank growth" kills only the leak. adj-min-giant: everyone
# kills the worker, never the oom_score_adj -1000 giant. frozen-threads:
# everyone kills the 16-thread batch job in the frozen cgroup, and its
# memory is freed (exit_mmap() returns). default's victims equal the
# kernel's in each, as report.py checks; the timeline has a time for every
# kill; every kill event says the policy chose.
. selftests/vm/lib.sh

S=scorecard/scenarios
export SC_POLICIES="none default priority"
export SC_SCENARIOS="$S/leak-vs-service.scn $S/adj-min-giant.scn $S/frozen-threads.scn"
bash scorecard/guest.sh >"$T/sc.out" 2>&1 || { cat "$T/sc.out"; fail "scorecard/guest.sh failed"; }
grep '^result ' "$T/sc.out" | sed 's/^result //' >"$T/sc.json"
expect_eq "$(wc -l <"$T/sc.json")" 9 "result lines (3 scenarios x 3 setups)"

# outcome SCENARIO POLICY RIGHT VICTIMS TRIGGER
outcome()
{
	local got
	got=$(jq -r --arg s "$1" --arg p "$2" \
		'select(.scenario == $s and .policy == $p) |
		 "\(.right) \(.victims | join(",")) \(.trigger) \(.lost) \(.policy_error)"' "$T/sc.json")
	expect_eq "$got" "$3 $4 $5 0 null" "$1 under $2: right, victims, trigger, lost events, policy error"
}
for p in none default; do
	outcome leak-vs-service $p false postgres,leaker killed
done
outcome leak-vs-service priority true leaker killed
for p in none default priority; do
	outcome adj-min-giant $p true worker completed
	outcome frozen-threads $p true batchjob completed
done

# every kill has its decision time and its memory freed (exit_mmap())
bad=$(jq -c '.kills[] | select(.decide_us <= 0 or .freed_us == null or .freed_us <= 0)' "$T/sc.json")
expect_eq "$bad" "" "kills without a decision time or a time to memory freed"
bad=$(jq -c 'select(.policy != "none") | select((.chosen_by | length) != (.kills | length) or (.chosen_by | any(. != "policy")))' "$T/sc.json")
expect_eq "$bad" "" "scenes where a kill event is missing or the kernel chose instead of the policy"
ok "kill to memory freed, ms: $(jq -r '"\(.scenario)/\(.policy) \(.kills[0].freed_us / 1000 | floor)"' "$T/sc.json" | paste -sd ' ')"

# the report: default = kernel, a JSON report and an SVG that parses
python3 scorecard/report.py "$T/sc.out" --json "$T/sc-report.json" --svg "$T/sc.svg" ||
	fail "report.py: default's victims differ from the kernel's (see the table above)"
expect_eq "$(jq '.default_equals_kernel' "$T/sc-report.json")" true "default_equals_kernel"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/sc.svg" ||
	fail "the SVG does not parse"
ok "the SVG parses"
