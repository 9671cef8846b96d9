# SPDX-License-Identifier: GPL-2.0
# make bench without a VM: bench/run.sh refuses bad arguments before it
# touches anything; bench/profile.py attributes a perf script's samples to
# the OOM decision's frames; bench/report.py turns canned RESULT and PROFILE lines
# into the tables, with the goals' verdicts (met, NOT met, inconclusive)
# and the cost part's split. Exit status: the number of failed checks.
set -u
. selftests/host-lib.sh
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

# bad arguments: refused, nothing created
expect_run 1 "unknown part 'scna'" bench/run.sh --parts scna --out "$d/out"
expect_run 1 "--tasks wants counts from 1 to 12000, not '0'" bench/run.sh --tasks "1000 0" --out "$d/out"
expect_run 1 "--boots wants a positive number, not 'two'" bench/run.sh --boots two --out "$d/out"
expect_run 1 "--rounds wants a positive number, not '0'" bench/run.sh --rounds 0 --out "$d/out"
expect_run 1 "unknown argument '--fast'" bench/run.sh --fast
[ ! -e "$d/out" ] && echo "ok: a refused run created nothing" || fail "a refused run created $d/out"
expect_run 0 "scan cost race reap events idle" bench/run.sh --help

# profile.py: the decision's samples (out_of_memory(), no kill yet) by frame
cat >"$d/perf.txt" <<'EOF'
hog
	ffffffff81000001 __htab_map_lookup_elem
	ffffffff81000002 bpf_prog_0123456789abcdef_oomx_badness
	ffffffff81000003 bpf__oom_ext_ops_badness
	ffffffff81000004 __oom_ext_badness
	ffffffff81000005 oom_evaluate_task
	ffffffff81000006 mem_cgroup_scan_tasks
	ffffffff81000007 out_of_memory

hog
	ffffffff81000011 read_tsc
	ffffffff81000012 ktime_get
	ffffffff81000013 __oom_ext_badness
	ffffffff81000014 oom_evaluate_task
	ffffffff81000015 mem_cgroup_scan_tasks
	ffffffff81000016 out_of_memory

hog
	ffffffff81000021 oom_badness
	ffffffff81000022 oom_evaluate_task
	ffffffff81000023 select_bad_process
	ffffffff81000024 out_of_memory

hog
	ffffffff81000031 process_shares_mm
	ffffffff81000032 __oom_kill_process
	ffffffff81000033 oom_kill_memcg_member
	ffffffff81000034 mem_cgroup_scan_tasks
	ffffffff81000035 oom_kill_process
	ffffffff81000036 out_of_memory

hog
	ffffffff81000041 clear_page_erms
	ffffffff81000042 handle_mm_fault

hog
	ffffffff81000061 bpf_prog_fedcba9876543210_oom_call_begin
	ffffffff81000062 bpf_trampoline_6442479864
	ffffffff81000063 out_of_memory

hog
	ffffffff81000051 [unknown]
	ffffffff81000052 __oom_ext_picked
	ffffffff81000053 oom_evaluate_task
	ffffffff81000054 mem_cgroup_scan_tasks
	ffffffff81000055 out_of_memory
EOF
want="PROFILE setup=t frame=decision samples=5 decision=5
PROFILE setup=t frame=bpf_other samples=1 decision=5
PROFILE setup=t frame=bpf_prog samples=1 decision=5
PROFILE setup=t frame=ktime_get samples=1 decision=5
PROFILE setup=t frame=map_lookup samples=1 decision=5
PROFILE setup=t frame=mem_cgroup_scan_tasks samples=3 decision=5
PROFILE setup=t frame=oom_badness samples=1 decision=5
PROFILE setup=t frame=oom_evaluate_task samples=4 decision=5
PROFILE setup=t frame=oom_ext samples=3 decision=5
PROFILE setup=t frame=select_bad_process samples=1 decision=5
PROFILE setup=t frame=self:bpf_other samples=1 decision=5
PROFILE setup=t frame=self:map_lookup samples=1 decision=5
PROFILE setup=t frame=self:oom_badness samples=1 decision=5
PROFILE setup=t frame=self:read_tsc samples=1 decision=5
PROFILE setup=t frame=self:trampoline samples=1 decision=5
PROFILE setup=t frame=trampoline samples=2 decision=5"
got=$(python3 bench/profile.py t <"$d/perf.txt")
[ "$got" = "$want" ] && echo "ok: profile.py counts the decision's 5 samples by frame, not the kill's" ||
	fail "profile.py:"$'\n'"$got"$'\n'"expected:"$'\n'"$want"
expect_run 1 "no sample of an OOM decision" python3 bench/profile.py t </dev/null

# report.py: the scan's ratios and verdicts; 999 tasks make ns/task = us
for k in unpatched patched; do
	for r in 1 2 3; do
		echo "RESULT kernel=$k scope=memcg tasks=999 setup=none round=$r call_ns=1000000 cold_ns=1"
	done >"$d/scan-$k-1.out"
done
for r in 1 2 3; do
	echo "RESULT kernel=patched scope=memcg tasks=999 setup=default round=$r call_ns=2000000 cold_ns=1"
	echo "RESULT kernel=patched scope=memcg tasks=999 setup=priority round=$r" \
		"call_ns=$((1150000 + r * 50000)) cold_ns=1"
done >>"$d/scan-patched-1.out"
# the cost part: a program's time per call from the statistics
cat >"$d/cost.out" <<'EOF'
RESULT kernel=patched scope=memcg tasks=999 setup=none round=1 call_ns=1000000 cold_ns=1
RESULT kernel=patched scope=memcg tasks=999 setup=default round=1 call_ns=1500000 cold_ns=1 body_ns=50000 calls=1000 stats_call_ns=1600000
RESULT kernel=patched scope=memcg tasks=999 setup=priority-norules round=1 call_ns=2500000 cold_ns=1 body_ns=700000 calls=1000 stats_call_ns=2800000
RESULT kernel=patched scope=memcg tasks=999 setup=priority round=1 call_ns=2300000 cold_ns=1 body_ns=500000 calls=1000 stats_call_ns=2600000
PROFILE setup=priority frame=decision samples=100 decision=100
PROFILE setup=priority frame=oom_ext samples=60 decision=100
PROFILE setup=priority frame=bpf_prog samples=40 decision=100
PROFILE setup=priority frame=map_lookup samples=20 decision=100
PROFILE setup=priority frame=ktime_get samples=10 decision=100
EOF
out=$(python3 bench/report.py "$d"/*.out --json "$d/b.json" --commit abc --date 2026-12-01)
for want in \
	"memcg      999  patched, no policy                3     1000.0     1000   1.00   1.00-1.00                -  1.00 in a band within 0.90-1.10: met" \
	"patched, default                  3     2000.0     2000   2.00   2.00-2.00   2.00 2.00-2.00  <= 1.10: NOT met" \
	"patched, priority (k8s preset)    3     1250.0     1250   1.25   1.20-1.30   1.25 1.20-1.30  <= 1.25: inconclusive" \
	"default - no policy: the hook, with a program that returns       500" \
	"priority, k8s preset - default: its rules                        800   program 450 more a call than default's" \
	"with the statistics on, ns per task: default 1600, priority-norules 2800, priority 2600" \
	"  the kernel's part                         920 (  40)" \
	"    clock reads (ktime_get)                 230 (  10)" \
	"  the policy's program                      920 (  40)"; do
	grep -qF -- "$want" <<<"$out" && echo "ok: report has '$want'" ||
		fail "report lacks '$want':"$'\n'"$out"
done
got=$(jq -c '[.scan[1].goal.verdict, .cost.hook_ns, .cost["priority_over_default_ns"],
	.cost.profile.priority["the hook, outside the program"]]' "$d/b.json")
[ "$got" = '["met",500,800,460]' ] && echo "ok: JSON $got" ||
	fail "JSON: got $got, expected [\"met\",500,800,460]"
exit $rc
