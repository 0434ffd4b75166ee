/* mergepatch.h - RFC 7396 JSON Merge Patch, used by destination PATCH for
 * config, credentials, metadata and delivery_metadata.
 *
 * Thread-safe as long as the values passed in are not shared with another
 * thread while the patch is applied. No error codes: the only failure is
 * running out of memory. */
#ifndef HP_MERGEPATCH_H
#define HP_MERGEPATCH_H

#include <jansson.h>

/* Applies patch to target and returns the result.
 *
 * Ownership: takes the caller's reference to target (which may be NULL) and
 * returns a reference the caller owns (json_decref). The result may be target
 * itself: objects inside target are modified IN PLACE, so pass
 * json_deep_copy(x) if x (or anything sharing its sub-objects) must stay
 * unchanged. patch is only read; nothing in the result aliases it.
 *
 * Semantics (RFC 7396): if patch is not an object the result is a deep copy
 * of patch (a JSON null patch yields JSON null); otherwise a non-object target
 * is replaced by {}, every member of patch whose value is null deletes that
 * key, and every other member is merged recursively into the key's current
 * value. A NULL patch (no patch at all) returns target unchanged.
 *
 * Returns NULL only on allocation failure; target has then been released. */
json_t *mergepatch_apply(json_t *target, const json_t *patch);

#endif
