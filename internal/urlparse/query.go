package urlparse

import "strings"

// Pair is one key/value item of a query string. A slice of pairs keeps
// order and repeated keys, which a map would lose.
type Pair struct {
	Key, Value string
}

// ParseQuery splits a query string into pairs like Python's
// parse_qsl(q, keep_blank_values=True), which HTTPX's QueryParams uses:
// items are separated by '&' only (not ';', as in Python 3.10+), empty
// items are skipped, an item without '=' gets an empty value, and '+'
// means space before percent-decoding. Order is preserved; grouping by
// key is left to the caller.
func ParseQuery(q string) []Pair {
	if q == "" {
		return nil
	}
	pairs := make([]Pair, 0, strings.Count(q, "&")+1)
	for item := range strings.SplitSeq(q, "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		pairs = append(pairs, Pair{Key: unquote(k, true), Value: unquote(v, true)})
	}
	if len(pairs) == 0 {
		return nil
	}
	return pairs
}

// EncodeQuery form-encodes pairs as "k=v&k2=v2", matching Python's
// urlencode (quote_plus with no safe characters): space becomes '+', every
// other byte outside A-Z a-z 0-9 "-._~" becomes %XX. This is the form
// HTTPX uses when it serialises QueryParams, so '/' and '&' inside values
// can never change the query's structure.
func EncodeQuery(pairs []Pair) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		writeQuotePlus(&b, p.Key)
		b.WriteByte('=')
		writeQuotePlus(&b, p.Value)
	}
	return b.String()
}

func writeQuotePlus(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case formSafe[c]:
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xf])
		}
	}
}
