// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "globals.h"

/* the internal map of data section @sec: libbpf names it "<obj>.<sec>" */
static struct bpf_map *sec_map(struct bpf_object *obj, const char *sec)
{
	size_t n = strlen(sec);
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (bpf_map__is_internal(map) && len >= n && !strcmp(name + len - n, sec))
			return map;
	}
	return NULL;
}

int oomx_global_foreach(struct bpf_object *obj, const char *sec,
			int (*fn)(const struct oomx_global *g, void *ctx), void *ctx)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *st;
	struct oomx_global g;
	int id, i, ret;

	if (!btf)
		return 0;
	id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
	if (id < 0)
		return 0;
	g.sec = sec;
	g.map = sec_map(obj, sec);
	if (!g.map)
		return 0;
	st = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(st);
	for (i = 0; i < btf_vlen(st); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		g.name = btf__name_by_offset(btf, var->name_off);
		g.type = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
		g.offset = vs->offset;
		g.size = vs->size;
		ret = fn(&g, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

struct find_ctx {
	const char *name;
	struct oomx_global *out;
};

static int match_name(const struct oomx_global *g, void *ctx)
{
	struct find_ctx *fc = ctx;

	if (strcmp(g->name, fc->name))
		return 0;
	*fc->out = *g;
	return 1;
}

int oomx_global_find(struct bpf_object *obj, const char *name, struct oomx_global *g)
{
	static const char *const secs[] = { ".bss", ".data", ".rodata", ".data.cfg" };
	struct find_ctx fc = { name, g };
	size_t i;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		if (oomx_global_foreach(obj, secs[i], match_name, &fc) == 1)
			return 0;
	return -ENOENT;
}

void *oomx_global_ptr(const struct oomx_global *g)
{
	size_t sz;
	char *base = bpf_map__initial_value(g->map, &sz);

	if (!base || (size_t)g->offset + g->size > sz)
		return NULL;
	return base + g->offset;
}
