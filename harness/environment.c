// SPDX-License-Identifier: GPL-2.0
/*
 * Environment record.  Each field comes from the kernel's own files (procfs,
 * sysfs), libnuma and hwloc; a value that cannot be read is null rather
 * than guessed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "driver/uapi/pfnlab.h"
#include "environment.h"
#include "quiesce.h"
#include "topology.h"

int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

void read_bracketed(const char *path, char *buf, size_t len)
{
	char line[256], *a, *b;

	if (read_line(path, line, sizeof(line))) {
		snprintf(buf, len, "%s", "unavailable");
		return;
	}
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = '\0';
		snprintf(buf, len, "%s", a + 1);
	} else {
		snprintf(buf, len, "%s", line);
	}
}

void environment_hostname(char *buf, size_t len)
{
	if (gethostname(buf, len) || !buf[0])
		snprintf(buf, len, "%s", "unknown");
	buf[len - 1] = '\0';
	/* The hostname names a results directory: keep it a plain name. */
	for (char *p = buf; *p; p++)
		if (*p == '/')
			*p = '_';
}

/* Run @cmd with the shell and keep the first line of its output. */
static int first_line_of(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	int ok;

	if (!p)
		return -1;
	ok = fgets(buf, (int)len, p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? 0 : -1;
}

void environment_suite_commit(char *buf, size_t len)
{
	const char *env = getenv("PFNLAB_SUITE_COMMIT");
	char cmd[4200], srcdir[4096];
	struct stat st;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	snprintf(srcdir, sizeof(srcdir), "%s", PFNLAB_SRCDIR);
	snprintf(cmd, sizeof(cmd), "%s/.git", srcdir);
	if (stat(cmd, &st) == 0 && !strchr(srcdir, '\'')) {
		snprintf(cmd, sizeof(cmd), "git -C '%s' describe --always --dirty 2>/dev/null",
			 srcdir);
		if (first_line_of(cmd, buf, len) == 0) {
			for (char *p = buf; *p; p++)
				if (*p == '/' || *p == ' ')
					*p = '_';
			return;
		}
	}
	snprintf(buf, len, "%s", "unknown");
}

int environment_module_loaded(void)
{
	return access(PFNLAB_DEVICE_PATH, F_OK) == 0;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/*
 * The buddy allocator's highest order: /proc/buddyinfo has a column of
 * free blocks for every order from 0.  kmalloc() serves at most one block
 * of it (KMALLOC_MAX_SIZE), so it tells what kvmalloc() must vmalloc
 * instead (docs/plan.md, "A table kmalloc cannot hold").  -1 when unread.
 */
static int max_page_order(void)
{
	char line[512], *tok, *save = NULL;
	int columns = 0;
	FILE *f = fopen("/proc/buddyinfo", "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* "Node 0, zone   Normal   5861   2887 ...": count the numbers after the zone name */
	tok = strstr(line, "zone");
	if (!tok)
		return -1;
	strtok_r(tok, " \t\n", &save);	/* "zone" */
	strtok_r(NULL, " \t\n", &save); /* its name */
	while (strtok_r(NULL, " \t\n", &save))
		columns++;
	return columns - 1;
}

static json_t *kernel_record(void)
{
	struct utsname u;
	char cmdline[4096] = "", sha[128] = "", cmd[512], path[300];
	json_t *k = json_object();
	int order;

	uname(&u);
	read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	/* The config of the running kernel: /proc/config.gz, else /boot. */
	if (access("/proc/config.gz", R_OK) == 0) {
		first_line_of("gzip -dc /proc/config.gz 2>/dev/null | sha256sum", sha, sizeof(sha));
	} else {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		if (access(path, R_OK) == 0 && !strchr(path, '\'')) {
			snprintf(cmd, sizeof(cmd), "sha256sum '%s' 2>/dev/null", path);
			first_line_of(cmd, sha, sizeof(sha));
		}
	}
	sha[strcspn(sha, " ")] = '\0';
	json_object_set_new(k, "release", json_string(u.release));
	json_object_set_new(k, "version", json_string(u.version));
	json_object_set_new(k, "machine", json_string(u.machine));
	json_object_set_new(k, "cmdline", json_string(cmdline));
	json_object_set_new(k, "config_sha256", str_or_null(sha));
	order = max_page_order();
	json_object_set_new(k, "max_page_order", order >= 0 ? json_integer(order) : json_null());
	return k;
}

static void cpuinfo_field(const char *field, char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	size_t fl = strlen(field);

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		if (strncmp(line, field, fl) ||
		    (line[fl] != '\t' && line[fl] != ' ' && line[fl] != ':'))
			continue;
		colon = strchr(line, ':');
		if (!colon)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

static void hypervisor_name(char *buf, size_t len)
{
	buf[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned int a, b, c, d;
		char sig[13];

		__cpuid(1, a, b, c, d);
		if (!(c & (1u << 31)))
			return;
		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = '\0';
		if (!strcmp(sig, "KVMKVMKVM"))
			snprintf(buf, len, "KVM");
		else if (!strncmp(sig, "TCGTCGTCGTCG", 12))
			snprintf(buf, len, "QEMU-TCG");
		else if (!strcmp(sig, "Microsoft Hv"))
			snprintf(buf, len, "Hyper-V");
		else if (!strcmp(sig, "VMwareVMware"))
			snprintf(buf, len, "VMware");
		else if (!strncmp(sig, "XenVMMXenVMM", 12))
			snprintf(buf, len, "Xen");
		else
			snprintf(buf, len, "%s", sig[0] ? sig : "unknown");
	}
#else
	read_line("/sys/hypervisor/type", buf, len);
#endif
}

/*
 * What the guest's clock follows in the lab VM: "instructions" when QEMU
 * counts instructions (1 ns per instruction), "host" when it follows the
 * host's clock.  harness/vm/pfnlab-vm says which with pfnlab.clock= on the
 * kernel command line (@kernel_cmdline, as the kernel record read it);
 * elsewhere it is unknown (null).
 */
static json_t *vm_clock_record(const char *kernel_cmdline)
{
	char cmdline[4096], *tok, *save = NULL;

	snprintf(cmdline, sizeof(cmdline), "%s", kernel_cmdline ? kernel_cmdline : "");
	for (tok = strtok_r(cmdline, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strncmp(tok, "pfnlab.clock=", 13) &&
		    (!strcmp(tok + 13, "instructions") || !strcmp(tok + 13, "host")))
			return json_string(tok + 13);
	return json_null();
}

static json_t *cpu_record(void)
{
	char model[256], vendor[64], micro[64], gov[64] = "";
	int cores = topology_cores(), threads = topology_threads();

	cpuinfo_field("model name", model, sizeof(model));
	cpuinfo_field("vendor_id", vendor, sizeof(vendor));
	cpuinfo_field("microcode", micro, sizeof(micro));
	if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof(gov)))
		snprintf(gov, sizeof(gov), "%s", "none");
	json_t *caches = json_array();

	/* What a plan needs to see a call's arrays outgrow a cache (docs/plan.md). */
	for (int level = 1; level <= 3; level++) {
		long long bytes = topology_cache_bytes(level);

		if (bytes > 0)
			json_array_append_new(caches, json_pack("{s:i, s:I}", "level", level,
								"bytes", (json_int_t)bytes));
	}
	return json_pack("{s:o, s:o, s:o, s:i, s:i, s:i, s:b, s:s, s:o}", "model",
			 str_or_null(model), "vendor", str_or_null(vendor), "microcode",
			 str_or_null(micro), "sockets", topology_sockets(), "cores", cores,
			 "threads", threads, "smt", threads > cores, "governor", gov, "caches",
			 caches);
}

static json_t *numa_record(void)
{
	json_t *nodes = json_array(), *dist = json_array();
	int max = topology_max_node();
	static const unsigned long sizes_kib[] = { 2048, 1048576 };

	for (int n = 0; n <= max; n++) {
		char cpus[256];
		json_t *node, *hp = json_object();

		if (!topology_node_exists(n))
			continue;
		topology_node_cpus(n, cpus, sizeof(cpus));
		for (size_t i = 0; i < 2; i++) {
			long total, free_pages;
			char name[32];

			if (topology_node_hugepages(n, sizes_kib[i], &total, &free_pages))
				continue;
			snprintf(name, sizeof(name), "%lukB", sizes_kib[i]);
			json_object_set_new(hp, name,
					    json_pack("{s:i, s:i}", "total", (int)total, "free",
						      (int)free_pages));
		}
		node = json_pack("{s:i, s:s, s:I, s:o}", "id", n, "cpus", cpus, "mem_total_kib",
				 (json_int_t)topology_node_mem_kib(n), "hugepages", hp);
		json_array_append_new(nodes, node);
	}
	for (int a = 0; a <= max; a++) {
		json_t *row = json_array();

		if (!topology_node_exists(a)) {
			json_decref(row);
			continue;
		}
		for (int b = 0; b <= max; b++)
			if (topology_node_exists(b))
				json_array_append_new(row, json_integer(topology_distance(a, b)));
		json_array_append_new(dist, row);
	}
	return json_pack("{s:o, s:o}", "nodes", nodes, "distances", dist);
}

static json_t *iommu_record(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	int units = 0, groups = 0;
	char mode[64] = "none", path[512];
	json_t *names = json_array();

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		units++;
		json_array_append_new(names, json_string(e->d_name));
	}
	if (d)
		closedir(d);
	d = opendir("/sys/kernel/iommu_groups");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		/* The default domain type of the first group is the mode in use. */
		if (!groups++) {
			snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", e->d_name);
			if (read_line(path, mode, sizeof(mode)))
				snprintf(mode, sizeof(mode), "%s", "unknown");
		}
	}
	if (d)
		closedir(d);
	return json_pack("{s:b, s:s, s:i, s:o}", "present", units > 0, "mode",
			 units ? mode : "none", "groups", groups, "units", names);
}

static long perf_open_probe(__u32 type, __u64 config)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	attr.disabled = 1;
	attr.exclude_kernel = 0;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static json_t *module_record(void)
{
	char version[128] = "", note[256] = "";
	int loaded = environment_module_loaded();
	FILE *f;

	if (loaded)
		read_line("/sys/module/pfnlab/version", version, sizeof(version));
	/* The GNU build-id note: 12-byte header, 4-byte name "GNU\0", id bytes. */
	f = loaded ? fopen("/sys/module/pfnlab/notes/.note.gnu.build-id", "rb") : NULL;
	if (f) {
		unsigned char raw[128];
		size_t n = fread(raw, 1, sizeof(raw), f);
		unsigned int namesz, descsz;

		fclose(f);
		if (n >= 12) {
			memcpy(&namesz, raw, 4);
			memcpy(&descsz, raw + 4, 4);
			size_t off = 12 + ((namesz + 3) & ~3u);

			for (size_t i = 0; i < descsz && off + i < n && 2 * i + 2 < sizeof(note);
			     i++)
				snprintf(note + 2 * i, 3, "%02x", raw[off + i]);
		}
	}
	return json_pack("{s:b, s:o, s:o}", "loaded", loaded, "version", str_or_null(version),
			 "build_id", str_or_null(note));
}

json_t *environment_collect(void)
{
	char hv[64], en[64], df[64], sh[64];
	json_t *env = json_object();

	read_bracketed("/sys/kernel/mm/transparent_hugepage/enabled", en, sizeof(en));
	read_bracketed("/sys/kernel/mm/transparent_hugepage/defrag", df, sizeof(df));
	read_bracketed("/sys/kernel/mm/transparent_hugepage/shmem_enabled", sh, sizeof(sh));
	hypervisor_name(hv, sizeof(hv));
	json_object_set_new(env, "kernel", kernel_record());
	json_object_set_new(env, "cpu", cpu_record());
	json_object_set_new(env, "numa", numa_record());
	json_object_set_new(env, "thp",
			    json_pack("{s:s, s:s, s:s}", "enabled", en, "defrag", df,
				      "shmem_enabled", sh));
	json_object_set_new(env, "iommu", iommu_record());
	json_object_set_new(env, "virtualized", json_boolean(hv[0] != '\0'));
	json_object_set_new(env, "hypervisor", str_or_null(hv));
	json_object_set_new(env, "vm_clock",
			    vm_clock_record(json_string_value(
				    json_object_get(json_object_get(env, "kernel"), "cmdline"))));
	json_object_set_new(env, "module", module_record());
	json_object_set_new(env, "quiesce", quiesce_record());
	json_object_set_new(env, "perf",
			    json_pack("{s:b, s:b}", "hardware_counters",
				      perf_open_probe(PERF_TYPE_HARDWARE,
						      PERF_COUNT_HW_CPU_CYCLES) >= 0,
				      "tracepoints",
				      access("/sys/kernel/tracing/events", F_OK) == 0 ||
					      access("/sys/kernel/debug/tracing/events", F_OK) == 0));
	json_object_set_new(env, "page_size", json_integer(sysconf(_SC_PAGESIZE)));
	return env;
}
