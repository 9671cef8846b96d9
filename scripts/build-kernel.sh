#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - fetch Debian's linux-source-6.12, apply kernel/patches,
# configure from kernel/config/oomx.config and build bzImage + vmlinux (BTF).
#
# Everything lives in $OOMX_CACHE (default ~/.cache/oomx):
#   dl/                        the downloaded .deb
#   src/linux-<ver>/           git tree: tag "pristine" + one commit per patch
#   build/linux-<ver>/         O= build directory (bzImage, vmlinux)
#   kernel.env                 what the last successful build produced
#   source.env                 the source tree (--source-only stops there)
#
# The build is keyed on (source version, series + every patch, config
# fragment, this recipe). An unchanged key does nothing; a changed patch
# re-applies the series and rebuilds incrementally (make only recompiles
# the files whose content changed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	cat <<EOF
Usage: $(basename "$0") [--version VER] [--jobs N] [--unpatched] [--bench] [--source-only] [--help]

Build the oomx kernel (Debian $OOMX_SRC_PKG + kernel/patches/series).

  --version VER  use this Debian package version of $OOMX_SRC_PKG
                 (default: \$OOMX_KERNEL_VERSION, else apt's candidate)
  --jobs N       parallel make jobs (default: nproc = $(nproc))
  --unpatched    build the same source and configuration without the series,
                 in its own tree and output directory (the baseline that
                 benchmarks and the second-kill reproducer compare against);
                 its state goes to \$OOMX_CACHE/kernel-unpatched.env
  --bench        build without the lock debugging of kernel/config/oomx.config
                 (PROVE_LOCKING, PROVE_RCU, DEBUG_ATOMIC_SLEEP: what a
                 distribution kernel ships without), in its own output
                 directory: the kernel 'make bench' measures; with
                 --unpatched, its baseline. State: kernel-bench.env,
                 kernel-bench-unpatched.env
  --source-only  fetch and unpack the source, record it in
                 \$OOMX_CACHE/source.env and stop: what libbpf and bpftool
                 (make tools, make install) need, without a kernel build

Cache: $OOMX_CACHE (set OOMX_CACHE to move it, 'make clean-cache' to clear it).
EOF
}

want_ver=${OOMX_KERNEL_VERSION:-}
jobs=$(nproc)
unpatched=0
bench=0
state=
source_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--source-only) source_only=1; shift ;;
	--version) want_ver=${2:?--version needs a value}; shift 2 ;;
	--jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
	--unpatched) unpatched=1; shift ;;
	--bench) bench=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" "see --help" ;;
	esac
done

patch_dir=$OOMX_ROOT/kernel/patches
series=$patch_dir/series
fragment=$OOMX_ROOT/kernel/config/oomx.config
mkdir -p "$OOMX_CACHE"/{dl,src,build}

# ---------------------------------------------------------------- version --
# pick_version: the package version to build, from --version, apt, or the
# newest .deb already downloaded (so a machine without apt lists still works).
pick_version()
{
	local v
	if [ -n "$want_ver" ]; then
		echo "$want_ver"
		return
	fi
	v=$(apt-cache policy "$OOMX_SRC_PKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			apt-get update -q >/dev/null 2>&1 || true
			v=$(apt-cache policy "$OOMX_SRC_PKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
		fi
	fi
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		v=$(find "$OOMX_CACHE/dl" -name "${OOMX_SRC_PKG}_*_all.deb" -printf '%f\n' 2>/dev/null |
			sed "s/^${OOMX_SRC_PKG}_//; s/_all.deb\$//; s/%3a/:/" | sort -V | tail -n 1)
	fi
	[ -n "$v" ] || die "cannot find a version of $OOMX_SRC_PKG" \
		"run 'apt-get update' (as root), or set OOMX_KERNEL_VERSION"
	echo "$v"
}

stage "resolving $OOMX_SRC_PKG version"
pkgver=$(pick_version)
# 6.12.117-1~deb12u1 -> 6.12.117-1_deb12u1: a safe directory name
tag=$(echo "$pkgver" | tr '~:' '__')
tree=$OOMX_CACHE/src/linux-$tag
out=$OOMX_CACHE/build/linux-$tag
info "using $OOMX_SRC_PKG $pkgver"

# --------------------------------------------------------------- download --
deb=$(find "$OOMX_CACHE/dl" -name "${OOMX_SRC_PKG}_$(echo "$pkgver" | sed 's/:/%3a/')_all.deb" | head -n 1)
if [ -z "$deb" ]; then
	stage "downloading $OOMX_SRC_PKG=$pkgver (about 150 MB)"
	(cd "$OOMX_CACHE/dl" && apt-get download -q "$OOMX_SRC_PKG=$pkgver" >download.log 2>&1) ||
		die "apt-get download $OOMX_SRC_PKG=$pkgver failed (log: $OOMX_CACHE/dl/download.log)" \
			"check 'apt-cache policy $OOMX_SRC_PKG' lists that version, or pick one with --version"
	deb=$(find "$OOMX_CACHE/dl" -name "${OOMX_SRC_PKG}_*$(echo "$pkgver" | sed 's/.*://')_all.deb" | head -n 1)
	[ -n "$deb" ] || die "the download of $OOMX_SRC_PKG=$pkgver left no .deb in $OOMX_CACHE/dl"
fi

# ---------------------------------------------------------------- extract --
git_tree()
{
	tree_git "$tree" "$@"
}

if ! git_tree rev-parse -q --verify pristine >/dev/null 2>&1; then
	stage "extracting $(basename "$deb") into $tree"
	tmp=$(mktemp -d "$OOMX_CACHE/src/.extract.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$OOMX_SRC_PKG.tar.xz" | tar -xJ -C "$tmp"
	[ -f "$tmp/$OOMX_SRC_PKG/Makefile" ] ||
		die "$deb did not contain usr/src/$OOMX_SRC_PKG.tar.xz with a kernel tree"
	stage "recording the pristine tree in git (once per source version)"
	git -C "$tmp/$OOMX_SRC_PKG" init -q
	git -C "$tmp/$OOMX_SRC_PKG" -c core.autocrlf=false add -A -f .
	git -C "$tmp/$OOMX_SRC_PKG" -c user.name=oomx -c user.email=oomx@localhost \
		commit -q -m "$OOMX_SRC_PKG $pkgver (pristine)"
	git -C "$tmp/$OOMX_SRC_PKG" tag pristine
	rm -rf "$tree"
	mv "$tmp/$OOMX_SRC_PKG" "$tree"
	rm -rf "$tmp"
	trap - EXIT
fi
kver=$(make -s -C "$tree" kernelversion)
write_source_state "$OOMX_SRC_PKG $pkgver" "$tree"
if [ $source_only -eq 1 ]; then
	stage "source of $kver ready: $tree"
	exit 0
fi

# The unpatched baseline: a worktree of the pristine commit, its own build
# directory, and the fragment without the options only the series adds.
if [ $unpatched -eq 1 ]; then
	utree=$tree-unpatched
	if ! git -C "$utree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		stage "creating the unpatched worktree $utree"
		rm -rf "$utree"
		git_tree worktree prune
		git_tree worktree add -q --detach "$utree" pristine ||
			die "cannot create the worktree $utree" "check the disk space of $OOMX_CACHE"
	fi
	tree=$utree
	out=$out-unpatched
	mkdir -p "$out"
	grep -v 'CONFIG_OOM_EXT' "$fragment" >"$out/oomx.config.unpatched"
	fragment=$out/oomx.config.unpatched
	series=/dev/null
	state=unpatched
	OOMX_KERNEL_STATE=unpatched
	export OOMX_KERNEL_STATE
fi
# The benchmarks' kernel: the same options but the lock debugging, which
# multiplies the cost of every lock the OOM path takes; checked to be off.
# High-resolution timers, as a distribution's kernel has them: without
# them perf's cpu-clock samples at HZ, too coarse to profile one OOM.
if [ $bench -eq 1 ]; then
	state=bench
	[ $unpatched -eq 0 ] || state=bench-unpatched
	out=$OOMX_CACHE/build/linux-$tag-$state
	mkdir -p "$out"
	{
		grep -vE '^CONFIG_(PROVE_LOCKING|PROVE_RCU|DEBUG_ATOMIC_SLEEP)=' "$fragment"
		echo "# --- the benchmarks' kernel (build-kernel.sh --bench): no lock debugging"
		for opt in PROVE_LOCKING PROVE_RCU DEBUG_ATOMIC_SLEEP LOCKDEP LOCK_STAT DEBUG_LOCK_ALLOC; do
			echo "# CONFIG_$opt is not set"
		done
		echo "CONFIG_HIGH_RES_TIMERS=y"
	} >"$out/oomx.config.bench"
	fragment=$out/oomx.config.bench
	OOMX_KERNEL_STATE=$state
	export OOMX_KERNEL_STATE
fi
info "kernel $kver from $OOMX_SRC_PKG $pkgver${state:+ ($state)}"

# ------------------------------------------------------------------ keys ---
patches=()
if [ -f "$series" ]; then
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$patch_dir/$p" ] || die "kernel/patches/series names '$p', which does not exist" \
			"add the file or remove the line from kernel/patches/series"
		patches+=("$p")
	done <"$series"
fi

series_key=$( {
	echo "recipe $OOMX_KERNEL_RECIPE"
	[ $unpatched -eq 0 ] || echo unpatched
	for p in "${patches[@]}"; do
		echo "$p"
		cat "$patch_dir/$p"
	done
} | sha256sum | cut -c1-16)
config_key=$( { echo "recipe $OOMX_KERNEL_RECIPE $pkgver"; cat "$fragment"; } |
	sha256sum | cut -c1-16)
key="$tag-$series_key-$config_key"

write_state()
{
	local f
	f=$(kernel_state_file)
	cat >"$f.tmp" <<EOF
# written by scripts/build-kernel.sh; describes the last successful build
KPKG='$OOMX_SRC_PKG $pkgver'
KVER='$kver'
KSRC='$tree'
KOUT='$out'
BZIMAGE='$out/arch/x86/boot/bzImage'
VMLINUX='$out/vmlinux'
KEY='$key'
NPATCHES=${#patches[@]}
EOF
	mv "$f.tmp" "$f"
}

if [ "$(cat "$out/.oomx-key" 2>/dev/null)" = "$key" ] &&
	[ -f "$out/arch/x86/boot/bzImage" ] && [ -f "$out/vmlinux" ] &&
	{ [ $unpatched -eq 1 ] || [ "$(cat "$tree/.git/oomx-series" 2>/dev/null)" = "$series_key" ]; }; then
	write_state
	stage "kernel $kver with ${#patches[@]} patch(es) is up to date (key $key)"
	exit 0
fi

# ---------------------------------------------------------------- patches --
if [ $unpatched -eq 0 ] && [ "$(cat "$tree/.git/oomx-series" 2>/dev/null)" != "$series_key" ]; then
	stage "applying ${#patches[@]} patch(es) from kernel/patches/series"
	if [ -n "$(git_tree status --porcelain --untracked-files=no)" ]; then
		die "the cached tree $tree has local edits; refusing to reset it" \
			"develop in your own clone (git clone $tree), or discard them: git -C $tree reset --hard"
	fi
	# Apply the series in a scratch worktree, then move the tree from the
	# old series' commit to the new one: git rewrites only the files whose
	# content differs, so make rebuilds only what the change affects (a
	# header that every patch version touches is not rebuilt each time).
	wt=$OOMX_CACHE/src/.series.$$
	trap 'git_tree worktree remove --force "$wt" >/dev/null 2>&1; rm -rf "$wt"' EXIT
	git_tree worktree prune
	git_tree worktree add -q --detach "$wt" pristine ||
		die "cannot create a scratch worktree in $wt" "check the disk space of $OOMX_CACHE"
	rm -f "$tree/.git/oomx-series"
	for p in "${patches[@]}"; do
		if ! tree_git "$wt" am -q --whitespace=nowarn "$patch_dir/$p" >"$OOMX_CACHE/am.log" 2>&1; then
			tree_git "$wt" am --abort >/dev/null 2>&1 || true
			echo "error: patch $p does not apply to $OOMX_SRC_PKG $pkgver:" >&2
			# git am's own advice (--continue, --skip) does not apply:
			# the am was aborted. Show which file and hunk failed.
			tree_git "$wt" apply --check --verbose "$patch_dir/$p" 2>&1 |
				awk '!seen[$0]++' | head -n 15 | sed 's/^/       /' >&2 || true
			die "stopped at kernel/patches/$p" \
				"rebase that patch onto $kver (see the failing hunk above)"
		fi
		info "applied $p"
	done
	git_tree checkout -q --detach "$(tree_git "$wt" rev-parse HEAD)" ||
		die "cannot check out the patched tree in $tree" "reset it: git -C $tree reset --hard pristine"
	git_tree worktree remove --force "$wt"
	trap - EXIT
	echo "$series_key" >"$tree/.git/oomx-series"
fi

# ----------------------------------------------------------------- config --
mk()
{
	kmake "$tree" "$out" "$@"
}

# fragment_mismatches: the lines of the fragment the current .config breaks.
fragment_mismatches()
{
	local line opt
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$out/.config" || echo "$line" ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$out/.config" || echo "$line" ;;
		esac
	done <"$fragment"
}

# Reconfigure when the fragment changed, and also when the .config no longer
# matches it: a build of a series prefix (make check-series) drops options
# whose Kconfig entry a later patch adds.
if [ "$(cat "$out/.oomx-config-key" 2>/dev/null)" != "$config_key" ] || [ ! -f "$out/.config" ] ||
	[ -n "$(fragment_mismatches)" ]; then
	stage "configuring: tinyconfig + kernel/config/oomx.config"
	mkdir -p "$out"
	mk -s tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >/dev/null
	mk -s olddefconfig
	bad=$(fragment_mismatches | paste -sd ' ')
	if [ -n "$bad" ]; then
		die "these options of kernel/config/oomx.config did not take effect: $bad" \
			"add the options they depend on to the fragment (see 'make menuconfig' help)"
	fi
	echo "$config_key" >"$out/.oomx-config-key"
	rm -f "$out/.oomx-key"
fi

# ------------------------------------------------------------------ build --
log=$out/build.log
expect=$(cat "$out/.oomx-nobjs" 2>/dev/null || echo 0)
# Only a build from an empty directory gives the step count to expect.
scratch=0
[ -f "$out/vmlinux" ] || scratch=1
stage "building bzImage + vmlinux with $jobs job(s) (log: $log)"
[ $scratch -eq 0 ] || info "a first build takes about 15 minutes on 2 cores"
rm -f "$out/.oomx-key"
mk -j"$jobs" bzImage >"$log" 2>&1 &
mpid=$!
# A progress line every 20 s; the compiler's own output stays in the log.
while kill -0 "$mpid" 2>/dev/null; do
	for _ in $(seq 20); do
		kill -0 "$mpid" 2>/dev/null || break
		sleep 1
	done
	kill -0 "$mpid" 2>/dev/null || break
	n=$(grep -cE '^  (CC|AS|LD|AR|BTF|GEN)' "$log" || true)
	last=$( (grep -E '^  (CC|AS|LD|AR|BTF)' "$log" || true) | tail -n 1 | awk '{print $1, $2}')
	if [ "$expect" -gt 0 ] && [ $scratch -eq 1 ]; then
		pct=$((n * 100 / expect))
		[ $pct -gt 99 ] && pct=99
		info "[$(elapsed)] $n/$expect steps (~$pct%), last: $last"
	else
		info "[$(elapsed)] $n steps, last: $last"
	fi
done
if ! wait "$mpid"; then
	echo "error: the kernel build failed; the last lines of $log:" >&2
	grep -E 'error|Error' "$log" | head -n 20 | sed 's/^/       /' >&2
	tail -n 20 "$log" | sed 's/^/       /' >&2
	die "kernel build failed" "fix the error above (a patch in kernel/patches?), then run 'make kernel' again"
fi
[ -f "$out/vmlinux" ] || die "the build finished but $out/vmlinux is missing"
if [ $scratch -eq 1 ]; then
	grep -cE '^  (CC|AS|LD|AR|BTF|GEN)' "$log" >"$out/.oomx-nobjs" || true
fi
echo "$key" >"$out/.oomx-key"
write_state
stage "built kernel $kver ($OOMX_SRC_PKG $pkgver, ${#patches[@]} patch(es)): $out/arch/x86/boot/bzImage"
