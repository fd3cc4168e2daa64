/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tenant.c: tenants. Each peer uid is its own tenant ("uid:1000") unless a
 * [tenant NAME] section of the config names its uid or primary gid
 * (config.c); such a section may make its members administrators. A tenant owns its
 * modules and names (store.c) and counts its running jobs and live
 * instances for the --max-concurrent quota.
 */
#include "sup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sup_tenant *
sup_tenant_by_name(struct sup *sup, const char *name)
{
	struct sup_tenant *t;

	TAILQ_FOREACH(t, &sup->tenants, entry)
	{
		if (strcmp(t->name, name) == 0)
			return t;
	}
	t = sup_xcalloc(1, sizeof(*t));
	t->name = sup_strdup(name);
	if (asprintf(&t->dir, "%s/tenants/%s", sup->cfg.state_dir, name) < 0)
		abort();
	TAILQ_INIT(&t->modules);
	TAILQ_INIT(&t->names);
	TAILQ_INIT(&t->bundles);
	TAILQ_INSERT_TAIL(&sup->tenants, t, entry);
	return t;
}

struct sup_tenant *
sup_tenant_for_uid(struct sup *sup, uid_t uid)
{
	char name[32];

	snprintf(name, sizeof(name), "uid:%lu", (unsigned long)uid);
	return sup_tenant_by_name(sup, name);
}

struct sup_tenant *
sup_tenant_for_peer(struct sup *sup, uid_t uid, gid_t gid, bool *admin)
{
	const struct sup_tenant_rule *rule =
	    sup_conf_rule_for(&sup->cfg, uid, gid);

	*admin = rule != NULL && rule->admin;
	if (rule == NULL)
		return sup_tenant_for_uid(sup, uid);
	return sup_tenant_by_name(sup, rule->name);
}

static void
tenant_free(struct sup_tenant *t)
{
	struct sup_module *m;
	struct sup_name *n;

	while ((m = TAILQ_FIRST(&t->modules)) != NULL) {
		TAILQ_REMOVE(&t->modules, m, entry);
		free(m);
	}
	while ((n = TAILQ_FIRST(&t->names)) != NULL) {
		TAILQ_REMOVE(&t->names, n, entry);
		free(n->name);
		free(n);
	}
	sup_bundles_free(t);
	free(t->name);
	free(t->dir);
	free(t);
}

bool
sup_tenant_slot_free(const struct sup_tenant *t, const struct sup_config *c)
{
	/* Jobs of an instance run in the slot the instance holds. */
	return t->running - t->instance_jobs + t->instances < c->max_concurrent;
}

void
sup_tenants_free(struct sup *sup)
{
	struct sup_tenant *t;

	while ((t = TAILQ_FIRST(&sup->tenants)) != NULL) {
		TAILQ_REMOVE(&sup->tenants, t, entry);
		tenant_free(t);
	}
}
