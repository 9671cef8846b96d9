/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomx_shared.h - the types oomx policies share with user space: the event
 * records, the exit record and the common settings. Included by the BPF
 * side (types from vmlinux.h) and by the loader (<linux/types.h>), and
 * named in the policies' skeletons.
 *
 * Events:
 * One record per kill and one per reap, in the policy's "events" ring
 * buffer; a reap record carries the pid of the kill it follows. The JSON
 * form the loader prints is documented in docs/events.md; change both
 * together, and only by appending fields.
 */
#ifndef __OOMX_SHARED_H
#define __OOMX_SHARED_H

/*
 * The kernel's oom_ext constants: from vmlinux.h on the BPF side, from the
 * header the build generates out of it (scripts/gen-consts.sh) in user space.
 */
#ifndef __bpf__
#include "oom_ext_consts.h"
#endif

#define OOMX_COMM_LEN		16
#define OOMX_REASON_LEN		64
#define OOMX_POLICY_LEN		32

enum oomx_event_type {
	OOMX_EV_KILL	= 1,
	OOMX_EV_REAP	= 2,
	OOMX_EV_SHADOW	= 3,	/* a shadow's verdict on a real OOM kill */
};

struct oomx_event {
	__u32 type;		/* enum oomx_event_type */
	__u32 pid;		/* the victim's tgid */
	__u64 time_ns;		/* bpf_ktime_get_boot_ns() */
	char comm[OOMX_COMM_LEN];
	char policy[OOMX_POLICY_LEN];

	/* OOMX_EV_KILL */
	__u32 uid;
	__u32 kind;		/* enum oom_ext_kill_kind */
	__u32 constraint;	/* enum oom_constraint */
	__s32 oom_score_adj;
	__u64 memcg_id;		/* the OOMing memcg, 0 for a global OOM */
	__u64 victim_memcg_id;
	__u64 group_memcg_id;	/* memcg killed with the victim, 0 if none */
	__s64 kernel_points;
	__s64 policy_points;	/* OOM_EXT_NEVER if the policy did not score it */
	__u64 totalpages;
	__u64 rss_anon;		/* pages */
	__u64 rss_file;
	__u64 rss_shmem;
	__u64 swapents;
	__u64 pgtables_bytes;
	__u32 runner_up_pid;	/* the policy's second choice, 0 if none */
	__u32 nr_scored;	/* tasks the policy scored in this OOM */
	__s64 runner_up_points;
	char reason[OOMX_REASON_LEN];

	/* OOMX_EV_REAP */
	__s32 reap_result;	/* 0, or -EAGAIN if the reaper gave up */
	__u32 reap_attempts;
	__u64 reap_since_kill_ns;
	__u64 reap_duration_ns;
	__u64 reap_rss_before;	/* pages */
	__u64 reap_rss_after;

	/* appended: both types */
	__u32 tid;		/* the victim thread's id (the kernel's task pid) */
	/* appended: OOMX_EV_KILL, processes the group kill took besides the victim */
	__u32 group_killed;

	/*
	 * appended: OOMX_EV_SHADOW. pid, tid and comm are the shadow's choice
	 * (0 and "" if it would have killed nobody), policy_points its score,
	 * kernel_points the kernel's points for it as the shadow computed
	 * them, runner_up_* and nr_scored as for a kill.
	 */
	__u32 real_pid;		/* the victim the OOM killed */
	__u32 agree;		/* 1 if real_pid had the shadow's best score */
	__u64 shadow_ns;	/* the shadow's evaluation, walk included */
	__u32 truncated;	/* the walk stopped at OOMX_SHADOW_MAX_TASKS */
	__u32 pad2;

	/*
	 * appended: OOMX_EV_KILL of an OOM that memory pressure started
	 * ("oomx watch", struct oom_ext_trigger), all 0 for an allocation
	 * that failed: trigger_id is the pressure line's line number in
	 * the watcher's configuration file
	 */
	__u32 trigger_id;
	__u32 trigger_full;	/* 1: "full" stall, 0: "some" */
	__u64 trigger_threshold_us;
	__u64 trigger_window_us;
	__u64 trigger_stall_us;	/* measured, over trigger_measured_us */
	__u64 trigger_measured_us;

	/*
	 * appended: OOMX_EV_KILL, what the kill took by the policy's
	 * decision (enum oom_ext_kill_mode, 0: memory.oom.group decided) and
	 * the configuration line that asked for it (0 if none did)
	 */
	__u32 kill_mode;
	__u32 kill_line;
};

/*
 * The exit record: copied out of the kernel's struct oom_ext_exit_info by
 * the policy's exit callback, read by the loader once the policy is gone
 * (the kernel's pointers are valid only during exit).
 */
#define OOMX_EXIT_REASON_LEN	128
#define OOMX_EXIT_MSG_LEN	OOM_EXT_EXIT_MSG_LEN

struct oomx_exit {
	__s32 kind;		/* enum oom_ext_exit_kind, 0 while attached */
	__s64 exit_code;
	char reason[OOMX_EXIT_REASON_LEN];
	char msg[OOMX_EXIT_MSG_LEN];
};

/*
 * Tunables (OOMX_TUNABLE() in bpf/oomx.bpf.h): the value of tunable NAME
 * is NAME[2] in .data.cfg, a slot per generation parity; its bounds are
 * oomx_tunable__NAME in .rodata. A value equal to keyword_value is shown
 * and written as keyword (if keyword is not empty), whatever the bounds.
 * OOMX_KERNEL_DEFAULT is the keyword value of reap_delay_ms: the kernel's.
 */
#define OOMX_KERNEL_DEFAULT	0xffffffffU
#define OOMX_TUNABLE_PREFIX	"oomx_tunable__"
#define OOMX_TUNABLE_NAME_LEN	48
#define OOMX_TUNABLE_HELP_LEN	96
#define OOMX_SUMMARY_LEN	96

struct oomx_tunable_info {
	__s64 def;
	__s64 min;
	__s64 max;
	__s64 keyword_value;
	char keyword[16];
	char help[OOMX_TUNABLE_HELP_LEN];
};

/*
 * A task's memory cgroup, in bytes, as oomx_memcg_info() gives it
 * (bpf/oomx.bpf.h): the fields of the kernel's struct oom_ext_memcg, in a
 * type of oomx's own, so that a shadow's code has no relocation against a
 * kernel type that may not exist.
 */
struct oomx_memcg {
	__u64 id;
	__u64 usage;
	__u64 max;	/* ~0: no limit */
	__u64 high;
	__u64 min;
	__u64 low;
};

/*
 * A shadow (oomx shadow): the policy's score run beside whatever decides,
 * at every real OOM kill, from fentry/oom_kill_process. It never kills.
 * Its record in .bss; a shadow whose score misbehaves, or that takes
 * longer than OOMX_SHADOW_BUDGET_NS for one OOM, stops with a reason,
 * and the OOM killer is not touched.
 */
#define OOMX_SHADOW_BUDGET_NS	(100ULL * 1000 * 1000)
#define OOMX_SHADOW_MAX_TASKS	65536	/* processes walked per OOM at most */
#define OOMX_SHADOW_REASON_LEN	128

struct oomx_shadow_stats {
	__u64 ooms;		/* real OOM kills the shadow evaluated */
	__u64 agree;		/* ...where it chose the real victim */
	__u64 nobody;		/* ...where it would have killed nobody */
	__u64 ns_total;		/* evaluation time, summed */
	__u64 ns_max;
	__u32 tasks_max;	/* most processes walked in one OOM */
	__u32 stopped;		/* 1 once the shadow stopped itself */
	char reason[OOMX_SHADOW_REASON_LEN];	/* why it stopped */
};

/*
 * Configuration generations (bpf/oomx.bpf.h): oomx_gen counts modulo
 * OOMX_GEN_COUNT, and the settings an OOM reads have one slot per parity.
 */
#define OOMX_GEN_COUNT		256
#define OOMX_GEN_MASK		(OOMX_GEN_COUNT - 1)

/*
 * The OOM in progress, one u32 the policy writes and the loader reads
 * atomically: 0 (none), OOMX_OOM_PENDING (an OOM began and is reading
 * oomx_gen: it may hold any generation) or OOMX_OOM_ACTIVE | the
 * generation it holds. Set by the OOM's first callback, 0 when it ends.
 */
#define OOMX_OOM_PENDING	0x80000000U
#define OOMX_OOM_ACTIVE		0x40000000U

struct oomx_oom {
	__u32 state;
};

/*
 * The policy's counters, for "oomx metrics" (user/metrics.c): every
 * policy keeps them in .bss (oomx_stats) and the map oomx_cgroup_kills,
 * which "oomx load" pins. Bounded: kills by who chose and by cause, kills
 * per victim cgroup for OOMX_METRIC_CGROUPS cgroups (the rest counted
 * together), and the victim scan's time (select_bad_process()) as a
 * histogram with fixed buckets.
 */
#define OOMX_METRIC_CGROUPS	64
#define OOMX_KILL_KINDS		4	/* enum oom_ext_kill_kind; a power of two */
#define OOMX_CAUSES		2	/* 0: exhaustion, 1: pressure */
#define OOMX_SCAN_BUCKETS	12

/* upper bounds of the scan-time buckets, in ns (the last bucket is +Inf) */
#define OOMX_SCAN_BUCKET_NS	{ 50000, 100000, 250000, 500000, 1000000, 2500000,	\
				  5000000, 10000000, 25000000, 50000000, 100000000,	\
				  1000000000 }

struct oomx_stats {
	__u64 kills[OOMX_KILL_KINDS][OOMX_CAUSES];
	__u64 cgroup_kills_other;	/* victims in cgroups the map had no room for */
	__u64 scans;			/* select_bad_process() runs while loaded */
	__u64 scan_ns_sum;
	__u64 scan_le[OOMX_SCAN_BUCKETS + 1];	/* per bucket, not cumulative; +Inf last */
	__u64 scan_start_ns;		/* of the scan in progress (under oom_lock) */
};

/* a process's growth, kept by the sampler of bpf/growth.bpf.h */
struct oomx_growth {
	__u64 rss;		/* resident pages at the last sample */
	__u64 time_ns;		/* of the last sample */
	__u64 start_ns;		/* the process's start_time: tells a reused tgid */
	__s64 rate;		/* pages per second, smoothed */
	__u32 samples;
	__u32 pad;
};

struct oomx_growth_stats {
	__u64 walks;		/* sampler runs that walked the processes */
	__u64 duration_ns;	/* of the last walk */
	__u32 processes;	/* walked by the last one, kernel threads included */
	__u32 truncated;	/* walks stopped at GROWTH_MAX_WALK processes */
};

/*
 * The rule maps (bpf/rules.bpf.h), filled by oomx from the configuration's
 * protect, prefer and class lines. Every key carries the generation of the
 * configuration it belongs to.
 */
struct prio_rule {
	__u32 klass;		/* 0..255, or OOMX_CLASS_NONE: a kill rule only */
	__u32 line;		/* of the configuration file, for explanations */
	__u32 kill_mode;	/* enum oom_ext_kill_mode of a "kill" line, 0 if none */
	__u32 kill_line;	/* its line */
};

/* the class of a cgroup path that has a "kill" line but no class line */
#define OOMX_CLASS_NONE		256

/*
 * A cgroup rule names a path; the policy binds it to the cgroup that has
 * that path, at load and whenever one appears (tracepoint cgroup_mkdir),
 * so the rule follows a cgroup that is removed and created again.
 */
#define OOMX_CGPATH_LEN		256

struct prio_cgpath_key {
	char path[OOMX_CGPATH_LEN];	/* from the cgroup2 root, NUL-padded */
	__u32 gen;
};

/* a binding: the live cgroup that has a rule's path, with its rule */
struct prio_cgroup_key {
	__u64 id;	/* cgroup id: the inode number of its directory */
	__u32 gen;
	__u32 pad;
};

struct prio_comm_key {
	char comm[16];
	__u32 gen;
};

struct prio_uid_key {
	__u32 uid;
	__u32 gen;
};

#endif /* __OOMX_SHARED_H */
