/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

G_DEFINE_QUARK(flashcoop-infile-error-quark, infile_error)

/* What a file that is not a regular file is, for the message. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a plain file";
}

/* "4 MiB" for a bound that is a whole number of MiB, else bytes. */
static char *
bound_text(gsize max)
{
	if (max >= ((gsize)1 << 20) && max % ((gsize)1 << 20) == 0)
		return g_strdup_printf("%" G_GSIZE_FORMAT " MiB", max >> 20);
	return g_strdup_printf("%" G_GSIZE_FORMAT " bytes", max);
}

static gboolean
too_big(const char *path, gsize max, const char *size, GError **err)
{
	g_autofree char *b = bound_text(max);

	g_set_error(err, INFILE_ERROR, INFILE_ERROR_TOO_BIG,
		    "%s: too large: %s bytes, more than the %s an input file of "
		    "this kind may have", path, size, b);
	return FALSE;
}

gboolean
infile_read(const char *path, gsize max, char **contents, gsize *len, GError **err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	g_autofree char *buf = NULL;
	gsize got = 0;

	if (fd < 0) {
		g_set_error(err, INFILE_ERROR, INFILE_ERROR_OPEN, "%s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;

		close(fd);
		g_set_error(err, INFILE_ERROR, INFILE_ERROR_OPEN, "%s: %s", path,
			    g_strerror(e));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(err, INFILE_ERROR, INFILE_ERROR_NOT_FILE,
			    "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		return FALSE;
	}
	if (st.st_size < 0 || (guint64)st.st_size > max) {
		g_autofree char *size = g_strdup_printf("%" G_GINT64_FORMAT,
							(gint64)st.st_size);

		close(fd);
		return too_big(path, max, size, err);
	}
	/* The file may grow after fstat(): read at most max + 1 bytes. */
	buf = g_malloc((gsize)st.st_size + 1);
	for (gsize cap = (gsize)st.st_size;;) {
		ssize_t n;

		if (got == cap) {
			if (cap > max) {
				close(fd);
				return too_big(path, max, "more than that", err);
			}
			cap = MIN(MAX(cap * 2, (gsize)4096), max + 1);
			buf = g_realloc(buf, cap + 1);
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			g_set_error(err, INFILE_ERROR, INFILE_ERROR_OPEN, "%s: %s", path,
				    g_strerror(e));
			return FALSE;
		}
		if (n == 0)
			break;
		got += (gsize)n;
	}
	close(fd);
	if (got > max)
		return too_big(path, max, "more than that", err);
	buf[got] = '\0';
	*contents = g_steal_pointer(&buf);
	*len = got;
	return TRUE;
}
