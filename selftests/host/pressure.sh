# SPDX-License-Identifier: GPL-2.0
# The pressure triggers' decisions (user/pressure.c), without a kernel:
# reading PSI files, when a trip acts (the stall averaged over the
# duration, quiet spells, the hold after an action, retries while a victim
# exits) and what a trip measured. The
# kernel side, PSI triggers and the OOM they start: vm/oomx-watch.
set -u
B=${OOMX_BUILD:-$PWD/build}
"$B/selftests/pressure_test"
