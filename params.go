package httpx

import (
	"iter"
	"slices"

	"github.com/gohttpx/httpx/internal/urlparse"
)

// QueryParams is an ordered multi-map of query parameters (httpx.QueryParams).
// Values are grouped by key in first-seen order, as HTTPX stores them:
// "a=1&b=2&a=3" holds a=1, a=3, b=2. Unlike HTTPX's immutable class it has
// mutating methods, so the zero value is ready to use and a client's Params
// field can be edited in place; use Clone for a copy.
type QueryParams struct {
	entries []paramEntry
}

type paramEntry struct {
	key    string
	values []string
}

// ParseQueryParams parses a query string (without "?"): '+' means space,
// blank values are kept, "a" alone is a="" .
func ParseQueryParams(query string) QueryParams {
	var p QueryParams
	if query == "" {
		return p
	}
	for _, pair := range urlparse.ParseQuery(query) {
		p.Add(pair.Key, pair.Value)
	}
	return p
}

// ParamsFromMap returns params holding m's entries with keys sorted, so the
// encoded query is deterministic.
func ParamsFromMap(m map[string]string) QueryParams {
	p := QueryParams{entries: make([]paramEntry, 0, len(m))}
	for _, k := range sortedKeys(m) {
		p.entries = append(p.entries, paramEntry{key: k, values: []string{m[k]}})
	}
	return p
}

func (p QueryParams) index(key string) int {
	for i, e := range p.entries {
		if e.key == key {
			return i
		}
	}
	return -1
}

// Get returns the first value of key, or "".
func (p QueryParams) Get(key string) string {
	if i := p.index(key); i >= 0 {
		return p.entries[i].values[0]
	}
	return ""
}

// Values returns every value of key (HTTPX's get_list).
func (p QueryParams) Values(key string) []string {
	if i := p.index(key); i >= 0 {
		return slices.Clone(p.entries[i].values)
	}
	return nil
}

// Has reports whether key is present.
func (p QueryParams) Has(key string) bool { return p.index(key) >= 0 }

// Len returns the number of distinct keys (HTTPX's len()).
func (p QueryParams) Len() int { return len(p.entries) }

// Keys returns the distinct keys in order.
func (p QueryParams) Keys() []string {
	ks := make([]string, len(p.entries))
	for i, e := range p.entries {
		ks[i] = e.key
	}
	return ks
}

// All iterates over every key/value pair (HTTPX's multi_items()).
func (p QueryParams) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, e := range p.entries {
			for _, v := range e.values {
				if !yield(e.key, v) {
					return
				}
			}
		}
	}
}

// Set replaces every value of key with value, keeping key's position.
func (p *QueryParams) Set(key, value string) {
	if i := p.index(key); i >= 0 {
		p.entries[i].values = []string{value}
		return
	}
	p.entries = append(p.entries, paramEntry{key: key, values: []string{value}})
}

// Add appends a value to key (grouped with key's other values).
func (p *QueryParams) Add(key, value string) {
	if i := p.index(key); i >= 0 {
		p.entries[i].values = append(p.entries[i].values, value)
		return
	}
	p.entries = append(p.entries, paramEntry{key: key, values: []string{value}})
}

// Del removes key.
func (p *QueryParams) Del(key string) {
	if i := p.index(key); i >= 0 {
		p.entries = slices.Delete(p.entries, i, i+1)
	}
}

// Merge applies other: each of other's keys replaces that key's values
// wholesale, keeping the original position; new keys are appended.
func (p *QueryParams) Merge(other QueryParams) {
	for _, e := range other.entries {
		if i := p.index(e.key); i >= 0 {
			p.entries[i].values = slices.Clone(e.values)
		} else {
			p.entries = append(p.entries, paramEntry{key: e.key, values: slices.Clone(e.values)})
		}
	}
}

// Clone returns an independent copy.
func (p QueryParams) Clone() QueryParams {
	if p.entries == nil {
		return QueryParams{}
	}
	c := QueryParams{entries: make([]paramEntry, len(p.entries))}
	for i, e := range p.entries {
		c.entries[i] = paramEntry{key: e.key, values: slices.Clone(e.values)}
	}
	return c
}

// Equal compares the key/value pairs regardless of order (HTTPX's ==).
func (p QueryParams) Equal(other QueryParams) bool {
	a, b := p.pairs(), other.pairs()
	if len(a) != len(b) {
		return false
	}
	less := func(x, y urlparse.Pair) int {
		if x.Key != y.Key {
			if x.Key < y.Key {
				return -1
			}
			return 1
		}
		if x.Value < y.Value {
			return -1
		}
		if x.Value > y.Value {
			return 1
		}
		return 0
	}
	slices.SortFunc(a, less)
	slices.SortFunc(b, less)
	return slices.Equal(a, b)
}

func (p QueryParams) pairs() []urlparse.Pair {
	var out []urlparse.Pair
	for k, v := range p.All() {
		out = append(out, urlparse.Pair{Key: k, Value: v})
	}
	return out
}

// Encode returns the form-encoded query ("a=1&b=x+y"), spaces as '+' and
// '/' escaped, as HTTPX serialises params.
func (p QueryParams) Encode() string {
	if len(p.entries) == 0 {
		return ""
	}
	return urlparse.EncodeQuery(p.pairs())
}

// String is Encode.
func (p QueryParams) String() string { return p.Encode() }
