/* err.c - descriptions of the HP_E* codes for log lines. */
#include "core/err.h"

const char *hp_strerror(int err)
{
    switch (err) {
    case HP_OK: return "ok";
    case HP_ENOMEM: return "out of memory";
    case HP_ENOTFOUND: return "not found";
    case HP_EEXISTS: return "already exists";
    case HP_ELIMIT: return "limit reached";
    case HP_EINVAL: return "invalid input";
    case HP_ESTORE: return "store failure";
    case HP_ECRYPTO: return "crypto failure";
    case HP_EIO: return "i/o failure";
    case HP_EBUSY: return "busy";
    case HP_EDENIED: return "denied";
    }
    return "unknown error";
}
