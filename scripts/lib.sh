# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers for the oomx build and test scripts. Source it; do not run it.
#
# Every path the scripts agree on is computed here, once:
#   OOMX_ROOT   the repository
#   OOMX_CACHE  kernel sources, kernel builds and tools (outside the repo)
#   OOMX_BUILD  repo-local build products (BPF objects, binaries, test logs)

OOMX_ROOT=${OOMX_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OOMX_CACHE=${OOMX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oomx}
OOMX_BUILD=${OOMX_BUILD:-$OOMX_ROOT/build}
OOMX_SRC_PKG=linux-source-6.12

# Bump when a change to the build scripts must invalidate cached kernels.
OOMX_KERNEL_RECIPE=1

oomx_t0=${oomx_t0:-$(date +%s)}

# elapsed: seconds since the script started, as "1m05s".
elapsed()
{
	local s=$(($(date +%s) - oomx_t0))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# stage NAME: announce a long step, with the elapsed time so far.
stage()
{
	printf '==> [%s] %s\n' "$(elapsed)" "$*"
}

info()
{
	printf '    %s\n' "$*"
}

# die MSG...: print an error that says what is wrong and what to do, then exit 1.
die()
{
	printf 'error: %s\n' "$1" >&2
	shift
	local l
	for l in "$@"; do
		printf '       %s\n' "$l" >&2
	done
	exit 1
}

# kmake TREE OUT ARGS...: make in the kernel TREE with O=OUT. The fixed
# build timestamp is not cosmetic: it is what keeps pahole 1.24 from its
# non-reproducible parallel BTF encoding (scripts/Makefile.btf), on which the
# vmlinux.h staleness check relies. Every kernel build goes through here.
kmake()
{
	local tree=$1 out=$2
	shift 2
	make -C "$tree" O="$out" ARCH=x86_64 \
		KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' \
		KBUILD_BUILD_USER=oomx KBUILD_BUILD_HOST=oomx "$@"
}

# tree_git TREE ARGS...: git in a cached kernel tree, with the identity that
# git am needs for its commits.
tree_git()
{
	local tree=$1
	shift
	git -C "$tree" -c user.name=oomx -c user.email=oomx@localhost \
		-c advice.detachedHead=false "$@"
}

# kernel_state_file: where build-kernel.sh records what it built last.
kernel_state_file()
{
	echo "$OOMX_CACHE/kernel${OOMX_KERNEL_STATE:+-$OOMX_KERNEL_STATE}.env"
}

# write_source_state PKG TREE: record the unpacked source (build-kernel.sh).
write_source_state()
{
	local f=$OOMX_CACHE/source.env
	printf "# written by scripts/build-kernel.sh: the unpacked kernel source\nKPKG='%s'\nKSRC='%s'\n" \
		"$1" "$2" >"$f.tmp" && mv "$f.tmp" "$f"
}

# load_source_state: sets KPKG and KSRC, the kernel source tools build from.
load_source_state()
{
	local f=$OOMX_CACHE/source.env
	[ -r "$f" ] || die "the kernel source is not unpacked yet (missing $f)" \
		"run 'make tools' (or 'make kernel')"
	# shellcheck disable=SC1090
	. "$f"
	[ -d "$KSRC/tools/lib/bpf" ] || die "the kernel source $KSRC is gone" "run 'make tools' again"
}

# load_kernel_state: sets KVER, KSRC, KOUT, BZIMAGE, VMLINUX, KEY from the last
# successful `make kernel`, or fails with instructions.
load_kernel_state()
{
	local f
	f=$(kernel_state_file)
	[ -r "$f" ] || die "no kernel has been built yet (missing $f)" \
		"run 'make kernel' first"
	# shellcheck disable=SC1090
	. "$f"
	[ -r "$BZIMAGE" ] || die "the kernel image $BZIMAGE is gone" \
		"run 'make kernel' to rebuild it"
}
