#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages oomx needs, only those missing. Idempotent: with
# everything present it does nothing and touches nothing.
#
#   deps.sh           everything: the kernel, the VM tests, the loader
#   deps.sh --build   only what building and installing the loader needs
#                     (make install): no kernel build, no QEMU
#   --list            print the packages instead of installing them
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build=(
	# the loader, libbpf and bpftool (built from the unpacked kernel source)
	make gcc pkg-config libelf-dev zlib1g-dev libcap-dev binutils-dev
	xz-utils git
	# BPF toolchain (sched_ext asks for clang >= 16)
	clang-16 llvm-16
)
full=(
	# kernel build
	bc flex bison libssl-dev dwarves cpio perl python3
	# VM tests
	qemu-system-x86 busybox-static
	# tests: JSON checks, the event schema, leak checks, the metrics
	# (promtool) and their HTTP scrape
	jq python3-jsonschema valgrind prometheus curl
	# the Kubernetes example, checked client-side (no cluster); any kubectl
	# already installed will do (PACKAGE|COMMAND: the command suffices)
	'kubernetes-client|kubectl' python3-yaml
	# the systemd guest image (Debian 12, built from the archive) and the
	# kernel as a Debian package (bindeb-pkg)
	mmdebstrap e2fsprogs dpkg-dev debhelper fakeroot rsync kmod
	# the side-by-side comparison (docs/compare.md) runs earlyoom in the VM
	earlyoom
	# make bench profiles the OOM killer's scan in the VM (its cost part)
	'linux-perf|perf'
)
list=0
pkgs=("${build[@]}" "${full[@]}")
while [ $# -gt 0 ]; do
	case "$1" in
	--build) pkgs=("${build[@]}") ;;
	--list) list=1 ;;
	-h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1'" "run $(basename "$0") --help" ;;
	esac
	shift
done
if [ $list -eq 1 ]; then
	printf '%s\n' "${pkgs[@]%%|*}"
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	if [ "${p#*|}" != "$p" ]; then
		command -v "${p#*|}" >/dev/null && continue
		p=${p%%|*}
	fi
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
# earlyoom is for the VM only: its package starts it on this machine too
if printf '%s\n' "${missing[@]}" | grep -qx earlyoom && command -v systemctl >/dev/null; then
	systemctl disable --now earlyoom.service >/dev/null 2>&1 || true
	info "earlyoom.service disabled on this machine (oomx runs earlyoom in the VM only)"
fi
