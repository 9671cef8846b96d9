# SPDX-License-Identifier: GPL-2.0
# A policy of one's own, on the host (no oom_ext kernel needed): the
# example of docs/policy-guide.md, taken from the page, builds outside the
# tree with 'make policy SRC=...'; 'oomx check' finds its tunable by name
# in its BTF and checks a configuration against its bounds, all or nothing;
# and every framework rule a policy author can break fails at compile time
# with the message the guide's table gives.
set -u
. selftests/host-lib.sh
B=${OOMX_BUILD:-$PWD/build}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT


# the code block that follows the guide's marker for newest.bpf.c
selftests/guide-example newest.bpf.c "$d/newest.bpf.c" || fail "the guide's example"
echo "ok: the guide's policy has $(wc -l <"$d/newest.bpf.c") lines, $(grep -c '^OOMX_TUNABLE' "$d/newest.bpf.c") of them tunables"

if make -s policy SRC="$d/newest.bpf.c" >"$d/make.out" 2>&1 && [ -s "$d/newest.bpf.o" ]; then
	echo "ok: make policy SRC=$d/newest.bpf.c"
else
	fail "make policy: $(cat "$d/make.out")"
fi


printf 'min_mib 32\nreap_delay_ms 100\n' >"$d/newest.conf"
expect 0 "$d/newest.conf: valid for the newest policy (2 settings, 0 rules, 0 pressure triggers)" check -c "$d/newest.conf" "$d/newest.bpf.o"
printf 'min_mib lots\n' >"$d/bad.conf"
expect 1 "$d/bad.conf:1: min_mib wants an integer from 0 to 1048576, got 'lots'" check -c "$d/bad.conf" "$d/newest.bpf.o"
printf 'reap_delay_ms 5\nmin_mib 1048577\n' >"$d/bad2.conf"
expect 1 "$d/bad2.conf:2: min_mib wants an integer from 0 to 1048576, got '1048577'" check -c "$d/bad2.conf" "$d/newest.bpf.o"
printf 'max_mib 3\n' >"$d/bad3.conf"
expect 1 "$d/bad3.conf:1: the newest policy has no setting 'max_mib'; its settings are: reap_delay_ms, victim_timeout_ms, min_mib" check -c "$d/bad3.conf" "$d/newest.bpf.o"
printf 'prefer comm x\n' >"$d/bad4.conf"
expect 1 "$d/bad4.conf:1: the newest policy takes no rules" check -c "$d/bad4.conf" "$d/newest.bpf.o"
expect 1 "oomx check: cannot open the policy file /etc/hostname: BPF object format invalid" check -c "$d/newest.conf" /etc/hostname
# the built-in policies through the same code
printf 'rank growth\ngrowth_interval_ms 250\nprotect comm db\n' >"$d/prio.conf"
expect 0 "valid for the priority policy (2 settings, 1 rule, 0 pressure triggers)" check -c "$d/prio.conf" priority
printf 'rank fastest\n' >"$d/prio2.conf"
expect 1 "$d/prio2.conf:1: rank is one of: size, growth; got 'fastest'" check -c "$d/prio2.conf" priority
printf 'reap_delay_ms default\nvictim_timeout_ms 3600001\n' >"$d/prio3.conf"
expect 1 "$d/prio3.conf:2: victim_timeout_ms wants an integer from 0 to 3600000, got '3600001'" check -c "$d/prio3.conf" pressure
for f in etc/oomx/*.conf; do
	p=$(basename "$f" .conf)
	expect 0 "valid for the $p policy" check -c "$f" "$p"
done
"$OOMX" list --settings | grep -qE '^    growth_interval_ms +1000 +100\.\.60000 +how often growth is sampled' &&
	echo "ok: oomx list --settings shows priority's growth_interval_ms from its BTF" ||
	fail "oomx list --settings: $("$OOMX" list --settings)"

# refuse NAME MESSAGE: the policy on stdin must not compile, with MESSAGE
refuse()
{
	local name=$1 msg=$2
	cat >"$d/$name.bpf.c"
	if make -s policy SRC="$d/$name.bpf.c" >"$d/$name.out" 2>&1; then
		fail "$name: compiled"
	elif grep -qF -- "$msg" "$d/$name.out"; then
		echo "ok: $name: '$msg'"
	else
		fail "$name: $(grep error "$d/$name.out" | head -3)"
	fi
}
head='#define OOMX_POLICY_NAME "t"
#define OOMX_SCORE my_score
#include "oomx.bpf.h"'
fn='static s64 my_score(struct task_struct *p, struct oom_control *oc, s64 points) { return points; }'
refuse noname 'a policy names itself: #define OOMX_POLICY_NAME' <<<'#include "oomx.bpf.h"'
refuse noscore 'a policy decides something: #define OOMX_SCORE my_score' <<<'#define OOMX_POLICY_NAME "t"
#include "oomx.bpf.h"'
refuse nofn "function 'my_score' has internal linkage but is not defined" <<<"$head"
refuse badsig "conflicting types for 'my_score'" <<<"$head
static s64 my_score(struct task_struct *p) { return 0; }"
refuse longname 'OOMX_POLICY_NAME is at most 31 bytes' <<<"#define OOMX_POLICY_NAME \"a_name_of_thirty_two_bytes_long_\"
#define OOMX_SCORE my_score
#include \"oomx.bpf.h\"
$fn"
refuse baddefault 'k: the default is not between min and max' <<<"$head
OOMX_TUNABLE(__u32, k, 5, 10, 20, \"h\");
$fn"
refuse structtunable 'k: a tunable is an integer or an enum of at most 8 bytes' <<<"$head
struct s { long a, b; };
OOMX_TUNABLE(struct s, k, 5, 0, 20, \"h\");
$fn"
refuse narrowtunable 'k: min or max does not fit the type' <<<"$head
OOMX_TUNABLE(__u8, k, 5, 0, 1000, \"h\");
$fn"
refuse nottunable "use of undeclared identifier 'oomx_tunable__k'" <<<"$head
__u32 k[2];
static s64 my_score(struct task_struct *p, struct oom_control *oc, s64 points) { return oomx_get(k); }"

# what only the loader can see
cat >"$d/reserved.bpf.c" <<<"$head
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } settings SEC(\".maps\");
$fn"
make -s policy SRC="$d/reserved.bpf.c" >/dev/null 2>&1 || fail "reserved did not compile"
expect 1 "has a map named 'settings', a name oomx pins its own files under; rename the map" check -c "$d/newest.conf" "$d/reserved.bpf.o"
cat >"$d/plaincfg.bpf.c" <<<"$head
__u32 stray SEC(\".data.cfg\");
$fn"
make -s policy SRC="$d/plaincfg.bpf.c" >/dev/null 2>&1 || fail "plaincfg did not compile"
expect 1 "'stray' in SEC(\".data.cfg\") is not a tunable: declare settings with OOMX_TUNABLE()" check -c "$d/newest.conf" "$d/plaincfg.bpf.o"
exit $rc
