// string.find, string.match, string.gmatch and string.gsub for plugins: Lua 5.4's patterns
// (reference manual §6.4.1), with results and error messages as Lua's own, matched by a
// backtracking matcher that the wall-clock watchdog can stop.
//
// Invariants for everything in this header:
// - Lua's own pattern functions run in C, out of reach of the instruction budget, and a
//   pathological pattern makes them run for hours ('.-.-.-b' on 20 KB of 'a'). These count their
//   steps and, every `TEMBLOR_PATTERN_CHECK_EVERY` of them, look at the host's `interrupted`
//   flag, which the watchdog sets when the callback is over its time: then they raise the time
//   limit error, which unwinds only Lua and C frames (they are lua_CFunctions called from Lua).
// - Nothing is allocated while matching; results are pushed once a match is found.
// - Recursion is bounded as Lua bounds it (`TEMBLOR_PATTERN_MAX_DEPTH` nested items).
#ifndef TEMBLOR_CLUA_PATTERN_H
#define TEMBLOR_CLUA_PATTERN_H

#include "host.h"
#include <ctype.h>

#define TEMBLOR_PATTERN_MAX_CAPTURES 32
#define TEMBLOR_PATTERN_MAX_DEPTH 200
#define TEMBLOR_PATTERN_CHECK_EVERY 4096
#define TEMBLOR_PATTERN_SPECIALS "^$*+?.([%-"

enum { TEMBLOR_CAPTURE_OPEN = -1, TEMBLOR_CAPTURE_POSITION = -2 };

typedef struct {
    lua_State *L;
    const char *subject, *subjectEnd;
    const char *patternEnd;
    int depth;          /* nested items left before "pattern too complex" */
    int captures;       /* how many are open or closed */
    unsigned steps;     /* until the next look at the watchdog */
    struct { const char *start; ptrdiff_t length; } capture[TEMBLOR_PATTERN_MAX_CAPTURES];
} temblor_pattern_state;

/* Counts one step; every so often, raises the time limit error if the watchdog asked for it. */
static inline void temblor_pattern_step(temblor_pattern_state *m) {
    if (--m->steps > 0) return;
    m->steps = TEMBLOR_PATTERN_CHECK_EVERY;
    temblor_lua_host *host = temblor_lua_get_host(m->L);
    if (host != NULL && host->interrupted) luaL_error(m->L, "%s", temblor_lua_time_limit_message);
}

static inline void temblor_pattern_begin(temblor_pattern_state *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    m->L = L;
    m->subject = s;
    m->subjectEnd = s + ls;
    m->patternEnd = p + lp;
    m->steps = TEMBLOR_PATTERN_CHECK_EVERY;
}

/* Before each attempt at a new position. */
static inline void temblor_pattern_restart(temblor_pattern_state *m) {
    m->captures = 0;
    m->depth = TEMBLOR_PATTERN_MAX_DEPTH;
    temblor_pattern_step(m);
}

/* Where the single-character class starting at `p` ends. */
static inline const char *temblor_pattern_class_end(temblor_pattern_state *m, const char *p) {
    char c = *p++;
    if (c == '%') {
        if (p >= m->patternEnd) luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (*p == '^') p++;
        do {  /* the first character of a set is itself, even ']' */
            if (p >= m->patternEnd) luaL_error(m->L, "malformed pattern (missing ']')");
            c = *p++;
            if (c == '%' && p < m->patternEnd) p++;
        } while (*p != ']');
        return p + 1;
    }
    return p;
}

/* Whether `c` is in the class `%cl` (`cl` being a letter of the manual, upper case for the
 * complement, or any other character standing for itself). */
static inline int temblor_pattern_in_class(int c, int cl) {
    int in;
    switch (tolower(cl)) {
    case 'a': in = isalpha(c); break;
    case 'c': in = iscntrl(c); break;
    case 'd': in = isdigit(c); break;
    case 'g': in = isgraph(c); break;
    case 'l': in = islower(c); break;
    case 'p': in = ispunct(c); break;
    case 's': in = isspace(c); break;
    case 'u': in = isupper(c); break;
    case 'w': in = isalnum(c); break;
    case 'x': in = isxdigit(c); break;
    case 'z': in = c == 0; break;  /* undocumented, kept by Lua 5.4 for old scripts */
    default: return cl == c;
    }
    if (isupper(cl)) in = !in;
    return in != 0;
}

/* Whether `c` is in the set from `p` ('[') to `last` (its ']'). */
static inline int temblor_pattern_in_set(int c, const char *p, const char *last) {
    int inside = 1;
    if (*(++p) == '^') {
        inside = 0;
        p++;
    }
    for (; p < last; p++) {
        if (*p == '%') {
            p++;
            if (temblor_pattern_in_class(c, (unsigned char)*p)) return inside;
        } else if (p[1] == '-' && p + 2 < last) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return inside;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return inside;
        }
    }
    return !inside;
}

/* Whether the subject character at `s` matches the single-character class from `p` to `ep`. */
static inline int temblor_pattern_single(temblor_pattern_state *m, const char *s, const char *p, const char *ep) {
    if (s >= m->subjectEnd) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case '%': return temblor_pattern_in_class(c, (unsigned char)p[1]);
    case '[': return temblor_pattern_in_set(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

static const char *temblor_pattern_match(temblor_pattern_state *m, const char *s, const char *p);

/* %bxy: a balanced run from x to its matching y. */
static inline const char *temblor_pattern_balance(temblor_pattern_state *m, const char *s, const char *p) {
    if (p >= m->patternEnd - 1) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->subjectEnd || *s != *p) return NULL;
    char open = p[0], close = p[1];
    int depth = 1;
    while (++s < m->subjectEnd) {
        temblor_pattern_step(m);
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

/* Greedy: as many as match, then back off one at a time. */
static inline const char *temblor_pattern_longest(temblor_pattern_state *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t count = 0;
    while (temblor_pattern_single(m, s + count, p, ep)) {
        temblor_pattern_step(m);
        count++;
    }
    for (; count >= 0; count--) {
        temblor_pattern_step(m);
        const char *end = temblor_pattern_match(m, s + count, ep + 1);
        if (end != NULL) return end;
    }
    return NULL;
}

/* Lazy: as few as let the rest match. */
static inline const char *temblor_pattern_shortest(temblor_pattern_state *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        temblor_pattern_step(m);
        const char *end = temblor_pattern_match(m, s, ep + 1);
        if (end != NULL) return end;
        if (!temblor_pattern_single(m, s, p, ep)) return NULL;
        s++;
    }
}

static inline const char *temblor_pattern_open(temblor_pattern_state *m, const char *s, const char *p, ptrdiff_t kind) {
    if (m->captures >= TEMBLOR_PATTERN_MAX_CAPTURES) luaL_error(m->L, "too many captures");
    m->capture[m->captures].start = s;
    m->capture[m->captures].length = kind;
    m->captures++;
    const char *end = temblor_pattern_match(m, s, p);
    if (end == NULL) m->captures--;
    return end;
}

static inline const char *temblor_pattern_close(temblor_pattern_state *m, const char *s, const char *p) {
    int which = m->captures - 1;
    while (which >= 0 && m->capture[which].length != TEMBLOR_CAPTURE_OPEN) which--;
    if (which < 0) luaL_error(m->L, "invalid pattern capture");
    m->capture[which].length = s - m->capture[which].start;
    const char *end = temblor_pattern_match(m, s, p);
    if (end == NULL) m->capture[which].length = TEMBLOR_CAPTURE_OPEN;
    return end;
}

/* %1-%9: the text of an earlier, closed capture again. */
static inline const char *temblor_pattern_again(temblor_pattern_state *m, const char *s, int digit) {
    int which = digit - '1';
    if (which < 0 || which >= m->captures || m->capture[which].length == TEMBLOR_CAPTURE_OPEN) {
        luaL_error(m->L, "invalid capture index %%%d", which + 1);
    }
    ptrdiff_t length = m->capture[which].length;
    if (length < 0) return NULL;  /* a position capture has no text */
    if (m->subjectEnd - s >= length && memcmp(m->capture[which].start, s, (size_t)length) == 0) return s + length;
    return NULL;
}

/* Matches pattern `p` (to its end) at subject position `s`: where the match ends, or NULL. */
static const char *temblor_pattern_match(temblor_pattern_state *m, const char *s, const char *p) {
    if (m->depth-- == 0) luaL_error(m->L, "pattern too complex");
    temblor_pattern_step(m);
    while (s != NULL && p != m->patternEnd) {
        switch (*p) {
        case '(':
            s = p[1] == ')' ? temblor_pattern_open(m, s, p + 2, TEMBLOR_CAPTURE_POSITION)
                            : temblor_pattern_open(m, s, p + 1, TEMBLOR_CAPTURE_OPEN);
            goto done;
        case ')':
            s = temblor_pattern_close(m, s, p + 1);
            goto done;
        case '$':
            if (p + 1 == m->patternEnd) {
                if (s != m->subjectEnd) s = NULL;
                goto done;
            }
            break;
        case '%':
            if (p[1] == 'b') {
                s = temblor_pattern_balance(m, s, p + 2);
                if (s != NULL) p += 4;
                continue;
            }
            if (p[1] == 'f') {
                p += 2;
                if (*p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
                const char *ep = temblor_pattern_class_end(m, p);
                int before = s == m->subject ? '\0' : (unsigned char)s[-1];
                int here = s < m->subjectEnd ? (unsigned char)*s : '\0';
                if (!temblor_pattern_in_set(before, p, ep - 1) && temblor_pattern_in_set(here, p, ep - 1)) {
                    p = ep;
                } else {
                    s = NULL;
                }
                continue;
            }
            if (isdigit((unsigned char)p[1])) {
                s = temblor_pattern_again(m, s, (unsigned char)p[1]);
                if (s != NULL) p += 2;
                continue;
            }
            break;
        default:
            break;
        }
        /* A single-character class, maybe followed by a repetition. */
        const char *ep = temblor_pattern_class_end(m, p);
        if (!temblor_pattern_single(m, s, p, ep)) {
            if (*ep == '*' || *ep == '?' || *ep == '-') {
                p = ep + 1;  /* zero of them is fine */
            } else {
                s = NULL;
            }
            continue;
        }
        switch (*ep) {
        case '?': {
            const char *end = temblor_pattern_match(m, s + 1, ep + 1);
            if (end != NULL) {
                s = end;
                goto done;
            }
            p = ep + 1;
            continue;
        }
        case '+': s = temblor_pattern_longest(m, s + 1, p, ep); goto done;
        case '*': s = temblor_pattern_longest(m, s, p, ep); goto done;
        case '-': s = temblor_pattern_shortest(m, s, p, ep); goto done;
        default:
            s++;
            p = ep;
            continue;
        }
    }
done:
    m->depth++;
    return s;
}

/* Pushes capture `i` (the whole match from `s` to `e` when the pattern has none and i is 0). */
static inline void temblor_pattern_push_capture(temblor_pattern_state *m, int i, const char *s, const char *e) {
    if (i >= m->captures) {
        if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s));
        return;
    }
    ptrdiff_t length = m->capture[i].length;
    if (length == TEMBLOR_CAPTURE_OPEN) luaL_error(m->L, "unfinished capture");
    if (length == TEMBLOR_CAPTURE_POSITION) {
        lua_pushinteger(m->L, (lua_Integer)(m->capture[i].start - m->subject) + 1);
    } else {
        lua_pushlstring(m->L, m->capture[i].start, (size_t)length);
    }
}

/* Pushes every capture, or the whole match when there is none and `s` is given. */
static inline int temblor_pattern_push_captures(temblor_pattern_state *m, const char *s, const char *e) {
    int count = (m->captures == 0 && s != NULL) ? 1 : m->captures;
    luaL_checkstack(m->L, count, "too many captures");
    for (int i = 0; i < count; i++) temblor_pattern_push_capture(m, i, s, e);
    return count;
}

/* A 1-based start position as Lua reads it: negative counts from the end, 0 means 1. */
static inline size_t temblor_pattern_start(lua_Integer position, size_t length) {
    if (position > 0) return (size_t)position;
    if (position == 0) return 1;
    if (position < -(lua_Integer)length) return 1;
    return length + (size_t)position + 1;
}

static inline int temblor_pattern_has_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++) {
        if (p[i] != '\0' && strchr(TEMBLOR_PATTERN_SPECIALS, p[i]) != NULL) return 1;
    }
    return 0;
}

/* Plain search of `needle` in `haystack`, stepping the watchdog's counter as it goes. */
static inline const char *temblor_pattern_plain(temblor_pattern_state *m, const char *haystack, size_t lh, const char *needle, size_t ln) {
    if (ln == 0) return haystack;
    if (ln > lh) return NULL;
    const char *last = haystack + (lh - ln);
    for (const char *at = haystack; at <= last; at++) {
        at = (const char *)memchr(at, *needle, (size_t)(last - at) + 1);
        if (at == NULL) return NULL;
        m->steps = m->steps > ln / 64 + 1 ? m->steps - (unsigned)(ln / 64) : 1;
        temblor_pattern_step(m);
        if (memcmp(at + 1, needle + 1, ln - 1) == 0) return at;
    }
    return NULL;
}

static inline int temblor_pattern_find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t start = temblor_pattern_start(luaL_optinteger(L, 3, 1), ls) - 1;
    if (start > ls) {
        lua_pushnil(L);
        return 1;
    }
    temblor_pattern_state m;
    temblor_pattern_begin(&m, L, s, ls, p, lp);
    if (find && (lua_toboolean(L, 4) || !temblor_pattern_has_specials(p, lp))) {
        const char *at = temblor_pattern_plain(&m, s + start, ls - start, p, lp);
        if (at == NULL) {
            lua_pushnil(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(at - s) + 1);
        lua_pushinteger(L, (lua_Integer)(at - s) + (lua_Integer)lp);
        return 2;
    }
    int anchored = *p == '^';
    if (anchored) {
        p++;
        lp--;
    }
    temblor_pattern_begin(&m, L, s, ls, p, lp);
    const char *at = s + start;
    do {
        temblor_pattern_restart(&m);
        const char *end = temblor_pattern_match(&m, at, p);
        if (end != NULL) {
            if (!find) return temblor_pattern_push_captures(&m, at, end);
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(end - s));
            return temblor_pattern_push_captures(&m, NULL, NULL) + 2;
        }
    } while (at++ < m.subjectEnd && !anchored);
    lua_pushnil(L);
    return 1;
}

static inline int temblor_pattern_find(lua_State *L) { return temblor_pattern_find_or_match(L, 1); }
static inline int temblor_pattern_match_function(lua_State *L) { return temblor_pattern_find_or_match(L, 0); }

/* gmatch's iterator: upvalues the subject, the pattern and a userdata with where it stands. */
typedef struct {
    size_t next;        /* where the next attempt starts */
    size_t lastEnd;     /* where the last match ended (+1; 0 before any), so that an empty match
                         * right after it is skipped */
} temblor_gmatch_state;

static inline int temblor_pattern_gmatch_next(lua_State *L) {
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    temblor_gmatch_state *g = (temblor_gmatch_state *)lua_touserdata(L, lua_upvalueindex(3));
    temblor_pattern_state m;
    temblor_pattern_begin(&m, L, s, ls, p, lp);
    for (const char *at = s + g->next; at <= m.subjectEnd; at++) {
        temblor_pattern_restart(&m);
        const char *end = temblor_pattern_match(&m, at, p);
        if (end != NULL && (size_t)(end - s) + 1 != g->lastEnd) {
            g->next = (size_t)(end - s);
            g->lastEnd = (size_t)(end - s) + 1;
            return temblor_pattern_push_captures(&m, at, end);
        }
    }
    g->next = ls + 1;
    return 0;
}

static inline int temblor_pattern_gmatch(lua_State *L) {
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t start = temblor_pattern_start(luaL_optinteger(L, 3, 1), ls) - 1;
    if (start > ls) start = ls + 1;  /* no match at all */
    lua_settop(L, 2);
    temblor_gmatch_state *g = (temblor_gmatch_state *)lua_newuserdatauv(L, sizeof(temblor_gmatch_state), 0);
    g->next = start;
    g->lastEnd = 0;
    lua_pushcclosure(L, temblor_pattern_gmatch_next, 3);
    return 1;
}

/* gsub's replacement string: %0 the whole match, %1-%9 captures, %% a percent sign. */
static inline void temblor_pattern_add_string(temblor_pattern_state *m, luaL_Buffer *b, const char *s, const char *e) {
    size_t length;
    const char *text = lua_tolstring(m->L, 3, &length);
    const char *percent;
    while ((percent = (const char *)memchr(text, '%', length)) != NULL) {
        luaL_addlstring(b, text, (size_t)(percent - text));
        percent++;
        if (*percent == '%') {
            luaL_addchar(b, '%');
        } else if (*percent == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)*percent)) {
            temblor_pattern_push_capture(m, *percent - '1', s, e);
            luaL_tolstring(m->L, -1, NULL);  /* a position capture becomes its digits */
            lua_remove(m->L, -2);
            luaL_addvalue(b);
        } else {
            luaL_error(m->L, "invalid use of '%c' in replacement string", '%');
        }
        length -= (size_t)(percent + 1 - text);
        text = percent + 1;
    }
    luaL_addlstring(b, text, length);
}

/* Adds the replacement of the match from `s` to `e`; whether it changed anything. */
static inline int temblor_pattern_add_value(temblor_pattern_state *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = m->L;
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int count = temblor_pattern_push_captures(m, s, e);
        lua_call(L, count, 1);
    } else if (kind == LUA_TTABLE) {
        temblor_pattern_push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        temblor_pattern_add_string(m, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {  /* nil or false: the match stays as it was */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static inline int temblor_pattern_gsub(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *lastEnd = NULL;
    int kind = lua_type(L, 3);
    lua_Integer most = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                     "string/function/table");
    int anchored = *p == '^';
    if (anchored) {
        p++;
        lp--;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    temblor_pattern_state m;
    temblor_pattern_begin(&m, L, s, ls, p, lp);
    lua_Integer count = 0;
    int changed = 0;
    const char *at = s;
    while (count < most) {
        temblor_pattern_restart(&m);
        const char *end = temblor_pattern_match(&m, at, p);
        if (end != NULL && end != lastEnd) {
            count++;
            changed = temblor_pattern_add_value(&m, &b, at, end, kind) | changed;
            at = lastEnd = end;
        } else if (at < m.subjectEnd) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored) break;
    }
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, at, (size_t)(m.subjectEnd - at));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, count);
    return 2;
}

/* lua_CFunction: puts these in place of Lua's own in the `string` table. */
static inline int temblor_lua_install_patterns(lua_State *L) {
    lua_getglobal(L, "string");
    lua_pushcfunction(L, temblor_pattern_find); lua_setfield(L, -2, "find");
    lua_pushcfunction(L, temblor_pattern_match_function); lua_setfield(L, -2, "match");
    lua_pushcfunction(L, temblor_pattern_gmatch); lua_setfield(L, -2, "gmatch");
    lua_pushcfunction(L, temblor_pattern_gsub); lua_setfield(L, -2, "gsub");
    return 0;
}

#endif
