/* main.c - the hookpost command line: serve, migrate, version, help. */
#include "app.h"
#include "config.h"
#include "core/err.h"
#include "deliver/engine.h"
#include "http/server.h"
#include "queue/committer.h"
#include "queue/offload.h"
#include "queue/pruner.h"
#include "log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f,
            "hookpost %s - multi-tenant outbound event delivery (Outpost v1 API compatible)\n\n"
            "Usage: hookpost <command> [--config FILE]\n\n"
            "Commands:\n"
            "  serve     run the API, portal and delivery (applies migrations on the embedded store)\n"
            "  migrate   apply pending store migrations and exit\n"
            "  version   print the version\n"
            "  help      this text (also --help)\n\n"
            "Options:\n"
            "  --config FILE   YAML file with the settings below in snake_case (also CONFIG=FILE);\n"
            "                  environment variables override the file\n\n",
            HP_VERSION);
    config_print_help(f);
}

static int load(const char *file, hp_config **cfg)
{
    umask(077); /* the store holds tenants' events: not for other local users */
    char err[512] = "";
    if (config_load(file, cfg, err, sizeof err) != HP_OK) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    log_set_level((*cfg)->log_level);
    return 0;
}

/* Loads the configuration and opens the store (migrating it). 0 or the exit
 * code, with the reason printed. */
static int open_app(const char *file, hp_config **cfg, hp_app *app)
{
    if (load(file, cfg)) return 2;
    char err[512] = "";
    if (app_init(app, *cfg, true, err, sizeof err) != HP_OK) {
        fprintf(stderr, "%s\n", err);
        config_free(*cfg);
        return 1;
    }
    return 0;
}

static int cmd_migrate(const char *file)
{
    hp_config *cfg;
    hp_app app;
    int code = open_app(file, &cfg, &app);
    if (code) return code;
    int cur = 0, latest = 0;
    store_schema_version(app.store, &cur, &latest);
    printf("store schema at version %d (latest %d)\n", cur, latest);
    app_free(&app);
    config_free(cfg);
    return 0;
}

/* Metrics requests that may wait for the one slow-read thread; more get a
 * 503 at once instead of holding connections. */
#define SLOW_READS_QUEUED 16

static int cmd_serve(const char *file)
{
    /* block the signals before threads start so only sigwait sees them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    hp_config *cfg;
    hp_app app;
    hp_server *srv = NULL;
    char err[512] = "";
    int rc = open_app(file, &cfg, &app);
    if (rc) return rc;
    committer_sink sink;
    if ((rc = engine_start(&app, &app.engine)) == HP_OK) engine_committer_sink(app.engine, &sink);
    if (rc != HP_OK || (rc = committer_start(app.store, &sink, &app.committer)) != HP_OK)
        snprintf(err, sizeof err, "pipeline: cannot start: %s", hp_strerror(rc));
    else
        engine_use_committer(app.engine, app.committer);
    if (rc == HP_OK && (rc = pruner_start(app.store, cfg, &app.pruner)) != HP_OK)
        snprintf(err, sizeof err, "log retention: cannot start: %s", hp_strerror(rc));
    if (rc == HP_OK && (rc = offload_start("hp-slow-reads", SLOW_READS_QUEUED, &app.slow_reads)) != HP_OK)
        snprintf(err, sizeof err, "metrics: cannot start: %s", hp_strerror(rc));
    if (rc == HP_OK) rc = server_start(&app, &srv, err, sizeof err);
    if (rc != HP_OK) {
        fprintf(stderr, "%s\n", err);
        offload_stop(app.slow_reads);
        pruner_stop(app.pruner);
        committer_stop(app.committer);
        engine_stop(app.engine);
        committer_free(app.committer);
        app_free(&app);
        config_free(cfg);
        return 1;
    }
    log_info("hookpost %s listening on :%d (store: sqlite %s/hookpost.db)", HP_VERSION, cfg->api_port,
             cfg->data_dir);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* stop taking requests, make every accepted publish durable and answered,
     * then let deliveries in flight finish */
    server_quiesce(srv);
    committer_stop(app.committer);
    offload_stop(app.slow_reads); /* answers what waits, finishes what runs */
    server_stop(srv);
    engine_stop(app.engine);
    committer_free(app.committer); /* after the engine: its workers hold it (engine_use_committer) */
    pruner_stop(app.pruner);
    app_free(&app);
    config_free(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 == argc) {
                fprintf(stderr, "hookpost: --config needs a FILE (see hookpost --help)\n");
                return 2;
            }
            file = argv[++i];
        }
        else if (!strncmp(argv[i], "--config=", 9)) file = argv[i] + 9;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) cmd = "help";
        else if (!strcmp(argv[i], "--version")) cmd = "version";
        else if (!cmd) cmd = argv[i];
        else {
            fprintf(stderr, "hookpost: unexpected argument '%s' (see hookpost --help)\n", argv[i]);
            return 2;
        }
    }
    if (!cmd || !strcmp(cmd, "help")) {
        usage(cmd ? stdout : stderr);
        return cmd ? 0 : 2;
    }
    if (!strcmp(cmd, "version")) {
        printf("hookpost %s\n", HP_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "serve")) return cmd_serve(file);
    if (!strcmp(cmd, "migrate")) return cmd_migrate(file);
    fprintf(stderr, "hookpost: unknown command '%s' (see hookpost --help)\n", cmd);
    return 2;
}
