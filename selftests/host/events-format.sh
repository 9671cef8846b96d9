# SPDX-License-Identifier: GPL-2.0
# The loader's event formatting (user/events.c) on hand-made records: the
# JSON lines parse, carry every field of the schema in docs/events.md with
# the right values (a comm with quotes, a backslash and control bytes is
# escaped; "no policy score" is null; cgroup ids become paths), and the
# text form says who died, why, with which scores and memory. Under
# valgrind when it is installed.
set -u
rc=0
B=${OOMX_BUILD:-$PWD/build}
bin=$B/selftests/events_test
vg=()
command -v valgrind >/dev/null && vg=(valgrind -q --leak-check=full --error-exitcode=99)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/a/b"

fail()
{
	echo "FAIL: $*"
	rc=1
}

json=$("${vg[@]}" "$bin" "$root" json) || fail "events_test json exited $?"
printf '%s\n' "$json" >"$root/events.json"
selftests/validate-events "$root/events.json" || fail "the JSON does not match docs/events.schema.json"
n=$(jq -c . <<<"$json" | wc -l)
[ "$n" = 5 ] || fail "expected 5 JSON objects, jq read $n: $json"

# expect JQ_FILTER EXPECTED: applied to the kill record (first line)
expect()
{
	local got
	got=$(head -n 1 <<<"$json" | jq -c "$1")
	if [ "$got" = "$2" ]; then
		echo "ok: kill $1 = $2"
	else
		fail "kill $1: got $got, expected $2"
	fi
}
expect .type '"kill"'
expect .pid 1234
expect .comm '"q\"b\\\n\u0001zzzzzzzzzz"'
expect .policy '"default"'
expect .chosen_by '"policy"'
expect .constraint '"memcg"'
expect .cgroup.path '"/a/b"'
expect .oom_cgroup.path '"/a/b"'
expect .tid 1236
expect .group_killed.path '"/a"'
expect .group_killed_count 3
expect .kernel_points 10452
expect .policy_points null
expect .oom_score_adj -500
expect .runner_up '{"pid":77,"points":6400}'
expect .mem '{"rss_anon_pages":10240,"rss_file_pages":300,"rss_shmem_pages":0,"swap_pages":7,"pgtables_bytes":122880}'
expect .reason '"largest oom_badness"'
expect .cause '"exhaustion"'
expect .trigger null
expect .kill_mode '"default"'
expect .kill_line null
expect '[keys[]] | length' 25

got=$(sed -n 2p <<<"$json" | jq -c '[.type, .pid, .tid, .result, .attempts, .since_kill_ns, .rss_before_pages, .rss_after_pages]')
if [ "$got" = '["reap",1234,1236,0,1,10000000,10540,5]' ]; then
	echo "ok: reap record $got"
else
	fail "reap record: $got"
fi

got=$(sed -n 3p <<<"$json" | jq -c '[.type, .pid, .policy, .oom_cgroup.path, .real_pid, .agree, .points, .kernel_points, .nr_scored, .runner_up, .shadow_ns, .truncated]')
if [ "$got" = '["shadow",77,"newest","/a/b",1234,false,35905,6400,4,{"pid":1234,"points":35887},461000,false]' ]; then
	echo "ok: shadow record $got"
else
	fail "shadow record: $got"
fi
got=$(sed -n 4p <<<"$json" | jq -c '[.type, .pid, .comm, .points, .kernel_points, .runner_up, .truncated]')
if [ "$got" = '["shadow",0,"",null,null,null,true]' ]; then
	echo "ok: a shadow that would kill nobody $got"
else
	fail "nobody record: $got"
fi

got=$(sed -n 5p <<<"$json" | jq -c '[.type, .pid, .cause, .trigger, .kill_mode, .kill_line]')
if [ "$got" = '["kill",1234,"pressure",{"id":3,"kind":"full","threshold_us":100000,"window_us":1000000,"stall_us":737774,"measured_us":1082295},"group",4]' ]; then
	echo "ok: a kill a pressure trigger started $got"
else
	fail "pressure kill record: $got"
fi

text=$("${vg[@]}" "$bin" "$root" text) || fail "events_test text exited $?"
for want in "killed pid 1234 (q\"b\\??zzzzzzzzzz)" "cgroup /a/b" "memcg OOM in /a/b" "chosen by default (policy)" \
	"why: largest oom_badness" "score: kernel 10452, policy none, oom_score_adj -500" \
	"runner-up pid 77 at 6400" "anon 40.0M" \
	"the whole cgroup /a was killed with it: 3 more processes" "page tables 120K" \
	"reap pid 1234 (hog): 41.2M -> 20K in 2.5 ms, started 10 ms after the kill, 1 attempt" \
	"shadow newest: would kill pid 77 (db) at 35905; the OOM killed pid 1234: differ (4 scored, 0.46 ms); runner-up pid 1234 at 35887" \
	"shadow picky: would kill nobody; the OOM killed pid 1234: differ (3 scored, 0.00 ms, walk cut at 65536 processes)" \
	"cause: memory pressure, trigger 3 (full 100ms in 1000ms): 737ms stall in 1082ms" \
	"kill mode: group, by the policy (kill rule at line 4)"; do
	if grep -qF -- "$want" <<<"$text"; then
		echo "ok: text has '$want'"
	else
		fail "text lacks '$want':"
		echo "$text" | sed 's/^/    /'
	fi
done
exit $rc
