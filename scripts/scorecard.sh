#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scorecard.sh - run the scorecard's OOM scenarios (scorecard/scenarios/*.scn)
# in the VM under the kernel alone and under each policy given, and report
# per scenario and policy: the victims, right or wrong, collateral kills, the
# time from out_of_memory() to the kill and from the kill to the victim's
# memory being free. Writes a table (stdout and OUT/scorecard.txt),
# OUT/scorecard.json and OUT/scorecard.svg. scorecard/README.md explains it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") [--policies "LIST"] [--out DIR] [SCENARIO.scn...]
       $(basename "$0") --check [SCENARIO.scn...]

  --policies LIST  built-in names and policy objects (.bpf.o paths), blank
                   separated (default: "default priority pressure"); the
                   kernel alone ("none") always runs first
  --out DIR        where the table, JSON and SVG go (default build/scorecard)
  SCENARIO.scn     the scenarios (default: every scorecard/scenarios/*.scn)
  --check          only read the scenarios and report what is wrong in them
                   (no VM)

One VM boot for everything; about 10 s per scenario and policy under TCG.
Exit status 1 if a scenario could not run, or if the default policy's
victims differ from the kernel's anywhere.
Needs 'make kernel tools oomx selftests'.
EOF
}

policies="default priority pressure" out=$OOMX_BUILD/scorecard scen=() check=
while [ $# -gt 0 ]; do
	case "$1" in
	--policies) policies=${2:?--policies needs a list}; shift 2 ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--check) check=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option '$1'" "see --help" ;;
	*) scen+=("$(realpath "$1")"); shift ;;
	esac
done
[ ${#scen[@]} -gt 0 ] || scen=("$OOMX_ROOT"/scorecard/scenarios/*.scn)
# the runner's own parser, on the host: a bad scenario fails before the VM
fail() { die "$*" "scorecard/README.md describes the format"; }
. "$OOMX_ROOT/scorecard/scenario.sh"
for f in "${scen[@]}"; do
	sc_parse "$f"
done
if [ -n "$check" ]; then
	echo "scorecard: ${#scen[@]} scenario(s) read, no error"
	exit 0
fi
list="none"
for p in $policies; do
	[ "$p" = none ] && continue
	case $p in
	*/*|*.o)
		[ -f "$p" ] || die "no policy object '$p'" "build it with 'make policy SRC=...'"
		p=$(realpath "$p") ;;
	*)
		"$OOMX_BUILD/oomx" list | grep -w "^ *$p" >/dev/null ||
			die "'$p' is not a built-in policy" "'$OOMX_BUILD/oomx list' names them; give an object's path otherwise" ;;
	esac
	list+=" $p"
done
n=$(( $(wc -w <<<"$list") * ${#scen[@]} ))
mkdir -p "$out"
out=$(realpath "$out")
cd "$OOMX_ROOT"
echo "scorecard: ${#scen[@]} scenarios x $(wc -w <<<"$list") setups ($list) in one VM, about $((n * 10 / 60 + 1)) min"
rc=0
rm -f "$out/guest.out"
: >"$out/console.log"
"$OOMX_ROOT/scripts/oomx-vm" -q -m 256M -t $((n * 120 + 120)) \
	-l "$out/console.log" -o "$out/guest.out" \
	-e OOMX_BUILD="$OOMX_BUILD" -e SC_POLICIES="$list" -e SC_SCENARIOS="${scen[*]}" \
	-- bash scorecard/guest.sh >/dev/null &
vm=$!
# progress: the guest writes a line per scene to the console
tail -n +1 -f --pid=$vm "$out/console.log" 2>/dev/null |
	sed -un 's/^scorecard: \(.* under .*\)/  \1/p' &
wait $vm || rc=$?
wait
case $rc in
0) ;;
124) die "scorecard: the VM timed out; console: $out/console.log" ;;
126) die "scorecard: the kernel log has a splat; console: $out/console.log" ;;
*) grep '^FAIL' "$out/guest.out" >&2 || tail -n 20 "$out/guest.out" >&2
   die "scorecard: the guest failed (exit $rc); output: $out/guest.out" ;;
esac
rc=0
python3 "$OOMX_ROOT/scorecard/report.py" "$out/guest.out" --json "$out/scorecard.json" \
	--svg "$out/scorecard.svg" --commit "$(git -C "$OOMX_ROOT" describe --always --dirty 2>/dev/null)" \
	--date "$(date -u +%F)" | tee "$out/scorecard.txt" || rc=$?
echo "scorecard: $out/scorecard.txt, $out/scorecard.json, $out/scorecard.svg"
exit $rc
