/* escape.c — escaping of wire-derived strings for the report writers: one
 * pass over the string as UTF-8, one small rule per output form (escape.h
 * states the policy). Nothing here allocates. */
#include "escape.h"

#include <stdbool.h>

#define UNIT_MAX 16  /* longest escaped form of one character */

static const char hexdig[] = "0123456789abcdef";

size_t rep_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;  /* allowed range of the 2nd byte */
	uint32_t c;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		c = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		c = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;          /* no overlong forms */
		else if (b == 0xed)
			hi = 0x9f;          /* no UTF-16 surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		c = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;          /* no overlong forms */
		else if (b == 0xf4)
			hi = 0x8f;          /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char t = s[i];
		if (i == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xbf))
			return 0;
		c = c << 6 | (t & 0x3f);
	}
	*cp = c;
	return len;
}

/* "\xNN" (or "\\xNN" where a backslash must itself be escaped). */
static size_t put_hex_byte(char *o, unsigned v, bool double_backslash)
{
	size_t k = 0;
	o[k++] = '\\';
	if (double_backslash)
		o[k++] = '\\';
	o[k++] = 'x';
	o[k++] = hexdig[(v >> 4) & 0xf];
	o[k++] = hexdig[v & 0xf];
	return k;
}

static size_t put_str(char *o, const char *s)
{
	size_t k = 0;
	while (s[k]) {
		o[k] = s[k];
		k++;
	}
	return k;
}

static size_t put_u4(char *o, const char *prefix, uint32_t cp)
{
	size_t k = put_str(o, prefix);
	for (int shift = 12; shift >= 0; shift -= 4)
		o[k++] = hexdig[(cp >> shift) & 0xf];
	return k;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/* Characters a terminal would not show as themselves: line and paragraph
 * separators, bidirectional overrides (they reorder what a reader sees),
 * the byte order mark and the noncharacters U+FFFE/U+FFFF. */
static bool is_hidden_format(uint32_t cp)
{
	return cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

/* Terminal and TAP text: controls by name or as \xNN, other invisible
 * characters as \uNNNN. */
static size_t text_unit(char *o, uint32_t cp, const unsigned char *raw, size_t len)
{
	switch (cp) {
	case '\n': return put_str(o, "\\n");
	case '\r': return put_str(o, "\\r");
	case '\t': return put_str(o, "\\t");
	default: break;
	}
	if (cp < 0x80 && is_control(cp))
		return put_hex_byte(o, cp, false);
	if (is_control(cp) || is_hidden_format(cp))
		return put_u4(o, "\\u", cp);
	for (size_t i = 0; i < len; i++)
		o[i] = (char)raw[i];
	return len;
}

/* The escaped form of the character (or invalid byte) at s into o; its
 * length is returned, the input bytes used go to *used and the terminal
 * columns to *cols. */
static size_t esc_unit(const unsigned char *s, size_t n, enum rep_esc_mode mode,
		       char o[UNIT_MAX], size_t *used, size_t *cols)
{
	uint32_t cp;
	size_t len = rep_utf8_next(s, n, &cp);
	size_t k;

	if (len == 0) {
		*used = 1;
		k = put_hex_byte(o, s[0], mode == REP_ESC_TAP || mode == REP_ESC_YAML ||
				 mode == REP_ESC_JSON);
		*cols = k;
		return k;
	}
	*used = len;
	*cols = 1;

	switch (mode) {
	case REP_ESC_TEXT:
		k = text_unit(o, cp, s, len);
		break;
	case REP_ESC_TAP: {
		char t[UNIT_MAX];
		size_t tk = text_unit(t, cp, s, len);
		k = 0;
		for (size_t i = 0; i < tk; i++) {
			if (t[i] == '\\' || t[i] == '#')
				o[k++] = '\\';
			o[k++] = t[i];
		}
		break;
	}
	case REP_ESC_YAML:
		if (cp == '"' || cp == '\\') {
			o[0] = '\\';
			o[1] = (char)cp;
			k = 2;
		} else if (cp == '\n') {
			k = put_str(o, "\\n");
		} else if (cp == '\r') {
			k = put_str(o, "\\r");
		} else if (cp == '\t') {
			k = put_str(o, "\\t");
		} else if (is_control(cp)) {
			k = put_hex_byte(o, cp, false);  /* YAML \xNN is U+00NN */
		} else {
			for (k = 0; k < len; k++)
				o[k] = (char)s[k];
		}
		break;
	case REP_ESC_XML_TEXT:
	case REP_ESC_XML_ATTR: {
		bool attr = mode == REP_ESC_XML_ATTR;
		if (cp == '&') {
			k = put_str(o, "&amp;");
		} else if (cp == '<') {
			k = put_str(o, "&lt;");
		} else if (cp == '>') {
			k = put_str(o, "&gt;");
		} else if (cp == '"' && attr) {
			k = put_str(o, "&quot;");
		} else if (cp == '\'' && attr) {
			k = put_str(o, "&apos;");
		} else if (cp == '\n') {
			k = put_str(o, attr ? "&#10;" : "\n");
		} else if (cp == '\t') {
			k = put_str(o, attr ? "&#9;" : "\t");
		} else if (cp == '\r') {
			k = put_str(o, "&#13;");  /* a raw CR would become LF */
		} else if (cp < 0x20) {
			k = put_hex_byte(o, cp, false);  /* not even &#N; is allowed */
		} else if (cp == 0xfffe || cp == 0xffff) {
			k = put_u4(o, "\\u", cp);        /* not XML 1.0 characters */
		} else if (is_control(cp)) {
			k = put_u4(o, "&#x", cp);        /* DEL and C1: allowed as references */
			o[k++] = ';';
		} else {
			for (k = 0; k < len; k++)
				o[k] = (char)s[k];
		}
		break;
	}
	case REP_ESC_JSON:
		switch (cp) {
		case '"': k = put_str(o, "\\\""); break;
		case '\\': k = put_str(o, "\\\\"); break;
		case '\n': k = put_str(o, "\\n"); break;
		case '\r': k = put_str(o, "\\r"); break;
		case '\t': k = put_str(o, "\\t"); break;
		case '\b': k = put_str(o, "\\b"); break;
		case '\f': k = put_str(o, "\\f"); break;
		default:
			/* U+2028/2029 are valid JSON but end a line in JavaScript. */
			if (is_control(cp) || cp == 0x2028 || cp == 0x2029) {
				k = put_u4(o, "\\u", cp);
			} else {
				for (k = 0; k < len; k++)
					o[k] = (char)s[k];
			}
			break;
		}
		break;
	default:
		for (k = 0; k < len; k++)
			o[k] = (char)s[k];
		break;
	}
	if (k != len || (unsigned char)o[0] < 0x80)
		*cols = k;  /* an escape is plain ASCII, one column a byte */
	return k;
}

/* A printable ASCII byte that mode writes as itself (esc_unit() would
 * copy it unchanged): runs of them are written in one go. */
static bool plain_ascii(unsigned char c, enum rep_esc_mode mode)
{
	if (c < 0x20 || c > 0x7e)
		return false;
	switch (mode) {
	case REP_ESC_TAP:
		return c != '\\' && c != '#';
	case REP_ESC_YAML:
	case REP_ESC_JSON:
		return c != '"' && c != '\\';
	case REP_ESC_XML_TEXT:
		return c != '&' && c != '<' && c != '>';
	case REP_ESC_XML_ATTR:
		return c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
	default:
		return true;
	}
}

void rep_esc_write(FILE *out, const char *s, size_t len, enum rep_esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	char buf[UNIT_MAX];

	while (i < len) {
		size_t used, cols;
		size_t run = 0;
		while (i + run < len && plain_ascii(p[i + run], mode))
			run++;
		if (run) {
			fwrite(p + i, 1, run, out);
			i += run;
			continue;
		}
		size_t k = esc_unit(p + i, len - i, mode, buf, &used, &cols);
		fwrite(buf, 1, k, out);
		i += used;
	}
}

void rep_esc_puts(FILE *out, const char *s, enum rep_esc_mode mode)
{
	size_t len = 0;
	if (!s)
		return;
	while (s[len])
		len++;
	rep_esc_write(out, s, len, mode);
}

size_t rep_esc_width(const char *s, size_t len, enum rep_esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, width = 0;
	char buf[UNIT_MAX];

	while (i < len) {
		size_t used, cols;
		if (plain_ascii(p[i], mode)) {
			width++;
			i++;
			continue;
		}
		esc_unit(p + i, len - i, mode, buf, &used, &cols);
		width += cols;
		i += used;
	}
	return width;
}

void rep_json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	rep_esc_puts(out, s, REP_ESC_JSON);
	fputc('"', out);
}

void rep_yaml_string(FILE *out, const char *s)
{
	if (!s) {
		fputc('~', out);
		return;
	}
	fputc('"', out);
	rep_esc_puts(out, s, REP_ESC_YAML);
	fputc('"', out);
}
