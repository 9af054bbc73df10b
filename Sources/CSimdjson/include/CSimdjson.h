// A C API over simdjson's DOM parser, for Swift.
//
// Invariants:
// - A parser is used by one thread at a time; it owns its buffers and reuses them across parses.
// - A successful parse exposes simdjson's tape and string buffer read-only; both stay valid
//   until the next parse or free on the same parser, and Swift copies out what it keeps.
// - Nothing here throws a C++ exception across the C boundary (simdjson runs without them).
#ifndef TEMBLOR_CSIMDJSON_H
#define TEMBLOR_CSIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes simdjson may read past the end of an input; a padded input has this many readable bytes after it.
#define TEMBLOR_SIMDJSON_PADDING 64

typedef struct temblor_json_parser temblor_json_parser;

/// The tape of one parsed document (simdjson's DOM tape format, see simdjson's doc/tape.md).
typedef struct {
    const uint64_t *tape;
    const uint8_t *strings;
} temblor_json_document;

/// Creates a parser for documents of up to `max_capacity` bytes; NULL when out of memory.
temblor_json_parser *temblor_json_parser_new(size_t max_capacity);
void temblor_json_parser_free(temblor_json_parser *parser);

/// Parses `len` bytes at `buf`. When `padded` is non-zero the caller guarantees
/// TEMBLOR_SIMDJSON_PADDING readable bytes after the input; otherwise the input is copied.
/// Returns 0 and fills `out` on success, or simdjson's error code.
int temblor_json_parse(temblor_json_parser *parser, const uint8_t *buf, size_t len, int padded,
                       temblor_json_document *out);

/// simdjson's message for an error code returned by temblor_json_parse.
const char *temblor_json_error_message(int code);

/// The simdjson implementation picked for this CPU (for example "haswell").
const char *temblor_json_implementation(void);

#ifdef __cplusplus
}
#endif

#endif
