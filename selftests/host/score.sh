# SPDX-License-Identifier: GPL-2.0
# The built-in policies' arithmetic on the host (selftests/progs/score_test.c
# includes the same headers as the BPF programs): orderings and bounds of
# priority's and pressure's scores and the growth sampler's rate, under
# ASan and UBSan. Exit status: the number of failed checks.
set -u
"${OOMX_BUILD:-$PWD/build}/selftests/score_test"
