#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scorecard/report.py - the scorecard's results as a table, JSON and SVG.

Reads the "result {...}" lines of scorecard/guest.sh (one per scenario and
policy) and writes:
  - a text table on stdout: per scenario, per policy, right or wrong, the
    victims, the time from out_of_memory() to the kill and from the kill to
    the victim's memory being free;
  - --json FILE: the same, with every kill, and a summary per policy;
  - --svg FILE: a grid, one row per scenario and one column per policy,
    green where the policy was right, red where it was not.
Exit status 1 if the default policy's victims differ from the kernel's
(policy "none") in any scenario: default must be the kernel's heuristic.
"""
import argparse
import json
import sys
from xml.sax.saxutils import escape

KERNEL = "none"


def load(path):
    results = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.startswith("result "):
                continue
            try:
                results.append(json.loads(line[len("result "):]))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not a result line: {e}")
    if not results:
        sys.exit(f"{path}: no result lines (did the VM run fail?)")
    return results


def ms(us):
    return "-" if us is None else f"{us / 1000:.1f}"


def who(victims):
    return ",".join(victims) or "nobody"


def label(policy):
    return "kernel" if policy == KERNEL else policy.rsplit("/", 1)[-1]


def build(results, meta):
    policies, scenarios = [], {}
    for r in results:
        if r["policy"] not in policies:
            policies.append(r["policy"])
        s = scenarios.setdefault(r["scenario"], {
            "scenario": r["scenario"], "title": r["title"], "why": r["why"],
            "oom": r["oom"], "results": {}})
        first = r["kills"][0] if r["kills"] else {}
        s["results"][r["policy"]] = {
            "right": r["right"], "victims": r["victims"],
            "collateral": r["collateral"], "trigger": r["trigger"],
            "ooms": r["ooms"], "lost_events": r["lost"],
            "decide_us": first.get("decide_us"), "freed_us": first.get("freed_us"),
            "reaped_us": first.get("reaped_us"), "kills": r["kills"],
            "reason": r["reason"], "chosen_by": r.get("chosen_by", []),
            "policy_error": r.get("policy_error")}
    summary, mismatches = {}, []
    for p in policies:
        rs = [s["results"][p] for s in scenarios.values() if p in s["results"]]
        summary[p] = {"right": sum(r["right"] for r in rs), "scenarios": len(rs),
                      "collateral": sum(r["collateral"] for r in rs)}
    if "default" in policies and KERNEL in policies:
        for s in scenarios.values():
            d, k = s["results"].get("default"), s["results"].get(KERNEL)
            if d and k and (d["victims"], d["trigger"]) != (k["victims"], k["trigger"]):
                mismatches.append({"scenario": s["scenario"], "default": d["victims"],
                                   "kernel": k["victims"], "default_trigger": d["trigger"],
                                   "kernel_trigger": k["trigger"]})
    return {**meta, "policies": policies, "scenarios": list(scenarios.values()),
            "summary": summary, "default_equals_kernel": not mismatches,
            "mismatches": mismatches}


def table(rep):
    pols = rep["policies"]
    head = ["scenario"] + [label(p) for p in pols]
    rows = []
    for s in rep["scenarios"]:
        row = [s["scenario"]]
        for p in pols:
            r = s["results"].get(p)
            if not r:
                row.append("")
                continue
            killed = who(r["victims"])
            if r["trigger"] not in ("completed", "killed"):
                killed += f" ({r['trigger']})"
            if r["policy_error"]:
                killed += " (policy error)"
            row.append(f"{'ok ' if r['right'] else 'BAD'} {killed} "
                       f"{ms(r['decide_us'])}/{ms(r['freed_us'])}")
        rows.append(row)
    rows.append(["right"] + [f"{rep['summary'][p]['right']}/{rep['summary'][p]['scenarios']}"
                             f" ({rep['summary'][p]['collateral']} collateral)" for p in pols])
    width = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, width)).rstrip() for r in [head] + rows]
    out.insert(1, "  ".join("-" * w for w in width))
    out.append("")
    out.append("Each cell: ok/BAD, the processes killed in order, then ms from the first "
               "out_of_memory() call to oom_kill_process() (the decision) / from the first "
               "kill to its exit_mmap() returning (memory freed).")
    if "default" in pols and KERNEL in pols:
        out.append("default = kernel on every scenario: "
                   + ("yes" if rep["default_equals_kernel"] else
                      "NO: " + "; ".join(f"{m['scenario']}: default killed {who(m['default'])} "
                                          f"(trigger {m['default_trigger']}), the kernel "
                                          f"{who(m['kernel'])} (trigger {m['kernel_trigger']})"
                                          for m in rep["mismatches"])))
    return "\n".join(out)


def svg(rep):
    pols, scen = rep["policies"], rep["scenarios"]
    name_w, col_w, row_h, top = 300, 170, 44, 70
    w = name_w + col_w * len(pols) + 10
    h = top + row_h * (len(scen) + 1) + 40
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="10" y="22" font-size="16" font-weight="bold">oomx scorecard</text>',
         f'<text x="10" y="40" fill="#555">{escape(rep.get("commit", ""))} '
         f'{escape(rep.get("date", ""))}: green = only the processes that should die died; '
         f'ms from the OOM to the kill / to memory freed</text>']
    for i, p in enumerate(pols):
        x = name_w + i * col_w + col_w / 2
        o.append(f'<text x="{x}" y="{top - 8}" text-anchor="middle" font-weight="bold">'
                 f'{escape(label(p))}</text>')
    for j, s in enumerate(scen):
        y = top + j * row_h
        o.append(f'<text x="10" y="{y + 18}" font-weight="bold">{escape(s["scenario"])}</text>')
        o.append(f'<text x="10" y="{y + 34}" fill="#555">{escape(s["title"][:46])}</text>')
        for i, p in enumerate(pols):
            r = s["results"].get(p)
            x = name_w + i * col_w
            if not r:
                continue
            fill = "#c8e6c9" if r["right"] else "#ffcdd2"
            o.append(f'<rect x="{x + 2}" y="{y + 2}" width="{col_w - 4}" height="{row_h - 4}" '
                     f'rx="4" fill="{fill}"/>')
            o.append(f'<text x="{x + 8}" y="{y + 18}">{escape(who(r["victims"])[:24])}</text>')
            o.append(f'<text x="{x + 8}" y="{y + 34}" fill="#333">'
                     f'{ms(r["decide_us"])} / {ms(r["freed_us"])} ms</text>')
    y = top + len(scen) * row_h
    o.append(f'<text x="10" y="{y + 24}" font-weight="bold">right</text>')
    for i, p in enumerate(pols):
        sm = rep["summary"][p]
        x = name_w + i * col_w + col_w / 2
        o.append(f'<text x="{x}" y="{y + 24}" text-anchor="middle" font-weight="bold">'
                 f'{sm["right"]} of {sm["scenarios"]}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="scorecard/guest.sh's output")
    ap.add_argument("--json", help="write the JSON report here")
    ap.add_argument("--svg", help="write the SVG chart here")
    ap.add_argument("--commit", default="")
    ap.add_argument("--date", default="")
    a = ap.parse_args()
    rep = build(load(a.results), {"commit": a.commit, "date": a.date})
    print(table(rep))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(rep, f, indent=1)
            f.write("\n")
    if a.svg:
        with open(a.svg, "w", encoding="utf-8") as f:
            f.write(svg(rep))
    return 0 if rep["default_equals_kernel"] else 1


if __name__ == "__main__":
    sys.exit(main())
