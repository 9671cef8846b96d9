#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py - the tables of 'make bench' from the boots' RESULT lines.

Usage: report.py OUT... [--json FILE] [--commit C] [--date D]

Scan: per scope, task count and setup, the median decision time over the
timed OOMs of every boot; its ratio to the unpatched kernel's median, with a
90% bootstrap interval (both sides resampled, 2000 times, a fixed seed: the
noise band); and, for a policy, its ratio to no policy paired within each
boot and round (the same boot, the setups one after the other). A goal is
met when the whole band is within it, not met when the whole band is out,
and inconclusive otherwise; for no policy, met when the band holds 1.00 and
lies within 0.90-1.10, not met when it does not hold 1.00.
docs/performance.md explains each figure.
"""
import argparse
import json
import random
import statistics
import sys

SETUPS = ["none", "default", "priority", "pressure", "shadow"]
LABEL = {"none": "no policy", "default": "default", "priority": "priority (k8s preset)",
         "pressure": "pressure", "shadow": "shadow priority"}
# goal: (text, lowest, highest) of the ratio to the unpatched kernel
# no policy: indistinguishable from 1.00, which the band must hold, and narrow
# enough (within +-10%) to have seen a 10% cost
GOAL = {"none": ("1.00 in a band within 0.90-1.10", 0.90, 1.10),
        "default": ("<= 1.10", None, 1.10), "priority": ("<= 1.25", None, 1.25)}


def parse(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.startswith(("RESULT ", "PROFILE ")):
                    continue
                row = {"file": path, "part": path.rsplit("/", 1)[-1].split("-")[0].split(".")[0],
                       "profile": line.startswith("PROFILE ")}
                for word in line.split()[1:]:
                    k, _, v = word.partition("=")
                    row[k] = int(v) if v.lstrip("-").isdigit() and k != "delay" else v
                rows.append(row)
    return rows


def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def band(samples, base, rng, n=2000):
    """90% bootstrap interval of median(samples) / median(base)"""
    ratios = sorted(statistics.median(rng.choices(samples, k=len(samples))) /
                    statistics.median(rng.choices(base, k=len(base))) for _ in range(n))
    return pct(ratios, 0.05), pct(ratios, 0.95)


def band1(values, rng, n=2000):
    """90% bootstrap interval of median(values)"""
    meds = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(n))
    return pct(meds, 0.05), pct(meds, 0.95)


def verdict(setup, lo, hi):
    text, low, high = GOAL[setup]
    if setup == "none":
        inside = lo <= 1.0 <= hi and lo >= low and hi <= high
        outside = lo > 1.0 or hi < 1.0
    else:
        inside = hi <= high
        outside = lo > high
    return text, "met" if inside else "NOT met" if outside else "inconclusive"


def scan_table(rows, out):
    rng = random.Random(1)
    scan = [r for r in rows if "call_ns" in r and r["part"] == "scan"]
    if not scan:
        return []
    res = []
    print("OOM decision time: from the start of the out_of_memory() call that killed to", file=out)
    print("oom_kill_process() (oom_clock, fentry); medians of the timed OOMs of every boot.", file=out)
    print("ratio: to the unpatched kernel's median, band: its 90% bootstrap interval; vs none:", file=out)
    print("a policy against no policy in the same boot and round, paired. A goal is met when", file=out)
    print("its band is within it, NOT met when outside, inconclusive when it straddles; no policy:", file=out)
    print("met when its band holds 1.00 within 0.90-1.10, NOT met when it does not hold 1.00.", file=out)
    print(file=out)
    hdr = (f"{'scope':<7} {'tasks':>6}  {'kernel, setup':<30} {'OOMs':>4} {'median us':>10} "
           f"{'ns/task':>8} {'ratio':>6} {'band':>11} {'vs none':>16}  goal")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    keys = sorted({(r["scope"], r["tasks"]) for r in scan}, key=lambda k: (k[0] != "memcg", k[1]))
    for scope, n in keys:
        def pick(kernel, setup):
            return [r for r in scan
                    if (r["scope"], r["tasks"], r["kernel"], r["setup"]) == (scope, n, kernel, setup)]
        base = [r["call_ns"] for r in pick("unpatched", "none")]
        for kernel in ("unpatched", "patched"):
            for s in SETUPS:
                got = pick(kernel, s)
                if not got:
                    continue
                v = [r["call_ns"] for r in got]
                med = statistics.median(v)
                entry = {"scope": scope, "tasks": n, "kernel": kernel, "setup": s, "ooms": len(v),
                         "median_ns": med, "ns_per_task": med / (n + 1), "samples": v,
                         "stopped": sum(1 for r in got if r.get("stopped"))}
                rtxt, btxt, ptxt, goal = "     -", "-", "-", ""
                if base:
                    ratio = med / statistics.median(base)
                    lo, hi = band(v, base, rng)
                    entry.update(ratio=ratio, band=[lo, hi])
                    rtxt, btxt = f"{ratio:6.2f}", f"{lo:.2f}-{hi:.2f}"
                    if kernel == "patched" and s in GOAL:
                        text, met = verdict(s, lo, hi)
                        entry["goal"] = {"text": text, "verdict": met}
                        goal = f"{text}: {met}"
                if s != "none":
                    nones = {(r["file"], r["round"]): r["call_ns"] for r in pick(kernel, "none")}
                    paired = [r["call_ns"] / nones[(r["file"], r["round"])] for r in got
                              if (r["file"], r["round"]) in nones]
                    if paired:
                        pm = statistics.median(paired)
                        plo, phi = band1(paired, rng)
                        entry.update(vs_none=pm, vs_none_band=[plo, phi])
                        ptxt = f"{pm:.2f} {plo:.2f}-{phi:.2f}"
                if entry["stopped"]:
                    goal += f" ({entry['stopped']} stopped itself: its first walk only)"
                name = ("unpatched 6.12" if s == "none" else f"unpatched, {LABEL[s]}") \
                    if kernel == "unpatched" else f"patched, {LABEL[s]}"
                print(f"{scope:<7} {n:>6}  {name:<30} {len(v):>4} {med / 1000:>10.1f} "
                      f"{med / (n + 1):>8.0f} {rtxt} {btxt:>11} {ptxt:>16}  {goal}", file=out)
                res.append(entry)
        print(file=out)
    return res


def cost_table(rows, out):
    """where a policy's time goes: per task, the hook, the programs, the profile"""
    cost = [r for r in rows if r["part"] == "cost" and not r["profile"]]
    if not cost:
        return {}
    n = cost[0]["tasks"] + 1	# the crowd and the hog

    def med(setup, key):
        v = [r[key] for r in cost if r["setup"] == setup and key in r]
        return statistics.median(v) if v else None

    def body(setup):
        v = [r["body_ns"] / r["calls"] for r in cost if r["setup"] == setup and r.get("calls")]
        return statistics.median(v) if v else None

    setups = ("none", "default", "priority-norules", "priority")
    per = {s: med(s, "call_ns") / n for s in setups if med(s, "call_ns") is not None}
    if "none" not in per:
        return {}
    b = {s: body(s) for s in setups[1:] if body(s) is not None}
    res = {"tasks": n - 1, "ns_per_task": per, "body_ns_per_call": b,
           "calls": {s: med(s, "calls") for s in b},
           "stats_call_ns_per_task": {s: med(s, "stats_call_ns") / n for s in b
                                      if med(s, "stats_call_ns") is not None}}

    def line(label, v, more=""):
        flag = "  (negative: noise)" if v < 0 else ""
        print(f"  {label:<60}{v:>8.0f}{more}{flag}", file=out)

    print(f"Where a policy's time goes: memcg OOMs over {n - 1} tasks (and the hog), the patched",
          file=out)
    print("kernel, one boot. ns per task: the decision's median call_ns / (tasks + 1). A program's",
          file=out)
    print("time per call: the kernel's BPF statistics (run_time_ns / run_cnt, which include a part",
          file=out)
    print("of the trampoline and of the statistics' own clock reads), in an OOM of its own.",
          file=out)
    print(file=out)
    line("no policy", per["none"])
    if "default" in per:
        res["hook_ns"] = per["default"] - per["none"]
        line("default - no policy: the hook, with a program that returns", res["hook_ns"])
    for s, what in (("priority-norules", "priority without rules"),
                    ("priority", "priority, k8s preset")):
        if s in per and "default" in per:
            res[s + "_over_default_ns"] = per[s] - per["default"]
            line(f"{what} - default: its rules", per[s] - per["default"],
                 f"   program {b[s] - b['default']:.0f} more a call than default's"
                 if s in b and "default" in b else "")
    if res["stats_call_ns_per_task"]:
        print("  with the statistics on, ns per task: " + ", ".join(
            f"{s} {v:.0f}" for s, v in res["stats_call_ns_per_task"].items()), file=out)
    print(file=out)
    res["profile"] = profile_table(rows, per, out)
    return res


def profile_table(rows, per, out):
    """the decision's perf profile per setup: shares, and ns per task at the setup's median"""
    prof = [r for r in rows if r["part"] == "cost" and r["profile"]]
    setups = [s for s in ("none", "default", "priority-norules", "priority")
              if s in per and any(r["setup"] == s for r in prof)]
    if not setups:
        return {}
    got = {s: {r["frame"]: r["samples"] for r in prof if r["setup"] == s} for s in setups}

    def cell(s, *frames, minus=()):
        g = got[s]
        k = sum(g.get(f, 0) for f in frames) - sum(g.get(f, 0) for f in minus)
        return k, max(k, 0) / g["decision"] * per[s]

    lines = [
        ("the kernel's part", lambda s: cell(s, "decision", minus=("oom_ext",))),
        ("  oom_badness()", lambda s: cell(s, "oom_badness")),
        ("  the memcg's process walk", lambda s: cell(s, "css_task_iter_next",
                                                      minus=("oom_memcg_victim_exiting",))),
        ("  0005's thread walk", lambda s: cell(s, "oom_memcg_victim_exiting")),
        ("the hook, outside the program", lambda s: cell(s, "oom_ext", minus=("bpf_prog",))),
        ("  clock reads (ktime_get)", lambda s: cell(s, "ktime_get")),
        ("  __bpf_prog_enter/exit", lambda s: cell(s, "__bpf_prog_enter", "__bpf_prog_exit")),
        ("  the trampoline's own code", lambda s: cell(s, "self:trampoline")),
        ("the policy's program", lambda s: cell(s, "bpf_prog")),
        ("  its hash map lookups", lambda s: cell(s, "map_lookup")),
    ]
    print("The decision's profile: perf record -g of the hog, cpu-clock every 50 us, one OOM a",
          file=out)
    print("setup: each row's share of the decision's samples (their count in brackets) times the",
          file=out)
    print("setup's median ns per task. Rows of fewer than 20 samples are noise.", file=out)
    print(file=out)
    print(f"  {'ns per task (samples)':<34}" + "".join(f"{s:>19}" for s in setups), file=out)
    print(f"  {'the decision':<34}" + "".join(
        f"{per[s]:>11.0f} ({got[s]['decision']:>4})" for s in setups), file=out)
    res = {s: {"samples": got[s]} for s in setups}
    for label, fn in lines:
        cells = [fn(s) for s in setups]
        for s, (k, v) in zip(setups, cells):
            res[s][label.strip()] = v
        print(f"  {label:<34}" + "".join(f"{v:>11.0f} ({k:>4})" for k, v in cells), file=out)
    print(file=out)
    return res


def race_table(rows, out):
    race = [r for r in rows if r.get("part") == "race"]
    if not race:
        return []
    res = []
    print("The reaper racing an exit: a 1 GiB victim in 4096 mappings (no THP), its last thread", file=out)
    print("held in D state; after SIGKILL: exit alone, process_mrelease() alone (reap), or both", file=out)
    print("at once (race). Medians of the valid rounds, us; free: kill to the last of the", file=out)
    print("memory gone; ptl: time in __pte_offset_map_lock() (calls; the BPF timing included)", file=out)
    print(file=out)
    hdr = (f"{'kernel':<10} {'mode':<6} {'valid':>5} {'free':>7} {'mrelease':>9} {'overlap':>8} "
           f"{'exit_mmap':>9} {'exit ptl (calls)':>17} {'reap ptl (calls)':>17}")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for kernel in ("unpatched", "patched"):
        for mode in ("exit", "reap", "race"):
            allv = [r for r in race if (r.get("kernel"), r["mode"]) == (kernel, mode)]
            v = [r for r in allv if r.get("valid", 1)]
            if not v:
                continue
            med = {k: statistics.median(r[k] for r in v) for k in
                   ("free_us", "mrelease_us", "overlap_us", "exit_mmap_us", "exit_ptl_us",
                    "exit_ptl_calls", "reap_ptl_us", "reap_ptl_calls")}
            print(f"{kernel:<10} {mode:<6} {len(v):>2}/{len(allv):<2} {med['free_us']:>7.0f} "
                  f"{med['mrelease_us']:>9.0f} {med['overlap_us']:>8.0f} {med['exit_mmap_us']:>9.0f} "
                  f"{med['exit_ptl_us']:>9.0f} ({med['exit_ptl_calls']:>5.0f}) "
                  f"{med['reap_ptl_us']:>9.0f} ({med['reap_ptl_calls']:>5.0f})", file=out)
            res.append({"kernel": kernel, "mode": mode, "valid": len(v), "rounds": len(allv),
                        "median": med, "samples": allv})
    print(file=out)
    return res


def reap_table(rows, out):
    reap = [r for r in rows if r.get("part") == "reap"]
    if not reap:
        return []
    res = []
    print("Kill to memory free (ms): the earlier of the reaper being done and the victim's", file=out)
    print("exit_mmap() returning; median of the rounds, and what freed it (reaper/exit):", file=out)
    print(file=out)
    cols = [("unpatched", "kernel"), ("patched", "kernel"), ("patched", "0"), ("patched", "200")]
    names = ["unpatched 2 s", "patched 2 s", "patched 0 ms", "patched 200 ms"]
    print(f"{'victim state':<14}" + "".join(f"{n:>20}" for n in names), file=out)
    for state in ["running", "dstate", "frozen", "mlocked"]:
        line = f"{state:<14}"
        for kernel, delay in cols:
            v = [r for r in reap if (r["state"], r["kernel"], str(r["delay"])) == (state, kernel, delay)]
            if not v:
                line += f"{'-':>20}"
                continue
            med = statistics.median(float(r["free_ms"]) for r in v)
            by = "/".join(sorted({r["by"] for r in v}))
            line += f"{f'{med:.1f} ({by})':>20}"
            res.append({"state": state, "kernel": kernel, "delay": delay, "median_ms": med,
                        "by": by, "rounds": [float(r["free_ms"]) for r in v]})
        print(line, file=out)
    print(file=out)
    return res


def events_table(rows, out):
    ev = [r for r in rows if r.get("part") == "events"]
    for r in ev:
        secs = max(r["last_ms"], 1) / 1000
        r["kills_per_s"] = r["sigkilled"] / secs
        r["loader_cpu_pct"] = 100 * r["loader_ticks"] / r["hz"] / secs
        delivered = r["kill_events"] == r["oom_kills"] == r["sigkilled"] == r["started"] and \
            r["lost"] == 0
        rate = r["kills_per_s"] >= 0.95 * r["rate"]
        print(f"Event delivery: {r['rate']} kills/s asked for {r['seconds']} s: {r['started']} victims, "
              f"{r['sigkilled']} killed by SIGKILL, /proc/vmstat oom_kill +{r['oom_kills']}; "
              f"the loader got {r['kill_events']} kill events, lost {r['lost']} "
              f"({'all delivered' if delivered else 'NOT all delivered'}); achieved "
              f"{r['kills_per_s']:.0f} kills/s over {secs:.1f} s "
              f"({'the rate asked' if rate else 'BELOW the rate asked'}); the loader used "
              f"{r['loader_ticks']} ticks ({r['loader_cpu_pct']:.1f}% of one CPU), the backlog's "
              f"printing included", file=out)
        print(file=out)
    return ev


def idle_table(rows, out):
    idle = [r for r in rows if r.get("part") == "idle"]
    if not idle:
        return idle
    print("Idle cost (no OOM):", file=out)
    for r in idle:
        s = r["seconds"]
        if r["what"] == "run":
            print(f"  oomx run default, {s} s: {r['ticks']} CPU ticks (1/{r['hz']} s), "
                  f"{r['voluntary']} wakeups (voluntary switches), {r['involuntary']} involuntary, "
                  f"RSS {r['rss_kb']} KiB", file=out)
        elif r["what"] == "pinned-progs":
            print(f"  the default policy pinned, no oomx process, {s} s: its BPF programs ran "
                  f"{r['run_cnt']} times, {r['run_ns']} ns (kernel.bpf_stats_enabled); "
                  f"oomx processes: {r['procs']}", file=out)
        else:
            what = "no policy" if r["what"].startswith("machine-none") else \
                "the default policy pinned, no oomx process"
            print(f"  the whole guest, {what}, {s} s: {r['ctxt']} context switches "
                  f"({r['ctxt'] / s:.1f}/s), {r['busy_ticks']} busy CPU ticks", file=out)
    print(file=out)
    return idle


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outs", nargs="+")
    ap.add_argument("--json")
    ap.add_argument("--commit", default="")
    ap.add_argument("--date", default="")
    a = ap.parse_args()
    rows = parse(a.outs)
    if not rows:
        sys.exit("report.py: no RESULT lines in " + " ".join(a.outs))
    out = sys.stdout
    print(f"oomx bench of {a.date}, commit {a.commit}: QEMU/TCG guest; absolute times are an "
          "emulated CPU's, the ratios are the result", file=out)
    print(file=out)
    doc = {"date": a.date, "commit": a.commit, "scan": scan_table(rows, out),
           "cost": cost_table(rows, out),
           "race": race_table(rows, out), "reap": reap_table(rows, out),
           "events": events_table(rows, out), "idle": idle_table(rows, out)}
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
