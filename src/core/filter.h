/* filter.h - the destination event filter engine.
 *
 * A destination's `filter` is a JSON object matched against the event document
 * {id, topic, time, metadata, data} with the semantics of Hookdeck's
 * simple-json-match (as ported by Outpost). A filter is a "schema":
 *
 *   primitive   equal to the input (numbers compare as doubles, 1 == 1.0;
 *               strings, booleans, null; never across types). Against an
 *               array input: the array contains an equal element.
 *   array       the input is an array and every schema element is matched by
 *               at least one input element.
 *   object      every member must hold (implicit AND). A member whose key does
 *               not start with '$' matches the input's member of that name (a
 *               missing member only satisfies schemas that accept absence,
 *               such as {"$exist": false}); against an array input the
 *               field members must all hold for one element. Members whose
 *               key starts with '$' are operators applied to the input
 *               itself, arrays included:
 *     $eq $neq            deep equality / inequality (objects by members,
 *                         arrays in order, numbers as doubles)
 *     $gt $gte $lt $lte   both strings: bytewise (code point) order; both
 *                         numbers: numeric; anything else: no match
 *     $in                 operand array: the input equals an element (an input
 *                         array: some element of it does); operand string and
 *                         input string: substring; input array: contains the
 *                         operand; anything else: no match
 *     $nin                the negation of $in where $in is defined (so a type
 *                         mismatch is still no match)
 *     $startsWith         input string starting with the operand string, or
 *     $endsWith           with any string of an operand array
 *     $exist              true: the member is present (null counts); false:
 *                         absent
 *     $or $and            operand array of schemas; any / all of them match
 *                         the input
 *     $not                the operand schema does not match the input
 *   A missing input member fails every operator except $exist:false and
 *   whatever $not / $or / $and make of their sub-schemas.
 *
 * Filters that use an unknown operator (e.g. $ref) or nest deeper than
 * FILTER_MAX_DEPTH never match, even under $not; neither does an input whose
 * array nesting drives evaluation past that depth. Operand type mistakes
 * (e.g. {"$gt": [1]}) just fail that operator, as in Outpost; the API rejects
 * them up front with filter_validate.
 *
 * Thread-safety: no global state; any number of threads may match against
 * the same filter and input as long as nobody modifies them meanwhile.
 * Ownership: no function takes ownership of its arguments. Errors follow
 * err.h. */
#ifndef HP_FILTER_H
#define HP_FILTER_H

#include <jansson.h>
#include <stdbool.h>

/* Deepest nesting of objects and arrays in a filter (the filter object itself
 * is level 1; primitive leaves don't count) and of evaluation (which also
 * counts each descent into an input array). */
#define FILTER_MAX_DEPTH 64

/* true if input matches filter. NULL, JSON null and {} match everything.
 * A NULL input is treated as an absent document. Never fails: anything
 * unsupported is simply no match. Cost is linear in the filter's size times
 * the size of the input parts it reaches (array-in-array schemas multiply). */
bool filter_match(const json_t *filter, const json_t *input);

/* Validates a filter from an API request. HP_OK if filter is NULL, JSON null
 * or an object built only from known operators with sensible operands:
 * $or/$and an array of schemas, $not a schema, $exist a boolean, $gt/$gte/
 * $lt/$lte a number or string, $in/$nin an array or primitive,
 * $startsWith/$endsWith a string or array of strings; nested at most
 * FILTER_MAX_DEPTH deep. Otherwise HP_EINVAL and, if err is not NULL, *err is
 * set to a static human-readable message (never freed). *err is untouched on
 * success. */
int filter_validate(const json_t *filter, const char **err);

/* Builds the document filters are matched against:
 *   {"id": id, "topic": topic, "time": time_rfc3339,
 *    "metadata": metadata, "data": data}
 * NULL strings become "", NULL (or JSON null) metadata/data become {}.
 * Returns a NEW reference (json_decref it), or NULL when out of memory or a
 * string is not valid UTF-8. metadata and data are shared, not copied (their
 * reference counts are raised, atomically): don't modify them while the
 * document is alive. */
json_t *filter_input(const char *id, const char *topic, const char *time_rfc3339,
                     const json_t *metadata, const json_t *data);

#endif
