package httpx

import (
	"fmt"
	"iter"
	"net/http"
	"slices"
	"sort"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/gohttpx/httpx/internal/h1"
)

// Headers is an ordered, case-insensitive multi-map of HTTP header fields
// (httpx.Headers). Names keep the case they were added with; lookups ignore
// case. The zero value is an empty set ready to use. Headers is not safe for
// concurrent mutation.
//
// Names and values are checked when a request is built or sent: a name that
// is not an HTTP token, or a name or value containing CR, LF or NUL, fails
// with ErrLocalProtocol rather than reaching the wire.
//
// A value is sent as the bytes its string holds. HTTPX refuses a non-ASCII
// str value and sends a bytes value as it is; a Go string is bytes already,
// so non-ASCII values (UTF-8 or not) go out unchanged, as RFC 9110's
// obs-text, rather than being refused with no other way to send them.
// Servers are free to reject or misread such values; ASCII is the portable
// choice.
type Headers struct {
	fields []headerField
}

type headerField struct {
	name, value string
	// canon caches http.CanonicalHeaderKey(name) once computed, so that the
	// client's default headers, cloned into every request, are not
	// canonicalised again for each one.
	canon string
}

// canonical returns the field's canonical name, computing it if need be.
func (f *headerField) canonical() string {
	if f.canon == "" {
		f.canon = http.CanonicalHeaderKey(f.name)
	}
	return f.canon
}

// NewHeaders returns Headers holding the given name/value pairs in order;
// an odd trailing name is ignored.
func NewHeaders(pairs ...string) Headers {
	h := Headers{fields: make([]headerField, 0, len(pairs)/2)}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.fields = append(h.fields, headerField{name: pairs[i], value: pairs[i+1]})
	}
	return h
}

// HeadersFromMap returns Headers holding m's entries with names in sorted
// order, so that the wire order is deterministic.
func HeadersFromMap(m map[string]string) Headers {
	h := Headers{fields: make([]headerField, 0, len(m))}
	for _, k := range sortedKeys(m) {
		h.fields = append(h.fields, headerField{name: k, value: m[k]})
	}
	return h
}

// HeadersFromHTTP converts a net/http header map; names are sorted for a
// deterministic order, values keep their order.
func HeadersFromHTTP(hh http.Header) Headers {
	// One pass over the map (iterating one is not cheap): names sorted in a
	// stack buffer, usually, and values counted on the way.
	var buf [32]string
	keys := buf[:0]
	n := 0
	for k, vs := range hh {
		keys = append(keys, k)
		n += len(vs)
	}
	slices.Sort(keys)
	h := Headers{fields: make([]headerField, 0, n)}
	for _, k := range keys {
		for _, v := range hh[k] {
			h.fields = append(h.fields, headerField{name: k, value: v, canon: k})
		}
	}
	return h
}

// Get returns every value of name joined with ", " (as HTTPX's
// headers[name]), or "" when absent. Use Values for the separate values.
func (h Headers) Get(name string) string {
	var (
		first  string
		joined []string
		n      int
	)
	for _, f := range h.fields {
		if h1.EqualFold(f.name, name) {
			switch n {
			case 0:
				first = f.value
			case 1:
				joined = append(joined, first, f.value)
			default:
				joined = append(joined, f.value)
			}
			n++
		}
	}
	if n > 1 {
		return strings.Join(joined, ", ")
	}
	return first
}

// Values returns every value of name in order, or nil.
func (h Headers) Values(name string) []string {
	var vs []string
	for _, f := range h.fields {
		if h1.EqualFold(f.name, name) {
			vs = append(vs, f.value)
		}
	}
	return vs
}

// Has reports whether name is present.
func (h Headers) Has(name string) bool {
	for _, f := range h.fields {
		if h1.EqualFold(f.name, name) {
			return true
		}
	}
	return false
}

// Set replaces the first field named name in place and removes the others,
// or appends the field when name is absent. The field takes name's spelling,
// so Set("ETag", v) over an "etag" field sends "ETag".
func (h *Headers) Set(name, value string) {
	for i, f := range h.fields {
		if h1.EqualFold(f.name, name) {
			h.fields[i] = headerField{name: name, value: value}
			h.fields = append(h.fields[:i+1], deleteName(h.fields[i+1:], name)...)
			return
		}
	}
	h.fields = append(h.fields, headerField{name: name, value: value})
}

// SetDefault sets name to value only when name is absent.
func (h *Headers) SetDefault(name, value string) {
	if !h.Has(name) {
		h.fields = append(h.fields, headerField{name: name, value: value})
	}
}

// Add appends a value, keeping any existing ones.
func (h *Headers) Add(name, value string) {
	h.fields = append(h.fields, headerField{name: name, value: value})
}

// Del removes every field named name.
func (h *Headers) Del(name string) {
	h.fields = deleteName(h.fields, name)
}

func deleteName(fs []headerField, name string) []headerField {
	return slices.DeleteFunc(fs, func(f headerField) bool { return h1.EqualFold(f.name, name) })
}

// Update applies other with HTTPX's replace semantics: every name present in
// other is removed first, then other's fields are appended in order.
func (h *Headers) Update(other Headers) {
	if len(other.fields) == 0 {
		return
	}
	h.fields = slices.DeleteFunc(h.fields, func(f headerField) bool { return other.Has(f.name) })
	h.fields = append(h.fields, other.fields...)
}

// prepend inserts a field before all others (Host goes first, as HTTPX sends it).
func (h *Headers) prepend(name, value string) {
	h.fields = slices.Insert(h.fields, 0, headerField{name: name, value: value})
}

// Len returns the number of fields (a repeated name counts each time).
func (h Headers) Len() int { return len(h.fields) }

// Clone returns an independent copy.
func (h Headers) Clone() Headers {
	if h.fields == nil {
		return Headers{}
	}
	return Headers{fields: slices.Clone(h.fields)}
}

// cloneCap returns a copy with room for extra more fields, to avoid regrowing
// while a request's headers are assembled.
func (h Headers) cloneCap(extra int) Headers {
	fs := make([]headerField, len(h.fields), len(h.fields)+extra)
	copy(fs, h.fields)
	return Headers{fields: fs}
}

// All iterates over the fields in order, names as they were added.
func (h Headers) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, f := range h.fields {
			if !yield(f.name, f.value) {
				return
			}
		}
	}
}

// Keys returns the distinct names, lower-cased, in first-seen order (HTTPX's keys()).
func (h Headers) Keys() []string {
	var ks []string
	for _, f := range h.fields {
		k := strings.ToLower(f.name)
		if !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// Equal reports whether both hold the same fields regardless of order and
// name case (HTTPX's ==).
func (h Headers) Equal(other Headers) bool {
	if len(h.fields) != len(other.fields) {
		return false
	}
	norm := func(fs []headerField) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = strings.ToLower(f.name) + "\x00" + f.value
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(norm(h.fields), norm(other.fields))
}

// HTTPHeader converts to a net/http header map with canonical names.
func (h Headers) HTTPHeader() http.Header {
	hh := make(http.Header, len(h.fields))
	for _, f := range h.fields {
		k := http.CanonicalHeaderKey(f.name)
		hh[k] = append(hh[k], f.value)
	}
	return hh
}

// String lists the fields with credentials masked, like HTTPX's repr.
func (h Headers) String() string {
	var b strings.Builder
	b.WriteString("Headers{")
	for i, f := range h.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		v := f.value
		if isSecretHeader(f.name) {
			v = "[secure]"
		}
		fmt.Fprintf(&b, "%q: %q", f.name, v)
	}
	b.WriteString("}")
	return b.String()
}

func isSecretHeader(name string) bool {
	return h1.EqualFold(name, "Authorization") || h1.EqualFold(name, "Proxy-Authorization")
}

// validate rejects names that are not HTTP tokens and values with control
// characters (CR, LF, NUL ...), which would otherwise allow header injection.
func (h Headers) validate(req *Request) error {
	for _, f := range h.fields {
		if !httpguts.ValidHeaderFieldName(f.name) {
			return newRequestError(ErrLocalProtocol, req, nil, fmt.Sprintf("invalid header name %q", f.name))
		}
		if !httpguts.ValidHeaderFieldValue(f.value) {
			return newRequestError(ErrLocalProtocol, req, nil, fmt.Sprintf("invalid value for header %q: control characters are not allowed", f.name))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
