/*
 * log.c: the supervisor's log, one line per event on stderr.
 *
 * Lines are "wasmd: event=... key=value ...". When stderr is a journald
 * stream (JOURNAL_STREAM is set), each line starts with a "<N>" syslog
 * priority prefix so journald files it at the right level; otherwise the
 * level is spelled out as a field.
 */
#include "sup.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static bool log_journal;

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

void
sup_log(enum sup_prio prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line keeps lines whole when several processes share stderr. */
	if (log_journal)
		fprintf(stderr, "<%d>wasmd: %s\n", (int)prio, line);
	else
		fprintf(stderr, "wasmd: level=%s %s\n", prio_name(prio), line);
}
