#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/profile.py - where the OOM killer's decision spends its time.

Usage: perf script | profile.py SETUP

Reads 'perf script' of a 'perf record -g' of the process whose OOM it was,
and keeps the samples of the decision: out_of_memory() on the kernel stack
and no kill yet (oom_kill_process(), __oom_kill_process(),
oom_kill_memcg_member(): a group kill walks the memcg again, after the
decision oom_clock times). Each frame below is counted once per sample that
has it on its stack (inclusive), and one line is printed per frame:

  PROFILE setup=SETUP frame=NAME samples=N decision=D

NAME is a function, or one of:
  decision    every sample of the decision (D)
  oom_ext     any oom_ext function (__oom_ext_badness(), __oom_ext_picked(),
              ...): the hook's kernel side, and all under it
  bpf_prog    under an oom_ext function, a JIT-compiled BPF program
              (bpf_prog_<tag>_<name>): the policy's
  bpf_other   another BPF program (the harness's oom_clock)
  map_lookup  under an oom_ext function, a BPF hash map lookup
              (__htab_map_lookup_elem)
  trampoline  under an oom_ext function, a BPF trampoline (bpf__oom_ext_ops_*,
              bpf_trampoline_*) or an address perf has no symbol for
  self:NAME   the samples that landed in NAME itself (the innermost frame),
              with bpf_prog and trampoline as above
"""
import re
import sys

KILL = {"oom_kill_process", "__oom_kill_process", "oom_kill_memcg_member"}
# inclusive frames, by symbol
FRAMES = {"select_bad_process", "mem_cgroup_scan_tasks", "oom_evaluate_task", "oom_badness",
          "find_lock_task_mm", "css_task_iter_next", "oom_memcg_victim_exiting",
          "oom_unkillable_task", "oom_cpuset_eligible", "ktime_get", "__bpf_prog_enter",
          "__bpf_prog_exit", "migrate_disable", "migrate_enable"}


def name_of(sym, in_hook):
    """the name a frame counts under"""
    for v in ("__bpf_prog_enter", "__bpf_prog_exit"):	# and their variants
        if sym.startswith(v):
            return v
    if sym.startswith("bpf_prog_"):		# the policy's, or oom_clock's
        return "bpf_prog" if in_hook else "bpf_other"
    if sym in ("__htab_map_lookup_elem", "htab_map_lookup_elem"):
        return "map_lookup" if in_hook else sym
    if in_hook and (sym.startswith(("bpf__oom_ext_ops_", "bpf_trampoline_")) or
                    sym == "[unknown]"):
        return "trampoline"
    return sym


def frames_of(stack):
    """the names this stack (innermost first) counts for, each once"""
    got = set()
    in_hook = False
    leaf = None
    for sym in reversed(stack):		# from the outermost frame in
        if sym.startswith(("__oom_ext_", "oom_ext_")):
            in_hook = True
            got.add("oom_ext")
        name = name_of(sym, in_hook)
        if name in FRAMES or name in ("bpf_prog", "bpf_other", "map_lookup", "trampoline"):
            got.add(name)
        leaf = name
    got.add("self:" + (leaf or "[unknown]"))
    return got


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    setup = sys.argv[1]
    counts = {}
    decision = 0
    stack = []
    sym_re = re.compile(r"^\s+[0-9a-f]+\s+([^\s+]+)")

    def flush():
        nonlocal decision
        syms = set(stack)
        if "out_of_memory" in syms and not KILL & syms:
            decision += 1
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
    if not decision:
        sys.exit("profile.py: no sample of an OOM decision (out_of_memory(), before the kill) "
                 "in the input")
    print(f"PROFILE setup={setup} frame=decision samples={decision} decision={decision}")
    for f in sorted(counts):
        print(f"PROFILE setup={setup} frame={f} samples={counts[f]} decision={decision}")


if __name__ == "__main__":
    main()
