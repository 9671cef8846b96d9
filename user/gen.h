/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration generations of a pinned policy (bpf/oomx.bpf.h): how "oomx
 * apply" and "oomx set" change a loaded policy so that every OOM sees one
 * whole configuration, the old or the new.
 */
#ifndef __OOMX_GEN_H
#define __OOMX_GEN_H

#include <stdbool.h>
#include "config.h"

/*
 * gen_switch: make @cfg the pinned policy's configuration. With
 * @only_given, only the settings @cfg sets change and the rules stay (oomx
 * set); otherwise every setting and, for a policy with @rules, the rules
 * are replaced (oomx apply). The caller holds pin_lock(). Returns 0, or 1
 * with the reason printed; on failure the configuration in force is the
 * old one.
 */
int gen_switch(const char *cmd, bool rules, const struct oomx_config *cfg, bool only_given);

#endif
