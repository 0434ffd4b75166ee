/* server.h - the HTTP server: libmicrohttpd with poll() and a pool of worker
 * threads, reading whole request bodies (up to API_MAX_BODY_BYTES; more is
 * answered 413) and handing complete requests to the router.
 *
 * server_start returns once the socket listens; server_stop blocks until
 * in-flight requests finish. The app must outlive the server. */
#ifndef HP_SERVER_H
#define HP_SERVER_H

#include "app.h"

typedef struct hp_server hp_server;

/* HP_OK, HP_EIO (cannot listen: the message is in err), HP_ENOMEM. */
int server_start(const hp_app *app, hp_server **out, char *err, size_t errlen);
/* Stops accepting connections; requests in progress go on. */
void server_quiesce(hp_server *srv);
void server_stop(hp_server *srv);

#endif
