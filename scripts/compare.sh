#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh - oomx side by side with the kernel alone, earlyoom and a
# systemd-oomd-style PSI killer, in one VM run with swap: the same workloads
# (a leak, a working set that thrashes, a busy but healthy one, a healthy one
# whose start pushes memory to swap) and the same
# protected service counting its progress. Prints a table and writes
# OUT/compare.txt and OUT/compare.json. docs/compare.md explains it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") [--short] [--tools "LIST"] [--workloads "LIST"] [--out DIR]

  --tools LIST      of: kernel earlyoom earlyoom-tuned psi-oomd psi-tuned oomx
                    oomx-12s (default: all of them)
  --workloads LIST  of: leak thrash healthy burst (default: all)
  --short           shorter windows (leak 40 s, thrash 30 s, healthy 25 s,
                    burst 30 s)
  --out DIR         where the table and the JSON go (default build/compare)

One VM boot (512 MiB, 2 CPUs, a 256 MiB swap disk). The full run takes about
40 minutes under TCG. Needs 'make kernel oomx selftests' and earlyoom
('make deps').
EOF
}

tools="kernel earlyoom earlyoom-tuned psi-oomd psi-tuned oomx oomx-12s"
workloads="leak thrash healthy burst" out=$OOMX_BUILD/compare short=
while [ $# -gt 0 ]; do
	case "$1" in
	--tools) tools=${2:?--tools needs a list}; shift 2 ;;
	--workloads) workloads=${2:?--workloads needs a list}; shift 2 ;;
	--short) short=--short; shift ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" "see --help" ;;
	esac
done
for t in $tools; do
	case $t in
	kernel|earlyoom|earlyoom-tuned|psi-oomd|psi-tuned|oomx|oomx-12s) ;;
	*) die "unknown tool '$t'" "see --help for the tools" ;;
	esac
done
for w in $workloads; do
	case $w in
	leak|thrash|healthy|burst) ;;
	*) die "unknown workload '$w'" "see --help for the workloads" ;;
	esac
done
case " $tools " in
*" earlyoom"*) command -v earlyoom >/dev/null || die "earlyoom is not installed" "run 'make deps'" ;;
esac
for f in oomx compare/monitor compare/protected compare/workload compare/psikill compare/psirec \
	compare/replay selftests/hog; do
	[ -x "$OOMX_BUILD/$f" ] || die "$OOMX_BUILD/$f is missing" "run 'make oomx selftests'"
done

n=$(( $(wc -w <<<"$tools") * $(wc -w <<<"$workloads") ))
mkdir -p "$out"
out=$(realpath "$out")
cd "$OOMX_ROOT"
per=80
[ -z "$short" ] || per=45
echo "compare: $(wc -w <<<"$tools") tools x $(wc -w <<<"$workloads") workloads in one VM, about $((n * per / 60 + 1)) min"
truncate -s 256M "$out/swap.img"
# the protected service's data, which it maps and reads (compare/protected.c)
[ -s "$OOMX_BUILD/compare/service.dat" ] ||
	head -c 32M /dev/urandom >"$OOMX_BUILD/compare/service.dat"
rc=0
: >"$out/console.log"
"$OOMX_ROOT/scripts/oomx-vm" -q -m 512M -t $((n * 150 + 180)) -d "$out/swap.img" \
	-l "$out/console.log" -o "$out/guest.out" -e OOMX_BUILD="$OOMX_BUILD" \
	-- bash compare/guest.sh $short --tools "$tools" --workloads "$workloads" >/dev/null &
vm=$!
tail -n +1 -f --pid=$vm "$out/console.log" 2>/dev/null | sed -un 's/^compare: /  /p' &
wait $vm || rc=$?
wait
rm -f "$out/swap.img"
case $rc in
0) ;;
124) die "compare: the VM timed out; console: $out/console.log" ;;
126) die "compare: the kernel log has a splat; console: $out/console.log" ;;
*) grep '^FAIL' "$out/guest.out" >&2 || tail -n 20 "$out/guest.out" >&2
   die "compare: the guest failed (exit $rc); output: $out/guest.out" ;;
esac
python3 "$OOMX_ROOT/compare/report.py" "$out/guest.out" --json "$out/compare.json" \
	--commit "$(git -C "$OOMX_ROOT" describe --always --dirty 2>/dev/null)" \
	--date "$(date -u +%F)" | tee "$out/compare.txt"
# each tool's own output over its episodes
mkdir -p "$out/logs"
for t in $tools; do
	sed -n "s/^TOOLLOG $t //p" "$out/guest.out" >"$out/logs/$t.log"
	[ -s "$out/logs/$t.log" ] || rm -f "$out/logs/$t.log"
done
# the kernel-only episodes' pressure records, and when the watcher's rule
# would have acted on them (compare/replay; docs/compare.md)
mkdir -p "$out/traces"
for wl in $workloads; do
	sed -n "s/^TRACE $wl //p" "$out/guest.out" >"$out/traces/$wl.jsonl"
	if [ -s "$out/traces/$wl.jsonl" ]; then
		"$OOMX_BUILD/compare/replay" --for-ms 5000 --for-ms 12000 "$out/traces/$wl.jsonl" ||
			die "compare/replay failed on $out/traces/$wl.jsonl"
	else
		rm -f "$out/traces/$wl.jsonl"
	fi
done | tee -a "$out/compare.txt"
echo "compare: $out/compare.txt, $out/compare.json, $out/logs/, $out/traces/"
