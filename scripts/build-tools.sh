#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-tools.sh - build libbpf (static) and bpftool from the kernel tree that
# 'make kernel' prepared. Debian's libbpf 1.1 / bpftool 7.1 are too old for
# struct_ops links; the 6.12 tree carries libbpf 1.5 and bpftool 7.5.
#
# Output: $OOMX_CACHE/tools/<tree>/{libbpf/libbpf.a,include/bpf/*.h,bpftool/bpftool}
# and the stable link $OOMX_CACHE/tools/current that the Makefile uses.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h|--help)
	echo "Usage: $(basename "$0")"
	echo "Build libbpf.a and bpftool from the unpacked kernel source (build-kernel.sh --source-only)."
	exit 0 ;;
esac

load_source_state
name=$(basename "$KSRC")
out=$OOMX_CACHE/tools/$name
stamp="$KPKG recipe $OOMX_KERNEL_RECIPE clang-16"

if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ] &&
	[ -x "$out/bpftool/bpftool" ] && [ -f "$out/libbpf/libbpf.a" ]; then
	ln -sfn "$name" "$OOMX_CACHE/tools/current"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/libbpf" "$out/bpftool"
stage "building libbpf (static) from $KPKG"
make -C "$KSRC/tools/lib/bpf" -j"$(nproc)" OUTPUT="$out/libbpf/" \
	DESTDIR="$out" prefix= \
	"$out/libbpf/libbpf.a" install_headers >"$out/libbpf.log" 2>&1 ||
	die "libbpf build failed (log: $out/libbpf.log)" "run 'make deps', then retry"

stage "building bpftool from $KPKG"
make -C "$KSRC/tools/bpf/bpftool" -j"$(nproc)" OUTPUT="$out/bpftool/" \
	CLANG=clang-16 LLVM_STRIP=llvm-strip-16 >"$out/bpftool.log" 2>&1 ||
	die "bpftool build failed (log: $out/bpftool.log)" "run 'make deps', then retry"
info "$("$out/bpftool/bpftool" version | head -n 2 | paste -sd ' ')"

echo "$stamp" >"$out/.stamp"
ln -sfn "$name" "$OOMX_CACHE/tools/current"
