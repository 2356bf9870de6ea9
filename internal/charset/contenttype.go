package charset

import (
	"sort"
	"strconv"
	"strings"
)

// ContentTypeCharset returns the charset parameter of a Content-Type header
// value, lower-cased, or "" when there is none. It follows the parsing HTTPX
// inherits from Python's email.message.Message.get_content_charset, so that
// the same headers select the same codec: parameters are split on ';' outside
// double quotes, names compare case-insensitively and may carry spaces around
// '=', values lose surrounding quotes (with \" and \\ unescaped) or angle
// brackets, the first charset parameter wins, RFC 2231 forms (charset*=,
// charset*0=) are honoured after plain ones, and a value with non-ASCII
// characters counts as absent.
func ContentTypeCharset(contentType string) string {
	segs := splitParams(contentType)
	var ext []rfc2231Part
	for i, seg := range segs {
		name, value, _ := strings.Cut(seg, "=")
		name = strings.ToLower(pyStrip(name))
		value = pyStrip(value)
		if i > 0 {
			if num, encoded, ok := rfc2231Name(name); ok {
				ext = append(ext, rfc2231Part{num, unquote(value), encoded})
				continue
			}
		}
		if name == "charset" {
			return asciiLower(unquote(value))
		}
	}
	if len(ext) == 0 {
		return ""
	}
	return asciiLower(joinRFC2231(ext))
}

// splitParams splits a header value on ';' outside double quotes (a quote
// preceded by a backslash does not count), trimming every segment.
func splitParams(s string) []string {
	var segs []string
	for {
		end := -1
		quotes := 0
		for i := 0; i < len(s); i++ {
			if s[i] == '"' && (i == 0 || s[i-1] != '\\') {
				quotes++
			} else if s[i] == ';' && (i == 0 || quotes%2 == 0) {
				end = i
				break
			}
		}
		if end < 0 {
			return append(segs, pyStrip(s))
		}
		segs = append(segs, pyStrip(s[:end]))
		s = s[end+1:]
	}
}

// pyStrip trims what Python's str.strip removes from ASCII text.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r >= '\t' && r <= '\r' || r >= 0x1c && r <= 0x1f
	})
}

// unquote removes one level of double quotes (unescaping \\ and \") or of
// angle brackets, as email.utils.unquote does.
func unquote(s string) string {
	if len(s) > 1 {
		if s[0] == '"' && s[len(s)-1] == '"' {
			s = strings.ReplaceAll(s[1:len(s)-1], `\\`, `\`)
			return strings.ReplaceAll(s, `\"`, `"`)
		}
		if s[0] == '<' && s[len(s)-1] == '>' {
			return s[1 : len(s)-1]
		}
	}
	return s
}

// asciiLower lower-cases s, or returns "" if s is not pure ASCII: Python
// discards non-ASCII charset values.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ""
		}
	}
	return strings.ToLower(s)
}

type rfc2231Part struct {
	num     int // -1 when the name has no section number
	value   string
	encoded bool
}

// rfc2231Name recognises "charset*", "charset*N" and "charset*N*".
func rfc2231Name(name string) (num int, encoded, ok bool) {
	rest, found := strings.CutPrefix(name, "charset*")
	if !found {
		return 0, false, false
	}
	if rest == "" {
		return -1, true, true
	}
	encoded = strings.HasSuffix(rest, "*")
	rest = strings.TrimSuffix(rest, "*")
	n, err := strconv.Atoi(rest)
	if err != nil || rest[0] == '+' || rest[0] == '-' {
		return 0, false, false
	}
	return n, encoded, true
}

// joinRFC2231 assembles RFC 2231 sections: sections in numeric order,
// %-escapes decoded in encoded sections, and for extended values the
// "charset'language'" prefix removed.
func joinRFC2231(parts []rfc2231Part) string {
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].num < parts[j].num })
	var b strings.Builder
	extended := false
	for _, p := range parts {
		if p.encoded {
			extended = true
			b.WriteString(percentDecode(p.value))
		} else {
			b.WriteString(p.value)
		}
	}
	v := b.String()
	if extended {
		if f := strings.SplitN(v, "'", 3); len(f) == 3 {
			v = f[2]
		}
	}
	return v
}

// percentDecode decodes %XX escapes, leaving malformed ones as they are.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// DetectJSON names the encoding HTTPX 0.28's Response.json() decodes a body
// with. That method hands the raw bytes to Python's json.loads, which ignores
// the Content-Type charset and guesses from the first bytes as RFC 4627
// suggests: a UTF-32, UTF-16 or UTF-8 BOM selects "utf-32", "utf-16" or
// "utf-8-sig" (each strips the BOM); otherwise the positions of zero bytes
// among the first four select "utf-32-be", "utf-16-be", "utf-32-le" or
// "utf-16-le", since JSON text starts with an ASCII character; everything else
// is "utf-8". Python then decodes strictly (errors="surrogatepass"), so
// malformed input is an error rather than U+FFFD.
func DetectJSON(b []byte) string {
	s := string(b[:min(len(b), 4)])
	switch {
	case s == "\x00\x00\xfe\xff" || s == "\xff\xfe\x00\x00":
		return "utf-32"
	case strings.HasPrefix(s, "\xfe\xff") || strings.HasPrefix(s, "\xff\xfe"):
		return "utf-16"
	case strings.HasPrefix(s, "\xef\xbb\xbf"):
		return "utf-8-sig"
	}
	switch len(b) {
	case 0, 1, 3:
	case 2:
		if b[0] == 0 {
			return "utf-16-be"
		}
		if b[1] == 0 {
			return "utf-16-le"
		}
	default:
		if b[0] == 0 {
			if b[1] == 0 {
				return "utf-32-be"
			}
			return "utf-16-be"
		}
		if b[1] == 0 {
			if b[2] != 0 || b[3] != 0 {
				return "utf-16-le"
			}
			return "utf-32-le"
		}
	}
	return "utf-8"
}
