/* topics.h - destination topic subscriptions: glob matching, validation and
 * normalisation of a destination's `topics`, and the tenant-level union.
 *
 * A destination's normalized topics are a JSON array of strings: either
 * exactly ["*"] (everything) or a list of topic names and, when wildcards are
 * allowed, glob patterns in which '*' matches any run of characters
 * (including an empty run and dots). There are no other metacharacters.
 *
 * All functions are pure (no global state) and thread-safe as long as the
 * json_t arguments are not modified concurrently. Errors follow err.h. */
#ifndef HP_TOPICS_H
#define HP_TOPICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Glob match of the whole topic: each '*' in pattern matches any run of
 * characters; every other pattern byte matches only itself. A '*' in topic
 * is an ordinary character (so topic_match("user.*", "user.*.x") is true,
 * which is how one pattern is found to cover another). false if either
 * argument is NULL. O(len(pattern) * len(topic)) worst case, no recursion. */
bool topic_match(const char *pattern, const char *topic);

/* Validates and normalizes a destination's `topics` value from a request.
 *
 * in: the bare string "*" or an array of strings (NULL = field missing).
 * configured/nconfigured: the TOPICS list; nconfigured == 0 means TOPICS is
 *   unset and any non-empty strings (patterns included) are accepted.
 * allow_wildcards: TOPICS_ALLOW_WILDCARDS; only consulted when TOPICS is set.
 *
 * On success returns HP_OK and *out is a NEW array reference the caller must
 * json_decref: ["*"] for "*" (or any list containing "*" when TOPICS is
 * unset); otherwise the entries deduplicated in order of first appearance,
 * with every entry covered by a sibling wildcard pattern dropped
 * (["user.*", "user.created"] -> ["user.*"]).
 *
 * When TOPICS is set each entry must be a configured topic, or (with
 * allow_wildcards) a pattern containing '*' that matches at least one
 * configured topic; "*" next to other entries is invalid.
 *
 * On failure returns HP_EINVAL and sets *err to a static message:
 * "topics is required" (missing, JSON null, empty string, empty array, or an
 * empty string element) or "topics is invalid" (anything else). Returns
 * HP_ENOMEM (and *err = "out of memory") if an allocation fails. *out is
 * only written on success; err may be NULL. */
int topics_normalize(const json_t *in, const char *const *configured, size_t nconfigured,
                     bool allow_wildcards, json_t **out, const char **err);

/* true if a destination with normalized topics dest_topics receives an event
 * published with `topic`: dest_topics holds "*", the topic itself, or a
 * pattern matching it. A NULL or empty event topic matches every destination.
 * A NULL or non-array dest_topics matches only the empty topic. */
bool topics_subscribed(const json_t *dest_topics, const char *topic);

/* Event matching: topics_subscribed, except that an event published with the
 * topic "*" goes to every destination (Outpost's broadcast topic; a
 * destination list filtered by "*" still shows only ["*"] destinations,
 * which is why this is not part of topics_subscribed). */
bool topics_event_matches(const json_t *dest_topics, const char *topic);

/* The tenant's `topics` field: the sorted (strcmp, i.e. bytewise) union
 * without duplicates of n normalized topic arrays (NULL entries and
 * non-string elements are skipped). ["*"] if any array contains "*"; [] when
 * there is nothing. Returns a NEW reference (caller json_decref's), or NULL
 * on allocation failure. */
json_t *topics_union(json_t *const *topic_arrays, size_t n);

#endif
