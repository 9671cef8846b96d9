# SPDX-License-Identifier: GPL-2.0
# vm: -m 256M -t 900
#
# The short soak: 10 OOMs in a row (8 memcg, 2 global) under no policy and
# under each built-in policy, each killing exactly its one victim, every
# kill reported as one event, none lost (scripts/soak-guest.sh; the long
# run is scripts/soak.sh).
export SOAK_SCENES=10 SOAK_GLOBAL_EVERY=5 SOAK_POLICIES="none default priority pressure"
. scripts/soak-guest.sh
