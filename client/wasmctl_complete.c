/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_complete.c: `wasmctl completion bash|zsh` (wasmctl_complete.h).
 *
 * One bash function serves both shells: zsh runs it through its
 * bashcompinit layer. Names of stored modules are completed from `wasmctl
 * ls` (the last column), so completion asks the daemon the user would.
 */
#include "wasmctl_complete.h"

#include <string.h>

static const char bash_head[] =
    "# wasmctl completion (wasmctl completion bash): source it, or put it\n"
    "# in ~/.local/share/bash-completion/completions/wasmctl\n"
    "_wasmctl_refs() {\n"
    "\twasmctl \"$@\" ls 2>/dev/null | awk 'NR > 1 {\n"
    "\t\tn = split($NF, a, \",\"); for (i = 1; i <= n; i++)\n"
    "\t\t\tif (a[i] != \"-\") print a[i]\n"
    "\t}'\n"
    "}\n"
    "\n"
    "_wasmctl() {\n"
    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} verb= i\n"
    "\tlocal -a host=()\n"
    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
    "\t\tcase ${COMP_WORDS[i]} in\n"
    "\t\t-H | --host) host=(-H \"${COMP_WORDS[i + 1]}\"); ((i++)) ;;\n"
    "\t\t-*) ;;\n"
    "\t\t*) [ -z \"$verb\" ] && verb=${COMP_WORDS[i]} ;;\n"
    "\t\tesac\n"
    "\tdone\n";

static void
print_words(FILE *f, const struct wasmctl_complete_verb *v)
{
	for (const struct option *o = v->opts; o->name != NULL; o++)
		fprintf(f, " --%s", o->name);
	if (v->short_opts[0] != '\0')
		fprintf(f, " %s", v->short_opts);
}

/* The case arm completing v's options, then its operands. */
static void
print_verb(FILE *f, const struct wasmctl_complete_verb *v)
{
	const char *ops = v->operands;

	fprintf(f, "\t%s)\n\t\tcase $cur in\n\t\t-*) words=\"", v->name);
	print_words(f, v);
	fprintf(f, "\" ;;\n\t\t*) words=\"%s\"",
	    strcmp(ops, "shell") == 0 ? "bash zsh" : "");
	if (strstr(ops, "ref") != NULL)
		fprintf(f, "; words+=\" $(_wasmctl_refs \"${host[@]}\")\"");
	fprintf(f, " ;;\n\t\tesac\n");
	if (strstr(ops, "file") != NULL)
		fprintf(f, "\t\t[[ $cur != -* ]] && files=1\n");
	fprintf(f, "\t\t;;\n");
}

int
wasmctl_complete_print(FILE *f, const char *shell,
    const struct wasmctl_complete_verb *verbs, size_t nverbs)
{
	if (strcmp(shell, "zsh") == 0)
		fputs("#compdef wasmctl\n"
		      "autoload -U +X bashcompinit && bashcompinit\n",
		    f);
	else if (strcmp(shell, "bash") != 0)
		return -1;
	fputs(bash_head, f);
	fputs("\tlocal words= files=\n\tcase $verb in\n\t'')\n\t\twords=\"", f);
	for (size_t i = 0; i < nverbs; i++)
		fprintf(f, "%s%s", i ? " " : "", verbs[i].name);
	fputs(" --host --json --help --version\" ;;\n", f);
	for (size_t i = 0; i < nverbs; i++)
		print_verb(f, &verbs[i]);
	fputs("\tesac\n"
	      "\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	      "\t[ -n \"$files\" ] && COMPREPLY+=($(compgen -f -- \"$cur\"))\n"
	      "\treturn 0\n"
	      "}\n"
	      "complete -F _wasmctl wasmctl\n",
	    f);
	return 0;
}
