/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy's tunables, found by name in its BTF (OOMX_TUNABLE() in
 * bpf/oomx.bpf.h): tunable NAME is the array NAME[2] in the .data.cfg
 * section, one slot per configuration generation parity, and its bounds,
 * default and help are struct oomx_tunable_info oomx_tunable__NAME in
 * .rodata. The same code reads them from a policy object before it is
 * loaded (oomx run, load, check) and from a loaded policy's pinned maps
 * (oomx set, apply, status), so oomx handles a policy it has never heard
 * of exactly as it handles its own.
 */
#ifndef __OOMX_TUNABLES_H
#define __OOMX_TUNABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/btf.h>
#include <linux/types.h>
#include "config.h"
#include "oomx_shared.h"

#define OOMX_MAX_TUNABLES	64
#define OOMX_MAX_ENUM_VALUES	32
#define OOMX_TUNABLE_ERR_LEN	512

struct oomx_enum_value {
	char name[32];		/* the enumerator without the common prefix, lower case */
	__s64 value;
};

struct oomx_tunable {
	char name[OOMX_TUNABLE_NAME_LEN];
	__u32 offset;		/* of slot 0 in .data.cfg */
	__u32 size;		/* of one slot: 1, 2, 4 or 8 */
	bool is_signed;
	size_t nr_values;	/* an enum's values, 0 for an integer */
	struct oomx_enum_value values[OOMX_MAX_ENUM_VALUES];
	struct oomx_tunable_info info;
};

struct oomx_tunables {
	size_t n;
	struct oomx_tunable t[OOMX_MAX_TUNABLES];
};

/*
 * tunables_read: the tunables of a policy whose BTF is @btf, with @cfg its
 * .data.cfg DATASEC (@cfg_size bytes) and @ro (@ro_size bytes) the
 * contents of its .rodata, whose DATASEC is @ro_sec. Returns 0, or -1
 * with @err saying what is wrong with the policy (a .data.cfg variable
 * that is not a tunable, a type oomx cannot set, bounds that do not fit,
 * a variable outside its section).
 */
int tunables_read(struct oomx_tunables *ts, const struct btf *btf,
		  const struct btf_type *cfg, size_t cfg_size, const struct btf_type *ro_sec,
		  const void *ro, size_t ro_size, char err[OOMX_TUNABLE_ERR_LEN]);

const struct oomx_tunable *tunables_find(const struct oomx_tunables *ts, const char *name);

/*
 * tunable_parse: @text as a value of @t: the keyword, an enum value's
 * name, or an integer within the bounds. 0, or -1 with @err ("NAME wants
 * ..., got '...'").
 */
int tunable_parse(const struct oomx_tunable *t, const char *text, __s64 *v,
		  char err[OOMX_TUNABLE_ERR_LEN]);

/* tunable_format: @v as the configuration file writes it */
void tunable_format(const struct oomx_tunable *t, __s64 v, char *buf, size_t len);

/* tunable_is_number: whether @v formats as a number (else a word: JSON string) */
bool tunable_is_number(const struct oomx_tunable *t, __s64 v);

/* slot @slot of @t in the section image @sec; atomic, as BPF may read it */
__s64 tunable_get(const struct oomx_tunable *t, const void *sec, unsigned int slot);
void tunable_set(const struct oomx_tunable *t, void *sec, unsigned int slot, __s64 v);

/* tunables_describe: "name (min..max)" lists for error messages, into @buf */
void tunables_describe(const struct oomx_tunables *ts, char *buf, size_t len);

/*
 * tunables_resolve: the values @cfg gives, checked against @ts: @val[i]
 * and @given[i] for tunable i. An unknown name or a bad value fails the
 * whole configuration: -1 with "SRC:LINE: ..." in @err; nothing is
 * written anywhere.
 */
int tunables_resolve(const struct oomx_tunables *ts, const struct oomx_config *cfg,
		     const char *src, const char *policy, __s64 val[OOMX_MAX_TUNABLES],
		     bool given[OOMX_MAX_TUNABLES], char err[OOMX_TUNABLE_ERR_LEN]);

#endif
