/* escape.h — how the report writers put strings from the wire (iSCSI names,
 * key values, messages quoting PDU bytes) into text, TAP, YAML, XML and JSON
 * so that every output stays well-formed whatever the bytes are.
 *
 * One policy for all forms: a string is read as UTF-8; a byte that does not
 * start a valid UTF-8 sequence (overlong forms and surrogates are invalid
 * too) is shown as the four characters \xNN (NN its value in lower-case
 * hex). Control characters are escaped in the way of each form; where a
 * form has no way to carry one (XML 1.0 forbids most C0 controls even as
 * character references) it is shown as \xNN as well.
 */
#ifndef HARNESS_REPORT_ESCAPE_H
#define HARNESS_REPORT_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum rep_esc_mode {
	REP_ESC_TEXT,      /* terminal: one line, controls as \n \t \xNN */
	REP_ESC_TAP,       /* a TAP test line: as TEXT, then \ and # escaped */
	REP_ESC_YAML,      /* inside a YAML double-quoted scalar (TAP YAMLish) */
	REP_ESC_XML_TEXT,  /* XML 1.0 character data */
	REP_ESC_XML_ATTR,  /* XML 1.0 attribute value in double quotes */
	REP_ESC_JSON,      /* inside a JSON string */
};

/* Length of the valid UTF-8 sequence at s (n > 0 bytes available), with its
 * code point in *cp; 0 when s[0] does not start one. */
size_t rep_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Write len bytes of s escaped for mode (no quotes added). */
void rep_esc_write(FILE *out, const char *s, size_t len, enum rep_esc_mode mode);
/* As rep_esc_write() for a NUL-terminated string; NULL writes nothing. */
void rep_esc_puts(FILE *out, const char *s, enum rep_esc_mode mode);
/* Terminal columns rep_esc_write() would take (one per character). */
size_t rep_esc_width(const char *s, size_t len, enum rep_esc_mode mode);

/* A JSON string in quotes, or null when s is NULL. */
void rep_json_string(FILE *out, const char *s);
/* A YAML double-quoted scalar, or ~ when s is NULL. */
void rep_yaml_string(FILE *out, const char *s);

#endif
