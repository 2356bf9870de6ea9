package auth

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// ErrUnsupportedAlgorithm is matched (via errors.Is) by the error NewDigest
// returns for an algorithm it does not know, so that the caller can tell a
// server asking for something exotic from a malformed header.
var ErrUnsupportedAlgorithm = errors.New("unsupported Digest algorithm")

// ErrUnsupportedQOP is matched (via errors.Is) by the error NewDigest
// returns when the server offers qop values but neither "auth" nor
// "auth-int"; the root package reports it as httpx.ProtocolError.
var ErrUnsupportedQOP = errors.New("unsupported Digest qop")

// qopError carries HTTPX's wording for an unusable qop list.
type qopError struct{ offered string }

func (e *qopError) Error() string {
	return fmt.Sprintf("Unexpected qop value %q in digest auth", e.offered)
}

func (e *qopError) Is(target error) bool { return target == ErrUnsupportedQOP }

// algorithms maps upper-cased algorithm names to hash constructors. The
// "-SESS" variants reuse the base hash; the session twist is applied to HA1.
// SHA-512-256 is not in HTTPX 0.23.3 but RFC 7616 defines it, and it is the
// algorithm the RFC recommends, so it is supported here.
var algorithms = map[string]func() hash.Hash{
	"MD5":              md5.New,
	"MD5-SESS":         md5.New,
	"SHA":              sha1.New,
	"SHA-SESS":         sha1.New,
	"SHA-256":          sha256.New,
	"SHA-256-SESS":     sha256.New,
	"SHA-512":          sha512.New,
	"SHA-512-SESS":     sha512.New,
	"SHA-512-256":      sha512.New512_256,
	"SHA-512-256-SESS": sha512.New512_256,
}

// Digest builds Authorization header values for one challenge. It counts
// nonces itself because the server may reject a reused count as a replay,
// and it is safe for concurrent use because one cached challenge is shared
// by every request a client sends to the same origin.
type Digest struct {
	username, password string
	ch                 Challenge
	algorithm          string // as the server spelled it; "MD5" when absent
	newHash            func() hash.Hash
	sess               bool
	qop                string // "auth", "auth-int" or "" (RFC 2069)

	mu     sync.Mutex
	nc     uint64 // the next nonce count to send
	cnonce func() string
}

// NewDigest prepares to answer ch with the given credentials. Problems
// with the challenge that no request could fix, an unknown algorithm
// (ErrUnsupportedAlgorithm) or a qop list without "auth" or "auth-int"
// (ErrUnsupportedQOP), are reported here so that they surface once, before
// anything is sent.
//
// When both "auth" and "auth-int" are offered, "auth" is chosen because it
// does not require buffering the request body; "auth-int" is used only when
// it is the sole usable option (HTTPX refuses it outright).
func NewDigest(username, password string, ch *Challenge) (*Digest, error) {
	if ch == nil {
		return nil, errors.New("auth: NewDigest called with a nil challenge")
	}
	algorithm := ch.Algorithm
	if algorithm == "" {
		algorithm = "MD5"
	}
	upper := strings.ToUpper(algorithm)
	newHash, ok := algorithms[upper]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnsupportedAlgorithm, algorithm)
	}
	qop, err := chooseQOP(ch.QOP)
	if err != nil {
		return nil, err
	}
	d := &Digest{
		username:  username,
		password:  password,
		ch:        *ch,
		algorithm: algorithm,
		newHash:   newHash,
		sess:      strings.HasSuffix(upper, "-SESS"),
		qop:       qop,
		nc:        1,
		cnonce:    randomCnonce,
	}
	d.ch.QOP = append([]string(nil), ch.QOP...) // do not alias the caller's slice
	return d, nil
}

// chooseQOP picks the qop to use from the offered list; nil means the
// server sent no qop, selecting the RFC 2069 computation.
func chooseQOP(offered []string) (string, error) {
	if offered == nil {
		return "", nil
	}
	authInt := false
	for _, q := range offered {
		switch {
		case strings.EqualFold(q, "auth"):
			return "auth", nil
		case strings.EqualFold(q, "auth-int"):
			authInt = true
		}
	}
	if authInt {
		return "auth-int", nil
	}
	return "", &qopError{offered: strings.Join(offered, ", ")}
}

// randomCnonce returns 16 hex characters from crypto/rand. HTTPX hashes the
// time and random bytes instead; the server cannot tell the difference and
// plain random bytes are simpler to reason about.
func randomCnonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b[:])
}

// SetCnonce replaces the client-nonce source. It exists so that tests can
// reproduce published vectors; production code should keep the default.
func (d *Digest) SetCnonce(f func() string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cnonce = f
}

// QOP reports the quality of protection this Digest uses: "auth",
// "auth-int" or "" (none). The root package checks for "auth-int" because
// only then must the request body be buffered before the header is built.
func (d *Digest) QOP() string { return d.qop }

// Authorization returns the Authorization header value for a request with
// the given method and uri (the request target: path plus "?query", exactly
// as sent, since the server hashes what it receives). Each call consumes
// the next nonce count. body is hashed only for qop=auth-int, where nil
// means an empty body; pass nil otherwise.
//
// Fields are written in HTTPX's order, with algorithm echoing the server's
// spelling, and quoted values are backslash-escaped where HTTPX would emit
// a broken header.
func (d *Digest) Authorization(method, uri string, body []byte) (string, error) {
	d.mu.Lock()
	nc := d.nc
	if nc > 0xffffffff {
		d.mu.Unlock()
		return "", errors.New("auth: Digest nonce count exhausted; a new challenge is needed")
	}
	d.nc++
	cnonce := d.cnonce()
	d.mu.Unlock()

	ncValue := fmt.Sprintf("%08x", nc)
	ha1 := d.h(d.username, d.ch.Realm, d.password)
	if d.sess {
		// Like HTTPX, the session key uses the cnonce even without qop,
		// although RFC 2617 only defines -sess together with qop.
		ha1 = d.h(ha1, d.ch.Nonce, cnonce)
	}
	var ha2 string
	if d.qop == "auth-int" {
		ha2 = d.h(method, uri, d.hBytes(body))
	} else {
		ha2 = d.h(method, uri)
	}
	var response string
	if d.qop == "" {
		response = d.h(ha1, d.ch.Nonce, ha2)
	} else {
		response = d.h(ha1, d.ch.Nonce, ncValue, cnonce, d.qop, ha2)
	}

	username := d.username
	if d.ch.UserHash {
		username = d.h(d.username, d.ch.Realm)
	}
	var b strings.Builder
	b.WriteString("Digest ")
	writeQuoted(&b, "username", username)
	b.WriteString(", ")
	writeQuoted(&b, "realm", d.ch.Realm)
	b.WriteString(", ")
	writeQuoted(&b, "nonce", d.ch.Nonce)
	b.WriteString(", ")
	writeQuoted(&b, "uri", uri)
	b.WriteString(", ")
	writeQuoted(&b, "response", response)
	b.WriteString(", algorithm=")
	b.WriteString(d.algorithm)
	if d.ch.Opaque != "" {
		b.WriteString(", ")
		writeQuoted(&b, "opaque", d.ch.Opaque)
	}
	if d.qop != "" {
		b.WriteString(", qop=")
		b.WriteString(d.qop)
		b.WriteString(", nc=")
		b.WriteString(ncValue)
		b.WriteString(", ")
		writeQuoted(&b, "cnonce", cnonce)
	}
	if d.ch.UserHash {
		b.WriteString(", userhash=true")
	}
	return b.String(), nil
}

// h returns the lower-case hex digest of the parts joined with ':'.
func (d *Digest) h(parts ...string) string {
	return d.hBytes([]byte(strings.Join(parts, ":")))
}

func (d *Digest) hBytes(data []byte) string {
	hh := d.newHash()
	hh.Write(data)
	return hex.EncodeToString(hh.Sum(nil))
}

// writeQuoted writes key="value", escaping '"' and '\' as RFC 9110's
// quoted-string requires.
func writeQuoted(b *strings.Builder, key, value string) {
	b.WriteString(key)
	b.WriteString(`="`)
	for i := 0; i < len(value); i++ {
		if c := value[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(value[i])
	}
	b.WriteByte('"')
}

// Cache remembers the last Digest per origin key ("scheme://host:port") so
// that later requests to the same origin can authenticate up front instead
// of paying a 401 round trip each time, as HTTPX's DigestAuth does with its
// last challenge. The zero value is ready to use and it is safe for
// concurrent use.
type Cache struct {
	mu sync.RWMutex
	m  map[string]*Digest
}

// Get returns the Digest remembered for origin, or nil if there is none.
func (c *Cache) Get(origin string) *Digest {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[origin]
}

// Put remembers d for origin, replacing any earlier Digest (a fresh
// challenge restarts the nonce count). A nil d forgets the origin.
func (c *Cache) Put(origin string, d *Digest) {
	if d == nil {
		c.Delete(origin)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*Digest)
	}
	c.m[origin] = d
}

// Delete forgets origin, e.g. after the server rejected the cached
// credentials so that the next request starts without a stale header.
func (c *Cache) Delete(origin string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, origin)
}
