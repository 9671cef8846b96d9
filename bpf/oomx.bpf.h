/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomx.bpf.h - what every oom_ext policy includes.
 *
 * The kernel side is kernel/patches/0003..0007 (mm/oom_ext.c); the interface
 * is described in docs/oom-ext.md. Policies are struct_ops maps of type
 * struct oom_ext_ops, declared in SEC(".struct_ops.link") so that closing
 * the link (or the loader exiting) detaches them.
 */
#ifndef __OOMX_BPF_H
#define __OOMX_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/*
 * Return values of oom_ext_ops.badness. #defines are not in BTF, so they
 * are repeated here; include/linux/oom_ext.h is the reference.
 */
#define OOM_EXT_NEVER		((s64)(-9223372036854775807LL - 1))	/* S64_MIN */
#define OOM_EXT_PICK		((s64)9223372036854775807LL)		/* S64_MAX */
#define OOM_EXT_POINTS_MAX	((s64)1 << 60)

/* flags of bpf_oom_ext_kill() */
#define OOM_EXT_KILL_MEMCG	(1ULL << 0)

/* oom_ext_ops.reap_delay_ms is clamped to this */
#define OOM_EXT_REAP_DELAY_MAX_MS	10000

#define OOMX_PAGE_SIZE		4096

/* kfuncs, see mm/oom_ext.c for their kernel-doc */
s32 bpf_oom_ext_kill(struct oom_control *oc, struct task_struct *p,
		     u64 flags) __ksym;
s64 bpf_oom_ext_kernel_badness(struct oom_control *oc,
			       struct task_struct *p) __ksym;
s32 bpf_oom_ext_task_mem(struct task_struct *p, struct oom_ext_mem *m,
			 u32 m__sz) __ksym;
s32 bpf_oom_ext_memcg_info(struct task_struct *p, struct oom_ext_memcg *m,
			   u32 m__sz) __ksym;
void bpf_oom_ext_exit_bstr(s64 exit_code, char *fmt, u64 *data,
			   u32 data__sz) __ksym;
void bpf_oom_ext_error_bstr(char *fmt, u64 *data, u32 data__sz) __ksym;

/* generic kfuncs policies commonly use */
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

/*
 * Pack printf-style arguments into the u64 array the *_bstr kfuncs take,
 * the way libbpf's BPF_SNPRINTF() does.
 */
#define __OOMX_BSTR_CALL(call, fmt, args...)					\
({										\
	static char ___fmt[] = fmt;						\
	unsigned long long ___param[___bpf_narg(args)];				\
										\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___param, args);						\
	_Pragma("GCC diagnostic pop")						\
	call(___fmt, ___param, sizeof(___param));				\
})

/*
 * oom_ext_error(fmt, args...): the policy is broken; the kernel disables it
 * (exit kind OOM_EXT_EXIT_ERROR) and finishes the current OOM itself.
 */
#define oom_ext_error(fmt, args...)						\
	__OOMX_BSTR_CALL(bpf_oom_ext_error_bstr, fmt, ##args)

/* oom_ext_exit(code, fmt, args...): detach gracefully (OOM_EXT_EXIT_DONE) */
#define oom_ext_exit(code, fmt, args...)					\
({										\
	static char ___fmt[] = fmt;						\
	unsigned long long ___param[___bpf_narg(args)];				\
										\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___param, args);						\
	_Pragma("GCC diagnostic pop")						\
	bpf_oom_ext_exit_bstr(code, ___fmt, ___param, sizeof(___param));	\
})

/*
 * Exit information, copied out of the kernel's struct oom_ext_exit_info by
 * the policy's .exit callback into a global the loader reads after the
 * policy is gone (the kernel's pointers are valid only during .exit).
 */
#define OOMX_EXIT_REASON_LEN	128
#define OOMX_EXIT_MSG_LEN	1024

struct oomx_exit {
	s32 kind;		/* enum oom_ext_exit_kind, 0 while attached */
	s64 exit_code;
	char reason[OOMX_EXIT_REASON_LEN];
	char msg[OOMX_EXIT_MSG_LEN];
};

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

#endif /* __OOMX_BPF_H */
