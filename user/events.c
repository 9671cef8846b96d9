// SPDX-License-Identifier: GPL-2.0
/*
 * Event formatting. Kept free of libbpf so that the host unit tests can
 * exercise it with hand-made records.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "events.h"

const char *kill_kind_str(__u32 kind)
{
	switch (kind) {
	case OOM_EXT_KILL_NONE:
		return "none";
	case OOM_EXT_KILL_KERNEL:
		return "kernel";
	case OOM_EXT_KILL_POLICY:
		return "policy";
	case OOM_EXT_KILL_SELECT:
		return "select";
	default:
		return "unknown";
	}
}

const char *kill_mode_str(__u32 mode)
{
	switch (mode) {
	case OOM_EXT_KILL_MODE_DEFAULT:
		return "default";
	case OOM_EXT_KILL_MODE_PROCESS:
		return "process";
	case OOM_EXT_KILL_MODE_GROUP:
		return "group";
	default:
		return "unknown";
	}
}

static const char *constraint_str(__u32 c)
{
	static const char *const names[] = { "none", "cpuset", "mempolicy", "memcg" };

	return c < 4 ? names[c] : "unknown";
}

/* a count of pages, or bytes when @bytes, as a short human size */
static const char *human(char *buf, size_t len, __u64 v, bool bytes)
{
	double b = bytes ? (double)v : (double)v * 4096.0;

	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1fG", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1fM", b / (1024.0 * 1024));
	else if (b >= 1024.0)
		snprintf(buf, len, "%.0fK", b / 1024.0);
	else
		snprintf(buf, len, "%.0fB", b);
	return buf;
}

/*
 * A fixed-size char array from the kernel, not necessarily terminated, made
 * safe for a terminal: control and non-ASCII bytes become '?'.
 */
static void copy_str(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t i, n = strnlen(src, slen);

	if (n >= dlen)
		n = dlen - 1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

void event_print_text(FILE *f, const struct oomx_event *ev)
{
	char comm[OOMX_COMM_LEN + 1], policy[OOMX_POLICY_LEN + 1], reason[OOMX_REASON_LEN + 1];
	char a[32], b[32], c[32], d[32], e[32], cg[256], ocg[256];
	double t = (double)ev->time_ns / 1e9;

	copy_str(comm, sizeof(comm), ev->comm, sizeof(ev->comm));
	copy_str(policy, sizeof(policy), ev->policy, sizeof(ev->policy));
	if (ev->type == OOMX_EV_REAP) {
		fprintf(f, "[%12.6f] reap pid %u (%s): %s -> %s in %.1f ms, started %.0f ms after the kill, %u attempt%s%s\n",
			t, ev->pid, comm, human(a, sizeof(a), ev->reap_rss_before, false),
			human(b, sizeof(b), ev->reap_rss_after, false),
			(double)ev->reap_duration_ns / 1e6, (double)ev->reap_since_kill_ns / 1e6,
			ev->reap_attempts, ev->reap_attempts == 1 ? "" : "s",
			ev->reap_result ? " (gave up)" : "");
		return;
	}
	if (ev->type == OOMX_EV_SHADOW) {
		fprintf(f, "[%12.6f] shadow %s: ", t, policy);
		if (ev->pid)
			fprintf(f, "would kill pid %u (%s) at %" PRId64, ev->pid, comm,
				(int64_t)ev->policy_points);
		else
			fprintf(f, "would kill nobody");
		fprintf(f, "; the OOM killed pid %u: %s (%u scored, %.2f ms%s)", ev->real_pid,
			ev->agree ? "agree" : "differ", ev->nr_scored, (double)ev->shadow_ns / 1e6,
			ev->truncated ? ", walk cut at 65536 processes" : "");
		if (ev->runner_up_pid)
			fprintf(f, "; runner-up pid %u at %" PRId64, ev->runner_up_pid,
				(int64_t)ev->runner_up_points);
		fputc('\n', f);
		return;
	}
	if (ev->type != OOMX_EV_KILL) {
		fprintf(f, "[%12.6f] unknown event type %u for pid %u\n", t, ev->type, ev->pid);
		return;
	}
	copy_str(reason, sizeof(reason), ev->reason, sizeof(ev->reason));
	cgroup_path_of(ev->victim_memcg_id, cg, sizeof(cg));
	fprintf(f, "[%12.6f] %s pid %u (%s) uid %u cgroup %s: %s OOM%s%s, chosen by %s (%s)\n",
		t, ev->kind == OOM_EXT_KILL_NONE ? "marked" : "killed", ev->pid, comm, ev->uid, cg[0] ? cg : "?",
		constraint_str(ev->constraint),
		ev->memcg_id ? " in " : "",
		ev->memcg_id ? cgroup_path_of(ev->memcg_id, ocg, sizeof(ocg)) : "",
		ev->kind == OOM_EXT_KILL_POLICY || ev->kind == OOM_EXT_KILL_SELECT ?
		policy : "the kernel", kill_kind_str(ev->kind));
	fprintf(f, "    why: %s\n", reason[0] ? reason : "(no reason given)");
	fprintf(f, "    score: kernel %" PRId64 ", policy ", (int64_t)ev->kernel_points);
	if (ev->policy_points == OOM_EXT_NEVER)
		fprintf(f, "none");
	else
		fprintf(f, "%" PRId64, (int64_t)ev->policy_points);
	fprintf(f, ", oom_score_adj %d, %u task%s scored", ev->oom_score_adj, ev->nr_scored,
		ev->nr_scored == 1 ? "" : "s");
	if (ev->runner_up_pid)
		fprintf(f, "; runner-up pid %u at %" PRId64, ev->runner_up_pid,
			(int64_t)ev->runner_up_points);
	fputc('\n', f);
	fprintf(f, "    memory: anon %s, file %s, shmem %s, swap %s, page tables %s\n",
		human(a, sizeof(a), ev->rss_anon, false), human(b, sizeof(b), ev->rss_file, false),
		human(c, sizeof(c), ev->rss_shmem, false), human(d, sizeof(d), ev->swapents, false),
		human(e, sizeof(e), ev->pgtables_bytes, true));
	if (ev->trigger_id)
		fprintf(f, "    cause: memory pressure, trigger %u (%s %" PRIu64 "ms in %" PRIu64
			"ms): %" PRIu64 "ms stall in %" PRIu64 "ms\n", ev->trigger_id,
			ev->trigger_full ? "full" : "some", (uint64_t)ev->trigger_threshold_us / 1000,
			(uint64_t)ev->trigger_window_us / 1000, (uint64_t)ev->trigger_stall_us / 1000,
			(uint64_t)ev->trigger_measured_us / 1000);
	if (ev->group_memcg_id)
		fprintf(f, "    the whole cgroup %s was killed with it: %u more process%s\n",
			cgroup_path_of(ev->group_memcg_id, cg, sizeof(cg)), ev->group_killed,
			ev->group_killed == 1 ? "" : "es");
	if (ev->kill_mode) {
		fprintf(f, "    kill mode: %s, by the policy", kill_mode_str(ev->kill_mode));
		if (ev->kill_line)
			fprintf(f, " (kill rule at line %u)", ev->kill_line);
		fputc('\n', f);
	}
}

void json_string(FILE *f, const char *s, size_t maxlen)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < maxlen && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);	/* kernel strings are bytes, not UTF-8 */
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_cgroup(FILE *f, const char *key, __u64 id)
{
	char path[256];

	fprintf(f, ",\"%s\":", key);
	if (!id) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"id\":%" PRIu64 ",\"path\":", (uint64_t)id);
	cgroup_path_of(id, path, sizeof(path));
	if (path[0])
		json_string(f, path, sizeof(path));
	else
		fputs("null", f);
	fputc('}', f);
}

void event_print_json(FILE *f, const struct oomx_event *ev)
{
	fprintf(f, "{\"type\":\"%s\",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,\"comm\":",
		ev->type == OOMX_EV_KILL ? "kill" : ev->type == OOMX_EV_REAP ? "reap" :
		ev->type == OOMX_EV_SHADOW ? "shadow" : "unknown",
		(uint64_t)ev->time_ns, ev->pid, ev->tid);
	json_string(f, ev->comm, sizeof(ev->comm));
	fputs(",\"policy\":", f);
	json_string(f, ev->policy, sizeof(ev->policy));
	if (ev->type == OOMX_EV_REAP) {
		fprintf(f, ",\"result\":%d,\"attempts\":%u,\"since_kill_ns\":%" PRIu64
			",\"duration_ns\":%" PRIu64 ",\"rss_before_pages\":%" PRIu64
			",\"rss_after_pages\":%" PRIu64 "}\n",
			ev->reap_result, ev->reap_attempts, (uint64_t)ev->reap_since_kill_ns,
			(uint64_t)ev->reap_duration_ns, (uint64_t)ev->reap_rss_before,
			(uint64_t)ev->reap_rss_after);
		return;
	}
	if (ev->type == OOMX_EV_SHADOW) {
		fprintf(f, ",\"constraint\":\"%s\"", constraint_str(ev->constraint));
		json_cgroup(f, "oom_cgroup", ev->memcg_id);
		fprintf(f, ",\"real_pid\":%u,\"agree\":%s,\"points\":", ev->real_pid,
			ev->agree ? "true" : "false");
		if (ev->pid)
			fprintf(f, "%" PRId64 ",\"kernel_points\":%" PRId64, (int64_t)ev->policy_points,
				(int64_t)ev->kernel_points);
		else
			fputs("null,\"kernel_points\":null", f);
		fprintf(f, ",\"nr_scored\":%u,\"runner_up\":", ev->nr_scored);
		if (ev->runner_up_pid)
			fprintf(f, "{\"pid\":%u,\"points\":%" PRId64 "}", ev->runner_up_pid,
				(int64_t)ev->runner_up_points);
		else
			fputs("null", f);
		fprintf(f, ",\"shadow_ns\":%" PRIu64 ",\"truncated\":%s}\n", (uint64_t)ev->shadow_ns,
			ev->truncated ? "true" : "false");
		return;
	}
	fprintf(f, ",\"uid\":%u,\"chosen_by\":\"%s\",\"constraint\":\"%s\"", ev->uid,
		kill_kind_str(ev->kind), constraint_str(ev->constraint));
	json_cgroup(f, "oom_cgroup", ev->memcg_id);
	json_cgroup(f, "cgroup", ev->victim_memcg_id);
	json_cgroup(f, "group_killed", ev->group_memcg_id);
	fprintf(f, ",\"group_killed_count\":%u,\"kill_mode\":\"%s\",\"kill_line\":",
		ev->group_killed, kill_mode_str(ev->kill_mode));
	if (ev->kill_line)
		fprintf(f, "%u", ev->kill_line);
	else
		fputs("null", f);
	fprintf(f, ",\"kernel_points\":%" PRId64 ",\"policy_points\":", (int64_t)ev->kernel_points);
	if (ev->policy_points == OOM_EXT_NEVER)
		fputs("null", f);
	else
		fprintf(f, "%" PRId64, (int64_t)ev->policy_points);
	fprintf(f, ",\"oom_score_adj\":%d,\"totalpages\":%" PRIu64 ",\"nr_scored\":%u",
		ev->oom_score_adj, (uint64_t)ev->totalpages, ev->nr_scored);
	if (ev->runner_up_pid)
		fprintf(f, ",\"runner_up\":{\"pid\":%u,\"points\":%" PRId64 "}", ev->runner_up_pid,
			(int64_t)ev->runner_up_points);
	else
		fputs(",\"runner_up\":null", f);
	fprintf(f, ",\"mem\":{\"rss_anon_pages\":%" PRIu64 ",\"rss_file_pages\":%" PRIu64
		",\"rss_shmem_pages\":%" PRIu64 ",\"swap_pages\":%" PRIu64
		",\"pgtables_bytes\":%" PRIu64 "},\"reason\":",
		(uint64_t)ev->rss_anon, (uint64_t)ev->rss_file, (uint64_t)ev->rss_shmem,
		(uint64_t)ev->swapents, (uint64_t)ev->pgtables_bytes);
	json_string(f, ev->reason, sizeof(ev->reason));
	if (ev->trigger_id)
		fprintf(f, ",\"cause\":\"pressure\",\"trigger\":{\"id\":%u,\"kind\":\"%s\","
			"\"threshold_us\":%" PRIu64 ",\"window_us\":%" PRIu64 ",\"stall_us\":%" PRIu64
			",\"measured_us\":%" PRIu64 "}}\n", ev->trigger_id,
			ev->trigger_full ? "full" : "some", (uint64_t)ev->trigger_threshold_us,
			(uint64_t)ev->trigger_window_us, (uint64_t)ev->trigger_stall_us,
			(uint64_t)ev->trigger_measured_us);
	else
		fputs(",\"cause\":\"exhaustion\",\"trigger\":null}\n", f);
}

int event_print_cb(void *ctx, void *data, size_t len)
{
	const bool *json = ctx;
	struct oomx_event ev = { 0 };

	memcpy(&ev, data, len < sizeof(ev) ? len : sizeof(ev));
	if (*json)
		event_print_json(stdout, &ev);
	else
		event_print_text(stdout, &ev);
	fflush(stdout);
	return 0;
}
