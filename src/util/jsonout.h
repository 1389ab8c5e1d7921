/* --json output: documents are built with cJSON, so every string (a path under --root,
 * a version a daemon reported) is escaped, and printed on one line. */
#ifndef DD_JSONOUT_H
#define DD_JSONOUT_H

struct cJSON;

/* Print j unformatted with a newline on stdout, then delete it. 0, or -1 when j is NULL
 * or printing ran out of memory. */
int dd_json_print(struct cJSON *j);

#endif
