#include <string.h>

#include <bearssl.h>

#include "util/pem.h"

struct sink {
	unsigned char *der;
	size_t len, cap;
	int overflow;
};

static void append(void *ctx, const void *data, size_t n)
{
	struct sink *s = ctx;

	if (n > s->cap - s->len) {
		s->overflow = 1;
		return;
	}
	memcpy(s->der + s->len, data, n);
	s->len += n;
}

static int label_index(const char *name, const char *const *labels)
{
	for (int i = 0; labels[i]; i++)
		if (strcmp(name, labels[i]) == 0)
			return i;
	return -1;
}

size_t dd_pem_decode(const char *text, size_t n, const char *const *labels, unsigned char *der,
		     size_t dersz, int *label_out)
{
	br_pem_decoder_context pc;
	struct sink s = { der, 0, dersz, 0 };
	int inside = -1;

	br_pem_decoder_init(&pc);
	while (n > 0) {
		size_t k = br_pem_decoder_push(&pc, text, n);

		text += k;
		n -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			inside = label_index(br_pem_decoder_name(&pc), labels);
			s.len = 0;
			s.overflow = 0;
			br_pem_decoder_setdest(&pc, inside >= 0 ? append : NULL, &s);
			break;
		case BR_PEM_END_OBJ:
			if (inside >= 0 && !s.overflow && s.len > 0) {
				if (label_out)
					*label_out = inside;
				return s.len;
			}
			inside = -1;
			break;
		case BR_PEM_ERROR:
			return 0;
		}
	}
	return 0;
}
