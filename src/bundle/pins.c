#include <string.h>

#include "bundle/pins.h"

static const struct dd_pin pins[] = {
#include "engines.h"
	{ NULL, NULL, NULL, NULL }
};

const struct dd_pin *dd_pin_by_digest(const char *hex)
{
	for (const struct dd_pin *p = pins; p->file; p++)
		if (strcmp(p->sha256, hex) == 0)
			return p;
	return NULL;
}

const struct dd_pin *dd_pin_by_file(const char *base)
{
	for (const struct dd_pin *p = pins; p->file; p++)
		if (strcmp(p->file, base) == 0)
			return p;
	return NULL;
}
