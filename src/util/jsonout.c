#include "util/jsonout.h"

#include <stdio.h>
#include <stdlib.h>

#include <cJSON.h>

int dd_json_print(struct cJSON *j)
{
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	if (!s)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}
