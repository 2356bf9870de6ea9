// Package proxy decides where a request goes: which mounted transport serves
// it and which proxy, if any, it travels through.
//
// Both decisions use HTTPX's routing keys ("all://", "https://",
// "all://*example.com", "http://internal.example.com:5550", ...). A key is
// parsed once into a [Pattern]; a [Table] keeps routes in HTTPX's priority
// order so that the most specific key wins. [Env] reads the conventional
// HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY variables and turns them
// into routes with the same key syntax, so environment proxies and user
// mounts can live in one table and user keys can override environment ones.
//
// The package only routes. Connecting through a proxy (CONNECT tunnels,
// SOCKS) is done elsewhere.
//
// # Differences from HTTPX
//
//   - Ports are compared as effective ports: "https://h:443" matches
//     "https://h" but not "https://h:8443", and "all://*:443" matches any
//     https request on the default port. HTTPX drops default ports from
//     keys, so for it "https://h:443" matches every port.
//   - IP prefixes are real CIDR matches ("all://10.0.0.0/8",
//     "all://[fe80::]/10", NO_PROXY=192.168.0.0/16). HTTPX compares only
//     the network address itself.
//   - NO_PROXY "*.example.com" means subdomains of example.com, as in curl;
//     HTTPX turns it into a key that never matches.
//   - Keys are validated strictly: user information, a '*' after the first
//     character of the host, unbracketed IPv6 addresses, empty labels and
//     port 0 are errors rather than patterns that silently never match.
package proxy
