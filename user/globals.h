/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A BPF object's global variables, found through its BTF: where each lives
 * (which internal map, at which offset) and what type it has. Before the
 * object is loaded, writes through oomx_global_ptr() set initial values;
 * after, they read and write the live, mmap()ed map.
 */
#ifndef __OOMX_GLOBALS_H
#define __OOMX_GLOBALS_H

#include <bpf/btf.h>
#include <bpf/libbpf.h>

struct oomx_global {
	const char *name;
	const char *sec;		/* ".bss", ".data", ... */
	struct bpf_map *map;
	const struct btf_type *type;	/* with typedefs and modifiers resolved */
	__u32 offset;
	__u32 size;
};

/* oomx_section_of: the internal map of data section @sec (libbpf: "<obj>.<sec>") */
struct bpf_map *oomx_section_of(struct bpf_object *obj, const char *sec);

/*
 * oomx_global_foreach: call @fn for every global of section @sec of @obj,
 * in BTF order; stops and returns @fn's value when it is not 0.
 */
int oomx_global_foreach(struct bpf_object *obj, const char *sec,
			int (*fn)(const struct oomx_global *g, void *ctx), void *ctx);

/* oomx_global_find: @name in .bss, .data, .rodata or .data.cfg: 0 or -ENOENT */
int oomx_global_find(struct bpf_object *obj, const char *name, struct oomx_global *g);

/* oomx_global_ptr: the variable's bytes, or NULL if the map has no image */
void *oomx_global_ptr(const struct oomx_global *g);

/*
 * oomx_global_sized: the bytes of global @name of @obj, which must be
 * @size bytes, or NULL. Before loading, the initial value to set; after,
 * the live, mmap()ed variable.
 */
void *oomx_global_sized(struct bpf_object *obj, const char *name, size_t size);

/*
 * A pinned data-section map of a loaded policy (its .data, .bss or
 * .data.cfg), read once: the section's BTF from the kernel and one copy of
 * its value, in which oomx_section_var() finds globals by name. Live reads
 * and writes go through oomx_section_map() and oomx_section_live().
 */
struct oomx_section {
	int fd;
	struct btf *btf;
	const struct btf_type *datasec;
	__u32 value_size;
	char *value;
	void *live;		/* oomx_section_map(): the map itself */
	size_t live_len;
};

/* oomx_section_open: the map pinned at @path; 0 or -errno (nothing to close) */
int oomx_section_open(struct oomx_section *s, const char *path);

/* oomx_section_var: global @name of @size bytes in the copy, or NULL */
void *oomx_section_var(const struct oomx_section *s, const char *name, __u32 size);

/*
 * oomx_section_map: mmap() the map itself (global data maps are
 * BPF_F_MMAPABLE), so that single variables can be read and written in
 * place, atomically, while BPF programs use them. 0 or -errno.
 */
int oomx_section_map(struct oomx_section *s);

/* oomx_section_live: global @name of @size bytes in the mapping, or NULL */
void *oomx_section_live(const struct oomx_section *s, const char *name, __u32 size);

void oomx_section_close(struct oomx_section *s);

#endif
