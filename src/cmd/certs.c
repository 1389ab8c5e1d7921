#include "cmd/cmd.h"

static int run_rotate(const struct dd_cmd *self, int argc, char **argv)
{
	const char *root = NULL;
	unsigned long days = 825;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "rotate in the image tree at DIR", 0, 0, NULL },
		{ "days", 0, DD_OPT_UINT, &days, "N", "validity in days (825)", 1, 36500, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

static int run_check(const struct dd_cmd *self, int argc, char **argv)
{
	const char *root = NULL;
	int json = 0;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "check the image tree at DIR", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the report as JSON", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

static const struct dd_cmd certs_rotate = {
	"rotate", "certs rotate", "",
	"Re-issue the server and client certificates from the local CA; restart the daemon.", 0, 0,
	run_rotate, NULL
};
static const struct dd_cmd certs_check = {
	"check", "certs check", "", "Report certificate expiry (warns under 30 days).", 0, 0,
	run_check, NULL
};
static const struct dd_cmd *const certs_sub[] = { &certs_rotate, &certs_check, NULL };

const struct dd_cmd dd_cmd_certs = {
	"certs", "certs", "", "Rotate or check the installed certificates.", 0, 0, NULL, certs_sub
};
