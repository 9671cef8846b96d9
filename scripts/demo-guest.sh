# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - runs inside the VM for 'make demo': a memory cgroup OOM
# with two candidates, then an explanation of the kernel's choice rebuilt
# from its own OOM report (the dump_tasks table printed right after
# select_bad_process() chose) and from a BPF program on tp_btf/mark_victim.
. selftests/vm/lib.sh

limit_mb=32
cg_new demo/app ${limit_mb}M
# Named copies of the hog (symlinks), so that the kernel's comm shows roles.
mkdir -p "$T/bin"
ln -sf "$HOG" "$T/bin/webcache"
ln -sf "$HOG" "$T/bin/leaky"

"$ST/victim_watch" --count 1 --timeout 120 >"$T/watch.out" 2>&1 &
watch=$!
wait_for 60 "the BPF program to attach" grep -q '^ready$' "$T/watch.out"

start_in_cgroup demo/app "$T/bin/webcache" --mb 6 --hold --ready "$T/webcache.ready"
webcache=$!
wait_for 60 "webcache to be resident" test -s "$T/webcache.ready"
"$RUNWAIT" --cgroup "$CG/demo/app" --pidfile "$T/leaky.pid" -- \
	"$T/bin/leaky" --mb 64 >"$T/leaky.status"
leaky=$(cat "$T/leaky.pid")
wait "$watch"
dmesg >"$T/dmesg"

cat <<EOF
cgroup /demo/app, memory.max = $limit_mb MiB, two processes:
  webcache  pid $webcache   holds 6 MiB
  leaky     pid $leaky   allocates 64 MiB, one MiB at a time

leaky ended: $(cat "$T/leaky.status")
webcache:    $(alive "$webcache" && echo "still running" || echo "DEAD")

EOF

# The OOM report, parsed. Lines carry a printk timestamp; strip it first.
sed 's/^\[ *[0-9.]*\] //' "$T/dmesg" | awk -v limit_mb="$limit_mb" '
/ invoked oom-killer: / {
	trigger = $1; sub(/.*gfp_mask=/, ""); gfp = $0
}
/^oom-kill:constraint=/ {
	n = split(substr($0, 10), kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
}
/^\[  pid  \]/ { intable = 1; next }
intable && /^\[ *[0-9]+\]/ {
	gsub(/[\[\]]/, "")
	npid++
	pid[npid] = $1; rss[npid] = $5; pgt[npid] = $9; swp[npid] = $10
	adj[npid] = $11; comm[npid] = $12
	next
}
intable { intable = 0 }
/: Killed process / {
	killed = $0; sub(/.*Killed process /, "", killed)
	split(killed, kp, " "); victim = kp[1]
}
END {
	totalpages = limit_mb * 256
	printf "What the kernel did\n"
	printf "  %s charged a page to %s at its memory.max (gfp_mask=%s).\n", trigger, f["oom_memcg"], gfp
	printf "  try_charge_memcg() could not reclaim enough within its retries and\n"
	printf "  called the memcg OOM killer (%s).\n", f["constraint"]
	printf "  It scored every eligible task in the cgroup with oom_badness():\n"
	printf "    score = rss + swap entries + page-table pages\n"
	printf "            + oom_score_adj * totalpages / 1000\n"
	printf "  where totalpages is the cgroup limit, %d pages, and killed the highest.\n\n", totalpages
	printf "  %-10s %6s %8s %6s %10s %5s %8s %9s\n", "task", "pid", "rss", "swap", "pgtables", "adj", "score", "of limit"
	for (i = 1; i <= npid; i++) {
		pt = int(pgt[i] / 4096)
		score = rss[i] + swp[i] + pt + int(adj[i] * (totalpages / 1000))
		printf "  %-10s %6d %8d %6d %10d %5d %8d %8.1f%%%s\n", comm[i], pid[i], rss[i], swp[i], pt, adj[i], score, 100.0 * score / totalpages, pid[i] == victim ? "  <- killed" : ""
	}
	printf "  (pages of 4 KiB, from the dump_tasks table the kernel printed after choosing)\n\n"
	printf "  The kernel log: Killed process %s\n", killed
}'
echo "  The BPF program on tp_btf/mark_victim saw: $(grep '^victim ' "$T/watch.out")"
echo "  memory.events of /demo/app: oom $(cg_event demo/app oom), oom_kill $(cg_event demo/app oom_kill)"
kill "$webcache"
# The demo is only a demo if the kernel chose leaky and the BPF program saw it.
grep -q "pid=$leaky signal=9" "$T/leaky.status" && grep -q "^victim pid=$leaky " "$T/watch.out"
