package httpx

// BasicAuthHeader exposes the header value for tests.
var BasicAuthHeader = basicAuthHeader

// EngineOn reports whether HTTP/1.1 runs on the engine of our own.
var EngineOn = engineOn
