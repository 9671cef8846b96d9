// SPDX-License-Identifier: GPL-2.0
/* A policy's tunables from its BTF; see tunables.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tunables.h"

/* the type @id resolves to through typedefs and qualifiers */
static const struct btf_type *resolved(const struct btf *btf, __u32 id)
{
	int r = btf__resolve_type(btf, id);

	return r < 0 ? NULL : btf__type_by_id(btf, (__u32)r);
}

/* an enum's values, named without the common prefix, in lower case */
static int enum_values(const struct btf *btf, const struct btf_type *t, struct oomx_tunable *tu)
{
	size_t i, n = btf_vlen(t), pre = SIZE_MAX;
	const char *first = NULL;

	if (n == 0 || n > OOMX_MAX_ENUM_VALUES)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[i].name_off :
							 btf_enum64(t)[i].name_off);
		size_t k = 0;

		if (!first) {
			first = name;
			pre = strlen(name);
			continue;
		}
		while (k < pre && name[k] == first[k])
			k++;
		pre = k;
	}
	/* cut the prefix back to a word boundary: PRIO_RANK_S(IZE) -> PRIO_RANK_ */
	while (pre > 0 && first[pre - 1] != '_')
		pre--;
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[i].name_off :
							 btf_enum64(t)[i].name_off);
		struct oomx_enum_value *ev = &tu->values[i];
		size_t k;

		if (strlen(name + pre) >= sizeof(ev->name) || !name[pre])
			return -1;
		for (k = 0; name[pre + k]; k++)
			ev->name[k] = (char)tolower((unsigned char)name[pre + k]);
		ev->name[k] = '\0';
		/* kflag set: a signed enum */
		ev->value = btf_is_enum(t) ? (btf_kflag(t) ? (__s64)btf_enum(t)[i].val :
						     (__s64)(__u32)btf_enum(t)[i].val) :
					    (__s64)btf_enum64_value(&btf_enum64(t)[i]);
	}
	tu->nr_values = n;
	return 0;
}

/* the .rodata variable @name, @size bytes, or NULL */
static const void *ro_var(const struct btf *btf, const struct btf_type *ro_sec, const void *ro,
			  size_t ro_size, const char *name, size_t size)
{
	const struct btf_var_secinfo *vs;
	int i;

	if (!ro_sec || !ro)
		return NULL;
	vs = btf_var_secinfos(ro_sec);
	for (i = 0; i < btf_vlen(ro_sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
			return vs->size == size && (size_t)vs->offset + size <= ro_size ?
			       (const char *)ro + vs->offset : NULL;
	}
	return NULL;
}

/* does @v fit a tunable of @size bytes, signed or not? */
static bool fits(__s64 v, __u32 size, bool is_signed)
{
	if (size == 8)
		return is_signed || v >= 0;
	if (is_signed)
		return v >= -(1LL << (size * 8 - 1)) && v < (1LL << (size * 8 - 1));
	return v >= 0 && v < (1LL << (size * 8));
}

int tunables_read(struct oomx_tunables *ts, const struct btf *btf,
		  const struct btf_type *cfg, size_t cfg_size, const struct btf_type *ro_sec,
		  const void *ro, size_t ro_size, char err[OOMX_TUNABLE_ERR_LEN])
{
	const struct btf_var_secinfo *vs;
	int i;

	ts->n = 0;
	if (!cfg)
		return 0;
	vs = btf_var_secinfos(cfg);
	for (i = 0; i < btf_vlen(cfg); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		const char *name = btf__name_by_offset(btf, var->name_off);
		const struct btf_type *arr = resolved(btf, var->type), *el;
		const void *info;
		char meta[OOMX_TUNABLE_NAME_LEN + sizeof(OOMX_TUNABLE_PREFIX)];
		struct oomx_tunable *tu;

		if (!strcmp(name, "oomx_gen"))
			continue;
		if (ts->n == OOMX_MAX_TUNABLES) {
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "more than %d tunables", OOMX_MAX_TUNABLES);
			return -1;
		}
		snprintf(meta, sizeof(meta), OOMX_TUNABLE_PREFIX "%s", name);
		info = ro_var(btf, ro_sec, ro, ro_size, meta, sizeof(struct oomx_tunable_info));
		if (!info || !arr || !btf_is_array(arr) || btf_array(arr)->nelems != 2 ||
		    strlen(name) >= OOMX_TUNABLE_NAME_LEN) {
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "'%s' in SEC(\".data.cfg\") is not a "
				 "tunable: declare settings with OOMX_TUNABLE() (bpf/oomx.bpf.h)", name);
			return -1;
		}
		tu = &ts->t[ts->n];
		memset(tu, 0, sizeof(*tu));
		strcpy(tu->name, name);	/* length checked above */
		memcpy(&tu->info, info, sizeof(tu->info));
		tu->info.keyword[sizeof(tu->info.keyword) - 1] = '\0';
		tu->info.help[sizeof(tu->info.help) - 1] = '\0';
		tu->offset = vs->offset;
		tu->size = vs->size / 2;
		el = resolved(btf, btf_array(arr)->type);
		if (el && btf_is_int(el) && btf_int_offset(el) == 0 &&
		    btf_int_bits(el) == el->size * 8) {
			tu->is_signed = btf_int_encoding(el) & BTF_INT_SIGNED;
		} else if (el && (btf_is_enum(el) || btf_is_enum64(el))) {
			tu->is_signed = btf_kflag(el);
			if (enum_values(btf, el, tu)) {
				snprintf(err, OOMX_TUNABLE_ERR_LEN, "tunable '%s': its enum has no "
					 "values, more than %d, or names oomx cannot shorten", name,
					 OOMX_MAX_ENUM_VALUES);
				return -1;
			}
		} else {
			el = NULL;
		}
		if (!el || (tu->size != 1 && tu->size != 2 && tu->size != 4 && tu->size != 8) ||
		    el->size != tu->size) {
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "tunable '%s' is not an integer or enum "
				 "of 1, 2, 4 or 8 bytes", name);
			return -1;
		}
		if ((size_t)tu->offset + 2 * (size_t)tu->size > cfg_size ||
		    tu->offset % tu->size) {
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "tunable '%s' lies outside its section "
				 "or is misaligned (a broken object)", name);
			return -1;
		}
		if (tu->info.min > tu->info.max || !fits(tu->info.min, tu->size, tu->is_signed) ||
		    !fits(tu->info.max, tu->size, tu->is_signed) ||
		    (!tu->info.keyword[0] && !fits(tu->info.def, tu->size, tu->is_signed))) {
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "tunable '%s': its bounds do not fit its "
				 "type (a broken object)", name);
			return -1;
		}
		ts->n++;
	}
	return 0;
}

const struct oomx_tunable *tunables_find(const struct oomx_tunables *ts, const char *name)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (!strcmp(ts->t[i].name, name))
			return &ts->t[i];
	return NULL;
}

/* append @s to the list in @buf, after ", " unless it is the first */
static void list_add(char *buf, size_t len, size_t *at, const char *s)
{
	int n;

	if (*at >= len)
		return;
	n = snprintf(buf + *at, len - *at, "%s%s", *at ? ", " : "", s);
	if (n > 0)
		*at += (size_t)n;
}

static void values_list(const struct oomx_tunable *t, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < t->nr_values; i++)
		list_add(buf, len, &at, t->values[i].name);
}

int tunable_parse(const struct oomx_tunable *t, const char *text, __s64 *v,
		  char err[OOMX_TUNABLE_ERR_LEN])
{
	char list[256], *end;
	size_t i;

	if (t->info.keyword[0] && !strcmp(text, t->info.keyword)) {
		*v = t->info.keyword_value;
		return 0;
	}
	if (t->nr_values) {
		for (i = 0; i < t->nr_values; i++) {
			if (!strcmp(text, t->values[i].name) && t->values[i].value >= t->info.min &&
			    t->values[i].value <= t->info.max) {
				*v = t->values[i].value;
				return 0;
			}
		}
		values_list(t, list, sizeof(list));
		snprintf(err, OOMX_TUNABLE_ERR_LEN, "%s is one of: %s; got '%s'", t->name, list,
			 text);
		return -1;
	}
	errno = 0;
	if (t->is_signed ? !(isdigit((unsigned char)text[0]) ||
			     (text[0] == '-' && isdigit((unsigned char)text[1]))) :
			   !isdigit((unsigned char)text[0]))
		goto bad;
	if (t->is_signed) {
		*v = strtoll(text, &end, 10);
	} else {
		unsigned long long u = strtoull(text, &end, 10);

		if (u > INT64_MAX)
			goto bad;
		*v = (__s64)u;
	}
	if (!errno && !*end && *v >= t->info.min && *v <= t->info.max)
		return 0;
bad:
	snprintf(err, OOMX_TUNABLE_ERR_LEN, "%s wants an integer from %" PRId64 " to %" PRId64
		 "%s%s%s, got '%s'", t->name, (int64_t)t->info.min, (int64_t)t->info.max,
		 t->info.keyword[0] ? " or '" : "", t->info.keyword,
		 t->info.keyword[0] ? "'" : "", text);
	return -1;
}

bool tunable_is_number(const struct oomx_tunable *t, __s64 v)
{
	size_t i;

	if (t->info.keyword[0] && v == t->info.keyword_value)
		return false;
	for (i = 0; i < t->nr_values; i++)
		if (t->values[i].value == v)
			return false;
	return true;
}

void tunable_format(const struct oomx_tunable *t, __s64 v, char *buf, size_t len)
{
	size_t i;

	if (t->info.keyword[0] && v == t->info.keyword_value) {
		snprintf(buf, len, "%s", t->info.keyword);
		return;
	}
	for (i = 0; i < t->nr_values; i++) {
		if (t->values[i].value == v) {
			snprintf(buf, len, "%s", t->values[i].name);
			return;
		}
	}
	snprintf(buf, len, "%" PRId64, (int64_t)v);
}

__s64 tunable_get(const struct oomx_tunable *t, const void *sec, unsigned int slot)
{
	const char *p = (const char *)sec + t->offset + (size_t)slot * t->size;

	switch (t->size) {
	case 1:
		return t->is_signed ? (__s64)(__s8)__atomic_load_n((const __u8 *)p, __ATOMIC_RELAXED) :
				      (__s64)__atomic_load_n((const __u8 *)p, __ATOMIC_RELAXED);
	case 2:
		return t->is_signed ? (__s64)(__s16)__atomic_load_n((const __u16 *)p, __ATOMIC_RELAXED) :
				      (__s64)__atomic_load_n((const __u16 *)p, __ATOMIC_RELAXED);
	case 4:
		return t->is_signed ? (__s64)(__s32)__atomic_load_n((const __u32 *)p, __ATOMIC_RELAXED) :
				      (__s64)__atomic_load_n((const __u32 *)p, __ATOMIC_RELAXED);
	default:
		return (__s64)__atomic_load_n((const __u64 *)p, __ATOMIC_RELAXED);
	}
}

void tunable_set(const struct oomx_tunable *t, void *sec, unsigned int slot, __s64 v)
{
	char *p = (char *)sec + t->offset + (size_t)slot * t->size;

	switch (t->size) {
	case 1:
		__atomic_store_n((__u8 *)p, (__u8)v, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((__u16 *)p, (__u16)v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((__u32 *)p, (__u32)v, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((__u64 *)p, (__u64)v, __ATOMIC_RELAXED);
	}
}

void tunables_describe(const struct oomx_tunables *ts, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < ts->n; i++)
		list_add(buf, len, &at, ts->t[i].name);
}

int tunables_resolve(const struct oomx_tunables *ts, const struct oomx_config *cfg,
		     const char *src, const char *policy, __s64 val[OOMX_MAX_TUNABLES],
		     bool given[OOMX_MAX_TUNABLES], char err[OOMX_TUNABLE_ERR_LEN])
{
	char why[OOMX_TUNABLE_ERR_LEN], names[256];
	size_t i;

	memset(given, 0, OOMX_MAX_TUNABLES * sizeof(*given));
	for (i = 0; i < cfg->nr_settings; i++) {
		const struct oomx_setting *s = &cfg->settings[i];
		const struct oomx_tunable *t = tunables_find(ts, s->name);
		size_t k;

		if (!t) {
			tunables_describe(ts, names, sizeof(names));
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "%s:%u: the %s policy has no setting "
				 "'%s'; its settings are: %s", src, s->line, policy, s->name, names);
			return -1;
		}
		k = (size_t)(t - ts->t);
		if (tunable_parse(t, s->value, &val[k], why)) {
			snprintf(err, OOMX_TUNABLE_ERR_LEN, "%s:%u: %.400s", src, s->line, why);
			return -1;
		}
		given[k] = true;
	}
	return 0;
}
