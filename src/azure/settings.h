/* Settings in the schema of the retired Azure Docker VM extension (AZURE.md 10), read from
 * files and mapped onto install's own options (AZURE.md 10.5):
 *
 *   install --settings FILE [--protected-settings FILE]
 *
 * FILE is a handler settings file as the Azure agent writes it (config/N.settings:
 * runtimeSettings[0].handlerSettings with publicSettings, protectedSettings: base64 CMS
 * encrypted to the VM's tenant certificate, and protectedSettingsCertThumbprint), an empty
 * file (no settings), or a plain JSON object of public settings. --protected-settings is a
 * plain JSON object (Custom Script use: the runner decrypted it already), a regular file
 * only its owner can read.
 *
 *   docker.port, dockerport (legacy)      --port (string or number; never plain TCP)
 *   docker.options                        daemon.json keys (--daemon-opt); options that
 *                                         fight what dockdrop manages are refused
 *   compose, compose-environment          a Compose project "compose" (install --compose)
 *   azure-environment                     AzureCloud or AzureChinaCloud: nothing to do
 *   protected certs.{ca,cert,key}, and    the server's certificates (install --certs),
 *     top-level ca, server-cert,          base64 of PEM or PEM, checked before any change
 *     server-key (legacy)
 *   protected login.{server,username,     a registry login (install --registry)
 *     password,email}
 *   protected environment                 more of the project's environment (kept 0600)
 *
 * An unknown key is named in a warning line; a value of the wrong type, or a setting that
 * also came as a command-line option, is refused. The decrypted text lives in memory
 * only and is wiped, with every secret taken from it, by dd_az_wipe. */
#ifndef DD_AZURE_SETTINGS_H
#define DD_AZURE_SETTINGS_H

#include <stddef.h>

#include "azure/cms.h"
#include "host/install.h"

#define DD_AZ_SETTINGS_MAX (512 * 1024)	/* a settings file: the agent's, with a compose file */
#define DD_AZ_OPTS_MAX 16			/* daemon.json keys from docker.options */
#define DD_AZ_PEM_MAX 16384

struct dd_az {
	/* what was read */
	char text[DD_AZ_SETTINGS_MAX + 1];	/* the settings file */
	char prot[DD_AZ_PROTECTED_MAX + 1];	/* the protected settings, in clear: secret */
	size_t protlen;
	/* what it maps to */
	unsigned port;				/* 0: not set */
	const char *pub;			/* the public settings' value, in text */
	size_t pubn;
	const char *opts[DD_AZ_OPTS_MAX + 1];	/* "KEY=JSON", into optbuf; NULL */
	unsigned nopts;
	char optbuf[4096];
	size_t optlen;
	int certs;				/* ca, cert and key below: secret */
	char pem[3][DD_AZ_PEM_MAX];
	size_t pemlen[3];
	int login;
	char server[256], user[256], pass[4097];	/* pass: secret */
	const char *login_server[1], *login_user[1], *login_pass[1];
	int compose;				/* c->compose filled */
};

/* Read the settings file (and the protected one, or NULL), decrypt what is encrypted
 * (certdir: where the tenant certificates are; NULL: two levels above the file's
 * directory, as the agent lays them out) and map it all. 0, or an exit code after one
 * line: DD_EXIT_USAGE for settings that are wrong, DD_EXIT_VERIFY for protected settings
 * that do not decrypt. Nothing is changed on the system. */
int dd_az_load(struct dd_az *a, const char *file, const char *prot, const char *certdir);
/* dd_az_load's two steps, for the fuzzer: the settings text (in a->text[0..n), read
 * from file) walked and what is encrypted decrypted; then, with a->prot[0..a->protlen)
 * in clear, all of it mapped. 0 or an exit code after one line. */
int dd_az_parse(struct dd_az *a, size_t n, const char *file, const char *certdir);
int dd_az_map(struct dd_az *a);
/* Give install what the settings say; the options c->o already has from the command line
 * must not be set by both. 0, or DD_EXIT_USAGE after one line. */
int dd_az_apply(struct dd_az *a, struct dd_install *c);
/* Wipe every secret (the protected text and what was taken from it). */
void dd_az_wipe(struct dd_az *a);

#endif
