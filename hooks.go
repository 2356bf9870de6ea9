package httpx

// EventHooks are functions the client calls for every request it sends and
// every response it receives, redirect hops and auth retries included
// (HTTPX's event_hooks). They run in order; a non-nil error aborts the
// request and is returned from the call (the response, if any, is closed).
//
// Request hooks see the request fully prepared, auth headers included, just
// before it goes to the transport; they may modify it. Response hooks run
// when the headers have arrived, before the body is read and before any
// redirect or auth decision; a hook may read the body (Content) or call
// RaiseForStatus.
type EventHooks struct {
	Request  []func(*Request) error
	Response []func(*Response) error
}
