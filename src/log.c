/* log.c - the process logger; its level is the only state, set at start-up. */
#include "log.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

static log_level min_level = LOG_INFO;

void log_set_level(const char *name)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (name && !strcasecmp(name, names[i])) min_level = (log_level)i;
}

void log_write(log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < min_level) return;
    char msg[1024], ts[HP_TIME_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s level=%s msg=\"%s\"\n", hp_time_format(hp_now_ms(), ts), names[level], msg);
}
