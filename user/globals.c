// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "globals.h"

struct bpf_map *oomx_section_of(struct bpf_object *obj, const char *sec)
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
	g.map = oomx_section_of(obj, sec);
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

void *oomx_global_sized(struct bpf_object *obj, const char *name, size_t size)
{
	struct oomx_global g;

	if (oomx_global_find(obj, name, &g) || g.size != size)
		return NULL;
	return oomx_global_ptr(&g);
}

/* the variable @name of data section @sec in @btf, or NULL */
static const struct btf_var_secinfo *datasec_var(const struct btf *btf,
						  const struct btf_type *sec, const char *name)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	int i;

	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
			return vs;
	}
	return NULL;
}

int oomx_section_open(struct oomx_section *s, const char *path)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), zero = 0;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = bpf_obj_get(path);
	if (s->fd < 0)
		return -errno;
	if (bpf_map_get_info_by_fd(s->fd, &info, &len)) {
		err = -errno;
		goto fail;
	}
	s->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!s->btf) {
		err = -errno;
		goto fail;
	}
	s->datasec = btf__type_by_id(s->btf, info.btf_value_type_id);
	if (!s->datasec || !btf_is_datasec(s->datasec)) {
		err = -EINVAL;
		goto fail;
	}
	s->value_size = info.value_size;
	s->value = malloc(info.value_size);
	if (!s->value) {
		err = -ENOMEM;
		goto fail;
	}
	if (bpf_map_lookup_elem(s->fd, &zero, s->value)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	oomx_section_close(s);
	return err;
}

void *oomx_section_var(const struct oomx_section *s, const char *name, __u32 size)
{
	const struct btf_var_secinfo *vs = datasec_var(s->btf, s->datasec, name);

	if (!vs || vs->size != size || (size_t)vs->offset + size > s->value_size)
		return NULL;
	return s->value + vs->offset;
}

int oomx_section_map(struct oomx_section *s)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = ((size_t)s->value_size + page - 1) / page * page;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	s->live = p;
	s->live_len = len;
	return 0;
}

void *oomx_section_live(const struct oomx_section *s, const char *name, __u32 size)
{
	char *v = oomx_section_var(s, name, size);

	return v && s->live ? (char *)s->live + (v - s->value) : NULL;
}

void oomx_section_close(struct oomx_section *s)
{
	if (s->live)
		munmap(s->live, s->live_len);
	s->live = NULL;
	free(s->value);
	btf__free(s->btf);
	if (s->fd >= 0)
		close(s->fd);
	s->value = NULL;
	s->btf = NULL;
	s->fd = -1;
}
