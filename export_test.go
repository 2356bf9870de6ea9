package httpx

// BasicAuthHeader exposes the header value for tests.
var BasicAuthHeader = basicAuthHeader
