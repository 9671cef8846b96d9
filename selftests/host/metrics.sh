# SPDX-License-Identifier: GPL-2.0
# oomx metrics: the exposition of made-up counters (user/metrics.c) passes
# promtool and says exactly what it was given (escaping, the cgroup map
# full, the scan histogram's cumulative buckets, the watcher's lines); the
# watcher's stats file reads back; 'oomx metrics' on this host (no oom_ext)
# passes promtool; 'oomx metrics --listen' serves the same text to an HTTP
# scrape, 404s other paths, refuses POST, and stops on SIGTERM. The real
# counters of a policy that killed: vm/oomx-metrics.
. selftests/host-lib.sh
B=${OOMX_BUILD:-$PWD/build}
OOMX=$B/oomx
d=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null; rm -rf "$d"' EXIT
command -v promtool >/dev/null || { fail "promtool is missing: run 'make deps' (Debian's prometheus package)"; exit 1; }
command -v curl >/dev/null || { fail "curl is missing: run 'make deps'"; exit 1; }

# promcheck FILE WHAT: promtool's lint finds nothing
promcheck()
{
	promtool check metrics <"$1" >"$d/lint" 2>&1 || fail "promtool on $2: $(cat "$d/lint")"
	echo "ok: promtool check metrics: $2"
}

"$B/selftests/metrics_test" >"$d/made.prom" || fail "metrics_test exited $?"
promcheck "$d/made.prom" "made-up counters"
# has LINE: the exposition has exactly this line
has()
{
	grep -qxF -- "$1" "$d/made.prom" && echo "ok: has $1" || fail "no line '$1' in: $(cat "$d/made.prom")"
}
has 'oomx_kills_total{policy="priority",chosen_by="policy",cause="pressure"} 1'
has 'oomx_kills_total{policy="priority",chosen_by="kernel",cause="exhaustion"} 1'
has 'oomx_cgroup_kills_total{policy="priority",cgroup="/odd \"name\"\\x"} 1'
has 'oomx_cgroup_kills_total{policy="priority",cgroup="id:1001"} 1'
has 'oomx_cgroup_kills_total{policy="priority",cgroup="other"} 3'
has 'oomx_scan_seconds_bucket{policy="priority",le="0.00025"} 1'
has 'oomx_scan_seconds_bucket{policy="priority",le="0.001"} 3'
has 'oomx_scan_seconds_bucket{policy="priority",le="+Inf"} 3'
has 'oomx_scan_seconds_sum{policy="priority"} 0.001500000'
has 'oomx_pressure_kills_total{line="3",scope="/work",kind="some"} 1'
has 'oomx_pressure_dry_runs_total{line="4",scope="/",kind="full"} 1'
has 'oomx_pressure_retries_total{line="3",scope="/work",kind="some"} 2'
n=$(grep -c '^oomx_cgroup_kills_total{' "$d/made.prom")
[ "$n" = 65 ] && echo "ok: 64 cgroups and 'other': the label is bounded" || fail "$n cgroup series"
grep -q 'chosen_by="none"' "$d/made.prom" && fail "marks counted as kills" || echo "ok: no chosen_by=\"none\" series (marks are not kills)"
"$B/selftests/metrics_test" stats "$d/watch.stats" || fail "the watcher's stats file"

# this host: no oom_ext, no policy, no watcher
"$OOMX" metrics --watch-stats "$d/none" >"$d/host.prom" || fail "oomx metrics exited $?"
promcheck "$d/host.prom" "this host"
grep -qx 'oomx_oom_ext_available [01]' "$d/host.prom" && echo "ok: $(grep -x 'oomx_oom_ext_available [01]' "$d/host.prom")" ||
	fail "no oomx_oom_ext_available: $(cat "$d/host.prom")"

# served: the same text, and nothing else
port=$((20000 + RANDOM % 20000))
"$OOMX" metrics --listen "127.0.0.1:$port" --watch-stats "$d/watch.stats" 2>"$d/srv.err" &
srv=$!
for i in $(seq 100); do
	grep -q serving "$d/srv.err" && break
	kill -0 "$srv" 2>/dev/null || fail "oomx metrics --listen died: $(cat "$d/srv.err")"
	sleep 0.05
done
curl -sS -D "$d/hdr" "http://127.0.0.1:$port/metrics" >"$d/scraped.prom" || fail "curl /metrics"
promcheck "$d/scraped.prom" "a scrape of --listen"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$d/hdr" && echo "ok: the exposition's content type" ||
	fail "headers: $(cat "$d/hdr")"
grep -qxF 'oomx_pressure_trips_total{line="3",scope="/work",kind="some"} 9' "$d/scraped.prom" &&
	echo "ok: the scrape reads the watcher's stats file" || fail "scrape: $(cat "$d/scraped.prom")"
expect_run 0 404 curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other"
expect_run 0 405 curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics"
kill -TERM "$srv"
wait "$srv"
rc=$?
[ "$rc" = 0 ] && echo "ok: SIGTERM stops the server (exit 0)" || fail "the server exited $rc"
"$OOMX" metrics --listen "nonsense" >/dev/null 2>"$d/bad.err"
[ $? = 1 ] && grep -q "wants HOST:PORT" "$d/bad.err" && echo "ok: $(cat "$d/bad.err")" ||
	fail "a bad address: $(cat "$d/bad.err")"
exit $rc
