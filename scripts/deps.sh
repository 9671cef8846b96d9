#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages oomx needs, only those missing. Idempotent: with
# everything present it does nothing and touches nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	# kernel build
	make gcc bc flex bison libssl-dev libelf-dev zlib1g-dev dwarves cpio
	xz-utils perl python3 git
	# BPF toolchain (sched_ext asks for clang >= 16)
	clang-16 llvm-16
	# bpftool optional features
	libcap-dev binutils-dev pkg-config
	# VM tests
	qemu-system-x86 busybox-static
	# tests: JSON checks, the event schema, leak checks
	jq python3-jsonschema valgrind
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	die "missing Debian packages: ${missing[*]}" \
		"install them as root: apt-get install ${missing[*]}"
fi

stage "installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be empty on a fresh machine; refresh them once.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"${TMPDIR:-/tmp}/oomx-apt.log" 2>&1; then
	apt-get update -q >>"${TMPDIR:-/tmp}/oomx-apt.log" 2>&1 ||
		die "apt-get update failed (see ${TMPDIR:-/tmp}/oomx-apt.log)" \
			"check the machine can reach its Debian mirror"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >>"${TMPDIR:-/tmp}/oomx-apt.log" 2>&1 ||
		die "apt-get install failed (see ${TMPDIR:-/tmp}/oomx-apt.log)" \
			"install by hand: apt-get install ${missing[*]}"
fi
info "installed ${#missing[@]} package(s)"
