/* PROVISIONAL (integrator's stub until the cms helper's module lands). */
#ifndef DD_AZURE_CMS_H
#define DD_AZURE_CMS_H
#include <stddef.h>
#define DD_AZ_PROTECTED_MAX (64 * 1024)
int dd_az_unprotect(const char *b64, size_t n, const char *thumb, const char *certdir,
		    char *out, size_t cap, size_t *outlen, char *err, size_t errsz);
#endif
