/*
 * audit.c: `vigil audit verify`: checks the store's audit log against its
 * hash chain and prints the chain's head.
 *
 * The head is what an analyst records elsewhere (a ticket, another
 * machine): given back with --expect, it shows a log whose tail was cut
 * or rewritten whole, which no chain inside the file alone can show.
 */
#include "cli/cli_store.h"

#include <getopt.h>
#include <string.h>

static void help(FILE *out)
{
	fputs(
"usage: vigil audit verify [--store PATH] [--expect HEAD]\n"
"\n"
"Walks the audit log's hash chain: every row's hash recomputed, every\n"
"id present, none cut from the end.  Prints the chain's head (the last\n"
"row's hash); record it elsewhere and give it back with --expect to\n"
"prove later that the log still holds every row up to it.\n"
"\n"
"  -e, --expect HEAD   a head printed earlier (16 hex digits or more)\n"
"  -s, --store PATH    the store (default: as for vigil show)\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 intact, 1 altered or unreadable, 2 on a usage error.\n",
	      out);
}

int cli_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "expect", required_argument, NULL, 'e' },
		{ "store", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *expect = NULL;
	struct store_audit_check chk;
	struct core_error err = { 0 };
	struct store *st;
	char msg[1024];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "e:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': expect = optarg; break;
		case 's': path = optarg; break;
		case 'h': help(stdout); return 0;
		default:
			fputs("vigil audit: unknown option (vigil audit --help "
			      "lists them)\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "verify") != 0) {
		fputs("vigil audit: the only command is 'verify'\n", stderr);
		return 2;
	}
	if (cli_store_open("audit", path, &st) != 0)
		return 1;
	rc = store_audit_verify(st, expect, &chk, &err);
	store_close(st);
	if (rc != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil audit: %s\n", msg);
		return rc == CORE_E_INVAL ? 2 : 1;
	}
	if (!chk.intact) {
		printf("audit log ALTERED: %s\n", chk.reason);
		return 1;
	}
	printf("audit log intact: %llu rows, last id %lld, head %s\n",
	       (unsigned long long)chk.rows, (long long)chk.last_id,
	       chk.head[0] ? chk.head : "(empty)");
	return 0;
}
