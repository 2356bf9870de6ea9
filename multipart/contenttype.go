package multipart

import "strings"

// BoundaryFromContentType returns the boundary parameter of a
// multipart/form-data Content-Type value, so that a body can be encoded with
// the boundary the user already announced in a header (HTTPX honours it the
// same way). The parameter may be quoted or not and may appear anywhere
// among the parameters; its name and the media type are matched without
// regard to case. It returns "" when the value is not multipart/form-data or
// has no non-empty boundary, meaning a random one should be used.
//
// Unlike HTTPX, which splits at every ';', a quoted boundary may contain ';'
// and backslash escapes inside quotes are honoured.
func BoundaryFromContentType(contentType string) string {
	mediaType, params, _ := strings.Cut(contentType, ";")
	if !strings.EqualFold(strings.TrimSpace(mediaType), "multipart/form-data") {
		return ""
	}
	for params != "" {
		var name, value string
		name, value, params = nextParam(params)
		if strings.EqualFold(name, "boundary") {
			return value
		}
	}
	return ""
}

// nextParam consumes one "name=value" parameter (value a token or a quoted
// string) and the ';' after it, leniently: a malformed parameter yields
// whatever text it has up to the next ';'.
func nextParam(s string) (name, value, rest string) {
	s = strings.TrimLeft(s, " \t")
	eq := strings.IndexAny(s, "=;")
	if eq < 0 || s[eq] == ';' {
		// A parameter without '=' has no value.
		if eq < 0 {
			return strings.TrimSpace(s), "", ""
		}
		return strings.TrimSpace(s[:eq]), "", s[eq+1:]
	}
	name = strings.TrimSpace(s[:eq])
	s = strings.TrimLeft(s[eq+1:], " \t")
	if !strings.HasPrefix(s, `"`) {
		value, rest, _ = strings.Cut(s, ";")
		return name, strings.TrimSpace(value), rest
	}
	var sb strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			_, rest, _ = strings.Cut(s[i+1:], ";")
			return name, sb.String(), rest
		case '\\':
			if i+1 < len(s) {
				i++
				c = s[i]
			}
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	// Unterminated quoted string: take what there is.
	return name, sb.String(), ""
}
