#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare/report.py GUEST_OUT [--json FILE] [--commit C] [--date D]

The comparison's table (docs/compare.md) from compare/guest.sh's output:
"IDLE {json}" per tool, "RESULT {json}" per episode. Prints Markdown.
"""
import argparse
import json
import sys

TOOLS = ["kernel", "earlyoom", "earlyoom-tuned", "psi-oomd", "psi-tuned", "oomx", "oomx-12s"]
WORKLOADS = ["leak", "thrash", "healthy", "burst"]
HEALTHY = ("healthy", "burst")	# workloads nobody should kill


def secs(ms):
    return "-" if ms is None else f"{ms / 1000:.1f}"


def verdict(r):
    """what happened to whom: (kill text, wrong kills)"""
    m = r["m"]
    died = m["workload"]["died_ms"]
    wrong = [n for n in ("protected", "bystander") if m[n]["died_ms"] is not None]
    wrong += [n + " (after the window)" for n in r.get("died_after", []) if n not in wrong]
    status = m.get("workload_status")
    if died is not None and status not in (128 + 9, 128 + 15):
        kill = f"ERROR: the workload exited by itself (status {status})"
    elif r["workload"] in HEALTHY:
        kill = (f"none in {m['window_ms'] // 1000} s (right)" if died is None
                else f"PREMATURE at {secs(died)} s")
    elif died is None:
        kill = f"none in {m['window_ms'] // 1000} s"
    else:
        kill = "culprit"
    return kill, wrong


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("guest_out")
    ap.add_argument("--json")
    ap.add_argument("--commit", default="")
    ap.add_argument("--date", default="")
    a = ap.parse_args()

    results, idle = [], {}
    with open(a.guest_out, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("RESULT "):
                results.append(json.loads(line[7:]))
            elif line.startswith("IDLE "):
                i = json.loads(line[5:])
                idle[i["tool"]] = i
    if not results:
        sys.exit("report.py: no RESULT line in " + a.guest_out)

    out = []
    out.append(f"Comparison of {a.date}, commit {a.commit}: one VM (512 MiB, 2 vCPUs, "
               "TCG, 256 MiB swap); times from the workload's start.")
    for wl in WORKLOADS:
        rows = [r for r in results if r["workload"] == wl]
        if not rows:
            continue
        out.append("")
        out.append(f"### {wl}: `{rows[0]['cmd']}`")
        out.append("")
        out.append("| tool | pressure onset s | culprit dies s | onset to kill s | "
                   "service stuck s (longest) | service ops % | wrong kills | "
                   "min MemAvailable MiB | max swap MiB |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for r in sorted(rows, key=lambda r: TOOLS.index(r["tool"])):
            m = r["m"]
            kill, wrong = verdict(r)
            died, onset = m["workload"]["died_ms"], m["onset_ms"]
            gap = None if died is None or onset is None else died - onset
            dies = secs(died) if wl not in HEALTHY and kill == "culprit" else kill
            out.append(f"| {r['tool']} | {secs(onset)} | {dies} | {secs(gap)} | "
                       f"{secs(m['stuck_ms'])} ({secs(m['stuck_max_ms'])}) | "
                       f"{m['progress_pct']:.0f} | {', '.join(wrong) or 'none'} | "
                       f"{m['mem_available_min_kb'] // 1024} | {m['swap_used_max_kb'] // 1024} |")
    if idle:
        out.append("")
        out.append("### idle cost of the tool's process")
        out.append("")
        out.append("| tool | seconds | CPU ticks (1/100 s) | context switches | RSS KiB |")
        out.append("|---|---|---|---|---|")
        for t in TOOLS:
            if t in idle:
                i = idle[t]
                out.append(f"| {t} | {i['seconds']} | {i['ticks']} | {i['switches']} | "
                           f"{i['rss_kb']} |")
    print("\n".join(out))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"date": a.date, "commit": a.commit, "results": results,
                       "idle": list(idle.values())}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
