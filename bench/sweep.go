package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sweeps and memory scenarios (issue 10 item 8). None is in the default
// run; select them with -scenarios sweep, headers, conns, or all.

// sweepConcs are the goroutine counts of the concurrency sweep.
var sweepConcs = []int{1, 16, 64, 256}

// sweepHeaders are the extra request header fields, and as many extra
// response header fields, of the header sweep.
var sweepHeaders = []int{0, 8, 32}

// scenarioGroups expand to several scenarios.
var scenarioGroups = map[string][]string{
	"sweep":   {"c1", "c16", "c64", "c256"},
	"headers": {"hdr0", "hdr8", "hdr32"},
	"conns":   {"conns"},
}

func init() {
	for _, n := range sweepConcs {
		allScenarios = append(allScenarios, "c"+strconv.Itoa(n))
	}
	for _, n := range sweepHeaders {
		allScenarios = append(allScenarios, "hdr"+strconv.Itoa(n))
	}
	allScenarios = append(allScenarios, "conns")
}

// expandScenarios replaces groups (and "all") by their scenarios.
func expandScenarios(in []string) []string {
	var out []string
	for _, s := range in {
		switch {
		case s == "all":
			out = append(out, defaultScenarios...)
			for _, g := range []string{"sweep", "headers", "conns"} {
				out = append(out, scenarioGroups[g]...)
			}
		case scenarioGroups[s] != nil:
			out = append(out, scenarioGroups[s]...)
		default:
			out = append(out, s)
		}
	}
	return out
}

// runExtra runs the scenarios of this file; false if name is not one.
func (b *bench) runExtra(name string) bool {
	h1 := b.srv.h1
	switch {
	case name == "conns":
		b.conns()
	case strings.HasPrefix(name, "c"):
		n, err := strconv.Atoi(name[1:])
		if err != nil {
			return false
		}
		b.rate(fmt.Sprintf("Sweep: small GET, %d goroutine(s) (HTTP/1.1 loopback)", n), setup{}, n, h1+"/small", 1)
	case strings.HasPrefix(name, "hdr"):
		n, err := strconv.Atoi(name[3:])
		if err != nil {
			return false
		}
		url := h1 + "/small"
		if n > 0 {
			url += "?h=" + strconv.Itoa(n)
		}
		b.rate(fmt.Sprintf("Sweep: small GET, %d extra request + %d extra response headers, 1 goroutine (HTTP/1.1 loopback)", n, n), setup{hdrs: benchHeaders(n)}, 1, url, 1)
	default:
		return false
	}
	return true
}

// memPoint is the client process's memory at one moment, after GCs.
type memPoint struct {
	heap, stack float64 // HeapInuse, StackInuse
	goroutines  float64
	sockets     float64
	heapAlloc   float64
}

func readMem() memPoint {
	// Several GCs: the first frees, later ones shrink the stacks of the
	// parked goroutines that grew while requesting.
	for range 4 {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memPoint{heap: float64(m.HeapInuse), stack: float64(m.StackInuse), heapAlloc: float64(m.HeapAlloc),
		goroutines: float64(runtime.NumGoroutine()), sockets: float64(countSockets())}
}

// countSockets counts this process's open sockets (Linux).
func countSockets() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}

// conns measures memory per in-flight request and per idle pooled
// connection. Per client and run: N worker goroutines are started and
// parked (baseline A); each sends one GET that the server holds until all
// N are in flight (B); the server releases them and the workers park
// again, leaving N connections idle in the pool (C). In flight =
// (B-A)/N, the request and its connection; idle = (C-A)/(sockets opened).
// A control net/http client, created and warmed before A, polls and
// releases the server, so its one idle connection is in every point.
func (b *bench) conns() {
	n := b.cfg.idleN
	sIdle := fmt.Sprintf("Memory per idle pooled HTTP/1.1 connection (%d connections)", n)
	sFlight := fmt.Sprintf("Memory per in-flight request (%d held by the server, HTTP/1.1)", n)
	ctl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer ctl.CloseIdleConnections()
	call := func(path string) (string, error) {
		resp, err := ctl.Get(b.srv.h1 + path)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return string(body), err
	}
	if _, err := call("/held"); err != nil {
		fatalf("conns: %v", err)
	}
	names := newClientNames(b.cfg.clients)
	for r := range b.cfg.runs {
		logf("conns: run %d/%d", r+1, b.cfg.runs)
		for j := range names {
			name := names[(j+r)%len(names)]
			if err := b.connsOne(name, n, call, sIdle, sFlight); err != nil {
				logf("conns: %s failed: %v", name, err)
				b.t.markFailed(sIdle, name)
				b.t.markFailed(sFlight, name)
			}
		}
	}
}

func newClientNames(sel []string) []string {
	var out []string
	for _, name := range append(clientNames[:len(clientNames):len(clientNames)], extraClients...) {
		for _, s := range sel {
			if s == name {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

func (b *bench) connsOne(name string, n int, call func(string) (string, error), sIdle, sFlight string) error {
	ctx := context.Background()
	c := constructors[name](setup{pool: n})
	defer c.close()
	if _, err := c.get(ctx, b.srv.h1+"/small"); err != nil { // lazy set-up out of the baseline
		return err
	}
	start, finish := make(chan struct{}), make(chan struct{})
	var done sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		done.Add(1)
		go func() {
			<-start
			if _, err := c.get(ctx, b.srv.h1+"/hold"); err != nil {
				errs <- err
			}
			done.Done()
			<-finish
		}()
	}
	defer close(finish)
	a := readMem()
	close(start)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := call("/held")
		if err != nil {
			return err
		}
		if s == strconv.Itoa(n) {
			break
		}
		if time.Now().After(deadline) {
			call("/release")
			return fmt.Errorf("only %s of %d requests reached the server", s, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	fl := readMem()
	if _, err := call("/release"); err != nil {
		return err
	}
	done.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	time.Sleep(200 * time.Millisecond) // connections back in the pool
	idle := readMem()
	kept := idle.sockets - a.sockets
	N := float64(n)
	b.t.add(sFlight, "heap B/req (HeapInuse)", cmpRatio, name, (fl.heap-a.heap)/N)
	b.t.add(sFlight, "stack B/req (StackInuse)", cmpRatio, name, (fl.stack-a.stack)/N)
	b.t.add(sFlight, "heap+stack B/req", cmpRatio, name, (fl.heap+fl.stack-a.heap-a.stack)/N)
	b.t.add(sFlight, "client goroutines/req", cmpNone, name, (fl.goroutines-a.goroutines)/N)
	if kept < 1 {
		b.t.add(sIdle, "idle connections kept", cmpNone, name, kept+1)
		return nil
	}
	b.t.add(sIdle, "heap B/conn (HeapInuse)", cmpRatio, name, (idle.heap-a.heap)/kept)
	b.t.add(sIdle, "stack B/conn (StackInuse)", cmpRatio, name, (idle.stack-a.stack)/kept)
	b.t.add(sIdle, "heap+stack B/conn", cmpRatio, name, (idle.heap+idle.stack-a.heap-a.stack)/kept)
	b.t.add(sIdle, "live heap B/conn (HeapAlloc)", cmpRatio, name, (idle.heapAlloc-a.heapAlloc)/kept)
	b.t.add(sIdle, "goroutines/conn", cmpNone, name, (idle.goroutines-a.goroutines)/kept)
	b.t.add(sIdle, "idle connections kept", cmpNone, name, kept+1) // +1: the warm-up connection
	return nil
}
