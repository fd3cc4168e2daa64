/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c: wasmd's configuration file, its drop-ins, tenant rules and
 * reloading on SIGHUP.
 *
 * The file (default SYSCONFDIR/wasmd/wasmd.conf, or -c FILE) is INI, read
 * with libinih, then every .conf file in FILE.d, in name order (a later value
 * wins); command-line flags are applied after both. Keys in [daemon],
 * [limits] and [quotas] are the long flag names of wasmd, parsed by the
 * same code as the flags (sup_config_set in main.c), plus "socket" (a path).
 * [tenant NAME] sections map uids and primary gids to a named tenant and
 * may mark it admin. A bad value is reported as FILE:LINE with the key.
 *
 * Reloading builds a whole new configuration the same way (defaults, file,
 * flags) and copies what can change while running into the daemon: limits,
 * quotas, pool size, tenant rules, drain grace and metrics settings. Jobs
 * in flight keep the limits they started with; sessions keep the tenant
 * they were given at hello. The socket, state directory, worker binary,
 * worker-spawn and frame limit need a restart.
 */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef WASMD_SYSCONFDIR
#define WASMD_SYSCONFDIR "/etc"
#endif

/* Where the reader is, for messages that name the file and line. */
struct conf_reader {
	struct sup_config *cfg;
	const char *path; /* borrowed */
	FILE *f;
	int line;
	bool failed;
	char err[512];
};

const char *
sup_conf_default_path(void)
{
	return WASMD_SYSCONFDIR "/wasmd/wasmd.conf";
}

/* inih's reader: one line per call, so the line number is ours to keep. */
static char *
read_line(char *buf, int size, void *arg)
{
	struct conf_reader *r = arg;
	char *s = fgets(buf, size, r->f);

	if (s != NULL)
		r->line++;
	return s;
}

static int conf_error(struct conf_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first error of a file; returns 0 for inih ("failed"). */
static int
conf_error(struct conf_reader *r, const char *fmt, ...)
{
	va_list ap;
	char msg[400];

	if (r->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s:%d: %s", r->path, r->line, msg);
	r->failed = true;
	return 0;
}

static bool
tenant_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '-'))
			return false;
	}
	return true;
}

static struct sup_tenant_rule *
rule_for_name(struct sup_config *c, const char *name)
{
	struct sup_tenant_rule *r;

	for (size_t i = 0; i < c->nrules; i++)
		if (strcmp(c->rules[i].name, name) == 0)
			return &c->rules[i];
	r = realloc(c->rules, (c->nrules + 1) * sizeof(*r));
	if (r == NULL)
		abort();
	c->rules = r;
	r = &c->rules[c->nrules++];
	memset(r, 0, sizeof(*r));
	r->name = sup_strdup(name);
	return r;
}

/* One id of a list: a number, or a user (group) name. */
static bool
parse_id(const char *word, bool group, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(word, &end, 10);
	if (errno == 0 && end != word && *end == '\0' && word[0] != '-')
		return *out < 0xffffffffUL;
	if (group) {
		struct group *g = getgrnam(word);
		if (g != NULL)
			*out = g->gr_gid;
		return g != NULL;
	}
	struct passwd *p = getpwnam(word);
	if (p != NULL)
		*out = p->pw_uid;
	return p != NULL;
}

/* "1000 1001, alice": replaces *ids (own) with the parsed list. */
static int
parse_ids(struct conf_reader *r, const char *key, const char *value, bool group,
    unsigned long **ids, size_t *n)
{
	char *copy = sup_strdup(value), *save = NULL, *word;
	unsigned long *list = NULL, id;
	size_t k = 0;

	for (word = strtok_r(copy, " \t,", &save); word != NULL;
	     word = strtok_r(NULL, " \t,", &save)) {
		if (!parse_id(word, group, &id)) {
			conf_error(r, "%s: \"%s\" is not a %s number or name",
			    key, word, group ? "group" : "user");
			free(list);
			free(copy);
			return 0;
		}
		list = realloc(list, (k + 1) * sizeof(*list));
		if (list == NULL)
			abort();
		list[k++] = id;
	}
	free(copy);
	free(*ids);
	*ids = list;
	*n = k;
	return 1;
}

static int
parse_bool(const char *value, bool *out)
{
	if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 ||
	    strcmp(value, "1") == 0 || strcmp(value, "on") == 0)
		*out = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
	    strcmp(value, "0") == 0 || strcmp(value, "off") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

static int
tenant_key(struct conf_reader *r, const char *tenant, const char *key,
    const char *value)
{
	struct sup_tenant_rule *rule;

	if (!tenant_name_ok(tenant))
		return conf_error(r,
		    "[tenant %s]: a tenant name is 1 to 64 of A-Z a-z 0-9 . _ "
		    "- (not starting with a dot)",
		    tenant);
	rule = rule_for_name(r->cfg, tenant);
	if (strcmp(key, "uids") == 0)
		return parse_ids(
		    r, key, value, false, &rule->uids, &rule->nuids);
	if (strcmp(key, "gids") == 0)
		return parse_ids(
		    r, key, value, true, &rule->gids, &rule->ngids);
	if (strcmp(key, "admin") == 0) {
		if (parse_bool(value, &rule->admin) != 0)
			return conf_error(r,
			    "admin: invalid value \"%s\" (true or false)",
			    value);
		return 1;
	}
	return conf_error(r, "unknown key \"%s\" in [tenant %s]", key, tenant);
}

static int
handle_key(void *arg, const char *section, const char *key, const char *value)
{
	struct conf_reader *r = arg;
	int rc;

	if (key == NULL) /* a section header alone */
		return 1;
	if (strncmp(section, "tenant ", 7) == 0)
		return tenant_key(r, section + 7, key, value);
	if (strcmp(section, "daemon") != 0 && strcmp(section, "limits") != 0 &&
	    strcmp(section, "quotas") != 0)
		return conf_error(r,
		    "key \"%s\" in unknown section [%s] (sections: daemon, "
		    "limits, quotas, tenant NAME)",
		    key, section);
	if (strcmp(key, "socket") == 0) {
		if (value[0] != '/')
			return conf_error(
			    r, "socket: \"%s\" is not an absolute path", value);
		free(r->cfg->socket_path);
		r->cfg->socket_path = sup_strdup(value);
		return 1;
	}
	rc = sup_config_set(r->cfg, key, value);
	if (rc == -1)
		return conf_error(
		    r, "unknown key \"%s\" in [%s]", key, section);
	if (rc == -2)
		return conf_error(r, "invalid value \"%s\" for %s", value, key);
	return 1;
}

/* Reads one file. Returns 0, or -1 after printing FILE:LINE: why. */
static int
read_file(struct sup_config *c, const char *path)
{
	struct conf_reader r = {.cfg = c, .path = path};
	int rc;

	r.f = fopen(path, "re");
	if (r.f == NULL) {
		sup_log_error("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(read_line, &r, handle_key, &r);
	fclose(r.f);
	if (r.failed) {
		sup_log_error("%s", r.err);
		return -1;
	}
	if (rc != 0) {
		sup_log_error("%s:%d: not a \"key = value\" line or a "
		              "[section] header",
		    path, rc);
		return -1;
	}
	return 0;
}

static int
is_conf_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	    strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* FILE.d/[*].conf in name order. */
static int
read_dropins(struct sup_config *c, const char *path)
{
	struct dirent **list = NULL;
	char *dir, *file;
	int n, rc = 0;

	if (asprintf(&dir, "%s.d", path) < 0)
		abort();
	n = scandir(dir, &list, is_conf_file, alphasort);
	if (n < 0 && errno != ENOENT && errno != ENOTDIR) {
		sup_log_error("cannot list %s: %s", dir, strerror(errno));
		rc = -1;
	}
	for (int i = 0; i < n; i++) {
		if (rc == 0) {
			if (asprintf(&file, "%s/%s", dir, list[i]->d_name) < 0)
				abort();
			rc = read_file(c, file);
			free(file);
		}
		free(list[i]);
	}
	free(list);
	free(dir);
	return rc;
}

/* A uid (gid) named by two tenants would make the mapping ambiguous. */
static int
check_rules(const struct sup_config *c, const char *path)
{
	for (size_t i = 0; i < c->nrules; i++)
		for (size_t j = i + 1; j < c->nrules; j++) {
			const struct sup_tenant_rule *a = &c->rules[i],
			                             *b = &c->rules[j];
			for (size_t k = 0; k < a->nuids; k++)
				for (size_t l = 0; l < b->nuids; l++)
					if (a->uids[k] == b->uids[l]) {
						sup_log_error(
						    "%s: uid %lu is in "
						    "both [tenant %s] and "
						    "[tenant %s]",
						    path, a->uids[k], a->name,
						    b->name);
						return -1;
					}
			for (size_t k = 0; k < a->ngids; k++)
				for (size_t l = 0; l < b->ngids; l++)
					if (a->gids[k] == b->gids[l]) {
						sup_log_error(
						    "%s: gid %lu is in "
						    "both [tenant %s] and "
						    "[tenant %s]",
						    path, a->gids[k], a->name,
						    b->name);
						return -1;
					}
		}
	return 0;
}

/*
 * Does arg ("--name" or "--name=value") name the long option full, maybe
 * abbreviated as getopt_long allows ("--conf")? min: the shortest
 * unambiguous prefix. *value: after '=', or NULL.
 */
static bool
long_option_is(
    const char *arg, const char *full, size_t min, const char **value)
{
	size_t n;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	n = strcspn(arg, "=");
	if (n < min || n > strlen(full) || strncmp(arg, full, n) != 0)
		return false;
	*value = arg[n] == '=' ? arg + n + 1 : NULL;
	return true;
}

int
sup_conf_prescan(int argc, char **argv, struct sup_conf_args *a)
{
	const char *v = NULL;

	memset(a, 0, sizeof(*a));
	a->path = sup_conf_default_path();
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--") == 0)
			break;
		if (long_option_is(s, "check-config", 2, &v))
			a->check = true;
		else if (long_option_is(s, "config", 2, &v) ||
		    strncmp(s, "-c", 2) == 0) {
			if (s[1] == 'c')
				v = s[2] != '\0' ? s + 2 : NULL;
			if (v == NULL && i + 1 < argc)
				v = argv[++i];
			if (v != NULL) {
				a->path = v;
				a->explicit_path = true;
			}
		}
	}
	return 0;
}

int
sup_conf_read(struct sup_config *c, const struct sup_conf_args *a)
{
	struct stat st;

	/* Without -c, a missing default file means "no configuration". */
	if (!a->explicit_path && stat(a->path, &st) != 0 && errno == ENOENT)
		return 0;
	if (read_file(c, a->path) != 0 || read_dropins(c, a->path) != 0 ||
	    check_rules(c, a->path) != 0)
		return -1;
	free(c->config_path);
	c->config_path = sup_strdup(a->path);
	return 0;
}

void
sup_conf_free(struct sup_config *c)
{
	for (size_t i = 0; i < c->nrules; i++) {
		free(c->rules[i].name);
		free(c->rules[i].uids);
		free(c->rules[i].gids);
	}
	free(c->rules);
	free(c->socket_path);
	free(c->state_dir);
	free(c->worker_path);
	free(c->worker_user);
	free(c->config_path);
	free(c->metrics_file);
	memset(c, 0, sizeof(*c));
}

const struct sup_tenant_rule *
sup_conf_rule_for(const struct sup_config *c, uid_t uid, gid_t gid)
{
	/* A user named by uid wins over a group they are in. */
	for (size_t i = 0; i < c->nrules; i++)
		for (size_t k = 0; k < c->rules[i].nuids; k++)
			if (c->rules[i].uids[k] == (unsigned long)uid)
				return &c->rules[i];
	for (size_t i = 0; i < c->nrules; i++)
		for (size_t k = 0; k < c->rules[i].ngids; k++)
			if (c->rules[i].gids[k] == (unsigned long)gid)
				return &c->rules[i];
	return NULL;
}

/* What changed that only a restart applies: logged, not applied. */
static void
warn_restart_needed(const struct sup_config *old, const struct sup_config *c)
{
	if (strcmp(old->socket_path, c->socket_path) != 0 ||
	    strcmp(old->state_dir, c->state_dir) != 0 ||
	    strcmp(old->worker_path, c->worker_path) != 0 ||
	    old->max_frame != c->max_frame ||
	    old->socket_mode != c->socket_mode ||
	    old->worker_spawn != c->worker_spawn ||
	    old->worker_namespaces != c->worker_namespaces ||
	    (old->worker_user == NULL) != (c->worker_user == NULL) ||
	    (old->worker_user != NULL &&
	        strcmp(old->worker_user, c->worker_user) != 0))
		sup_log(SUP_WARNING,
		    "event=reload outcome=partial reason=\"socket, state-dir, "
		    "worker, worker-spawn, worker-user, worker-namespaces, "
		    "socket-mode and max-frame change only at a restart\"");
}

/* Copies what may change while running from c into the daemon. */
static void
apply_reloadable(struct sup *sup, struct sup_config *c)
{
	struct sup_config *old = &sup->cfg;
	bool memory_changed = old->max_memory != c->max_memory ||
	    old->default_memory != c->default_memory ||
	    old->worker_cache_bytes != c->worker_cache_bytes;
	struct sup_tenant_rule *rules = old->rules;
	size_t nrules = old->nrules;

	old->default_fuel = c->default_fuel;
	old->max_fuel = c->max_fuel;
	old->default_memory = c->default_memory;
	old->max_memory = c->max_memory;
	old->default_timeout_ms = c->default_timeout_ms;
	old->max_timeout_ms = c->max_timeout_ms;
	old->max_output = c->max_output;
	old->max_modules = c->max_modules;
	old->max_module_bytes = c->max_module_bytes;
	old->max_concurrent = c->max_concurrent;
	old->max_connections = c->max_connections;
	old->idle_timeout_ms = c->idle_timeout_ms;
	old->pool_size = c->pool_size;
	old->drain_grace_ms = c->drain_grace_ms;
	old->log_level = c->log_level;
	sup_log_set_level(c->log_level);
	old->metrics_interval_ms = c->metrics_interval_ms;
	/* Budgets: new connections and requests see them at once. */
	old->memory_budget = c->memory_budget;
	old->tenant_memory = c->tenant_memory;
	old->max_tenant_connections = c->max_tenant_connections;
	old->max_instances = c->max_instances;
	old->max_names = c->max_names;
	old->max_module_info = c->max_module_info;
	/* Warm workers (pool.c). */
	old->worker_max_invokes = c->worker_max_invokes;
	old->worker_idle_timeout_ms = c->worker_idle_timeout_ms;
	old->worker_cache_bytes = c->worker_cache_bytes;
	/* Fair shares (sched.c): the next dispatch follows them. */
	old->max_workers = c->max_workers;
	old->tenant_worker_memory = c->tenant_worker_memory;
	old->cpu_fairness = c->cpu_fairness;
	/* Swap the owned parts, so freeing c frees the old ones. */
	old->rules = c->rules;
	old->nrules = c->nrules;
	c->rules = rules;
	c->nrules = nrules;
	char *mf = old->metrics_file;
	old->metrics_file = c->metrics_file;
	c->metrics_file = mf;
	/* Idle workers were started with the old memory limit (RLIMIT_AS). */
	if (memory_changed)
		sup_pool_recycle_idle(sup);
}

void
sup_conf_reload(struct sup *sup)
{
	unsigned long long started = sup_monotonic_us();
	struct sup_config c;

	if (sup->draining) {
		sup_log(SUP_NOTICE,
		    "event=reload outcome=ignored reason=\"draining\"");
		sup_reload_record(
		    sup, started, false, "the daemon is stopping (draining)");
		return;
	}
	sup_notify_reloading(sup);
	sup_log(SUP_NOTICE, "event=reload config=%s",
	    sup->cfg.config_path ? sup->cfg.config_path : "-");
	sup_log_clear_error();
	if (sup_config_build(&c, sup->argc, sup->argv) != 0) {
		sup_log(SUP_ERR,
		    "event=reload outcome=failed reason=\"the configuration "
		    "is invalid (see above); the running one is kept\"");
		sup_conf_free(&c);
		sup_reload_record(sup, started, false, sup_log_last_error());
		sup_notify_ready(sup);
		return;
	}
	warn_restart_needed(&sup->cfg, &c);
	apply_reloadable(sup, &c);
	sup_conf_free(&c);
	sup_metrics_config_changed(sup);
	sup_log(SUP_NOTICE,
	    "event=reload outcome=ok default_timeout_ms=%u max_timeout_ms=%u "
	    "max_concurrent=%u pool=%u tenants_configured=%zu",
	    sup->cfg.default_timeout_ms, sup->cfg.max_timeout_ms,
	    sup->cfg.max_concurrent, sup->cfg.pool_size, sup->cfg.nrules);
	sup_reload_record(sup, started, true, "");
	sup_notify_ready(sup);
}
