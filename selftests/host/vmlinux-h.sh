# SPDX-License-Identifier: GPL-2.0
# The committed vmlinux/vmlinux.h must match the BTF of the kernel that
# 'make kernel' built from this tree's patches and config.
exec scripts/gen-vmlinux-h.sh --check
