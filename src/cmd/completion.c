/*
 * cmd/completion.c: `ksim completion bash|zsh`: a shell completion script,
 * as `kubectl completion` prints one, written from the command table
 * (cmd.c), so a new command or option completes without editing a script.
 *
 * What completes: the commands (and plan's subcommands) after "ksim";
 * after a command, its own options (long, and short where it has one),
 * then files; after an option that takes a value, the words it accepts
 * when they are a fixed list (-o's formats for that command, --detail's
 * levels, --period, --method), directories for a DIR, files for a FILE
 * or PATH, and nothing for a number or a free value.  The value lists
 * come from the option's value name in cmd_options[] ("day|month") and,
 * for -o, from the command's formats (cmd_entry.outputs).
 *
 * Install: `source <(ksim completion bash)`, or for zsh
 * `ksim completion zsh > "${fpath[1]}/_ksim"`.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* How the value of an option completes. */
enum comp_value { CV_NONE, CV_WORDS, CV_FILE, CV_DIR };

/* The fixed words of an option's value for command e into buf ("text json"), or CV_* otherwise. */
static enum comp_value
value_words(const struct cmd_entry *e, enum cmd_opt id, char *buf, size_t n)
{
	static const char *const outputs[] = { "text", "json", "yaml", "wide" };
	const char *arg = cmd_options[id].arg;
	size_t k;

	buf[0] = '\0';
	if (id == OPT_OUTPUT) {
		unsigned ok = e->outputs ? e->outputs : CMD_OUT(KSIM_TEXT) | CMD_OUT(KSIM_JSON);

		for (int f = 0; f < KSIM_OUTPUT_N; f++)
			if (ok & CMD_OUT(f))
				snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? " " : "",
				    outputs[f]);
		return CV_WORDS;
	}
	if (id == OPT_DETAIL) {
		for (int d = REPORT_DETAIL_SUMMARY; d <= REPORT_DETAIL_EVENTS; d++)
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? " " : "",
			    report_detail_name[d]);
		return CV_WORDS;
	}
	if (strcmp(arg, "DIR") == 0)
		return CV_DIR;
	if (strcmp(arg, "FILE") == 0 || strcmp(arg, "PATH") == 0)
		return CV_FILE;
	if (strchr(arg, '|') != NULL && strlen(arg) < n) {
		/* "day|month": the words themselves */
		for (k = 0; arg[k] != '\0'; k++)
			buf[k] = arg[k] == '|' ? ' ' : arg[k];
		buf[k] = '\0';
		return CV_WORDS;
	}
	return CV_NONE;
}

/* The commands (e NULL) or a command's subcommands, as words. */
static void
names(FILE *fp, const struct cmd_entry *const *v)
{
	for (size_t i = 0; v[i] != NULL; i++) {
		const char *sp = strrchr(v[i]->name, ' ');

		fprintf(fp, "%s%s", i ? " " : "", sp != NULL ? sp + 1 : v[i]->name);
	}
}

/* ---- bash ---- */

/* One command's case arm: its options, then how each valued option completes. */
static void
bash_command(FILE *fp, const struct cmd_entry *e)
{
	char words[128];

	fprintf(fp, "\t\"%s\")\n\t\topts=\"", e->name);
	for (int id = 0, first = 1; id < OPT_N; id++) {
		if (!(e->opts & CMD_OPT(id)))
			continue;
		fprintf(fp, "%s--%s", first ? "" : " ", cmd_options[id].name);
		if (cmd_options[id].letter != 0)
			fprintf(fp, " -%c", cmd_options[id].letter);
		first = 0;
	}
	fputs("\"\n\t\tcase $prev in\n", fp);
	for (int id = 0; id < OPT_N; id++) {
		const struct cmd_option *op = &cmd_options[id];
		enum comp_value cv;

		if (!(e->opts & CMD_OPT(id)) || op->arg == NULL)
			continue;
		cv = value_words(e, (enum cmd_opt)id, words, sizeof(words));
		fprintf(fp, "\t\t--%s", op->name);
		if (op->letter != 0)
			fprintf(fp, "|-%c", op->letter);
		if (cv == CV_WORDS)
			fprintf(fp, ") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", words);
		else if (cv == CV_DIR)
			fputs(") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n", fp);
		else if (cv == CV_FILE)
			fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", fp);
		else
			fputs(") COMPREPLY=(); return ;;\n", fp);
	}
	fputs("\t\tesac ;;\n", fp);
}

static void
completion_bash(FILE *fp)
{
	fputs("# bash completion for ksim, written by `ksim completion bash`:\n"
	    "#     source <(ksim completion bash)\n"
	    "_ksim()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tlocal cmd=${COMP_WORDS[1]} opts=\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"", fp);
	names(fp, cmd_table);
	fputs(" --help --version\" -- \"$cur\"))\n\t\treturn\n\tfi\n\tcase $cmd in\n", fp);
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		if (e->sub == NULL)
			continue;
		fprintf(fp, "\t%s)\n\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
		    "\t\t\tCOMPREPLY=($(compgen -W \"", e->name);
		names(fp, e->sub);
		fputs("\" -- \"$cur\"))\n\t\t\treturn\n\t\tfi\n"
		    "\t\tcmd=\"$cmd ${COMP_WORDS[2]}\" ;;\n", fp);
	}
	fputs("\tesac\n\tcase $cmd in\n", fp);
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		if (e == &cmd_completion_entry) {
			fputs("\tcompletion)\n\t\tCOMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\"))\n"
			    "\t\treturn ;;\n", fp);
			continue;
		}
		for (size_t k = 0; e->sub != NULL && e->sub[k] != NULL; k++)
			bash_command(fp, e->sub[k]);
		if (e->sub == NULL)
			bash_command(fp, e);
	}
	fputs("\t*) return ;;\n\tesac\n"
	    "\tif [[ $cur == -* ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "\telse\n"
	    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "\tfi\n}\n"
	    "complete -o filenames -o bashdefault -F _ksim ksim\n", fp);
}

/* ---- zsh ---- */

/*
 * s inside a single-quoted zsh word: quotes closed and reopened, and each
 * character of `esc` backslashed (brackets in an _arguments description,
 * a colon in a _describe name).
 */
static void
zsh_quoted(FILE *fp, const char *s, const char *esc)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", fp);
		else if (strchr(esc, *s) != NULL)
			fprintf(fp, "\\%c", *s);
		else
			fputc(*s, fp);
	}
}

/* One option's _arguments spec, for its long (dash "--") or short name. */
static void
zsh_spec(FILE *fp, const struct cmd_entry *e, enum cmd_opt id, int lng)
{
	const struct cmd_option *op = &cmd_options[id];
	char words[128];
	enum comp_value cv;

	if (lng)
		fprintf(fp, " \\\n\t\t    '--%s%s[", op->name, op->arg ? "=" : "");
	else
		fprintf(fp, " \\\n\t\t    '-%c%s[", op->letter, op->arg ? "+" : "");
	zsh_quoted(fp, op->help, "[]");
	fputc(']', fp);
	if (op->arg != NULL) {
		cv = value_words(e, id, words, sizeof(words));
		fputc(':', fp);
		zsh_quoted(fp, op->arg, "[]:");
		if (cv == CV_WORDS)
			fprintf(fp, ":(%s)", words);
		else if (cv == CV_DIR)
			fputs(":_files -/", fp);
		else if (cv == CV_FILE)
			fputs(":_files", fp);
		else
			fputs(": ", fp);
	}
	fputc('\'', fp);
}

static void
zsh_command(FILE *fp, const struct cmd_entry *e)
{
	fprintf(fp, "\t\"%s\")\n\t\t_arguments -s", e->name);
	for (int id = 0; id < OPT_N; id++) {
		if (!(e->opts & CMD_OPT(id)))
			continue;
		zsh_spec(fp, e, (enum cmd_opt)id, 1);
		if (cmd_options[id].letter != 0)
			zsh_spec(fp, e, (enum cmd_opt)id, 0);
	}
	fputs(" \\\n\t\t    '*:file:_files' ;;\n", fp);
}

/* _describe's list of commands (or subcommands): 'name:what it does'. */
static void
zsh_describe(FILE *fp, const char *var, const struct cmd_entry *const *v)
{
	fprintf(fp, "\t\tlocal -a %s=(", var);
	for (size_t i = 0; v[i] != NULL; i++) {
		const char *sp = strrchr(v[i]->name, ' ');

		fprintf(fp, "%s'", i ? " " : "");
		zsh_quoted(fp, sp != NULL ? sp + 1 : v[i]->name, ":");
		fputc(':', fp);
		zsh_quoted(fp, v[i]->brief, "");
		fputc('\'', fp);
	}
	fputs(")\n", fp);
}

static void
completion_zsh(FILE *fp)
{
	fputs("#compdef ksim\n"
	    "# zsh completion for ksim, written by `ksim completion zsh`:\n"
	    "#     ksim completion zsh > \"${fpath[1]}/_ksim\"\n"
	    "_ksim()\n{\n"
	    "\tlocal cmd\n"
	    "\tif (( CURRENT == 2 )); then\n", fp);
	zsh_describe(fp, "cmds", cmd_table);
	fputs("\t\t_describe command cmds\n\t\treturn\n\tfi\n\tcmd=$words[2]\n\tcase $cmd in\n", fp);
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		if (e->sub == NULL)
			continue;
		fprintf(fp, "\t%s)\n\t\tif (( CURRENT == 3 )); then\n\t", e->name);
		zsh_describe(fp, "subs", e->sub);
		fputs("\t\t\t_describe subcommand subs\n\t\t\treturn\n\t\tfi\n"
		    "\t\tcmd=\"$cmd $words[3]\"\n\t\tshift words\n\t\t(( CURRENT-- )) ;;\n", fp);
	}
	fputs("\tesac\n\tshift words\n\t(( CURRENT-- ))\n\tcase $cmd in\n", fp);
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		if (e == &cmd_completion_entry) {
			fputs("\tcompletion)\n\t\t_arguments '1:shell:(bash zsh)' ;;\n", fp);
			continue;
		}
		for (size_t k = 0; e->sub != NULL && e->sub[k] != NULL; k++)
			zsh_command(fp, e->sub[k]);
		if (e->sub == NULL)
			zsh_command(fp, e);
	}
	fputs("\tesac\n}\n_ksim \"$@\"\n", fp);
}

static enum cmd_status
completion_exec(struct cmd_args *a)
{
	char *buf = NULL;
	size_t len = 0;
	enum cmd_status st;
	FILE *fp;

	if (a->o.nfiles != 1 || (strcmp(a->o.files[0], "bash") != 0 &&
	    strcmp(a->o.files[0], "zsh") != 0)) {
		fprintf(stderr, "ksim: completion: expected bash or zsh, found \"%s\"%s\n",
		    a->o.files[0], a->o.nfiles > 1 ? " and more" : "");
		return CMD_BAD;
	}
	if ((fp = open_memstream(&buf, &len)) == NULL)
		return CMD_BAD;
	if (strcmp(a->o.files[0], "bash") == 0)
		completion_bash(fp);
	else
		completion_zsh(fp);
	fclose(fp);
	st = cmd_write(&a->o, buf, len);
	free(buf);
	return st;
}

const struct cmd_entry cmd_completion_entry = {
	.name = "completion",
	.brief = "print a shell completion script",
	.usage = "ksim completion bash|zsh\n",
	.nofiles = "expected bash or zsh",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPT(OPT_HELP),
	.exec = completion_exec,
};
