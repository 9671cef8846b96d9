# SPDX-License-Identifier: GPL-2.0
# vm: -m 512M -t 240
#
# The BPF toolchain end to end: a tp_btf/mark_victim program, built into a
# skeleton with the project's clang/libbpf/bpftool, reports the OOM victim
# over a ring buffer; the pid it reports is the pid that really died.
. selftests/vm/lib.sh

cg_new oomx/victim 32M
"$ST/victim_watch" --count 1 --timeout 120 >"$T/watch.out" 2>"$T/watch.err" &
watch=$!
wait_for 60 "victim_watch to attach" grep -q '^ready$' "$T/watch.out"

run_hog oomx/victim --mb 64
expect_sigkilled

wait "$watch"
rc=$?
cat "$T/watch.out" "$T/watch.err"
expect_eq "$rc" 0 "victim_watch exit status"
event=$(grep '^victim ' "$T/watch.out")
expect_eq "$(echo "$event" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')" "$HOG_PID" "victim pid from BPF"
expect_eq "$(echo "$event" | sed -n 's/.* comm=\(.*\)$/\1/p')" hog "victim comm from BPF"
