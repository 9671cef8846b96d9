// SPDX-License-Identifier: GPL-2.0
/*
 * events_test - host unit test of user/events.c: prints hand-made kill and
 * reap records as JSON lines (validated by selftests/host/events-format.sh
 * with jq) and as text, with a fake cgroup tree for the path lookup.
 *
 *   events_test CGROUP_ROOT json|text
 *
 * CGROUP_ROOT must contain the directory "a/b"; the kill record names it
 * (by inode) as the victim's cgroup and the OOMing cgroup.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "events.h"

int main(int argc, char **argv)
{
	struct oomx_event kill = { 0 }, reap = { 0 }, shadow = { 0 }, nobody = { 0 }, psi;
	char path[4096];
	struct stat st, parent;

	if (argc != 3) {
		fprintf(stderr, "usage: events_test CGROUP_ROOT json|text\n");
		return 2;
	}
	cgroup_set_root(argv[1]);
	snprintf(path, sizeof(path), "%s/a/b", argv[1]);
	if (stat(path, &st)) {
		perror(path);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/a", argv[1]);
	if (stat(path, &parent)) {
		perror(path);
		return 2;
	}

	kill.type = OOMX_EV_KILL;
	kill.pid = 1234;
	kill.tid = 1236;
	kill.time_ns = 5123456789ULL;
	/* a comm that needs escaping, filling the array without a NUL */
	memcpy(kill.comm, "q\"b\\\n\x01zzzzzzzzzz", OOMX_COMM_LEN);
	strcpy(kill.policy, "default");
	kill.uid = 1000;
	kill.kind = 2;
	kill.constraint = 3;
	kill.oom_score_adj = -500;
	kill.memcg_id = st.st_ino;
	kill.victim_memcg_id = st.st_ino;
	/* a memory.oom.group kill of the parent that took three more */
	kill.group_memcg_id = parent.st_ino;
	kill.group_killed = 3;
	kill.kernel_points = 10452;
	kill.policy_points = OOM_EXT_NEVER;
	kill.totalpages = 25600;
	kill.rss_anon = 10240;
	kill.rss_file = 300;
	kill.rss_shmem = 0;
	kill.swapents = 7;
	kill.pgtables_bytes = 122880;
	kill.runner_up_pid = 77;
	kill.runner_up_points = 6400;
	kill.nr_scored = 4;
	strcpy(kill.reason, "largest oom_badness");

	reap.type = OOMX_EV_REAP;
	reap.pid = 1234;
	reap.tid = 1236;
	reap.time_ns = 5133456789ULL;
	strcpy(reap.comm, "hog");
	strcpy(reap.policy, "default");
	reap.reap_result = 0;
	reap.reap_attempts = 1;
	reap.reap_since_kill_ns = 10000000;
	reap.reap_duration_ns = 2500000;
	reap.reap_rss_before = 10540;
	reap.reap_rss_after = 5;

	shadow.type = OOMX_EV_SHADOW;
	shadow.pid = 77;
	shadow.tid = 77;
	shadow.time_ns = 5000000000ULL;
	strcpy(shadow.comm, "db");
	strcpy(shadow.policy, "newest");
	shadow.constraint = 3;	/* memcg */
	shadow.memcg_id = kill.memcg_id;
	shadow.policy_points = 35905;
	shadow.kernel_points = 6400;
	shadow.nr_scored = 4;
	shadow.runner_up_pid = 1234;
	shadow.runner_up_points = 35887;
	shadow.real_pid = 1234;
	shadow.agree = 0;
	shadow.shadow_ns = 461000;
	nobody.type = OOMX_EV_SHADOW;
	nobody.time_ns = 5000000001ULL;
	strcpy(nobody.policy, "picky");
	nobody.real_pid = 1234;
	nobody.nr_scored = 3;
	nobody.truncated = 1;

	/* the same kill, started by a pressure trigger (oomx watch) */
	psi = kill;
	psi.trigger_id = 3;
	psi.trigger_full = 1;
	psi.trigger_threshold_us = 100000;
	psi.trigger_window_us = 1000000;
	psi.trigger_stall_us = 737774;
	psi.trigger_measured_us = 1082295;
	/* ...whose group the policy's kill rule of line 4 chose */
	psi.kill_mode = OOM_EXT_KILL_MODE_GROUP;
	psi.kill_line = 4;

	if (!strcmp(argv[2], "json")) {
		event_print_json(stdout, &kill);
		event_print_json(stdout, &reap);
		event_print_json(stdout, &shadow);
		event_print_json(stdout, &nobody);
		event_print_json(stdout, &psi);
	} else {
		event_print_text(stdout, &kill);
		event_print_text(stdout, &reap);
		event_print_text(stdout, &shadow);
		event_print_text(stdout, &nobody);
		event_print_text(stdout, &psi);
	}
	return 0;
}
