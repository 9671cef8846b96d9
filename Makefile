# SPDX-License-Identifier: GPL-2.0
# oomx: a BPF-programmable OOM killer for Linux 6.12.
#
#   make test    build everything, run host unit tests and VM tests
#   make demo    boot the VM and show an OOM kill, explained
#   make help    all targets
#
# The kernel, libbpf and bpftool live in $(OOMX_CACHE), outside the repo.

OOMX_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/oomx
export OOMX_CACHE

B := build
export OOMX_BUILD := $(CURDIR)/$(B)

TOOLS := $(OOMX_CACHE)/tools/current
BPFTOOL := $(TOOLS)/bpftool/bpftool
LIBBPF_A := $(TOOLS)/libbpf/libbpf.a
LIBBPF_INC := $(TOOLS)/include

CC ?= cc
CLANG ?= clang-16
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	-I vmlinux -I bpf -I $(LIBBPF_INC)
LIBBPF_LIBS := $(LIBBPF_A) -lelf -lz

Q := @
ifeq ($(V),1)
Q :=
endif
msg = @printf '  %-8s %s\n' "$(1)" "$(2)"

.PHONY: policy all help deps deps-build source kernel kernel-unpatched kernel-deb tools vmlinux-h check-vmlinux-h check-series \
	selftests test scorecard compare bench kernel-bench kernel-bench-unpatched \
	demo clean clean-cache oomx install uninstall deb
.DELETE_ON_ERROR:
.SECONDARY:

all: oomx selftests

help:
	@echo "oomx targets:"
	@echo "  make test          build all, run host unit tests + VM tests (T=regex filters)"
	@echo "  make scorecard     the OOM scenario suite in the VM: kernel vs default, priority,"
	@echo "                     pressure (P=\"LIST\" for others, e.g. a .bpf.o); table, JSON, SVG"
	@echo "  make compare       oomx vs the kernel, earlyoom and a PSI killer (systemd-oomd's"
	@echo "                     rules) in the VM, same workloads (ARGS=\"--short\" etc.)"
	@echo "  make bench         what oomx costs against the unpatched kernel: OOM scan at 1k/10k"
	@echo "                     tasks, the reaper racing an exit, kill to free per victim"
	@echo "                     state, event delivery, idle cost (ARGS=\"--quick\" etc.)"
	@echo "  make demo          boot the VM, provoke a memcg OOM, explain the kill"
	@echo "  make deps          install missing Debian packages (idempotent)"
	@echo "  make kernel        fetch linux-source-6.12, apply kernel/patches, build"
	@echo "  make kernel-unpatched  the same 6.12 without the series (baselines, shadows)"
	@echo "  make kernel-bench  the kernel without lock debugging, with and without the"
	@echo "                     series (kernel-bench-unpatched): what 'make bench' measures"
	@echo "  make tools         libbpf.a + bpftool from the unpacked linux-source-6.12"
	@echo "  make vmlinux-h     regenerate vmlinux/vmlinux.h from the built kernel"
	@echo "  make check-vmlinux-h  fail if the committed vmlinux.h is stale"
	@echo "  make check-series  checkpatch --strict every patch; build every prefix"
	@echo "  make oomx          build the loader, build/oomx, with the policies in bpf/"
	@echo "  make policy SRC=F  build your own policy F (NAME.bpf.c) into NAME.bpf.o"
	@echo "  make install       oomx, its man page, oomx.service, /etc/oomx (PREFIX, DESTDIR);"
	@echo "                     builds no kernel, installs no QEMU"
	@echo "  make deb           the same as a Debian package, build/oomx.deb"
	@echo "  make selftests     build the test programs"
	@echo "  make clean         remove build/;  make clean-cache: remove $(OOMX_CACHE)"
	@echo "VM by hand: scripts/oomx-vm --help"

deps: deps-build
	$(Q)scripts/deps.sh

# the loader's own build needs: no kernel build, no QEMU (make install)
deps-build:
	$(Q)scripts/deps.sh --build

kernel: deps source
	$(Q)scripts/build-kernel.sh

# the same 6.12 without the series, same configuration: baselines, shadows without oom_ext
kernel-unpatched: deps source
	$(Q)scripts/build-kernel.sh --unpatched

# the benchmarks' kernels: the same options without lock debugging, with and
# without the series (scripts/build-kernel.sh --bench)
kernel-bench: deps source
	$(Q)scripts/build-kernel.sh --bench

# after kernel-bench, never beside it: both use the one source cache
kernel-bench-unpatched: deps source | kernel-bench
	$(Q)scripts/build-kernel.sh --bench --unpatched

# the kernel as a Debian package (bindeb-pkg), for the systemd guest
kernel-deb: kernel
	$(Q)scripts/build-kernel-deb.sh

# the unpacked kernel source, which libbpf and bpftool are built from
source: deps-build
	$(Q)scripts/build-kernel.sh --source-only

tools: source
	$(Q)scripts/build-tools.sh

vmlinux-h: kernel tools
	$(Q)scripts/gen-vmlinux-h.sh

check-vmlinux-h: kernel tools
	$(Q)scripts/gen-vmlinux-h.sh --check

# ---------------------------------------------------------------- BPF -----
BPF_HEADERS := $(wildcard bpf/*.h)

$(B)/%.bpf.o: %.bpf.c vmlinux/vmlinux.h $(BPF_HEADERS) | tools
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I $(<D) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(B)/%.skel.h: $(B)/%.bpf.o | tools
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

# A policy of your own, anywhere: make policy SRC=dir/NAME.bpf.c [POLICY_OUT=dir/NAME.bpf.o].
# The same clang command as the built-in policies; V=1 prints it.
policy: OUT = $(or $(POLICY_OUT),$(SRC:.c=.o))
policy:
	$(if $(SRC),,$(error make policy needs SRC=path/to/NAME.bpf.c))
	$(call msg,BPF,$(OUT))
	$(Q)$(CLANG) $(BPF_CFLAGS) -I $(dir $(SRC)) -c $(SRC) -o $(OUT)

# ------------------------------------------------------------- install ----
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc

# Configuration files are never overwritten: an operator's edits survive.
install: $(B)/oomx
	install -D -m 0755 $(B)/oomx $(DESTDIR)$(SBINDIR)/oomx
	install -D -m 0644 docs/oomx.8 $(DESTDIR)$(MANDIR)/man8/oomx.8
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/oomx
	for u in oomx oomx-watch; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' etc/$$u.service.in >$(DESTDIR)$(UNITDIR)/$$u.service; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service; \
	done
	for f in etc/oomx/*; do \
		t=$(DESTDIR)$(SYSCONFDIR)/oomx/$$(basename $$f); \
		[ -e $$t ] || install -m 0644 $$f $$t; \
	done

# a Debian package of the same files (build/oomx_VERSION_ARCH.deb, and
# build/oomx.deb pointing at it)
deb: $(B)/oomx
	$(Q)scripts/make-deb.sh

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/oomx $(DESTDIR)$(MANDIR)/man8/oomx.8 \
		$(DESTDIR)$(UNITDIR)/oomx.service $(DESTDIR)$(UNITDIR)/oomx-watch.service

# ---------------------------------------------------------------- oomx -----
POLICIES := default priority pressure
POLICY_OBJS := $(POLICIES:%=$(B)/bpf/%.bpf.o)
OOMX_SRCS := $(wildcard user/*.c)
OOMX_HDRS := $(wildcard user/*.h) bpf/oomx_shared.h
USER_CFLAGS := $(CFLAGS) -I user -I bpf -I $(B)/gen -I $(LIBBPF_INC)

# The kernel's oom_ext constants for user space, from its BTF (vmlinux.h).
CONSTS_H := $(B)/gen/oom_ext_consts.h
$(CONSTS_H): vmlinux/vmlinux.h scripts/gen-consts.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/gen-consts.sh $< $@

# The built-in policies, embedded whole (user/builtin.h).
$(B)/gen/builtin.S: $(POLICY_OBJS) scripts/embed-policies.sh Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed-policies.sh $@ $(foreach p,$(POLICIES),$(p)=$(B)/bpf/$(p).bpf.o)

oomx: $(B)/oomx

$(B)/oomx: $(OOMX_SRCS) $(OOMX_HDRS) $(CONSTS_H) $(B)/gen/builtin.S $(B)/bpf/trigger.skel.h | tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -I $(B)/bpf -o $@ $(OOMX_SRCS) $(B)/gen/builtin.S $(LIBBPF_LIBS)

# ----------------------------------------------------------- selftests ----
ST := $(B)/selftests
ST_PLAIN := $(ST)/hog $(ST)/runwait $(ST)/ptrace_hold
ST_BPF := $(ST)/victim_watch $(ST)/oom_ext_attach $(ST)/oom_clock

# BPF objects that the verifier must refuse, loaded by oom_ext_tryload.
ST_REJECT := $(B)/selftests/progs/oom_ext_reject_write.bpf.o \
	$(B)/selftests/progs/oom_ext_reject_sleepable.bpf.o \
	$(B)/selftests/progs/oom_ext_reject_kill.bpf.o

# Policies loaded by policy_run, configured per test through their globals.
ST_POLICIES := $(B)/selftests/progs/oomx_test.bpf.o

# the side-by-side comparison's programs (compare/, docs/compare.md)
COMPARE_PROGS := $(addprefix $(B)/compare/,monitor protected workload psikill psirec replay)

selftests: $(ST_PLAIN) $(ST_BPF) $(ST)/oom_ext_tryload $(ST)/policy_run \
	$(ST_REJECT) $(ST_POLICIES) $(ST)/events_test $(ST)/config_test $(ST)/score_test \
	$(ST)/pin_poke $(ST)/pressure_test $(ST)/metrics_test $(COMPARE_PROGS)

$(B)/compare/%: compare/%.c selftests/progs/util.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

# the recorder and the replay share the watcher's PSI parsing and decision
# (user/pressure.c)
$(B)/compare/psirec $(B)/compare/replay: $(B)/compare/%: compare/%.c user/pressure.c \
		user/pressure.h user/swap.c user/swap.h user/config.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I user -o $@ $< user/pressure.c user/swap.c

# oomx, earlyoom and a PSI killer side by side in the VM (ARGS: see
# scripts/compare.sh --help); the short version runs in 'make test'
compare: kernel oomx selftests
	$(Q)scripts/compare.sh $(ARGS)

# what oomx costs against the unpatched kernel (ARGS: see bench/run.sh
# --help; docs/performance.md)
BENCH_PROGS := $(B)/bench/tasks $(B)/bench/killstorm $(B)/bench/victim

$(BENCH_PROGS): $(B)/bench/%: bench/%.c selftests/progs/util.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

# the reaper racing an exit (process_mrelease), timed by BPF
$(B)/bench/mrelease: bench/mrelease.c bench/mrelease.h $(B)/bench/mrelease.skel.h \
		selftests/progs/loader_util.h | tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -pthread -I $(B)/bench -I $(LIBBPF_INC) -o $@ $< $(LIBBPF_LIBS)

$(B)/bench/mrelease.bpf.o: bench/mrelease.h

bench: deps kernel-bench kernel-bench-unpatched tools oomx selftests $(BENCH_PROGS) \
		$(B)/bench/mrelease
	$(Q)bench/run.sh $(ARGS)

# host unit test of the configuration parser, with ASan and UBSan
$(ST)/config_test: selftests/progs/config_test.c user/config.c user/config.h $(CONSTS_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -I user \
		-I $(B)/gen -o $@ selftests/progs/config_test.c user/config.c

# host unit test of the pressure triggers' decisions, with ASan and UBSan
$(ST)/pressure_test: selftests/progs/pressure_test.c user/pressure.c user/pressure.h user/swap.c \
		user/swap.h user/config.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -I user \
		-o $@ selftests/progs/pressure_test.c user/pressure.c user/swap.c

# host unit test of the Prometheus exposition, with ASan and UBSan
$(ST)/metrics_test: selftests/progs/metrics_test.c user/metrics.c user/metrics.h user/pressure.h \
		user/swap.h \
		bpf/oomx_shared.h \
		$(CONSTS_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -I user -I bpf \
		-I $(B)/gen -o $@ selftests/progs/metrics_test.c user/metrics.c

# host unit test of the built-in policies' arithmetic, the BPF headers compiled for the host
$(ST)/score_test: selftests/progs/score_test.c bpf/priority_score.h bpf/pressure_score.h \
		bpf/growth_rate.h $(CONSTS_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -I bpf -I $(B)/gen \
		-o $@ selftests/progs/score_test.c

# host unit test of the loader's event formatting
$(ST)/events_test: selftests/progs/events_test.c user/events.c user/events.h user/cgroups.c \
		user/cgroups.h bpf/oomx_shared.h $(CONSTS_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I user -I bpf -I $(B)/gen -o $@ selftests/progs/events_test.c \
		user/events.c user/cgroups.c

$(ST)/%: selftests/progs/%.c selftests/progs/util.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

# Test programs with a BPF skeleton, linked with the tree's static libbpf.
$(ST_BPF): $(ST)/%: selftests/progs/%.c $(B)/selftests/progs/%.skel.h | tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I $(B)/selftests/progs -I $(LIBBPF_INC) -o $@ $< $(LIBBPF_LIBS)

$(ST_BPF): selftests/progs/loader_util.h

$(ST)/oom_ext_tryload: selftests/progs/oom_ext_tryload.c selftests/progs/loader_util.h | tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I $(LIBBPF_INC) -o $@ $< $(LIBBPF_LIBS)

# policy_run shares the loader's BTF globals code
$(ST)/policy_run: selftests/progs/policy_run.c selftests/progs/loader_util.h user/globals.c \
		user/globals.h bpf/oomx_shared.h $(CONSTS_H) | tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I user -I bpf -I $(B)/gen -I $(LIBBPF_INC) -o $@ $< user/globals.c $(LIBBPF_LIBS)
# pin_poke: a pinned global, read or written in place (user/globals.c)
$(ST)/pin_poke: selftests/progs/pin_poke.c user/globals.c user/globals.h | tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I user -I $(LIBBPF_INC) -o $@ $< user/globals.c $(LIBBPF_LIBS)

$(ST)/victim_watch: selftests/progs/victim_watch.h
$(ST)/oom_clock: selftests/progs/oom_clock.h

test: deps kernel kernel-unpatched tools oomx selftests
	$(Q)selftests/run-tests

scorecard: deps kernel tools oomx selftests
	$(Q)scripts/scorecard.sh $(if $(P),--policies "$(P)")

demo: deps kernel tools oomx selftests
	$(Q)scripts/demo

clean:
	rm -rf $(B)

clean-cache:
	rm -rf $(OOMX_CACHE)

# The review gate for kernel/patches (slow: one incremental build per prefix).
check-series: deps
	$(Q)scripts/check-series.sh
