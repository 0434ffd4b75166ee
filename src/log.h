/* log.h - one-line structured logs on stderr:
 *   2024-06-01T08:23:36.123Z level=info msg="..."
 * The level is set once at start-up (log_set_level) before threads start;
 * logging itself is thread-safe (one fprintf per line). */
#ifndef HP_LOG_H
#define HP_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_set_level(const char *name);
void log_write(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
