/* Images install loads into the daemon (issue 13): those the payload carries (bundle
 * --image, named by the manifest's ref records) and the archives of install --images DIR
 * (the air-gap drop folder), each checked against DIR/SHA256SUMS. All is checked before any
 * change (dd_images_check: exit 2 or 3); after the daemon is proven, an archive is loaded
 * (POST /images/load) only when the daemon lacks one of its images (GET
 * /images/sha256:ID/json), streamed from its file while its SHA-256 is computed again, so
 * a file that changed in between is cut off before its last byte. Images are data: uninstall
 * leaves them (--purge removes /var/lib/docker). */
#ifndef DD_WORKLOAD_IMAGES_H
#define DD_WORKLOAD_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include "bundle/imgscan.h"
#include "bundle/payload.h"
#include "net/http.h"
#include "util/jsonout.h"

#define DD_IMAGES_MAX 32	/* archives: the payload's and DIR's */
#define DD_IMAGES_REFS 64	/* images (tags) in all */

enum dd_img_state { DD_IMG_TODO, DD_IMG_PRESENT, DD_IMG_LOADED, DD_IMG_SKIPPED };

struct dd_image {
	int fd;				/* the payload's (not ours to close) or DIR's */
	uint64_t off, len;
	unsigned char sha256[32];
	char name[DD_TAG_MAX];		/* its file in DIR, or "" for the payload's */
	unsigned ref0, nref;		/* its images: ref[ref0 .. ref0 + nref) */
	enum dd_img_state state;
};

struct dd_images {
	struct dd_image img[DD_IMAGES_MAX];
	unsigned n;
	struct dd_ref ref[DD_IMAGES_REFS];
	unsigned nref;
	int dirfd;			/* --images DIR, or -1 */
	int bad;			/* the archive being sent differed from its digest */
	const struct dd_image *cur;
	struct dd_imgscan scan;
	struct dd_http_resp resp;
	char sums[DD_IMGJSON_MAX];	/* DIR/SHA256SUMS */
	const char *what, *why;		/* a refusal of DIR */
	char name[DD_TAG_MAX], buf[160];
};

/* Before any change: the payload's image blobs hashed, and DIR (or NULL) checked: its
 * SHA256SUMS, every *.tar and *.tar.gz there listed, each listed one present, with that
 * SHA-256, and an image archive. 0, or DD_EXIT_USAGE / DD_EXIT_VERIFY / DD_EXIT_FAIL with
 * one line in err. im is zeroed here. */
int dd_images_check(struct dd_images *im, const struct dd_payload *pl, const char *dir,
		    char *err, size_t errsz);
/* After the daemon is proven: load what it lacks; one line per image loaded and one in
 * the end unless quiet. root: an image tree (no daemon): a warning, nothing loaded. 0, or
 * DD_EXIT_VERIFY (an archive changed since it was checked) or DD_EXIT_FAIL, with err. */
int dd_images_load(struct dd_images *im, int root, int quiet, char *err, size_t errsz);
/* --dry-run: what install would load (asking the daemon when one answers); a plan line
 * for each image when print ("  image TAG: load|present|skipped"). */
void dd_images_plan(struct dd_images *im, int root, int print);
/* "images": [{"tag", "id", "result": loaded|present|load|skipped}] into install --json. */
void dd_images_json(const struct dd_images *im, struct dd_jw *w);
void dd_images_close(struct dd_images *im);

#endif
