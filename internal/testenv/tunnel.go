package testenv

import (
	"io"
	"net"
	"net/http"
)

// ServeTunnel answers a CONNECT request the way an HTTP proxy does: it dials
// r.Host, says "200 Connection established" and pipes bytes both ways until
// either side closes. Test proxies built on net/http call it from their
// handler; a target that cannot be dialled gets 502.
func ServeTunnel(w http.ResponseWriter, r *http.Request) {
	target, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	// Hijack first and write the status by hand: a WriteHeader before
	// Hijack would stay in the ResponseWriter's buffer, unsent.
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		target.Close()
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() {
		io.Copy(target, buf)
		target.(*net.TCPConn).CloseWrite()
	}()
	io.Copy(conn, target)
	conn.Close()
	target.Close()
}
