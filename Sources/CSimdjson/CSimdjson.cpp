// See include/CSimdjson.h for the invariants of this C API.
#include "CSimdjson.h"

#include <new>
#include <simdjson.h>

struct temblor_json_parser {
    simdjson::dom::parser parser;
    explicit temblor_json_parser(size_t max_capacity) : parser(max_capacity) {}
};

extern "C" temblor_json_parser *temblor_json_parser_new(size_t max_capacity) {
    return new (std::nothrow) temblor_json_parser(max_capacity);
}

extern "C" void temblor_json_parser_free(temblor_json_parser *parser) { delete parser; }

extern "C" int temblor_json_parse(temblor_json_parser *parser, const uint8_t *buf, size_t len, int padded,
                                  temblor_json_document *out) {
    simdjson::dom::element root;
    auto error = parser->parser.parse(buf, len, padded == 0).get(root);
    if (error) {
        return int(error);
    }
    // The element API reads the same document; its public tape and string buffer are what Swift walks.
    const simdjson::dom::document &doc = parser->parser.doc;
    out->tape = doc.tape.get();
    out->strings = doc.string_buf.get();
    return 0;
}

extern "C" const char *temblor_json_error_message(int code) {
    return simdjson::error_message(simdjson::error_code(code));
}

extern "C" const char *temblor_json_implementation(void) {
    return simdjson::get_active_implementation()->name().data();
}
