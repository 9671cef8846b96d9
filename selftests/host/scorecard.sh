# SPDX-License-Identifier: GPL-2.0
# The scorecard without a VM: every scenario of the suite reads without
# error; a broken scenario is refused with its file, line and what to write;
# and scorecard/report.py turns canned results (fixtures/scorecard-results.txt)
# into the table, JSON and SVG, and fails when default and the kernel differ.
set -u
. selftests/host-lib.sh
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
R=selftests/host/fixtures/scorecard-results.txt

n=$(ls scorecard/scenarios/*.scn | wc -l)
[ "$n" -ge 12 ] && echo "ok: $n scenarios" || fail "only $n scenarios (the suite has at least 12)"
expect_run 0 "$n scenario(s) read, no error" scripts/scorecard.sh --check

# broken scenarios: each refused, naming the file and the line
good='title t
oom memcg
cgroup box memory.max=100M
task a cgroup=box mb=10
task b cgroup=box trigger
die b'
printf '%s\n' "$good" >"$d/good.scn"
expect_run 0 "1 scenario(s) read" scripts/scorecard.sh --check "$d/good.scn"
bad()
{
	printf '%s\n' "$good" | sed "$1" >"$d/bad.scn"
	expect_run 1 "$2" scripts/scorecard.sh --check "$d/bad.scn"
}
bad 's/^oom memcg/oom system/' "bad.scn:2: oom is 'memcg' or 'global', not 'system'"
bad 's/mb=10/mb=10 size=3/' "bad.scn:4: task a: unknown attribute 'size=3'"
bad 's/cgroup=box mb/cgroup=pod mb/' "bad.scn:4: task a: cgroup 'pod' is not declared by a 'cgroup' line"
bad 's/ trigger$//' "bad.scn: no task is the trigger"
bad 's/^task a cgroup=box mb=10/task a cgroup=box trigger/' "bad.scn:5: a second trigger (a is one)"
bad 's/^die b/die c*/' "bad.scn: 'c*' in die or survive matches no task"
bad 's/^cgroup box/cgroup ..\/box/' "bad.scn:3: cgroup '../box' must be a relative path of plain names"
bad 's/^die b/dye b/' "bad.scn:6: unknown directive 'dye'"
bad '/^die/d' "bad.scn: no 'die' line: who may die?"
bad 's/^task a/task a\ntask a/' "bad.scn:5: a second task a"
bad 's/^cgroup box.*/&\ncgroup box\/inner/' "bad.scn: task a is in cgroup 'box', which has a child, box/inner; cgroup v2 allows processes only in leaves"

# the report: table, JSON, SVG
expect_run 0 "default = kernel on every scenario: yes" \
	python3 scorecard/report.py "$R" --json "$d/s.json" --svg "$d/s.svg" --commit abc1234 --date 2026-11-30
out=$(python3 scorecard/report.py "$R")
for want in "leak      BAD db,leaker 5.0/120.0" "ok  worker 4.0/80.0" \
	"BAD nobody (unresolved) -/-" "right     1/2 (1 collateral)"; do
	grep -qF -- "$want" <<<"$out" && echo "ok: table has '$want'" ||
		fail "table lacks '$want':"$'\n'"$out"
done
head -n 1 <<<"$out" | grep -q 'growth.bpf.o' && echo "ok: a policy object is named by its file" ||
	fail "the header names no growth.bpf.o: $(head -n 1 <<<"$out")"
got=$(jq -c '[.policies, .summary["/tmp/x/growth.bpf.o"], .scenarios[0].results.none.victims,
	.scenarios[1].results.none.reaped_us, .default_equals_kernel]' "$d/s.json")
expect_json='[["none","default","/tmp/x/growth.bpf.o"],{"right":1,"scenarios":2,"collateral":0},["db","leaker"],70000,true]'
[ "$got" = "$expect_json" ] && echo "ok: JSON $got" || fail "JSON: got $got, expected $expect_json"
if python3 -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
cells = [x for x in r.iter(ns + "rect") if x.get("fill") in ("#c8e6c9", "#ffcdd2")]
green = [x for x in cells if x.get("fill") == "#c8e6c9"]
assert (len(cells), len(green)) == (6, 3), (len(cells), len(green))
assert any("<giant>" in (t.text or "") for t in r.iter(ns + "text"))' "$d/s.svg"; then
	echo "ok: the SVG parses: 6 cells, 3 green, text escaped"
else
	fail "the SVG: $(head -c 300 "$d/s.svg")"
fi

# default's victims differ from the kernel's: exit 1, and the table says where
sed '/"policy":"default"/s/"victims":\["worker"\]/"victims":["giant"]/' "$R" >"$d/mismatch.txt"
expect_run 1 "NO: giant: default killed giant (trigger completed), the kernel worker (trigger completed)" python3 scorecard/report.py "$d/mismatch.txt"
expect_run 1 "no result lines (did the VM run fail?)" python3 scorecard/report.py /dev/null
exit $rc
