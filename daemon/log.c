/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: the supervisor's log, one line per event on stderr.
 *
 * Lines are "wasmd: event=... key=value ...". When stderr is a journald
 * stream (JOURNAL_STREAM is set), each line starts with a "<N>" syslog
 * priority prefix so journald files it at the right level; otherwise the
 * level is spelled out as a field.
 *
 * Clients and modules choose some of the text that reaches the log (a
 * Hello's software string, export and module names, a guest's trap or
 * host-error message). No byte of it may start a line of its own, or a
 * tenant could forge whole events, "<0>" emergencies for journald
 * included: sup_log() escapes every control byte of the finished line
 * (newlines, carriage returns, other C0 bytes and DEL) as \xNN, so one
 * call is always exactly one line, and sup_log_quote() gives such text as
 * a quoted field value whose quotes and backslashes are escaped too, so
 * it cannot forge a key=value field inside its line either.
 */
#include "sup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest field sup_log_quote() gives, quotes and "..." included. */
#define LOG_QUOTE_MAX 512
/* sup_log_quote() results usable in one sup_log() call. */
#define LOG_QUOTE_SLOTS 8

static bool log_journal;
static int log_level = SUP_INFO;

/*
 * JOURNAL_STREAM is "DEVICE:INODE" of the journal's stream; it is inherited,
 * so it counts only while stderr is still that stream (not redirected).
 */
void
sup_log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	log_journal = js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/*
 * Errors for a person (a bad config line: "wasmd: FILE:LINE: ...") carry
 * the err prefix in the journal like the events, so `journalctl -p err`
 * shows them; the last one is kept for the reload's outcome (reload.c).
 */
static char last_error[512];

void
sup_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%swasmd: %s\n", log_journal ? "<3>" : "", last_error);
}

const char *
sup_log_last_error(void)
{
	return last_error;
}

void
sup_log_clear_error(void)
{
	last_error[0] = '\0';
}

static const char *
prio_name(enum sup_prio prio)
{
	switch (prio) {
	case SUP_ERR: return "err";
	case SUP_WARNING: return "warning";
	case SUP_NOTICE: return "notice";
	case SUP_INFO: return "info";
	case SUP_DEBUG: return "debug";
	}
	return "info";
}

/* A byte that must never reach the log raw: C0 controls and DEL. */
static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Appends c to out (room for at least 5 more bytes plus the NUL) escaped
 * as \xNN when it is a control byte, or as \" and \\ when quoted is set.
 * Returns the bytes written.
 */
static size_t
put_escaped(char *out, unsigned char c, bool quoted)
{
	if (is_control(c))
		return (size_t)sprintf(out, "\\x%02x", c);
	if (quoted && (c == '"' || c == '\\')) {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	out[0] = (char)c;
	return 1;
}

/* Copies in to out (outlen bytes) with its control bytes escaped. */
static void
escape_controls(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in != '\0' && o + 5 < outlen; in++)
		o += put_escaped(out + o, (unsigned char)*in, false);
	out[o] = '\0';
}

void
sup_log_set_level(int level)
{
	log_level = level;
}

int
sup_log_level_parse(const char *name)
{
	static const enum sup_prio all[] = {
	    SUP_ERR, SUP_WARNING, SUP_NOTICE, SUP_INFO, SUP_DEBUG};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(name, prio_name(all[i])) == 0)
			return (int)all[i];
	return -1;
}

const char *
sup_log_quote(const char *s)
{
	static char slots[LOG_QUOTE_SLOTS][LOG_QUOTE_MAX];
	static unsigned next;
	char *out = slots[next++ % LOG_QUOTE_SLOTS];
	size_t o = 0;

	if (s == NULL)
		s = "";
	out[o++] = '"';
	/* Room for one escaped byte, "...", the closing quote and NUL. */
	for (; *s != '\0' && o + 5 + 3 + 2 < LOG_QUOTE_MAX; s++)
		o += put_escaped(out + o, (unsigned char)*s, true);
	if (*s != '\0')
		o += (size_t)sprintf(out + o, "...");
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

const char *
sup_log_word(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL || *s == '\0')
		return sup_log_quote(s);
	for (; *p != '\0'; p++)
		if (is_control(*p) || *p == ' ' || *p == '"' || *p == '\\' ||
		    *p == '=')
			return sup_log_quote(s);
	return p - (const unsigned char *)s < LOG_QUOTE_MAX ? s
	                                                    : sup_log_quote(s);
}

/* Writes all of buf to stderr, as one write(2) unless it is cut short. */
static void
write_stderr(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere to say so */
		buf += n;
		len -= (size_t)n;
	}
}

void
sup_log(enum sup_prio prio, const char *fmt, ...)
{
	char raw[2048], line[2048 + 64];
	size_t n;
	va_list ap;

	if ((int)prio > log_level)
		return; /* before any formatting: debug lines cost nothing */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/*
	 * The prefix, the escaped line and its newline in one buffer and one
	 * write(2): lines stay whole when several processes share stderr, and
	 * stdio's unbuffered stderr would format the line a second time.
	 */
	if (log_journal)
		n = (size_t)snprintf(line, 64, "<%d>wasmd: ", (int)prio);
	else
		n = (size_t)snprintf(
		    line, 64, "wasmd: level=%s ", prio_name(prio));
	escape_controls(raw, line + n, sizeof(line) - n - 1);
	n += strlen(line + n);
	line[n++] = '\n';
	write_stderr(line, n);
}
