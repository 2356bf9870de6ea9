package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// StatusError reports a proxy's refusal: a CONNECT answered with a 407
// (credentials missing or wrong), a 403, a 502 when the proxy could not
// reach the target, and so on; or a 407 to a forwarded request.
type StatusError struct {
	StatusCode int
	Status     string // e.g. "407 Proxy Authentication Required"
	Target     string // the host:port of a refused tunnel; "" for a forwarded request
}

func (e *StatusError) Error() string {
	if e.Target == "" {
		return "proxy refused the request: " + e.Status
	}
	return fmt.Sprintf("proxy refused CONNECT to %s: %s", e.Target, e.Status)
}

// TunnelDialer opens connections through an HTTP or HTTPS proxy with the
// CONNECT method. net/http does this itself for https:// targets; a tunnel
// dialer is what forces tunnelling for http:// targets too (HTTPX's
// tunnel-only proxy mode), and what an HTTPS proxy needs before the tunnel:
// a TLS connection to the proxy itself.
type TunnelDialer struct {
	// Proxy is the proxy's URL (http:// or https://); userinfo becomes a
	// Proxy-Authorization: Basic header on the CONNECT request only.
	Proxy *url.URL
	// Header holds extra headers for the CONNECT request.
	Header http.Header
	// TLSConfig is used for the TLS connection to an https:// proxy; nil
	// means a default configuration verifying the proxy's certificate.
	TLSConfig *tls.Config
	// Dial connects to the proxy; nil uses a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds the proxy's answer to CONNECT (0: only ctx bounds it).
	Timeout time.Duration
}

// DialContext returns a connection to addr tunnelled through the proxy.
// A refused CONNECT is a *StatusError.
func (d *TunnelDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	dial := d.Dial
	if dial == nil {
		var nd net.Dialer
		dial = nd.DialContext
	}
	proxyAddr := d.Proxy.Host
	if d.Proxy.Port() == "" {
		port := "80"
		if d.Proxy.Scheme == "https" {
			port = "443"
		}
		proxyAddr = net.JoinHostPort(d.Proxy.Hostname(), port)
	}
	conn, err := dial(ctx, "tcp", proxyAddr)
	if err != nil {
		// Marked as net/http marks its own proxy dials, so callers can tell
		// an unreachable proxy from an unreachable target.
		return nil, &net.OpError{Op: "proxyconnect", Net: "tcp", Err: err}
	}
	if d.Proxy.Scheme == "https" {
		cfg := d.TLSConfig.Clone()
		if cfg == nil {
			cfg = &tls.Config{}
		}
		if cfg.ServerName == "" {
			cfg.ServerName = d.Proxy.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tconn := tls.Client(conn, cfg)
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, &net.OpError{Op: "proxyconnect", Net: "tcp", Err: err}
		}
		conn = tconn
	}
	tunnel, err := d.connect(ctx, conn, addr)
	if err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return tunnel, nil
}

// connect sends CONNECT addr over conn and reads the answer.
func (d *TunnelDialer) connect(ctx context.Context, conn net.Conn, addr string) (net.Conn, error) {
	req := &http.Request{
		Method: "CONNECT",
		URL:    &url.URL{Opaque: addr},
		Host:   addr,
		Header: d.Header.Clone(),
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if u := d.Proxy.User; u != nil {
		pass, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)))
	}
	deadline, hasDeadline := ctx.Deadline()
	if d.Timeout > 0 {
		if t := time.Now().Add(d.Timeout); !hasDeadline || t.Before(deadline) {
			deadline, hasDeadline = t, true
		}
	}
	if hasDeadline {
		conn.SetDeadline(deadline)
		defer conn.SetDeadline(time.Time{})
	}
	// A cancelled context interrupts the exchange by expiring the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := req.Write(conn); err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{StatusCode: resp.StatusCode, Status: resp.Status, Target: addr}
	}
	if br.Buffered() > 0 {
		// The proxy sent bytes past its answer (a server speaking first):
		// hand them out before reading from the connection again.
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn reads what the bufio.Reader holds before the connection.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
