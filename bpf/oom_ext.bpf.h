/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oom_ext.bpf.h - the kernel's oom_ext interface for BPF programs: the
 * kfuncs and the helpers around them. A policy includes oomx.bpf.h, which
 * includes this; a raw struct_ops program (the kernel's tests in
 * selftests/progs) includes this alone.
 *
 * The interface's constants (OOM_EXT_NEVER, OOM_EXT_PICK, OOM_EXT_POINTS_MAX,
 * OOM_EXT_SELECT_*, OOM_EXT_KILL_*, OOM_EXT_EXIT_*, the limits) come from
 * the kernel's BTF through vmlinux.h: enum oom_ext_consts and its siblings
 * in include/linux/oom_ext.h. The interface is described in docs/oom-ext.md.
 */
#ifndef __OOM_EXT_BPF_H
#define __OOM_EXT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define OOMX_PAGE_SIZE		4096

/*
 * kfuncs, see mm/oom_ext.c for their kernel-doc. Weak, so that an object
 * that calls them also loads, in shadow mode (bpf/shadow.bpf.h), on a
 * kernel without oom_ext: there the calls sit in code the verifier knows
 * is dead.
 */
s32 bpf_oom_ext_kill(struct oom_control *oc, struct task_struct *p,
		     u64 flags) __ksym __weak;
s64 bpf_oom_ext_kernel_badness(struct oom_control *oc,
			       struct task_struct *p) __ksym __weak;
s32 bpf_oom_ext_task_mem(struct task_struct *p, struct oom_ext_mem *m,
			 u32 m__sz) __ksym __weak;
s32 bpf_oom_ext_memcg_info(struct task_struct *p, struct oom_ext_memcg *m,
			   u32 m__sz) __ksym __weak;
void bpf_oom_ext_exit_bstr(s64 exit_code, char *fmt, u64 *data,
			   u32 data__sz) __ksym __weak;
void bpf_oom_ext_error_bstr(char *fmt, u64 *data, u32 data__sz) __ksym __weak;

/* generic kfuncs policies commonly use */
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
		      unsigned int flags) __ksym;
struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;

/*
 * Pack printf-style arguments into the u64 array the *_bstr kfuncs take,
 * the way libbpf's BPF_SNPRINTF() does, and call @call with the arguments
 * in the parenthesised @lead first: () for none, ((code),) for one.
 */
#define __OOMX_UNPAREN(...)	__VA_ARGS__
#define __OOMX_BSTR_CALL(call, lead, fmt, args...)				\
({										\
	static char ___fmt[] = fmt;						\
	unsigned long long ___param[___bpf_narg(args)];				\
										\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___param, args);						\
	_Pragma("GCC diagnostic pop")						\
	call(__OOMX_UNPAREN lead ___fmt, ___param, sizeof(___param));		\
})

/*
 * oom_ext_error(fmt, args...): the policy is broken; the kernel disables it
 * (exit kind OOM_EXT_EXIT_ERROR) and finishes the current OOM itself.
 */
#define oom_ext_error(fmt, args...)						\
	__OOMX_BSTR_CALL(bpf_oom_ext_error_bstr, (), fmt, ##args)

/* oom_ext_exit(code, fmt, args...): detach gracefully (OOM_EXT_EXIT_DONE) */
#define oom_ext_exit(code, fmt, args...)					\
	__OOMX_BSTR_CALL(bpf_oom_ext_exit_bstr, ((code),), fmt, ##args)

#include "oomx_shared.h"

#define OOMX_EXIT_DEFINE(name)	struct oomx_exit name SEC(".data")

static __always_inline void oomx_exit_record(struct oomx_exit *ue,
					     const struct oom_ext_exit_info *ei)
{
	bpf_probe_read_kernel_str(ue->reason, sizeof(ue->reason), ei->reason);
	bpf_probe_read_kernel_str(ue->msg, sizeof(ue->msg), ei->msg);
	ue->exit_code = ei->exit_code;
	/* last: the loader polls kind */
	__sync_val_compare_and_swap(&ue->kind, 0, ei->kind);
}

/* a task's memory in pages, the way oom_badness() adds it up */
static __always_inline u64 oomx_mem_pages(const struct oom_ext_mem *m)
{
	return m->rss_anon + m->rss_file + m->rss_shmem + m->swapents +
	       m->pgtables_bytes / OOMX_PAGE_SIZE;
}

#endif /* __OOM_EXT_BPF_H */
