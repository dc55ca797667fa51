/*
 * feedback.c: `vigil feedback INCIDENT VERDICT [--note TEXT]`: an
 * analyst's decision on a stored incident.
 *
 * The verdict, the analyst's name ($USER, else the account name), the
 * time and the note go to the feedback table and, in the same
 * transaction, to the append-only audit log.  The triage room learns
 * from these rows.
 */
#include "cli/cli_store.h"

#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOTE_MAX 4096

static void help(FILE *out)
{
	fputs(
"usage: vigil feedback [OPTIONS] INCIDENT malicious|benign|false-positive\n"
"\n"
"Records an analyst's verdict on a stored incident, with the user name\n"
"($USER) and the time, in the store and its audit log.\n"
"\n"
"  -m, --note TEXT     why (at most 4096 bytes)\n"
"  -s, --store PATH    the store (default: as for vigil show)\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 recorded, 1 no such incident or the store could not be\n"
"written, 2 on a usage error.\n", out);
}

static const char *verdict_of(const char *s)
{
	static const char *const names[][2] = {
		{ "malicious", STORE_FEEDBACK_MALICIOUS },
		{ "benign", STORE_FEEDBACK_BENIGN },
		{ "false-positive", STORE_FEEDBACK_FALSE_POSITIVE },
		{ "false_positive", STORE_FEEDBACK_FALSE_POSITIVE },
		{ "fp", STORE_FEEDBACK_FALSE_POSITIVE },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

static const char *analyst(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u && *u && strlen(u) <= 64)
		return u;
	pw = getpwuid(geteuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}

static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "vigil feedback: %s%s%s\n(vigil feedback --help "
		"lists the options)\n", what, arg ? " " : "", arg ? arg : "");
	return 2;
}

int cli_feedback(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "note", required_argument, NULL, 'm' },
		{ "store", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_feedback f = { 0 };
	struct core_error err = { 0 };
	const char *path = NULL;
	struct store *st;
	int64_t fid = 0;
	char msg[1024];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			f.note = core_str_make(optarg, strlen(optarg));
			if (f.note.len > NOTE_MAX)
				return usage("the note is longer than 4096 "
					     "bytes", NULL);
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			help(stdout);
			return 0;
		default:
			return usage("unknown option", NULL);
		}
	}
	if (argc - optind != 2)
		return usage("give INCIDENT and VERDICT", NULL);
	if (cli_store_parse_id("feedback", argv[optind], &f.incident_id) != 0)
		return 2;
	if (!(f.verdict = verdict_of(argv[optind + 1])))
		return usage("verdict must be malicious, benign or "
			     "false-positive, not", argv[optind + 1]);
	f.analyst = analyst();
	if (cli_store_open("feedback", path, &st) != 0)
		return 1;
	rc = store_feedback_add(st, &f, &fid, &err);
	store_close(st);
	if (rc != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil feedback: %s\n", msg);
		return 1;
	}
	printf("recorded feedback %lld on incident %lld: %s\n",
	       (long long)fid, (long long)f.incident_id, f.verdict);
	return 0;
}
