/* cputime.h - the CPU time a bench tool has used, for the figures that say
 * what the load generator and the sink cost the machine they share with the
 * server. Header-only: each tool is built from one .c file. */
#ifndef HP_BENCH_CPUTIME_H
#define HP_BENCH_CPUTIME_H

#include <sys/resource.h>

/* User + system CPU seconds of this process so far; 0 if unknown. */
static inline double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#endif
