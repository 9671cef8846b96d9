# SPDX-License-Identifier: GPL-2.0
# The configuration parser (user/config.c, format in user/config.h): a
# valid file gives exactly the settings and rules it says; every class of
# syntax error is refused with the file, the line and what is expected;
# 50000 random and mutated inputs do not crash it (built with ASan and
# UBSan). Settings' values are checked against a policy's tunables:
# selftests/host/tunables.sh.
set -u
rc=0
B=${OOMX_BUILD:-$PWD/build}
bin=$B/selftests/config_test
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

fail()
{
	echo "FAIL: $*"
	rc=1
}

cat >"$d/good.conf" <<'CONF'
# a priority configuration
reap_delay_ms 500
victim_timeout_ms 30000
rank growth
growth_interval_ms 250

protect cgroup /system.slice/postgresql.service   # the database
prefer  comm   stress
class 20 uid 1000
class 7 cgroup "/odd name/with \"quotes\" and \\"
CONF
want='setting line=2 reap_delay_ms=[500]
setting line=3 victim_timeout_ms=[30000]
setting line=4 rank=[growth]
setting line=5 growth_interval_ms=[250]
rule line=7 class=255 cgroup=[/system.slice/postgresql.service]
rule line=8 class=0 comm=[stress]
rule line=9 class=20 uid=1000
rule line=10 class=7 cgroup=[/odd name/with "quotes" and \]'
got=$("$bin" "$d/good.conf")
if [ "$got" = "$want" ]; then
	echo "ok: a valid file parses to exactly what it says"
else
	fail "good.conf parsed to:"
	echo "$got" | sed 's/^/    /'
fi

# cgroup paths are kept as the kernel writes them (cgroup_path()): rules
# match the cgroup_mkdir tracepoint's string
printf 'protect cgroup //a//b/\nprefer cgroup /\nclass 3 cgroup /c///\n' >"$d/paths.conf"
got=$("$bin" "$d/paths.conf" | grep '^rule')
want='rule line=1 class=255 cgroup=[/a/b]
rule line=2 class=0 cgroup=[/]
rule line=3 class=3 cgroup=[/c]'
[ "$got" = "$want" ] && echo "ok: cgroup paths are normalised (one '/' between names, none at the end)" ||
	fail "paths.conf: $got"

# kill modes: per cgroup path, beside a class rule for the same path
printf 'kill group cgroup /batch.slice/\nkill process cgroup //db.slice\nprotect cgroup /db.slice\n' >"$d/kill.conf"
got=$("$bin" "$d/kill.conf" | grep '^rule')
want='rule line=1 kill=group cgroup=[/batch.slice]
rule line=2 kill=process cgroup=[/db.slice]
rule line=3 class=255 cgroup=[/db.slice]'
[ "$got" = "$want" ] && echo "ok: kill group|process cgroup PATH parses to a kill mode per path" ||
	fail "kill.conf: $got"

# pressure triggers: scope, kind, stall, window, 'for', 'swap', 'dry-run'
printf 'pressure / some 150ms 1s\npressure //work.slice/ full 2500000us 10s for 30s\npressure /a some 1s 1s dry-run\npressure /b full 500ms 500ms for 0s dry-run\npressure /c full 100ms 1s for 5s swap 90%%\npressure /d some 100ms 1s for 12s swap 100%% dry-run\n' >"$d/psi.conf"
got=$("$bin" "$d/psi.conf")
want='pressure line=1 scope=[/] some stall=150000 window=1000000 for=0
pressure line=2 scope=[/work.slice] full stall=2500000 window=10000000 for=30000000
pressure line=3 scope=[/a] some stall=1000000 window=1000000 for=0 dry-run
pressure line=4 scope=[/b] full stall=500000 window=500000 for=0 dry-run
pressure line=5 scope=[/c] full stall=100000 window=1000000 for=5000000 swap=90%
pressure line=6 scope=[/d] some stall=100000 window=1000000 for=12000000 swap=100% dry-run'
[ "$got" = "$want" ] && echo "ok: pressure triggers parse to scope, kind, stall, window, duration, swap and dry-run" ||
	fail "psi.conf: $got"

printf '' >"$d/empty.conf"
got=$("$bin" "$d/empty.conf")
[ -z "$got" ] && echo "ok: an empty file gives no setting and no rule" || fail "empty.conf: $got"

# refuse LINE EXPECTED_MESSAGE: a file whose line 2 is LINE
refuse()
{
	local got
	printf '# line 1\n%s\nreap_delay_ms 1\n' "$1" >"$d/bad.conf"
	got=$("$bin" "$d/bad.conf")
	if [ $? -eq 1 ] && [ "$got" = "error: $d/bad.conf:2: $2" ]; then
		echo "ok: '$1' -> ${got#error: $d/}"
	else
		fail "'$1': got '$got', expected 'error: $d/bad.conf:2: $2'"
	fi
}
refuse "frob-nicate 1" "'frob-nicate' is neither a rule (protect, prefer, class, kill), a pressure trigger nor a setting name (letters, digits and '_', at most 47 bytes)"
refuse "reap_delay_ms" "a setting is 'NAME VALUE': 'reap_delay_ms' has no value"
refuse "reap_delay_ms 1 2" "a setting is 'NAME VALUE': 'reap_delay_ms' has more than one value (quote a value with blanks)"
refuse "1abc 2" "'1abc' is neither a rule (protect, prefer, class, kill), a pressure trigger nor a setting name (letters, digits and '_', at most 47 bytes)"
refuse "protect cgroup" "expected 'protect cgroup|comm|uid VALUE'"
refuse "protect cgroup system.slice" "a cgroup path starts with '/' (relative to the cgroup2 mount, e.g. /system.slice), got 'system.slice'"
refuse "protect cgroup /a/../b" "a cgroup path may not contain '.' or '..' components"
refuse "prefer comm averyveryverylongname" "a command name has 1 to 15 bytes (the kernel's comm), got 'averyveryverylongname'"
refuse "prefer uid root" "uid wants a number from 0 to 4294967294, got 'root'"
refuse "prefer pid 1" "unknown match 'pid'; expected cgroup, comm or uid"
refuse "class 255 uid 1" "class wants a number from 1 to 254 (0 is 'prefer', 255 is 'protect'), got '255'"
refuse "class 5 uid" "expected 'class N cgroup|comm|uid VALUE'"
refuse 'protect cgroup "/unterminated' "unterminated quote"
refuse 'protect cgroup a"b' "a quote may only start a word"
refuse 'protect cgroup "/a"b' "a closing quote must end the word"
refuse "a b c d e f g h i j k" "too many words (a directive has at most 10)"
refuse "kill" "kill wants 'group' (the victim's whole cgroup dies) or 'process' (only its process), got ''"
refuse "kill all cgroup /a" "kill wants 'group' (the victim's whole cgroup dies) or 'process' (only its process), got 'all'"
refuse "kill group comm stress" "expected 'kill group cgroup PATH': a kill mode follows cgroups only"
refuse "kill process cgroup" "expected 'kill process cgroup PATH': a kill mode follows cgroups only"
refuse "kill group cgroup /a extra" "expected 'kill group cgroup PATH': a kill mode follows cgroups only"
refuse "kill group cgroup a" "a cgroup path starts with '/' (relative to the cgroup2 mount, e.g. /system.slice), got 'a'"
refuse "pressure / some 150ms" "expected 'pressure SCOPE some|full STALL WINDOW [for DURATION [swap PCT%]] [dry-run]', e.g. 'pressure / some 150ms 1s'"
refuse "pressure work some 1s 1s" "a pressure scope is '/' (the machine) or a cgroup path from the cgroup2 mount, e.g. /work.slice; got 'work'"
refuse "pressure /a/../b some 1s 1s" "a cgroup path may not contain '.' or '..' components"
refuse "pressure / most 1s 1s" "the stall kind is 'some' (a task stalled) or 'full' (all stalled), got 'most'"
refuse "pressure / some 100ms 400ms" "the window is a time from 500ms to 10s (the range Documentation/accounting/psi.rst gives), got '400ms'"
refuse "pressure / some 100ms 11s" "the window is a time from 500ms to 10s (the range Documentation/accounting/psi.rst gives), got '11s'"
refuse "pressure / some 100 1s" "the stall is a time above 0 and at most the window (1s), with a unit (us, ms, s), got '100'"
refuse "pressure / some 2s 1s" "the stall is a time above 0 and at most the window (1s), with a unit (us, ms, s), got '2s'"
refuse "pressure / some 0ms 1s" "the stall is a time above 0 and at most the window (1s), with a unit (us, ms, s), got '0ms'"
refuse "pressure / some 1ms 1s for" "'for' wants a time up to 3600s, with a unit (us, ms, s), got ''"
refuse "pressure / some 1ms 1s for 3601s" "'for' wants a time up to 3600s, with a unit (us, ms, s), got '3601s'"
refuse "pressure / some 1ms 1s dry-run for 3s" "unexpected 'for' after the window: only 'for DURATION', 'swap PCT%' and then 'dry-run' may follow, in that order"
refuse "pressure / some 1ms 1s now" "unexpected 'now' after the window: only 'for DURATION', 'swap PCT%' and then 'dry-run' may follow, in that order"
refuse "pressure / some 1ms 1s for 5s dry-run swap 90%" "unexpected 'swap' after the window: only 'for DURATION', 'swap PCT%' and then 'dry-run' may follow, in that order"
refuse "pressure / some 1ms 1s swap 90%" "'swap PCT%' follows 'for DURATION': a line without a duration acts at every trip already"
refuse "pressure / some 1ms 1s for 0s swap 90%" "'swap PCT%' follows 'for DURATION': a line without a duration acts at every trip already"
refuse "pressure / some 1ms 1s for 5s swap" "'swap' wants a share of swap used from 1% to 100%, e.g. 'swap 90%', got ''"
refuse "pressure / some 1ms 1s for 5s swap 90" "'swap' wants a share of swap used from 1% to 100%, e.g. 'swap 90%', got '90'"
refuse "pressure / some 1ms 1s for 5s swap 0%" "'swap' wants a share of swap used from 1% to 100%, e.g. 'swap 90%', got '0%'"
refuse "pressure / some 1ms 1s for 5s swap 101%" "'swap' wants a share of swap used from 1% to 100%, e.g. 'swap 90%', got '101%'"
refuse "pressure / some 1ms 1s for 5s swap 9.5%" "'swap' wants a share of swap used from 1% to 100%, e.g. 'swap 90%', got '9.5%'"
refuse "pressure / some 1ms 1s for 5s swap -5%" "'swap' wants a share of swap used from 1% to 100%, e.g. 'swap 90%', got '-5%'"

for key in "reap_delay_ms 1" "rank size" "my_knob 100"; do
	printf '%s\n%s\n' "$key" "$key" >"$d/twice.conf"
	got=$("$bin" "$d/twice.conf")
	[ "$got" = "error: $d/twice.conf:2: ${key% *} is set twice (first at line 1)" ] &&
		echo "ok: '${key% *}' given twice is refused" || fail "twice.conf ($key): $got"
done

printf 'reap_delay_ms 1\n\0\n' >"$d/nul.conf"
got=$("$bin" "$d/nul.conf")
[ "$got" = "error: $d/nul.conf:2: NUL byte: this is not a text file" ] &&
	echo "ok: a binary file is refused" || fail "nul.conf: $got"

for i in $(seq 1 257); do echo "prefer uid $i"; done >"$d/many.conf"
got=$("$bin" "$d/many.conf")
[ "$got" = "error: $d/many.conf:257: too many rules (at most 256)" ] &&
	echo "ok: rule 257 is refused" || fail "many.conf: $got"

got=$("$bin" "$d/missing.conf")
[ "$got" = "error: $d/missing.conf: cannot open: No such file or directory" ] &&
	echo "ok: a missing file is named" || fail "missing.conf: $got"

# the files 'make install' puts in /etc/oomx
for f in etc/oomx/*.conf; do
	"$bin" "$f" >/dev/null && echo "ok: $f parses" || fail "$f: $("$bin" "$f")"
done

"$bin" --fuzz 50000 || fail "the fuzz run failed"
exit $rc
