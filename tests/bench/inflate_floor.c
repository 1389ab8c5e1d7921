/* The floor for extract's speed: bare zlib inflate of a gzip file to nowhere, with the
 * same zlib build dockdrop links. Multi-member aware. usage: inflate_floor FILE.gz */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

static unsigned char in[1 << 17], out[1 << 17];

int main(int argc, char **argv)
{
	z_stream zs = { 0 };
	unsigned long long total = 0;
	int fd, rc = Z_OK;
	ssize_t n;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0 || inflateInit2(&zs, 16 + 15) != Z_OK)
		return 2;
	while ((n = read(fd, in, sizeof in)) > 0) {
		zs.next_in = in;
		zs.avail_in = (unsigned)n;
		while (zs.avail_in > 0) {
			if (rc == Z_STREAM_END && inflateReset(&zs) != Z_OK)
				return 1;
			zs.next_out = out;
			zs.avail_out = sizeof out;
			rc = inflate(&zs, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
				return 1;
			total += sizeof out - zs.avail_out;
		}
	}
	printf("%llu\n", total);
	return n < 0 || rc != Z_STREAM_END;
}
