/* err.h - the one error convention of hookpost.
 *
 * Every fallible function in the code base returns an int: HP_OK (0) on
 * success or one of the negative HP_E* codes below. Out-parameters are only
 * written on success unless a header says otherwise. Functions never print;
 * the caller decides how an error surfaces (HTTP status, log line, exit). */
#ifndef HP_ERR_H
#define HP_ERR_H

enum {
    HP_OK = 0,
    HP_ENOMEM = -1,    /* allocation failed */
    HP_ENOTFOUND = -2, /* the addressed row/object does not exist */
    HP_EEXISTS = -3,   /* a row with that key already exists */
    HP_ELIMIT = -4,    /* a configured limit would be exceeded */
    HP_EINVAL = -5,    /* input failed validation / could not be parsed */
    HP_ESTORE = -6,    /* the database failed (I/O, corruption, constraint) */
    HP_ECRYPTO = -7,   /* encryption/decryption/authentication failed */
    HP_EIO = -8,       /* file or socket I/O failed */
    HP_EBUSY = -9,     /* resource temporarily unavailable; retry later */
    HP_EDENIED = -10,  /* authentication or authorisation refused */
};

/* Short static description of an HP_E* code, for logs. Never NULL. */
const char *hp_strerror(int err);

#endif
