#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/profile.py - where the OOM killer's victim scan spends its time.

Usage: perf script | profile.py SETUP

Reads 'perf script' of a 'perf record -g' of the process whose OOM it was, and keeps
the samples with select_bad_process() or mem_cgroup_scan_tasks() on their
kernel stack: the scan (the first may be inlined into out_of_memory()). Each
frame below is counted once per sample that has it on its stack
(inclusive), and prints one line per frame:

  PROFILE setup=SETUP frame=NAME samples=N scan=S

NAME is a function, or one of:
  scan        every sample of the scan (S)
  bpf_prog    a JIT-compiled BPF program (bpf_prog_<tag>_<name>)
  map_lookup  a BPF hash map lookup (__htab_map_lookup_elem)
  trampoline  a BPF trampoline (bpf_trampoline_<id>), or an address
              without a symbol under __oom_ext_badness()
  self:NAME   the samples that landed in NAME itself (its innermost frame),
              with bpf_prog and trampoline as above
"""
import re
import sys

SCAN = {"select_bad_process", "mem_cgroup_scan_tasks"}
# inclusive frames, by symbol
FRAMES = ["oom_evaluate_task", "oom_badness", "find_lock_task_mm", "__oom_ext_badness",
          "ktime_get", "__bpf_prog_enter", "__bpf_prog_exit", "migrate_disable",
          "migrate_enable", "css_task_iter_next", "oom_unkillable_task",
          "oom_cpuset_eligible"]


def frames_of(stack):
    """the names this stack counts for, each once"""
    got = set()
    in_hook = False
    for sym in reversed(stack):		# from the outermost frame in
        if sym == "__oom_ext_badness":
            in_hook = True
        for v in ("__bpf_prog_enter", "__bpf_prog_exit"):	# and their variants
            if sym.startswith(v):
                sym = v
        if sym in FRAMES:
            got.add(sym)
        elif sym.startswith("bpf_prog_"):
            got.add("bpf_prog")
        elif sym in ("__htab_map_lookup_elem", "htab_map_lookup_elem"):
            got.add("map_lookup")
        elif sym.startswith("bpf_trampoline_") or (sym == "[unknown]" and in_hook):
            got.add("trampoline")
    # and the innermost frame, where the sample landed: self time
    leaf = stack[0] if stack else "[unknown]"
    if leaf.startswith("bpf_prog_"):
        leaf = "bpf_prog"
    elif leaf.startswith("bpf_trampoline_") or (leaf == "[unknown]" and in_hook):
        leaf = "trampoline"
    got.add("self:" + leaf)
    return got


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    setup = sys.argv[1]
    counts = {}
    scan = 0
    stack = []
    sym_re = re.compile(r"^\s+[0-9a-f]+\s+([^\s+]+)")

    def flush():
        nonlocal scan
        if SCAN & set(stack):
            scan += 1
            for f in frames_of(stack):
                counts[f] = counts.get(f, 0) + 1
        stack.clear()

    for line in sys.stdin:
        m = sym_re.match(line)
        if m:
            stack.append(m.group(1))
        elif not line.strip():
            flush()
    flush()
    if not scan:
        sys.exit("profile.py: no sample of the scan (select_bad_process, mem_cgroup_scan_tasks) in the input")
    print(f"PROFILE setup={setup} frame=scan samples={scan} scan={scan}")
    for f in sorted(counts):
        print(f"PROFILE setup={setup} frame={f} samples={counts[f]} scan={scan}")


if __name__ == "__main__":
    main()
