/* PROVISIONAL stub */
#include "azure/cms.h"
#include <stdio.h>
int dd_az_unprotect(const char *b64, size_t n, const char *thumb, const char *certdir,
		    char *out, size_t cap, size_t *outlen, char *err, size_t errsz)
{
	(void)b64; (void)n; (void)thumb; (void)certdir; (void)out; (void)cap; (void)outlen;
	snprintf(err, errsz, "not implemented yet");
	return -1;
}
