// Command bench compares github.com/gohttpx/httpx with raw net/http,
// resty v2, req v3 and fasthttp, side by side in one run, and prints a
// markdown table with every client's ratio to net/http, followed by the
// library's performance targets and whether this run met them.
//
// Scenarios: small GETs over loopback HTTP/1.1 from 1 and from 64
// goroutines, a 64 MiB streamed download and upload (throughput and peak
// heap), small GETs over HTTP/2 with TLS from 64 goroutines, and small GETs
// through an in-memory transport that returns a canned response, which
// isolates each library's own overhead.
//
// By default the servers run in a child process (this binary with -serve),
// so the measured process holds only clients: its allocation counts are the
// client's alone and the server's garbage collections do not disturb it.
// Both processes get the same GOMAXPROCS (-procs).
//
//	go run .           # full run, about four minutes
//	go run . -quick    # one short run per cell, for a smoke test
//	go run . -scenarios mem,get1 -clients net/http,httpx
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

type config struct {
	dur       time.Duration
	slice     time.Duration
	runs      int
	procs     int
	conc      int
	size      int64
	minN      int
	inproc    bool
	idleN     int
	scenarios []string
	clients   []string
}

// defaultScenarios run without -scenarios; allScenarios adds the sweeps
// and the memory scenarios (sweep.go).
var defaultScenarios = []string{"get1", "get64", "download", "upload", "h2", "mem"}

var allScenarios = append([]string(nil), defaultScenarios...)

func main() {
	var (
		cfg       config
		serveMode = flag.Bool("serve", false, "run only the servers and print their addresses (used by the benchmark itself)")
		quick     = flag.Bool("quick", false, "smoke test: one run of 0.5s per client and scenario")
		sizeMiB   = flag.Int("size", 64, "download/upload size in MiB")
		scen      = flag.String("scenarios", strings.Join(defaultScenarios, ","), "scenarios to run, comma-separated; also the groups sweep (c1,c16,c64,c256), headers (hdr0,hdr8,hdr32), conns, and all")
		clients   = flag.String("clients", strings.Join(clientNames, ","), "clients to run, comma-separated (net/http always runs: it is the baseline); also httpx-notimeout: httpx without per-phase timeouts")
		cpuProf   = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
		memProf   = flag.String("memprofile", "", "write an allocation profile of the whole run to this file")
		loop      = flag.Int("loop", 0, "send this many sequential small GETs with the one client named in -clients to -url, then exit: the program to run under valgrind for instructions per request (see instructions.sh)")
		loopURL   = flag.String("url", "", "with -loop: the small GET's URL (e.g. from -serve)")
	)
	flag.DurationVar(&cfg.dur, "d", 2*time.Second, "time each client gets in each run")
	flag.DurationVar(&cfg.slice, "slice", 250*time.Millisecond, "clients take turns in slices this long within each run")
	flag.IntVar(&cfg.runs, "runs", 3, "measured runs per client and scenario; the table shows the median")
	flag.IntVar(&cfg.procs, "procs", runtime.NumCPU(), "GOMAXPROCS for the client process and the server process alike")
	flag.IntVar(&cfg.conc, "conc", 64, "goroutines in the concurrent scenarios")
	flag.StringVar(scen, "scenario", *scen, "the same as -scenarios")
	flag.IntVar(&cfg.idleN, "n", 200, "connections (and in-flight requests) in the conns scenario")
	flag.BoolVar(&cfg.inproc, "inproc", false, "run the servers in the measuring process (allocation counts then include the server's)")
	flag.Parse()
	if *serveMode {
		serve()
		return
	}
	if *loop > 0 {
		c := constructors[*clients]
		if c == nil || *loopURL == "" {
			fatalf("-loop needs one client in -clients and a -url")
		}
		cl := c(setup{})
		for range *loop {
			if _, err := cl.get(context.Background(), *loopURL); err != nil {
				fatalf("%v", err)
			}
		}
		cl.close()
		return
	}
	if *quick {
		cfg.dur, cfg.runs = 500*time.Millisecond, 1
	}
	cfg.size = int64(*sizeMiB) << 20
	cfg.minN = 3
	cfg.scenarios = expandScenarios(strings.Split(*scen, ","))
	cfg.clients = append(strings.Split(*clients, ","), "net/http")
	for _, c := range cfg.clients {
		if constructors[c] == nil {
			fatalf("unknown client %q (have %s)", c, strings.Join(append(clientNames, extraClients...), ", "))
		}
	}
	for _, s := range cfg.scenarios {
		if !slices.Contains(allScenarios, s) {
			fatalf("unknown scenario %q (have %s)", s, strings.Join(allScenarios, ", "))
		}
	}
	runtime.GOMAXPROCS(cfg.procs)

	var srv *servers
	if cfg.inproc {
		srv = startServers()
	} else {
		var err error
		if srv, err = spawnServers(cfg.procs); err != nil {
			fatalf("starting the server process: %v", err)
		}
	}
	defer srv.stop()

	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		if err != nil {
			fatalf("%v", err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *memProf != "" {
		runtime.MemProfileRate = 512
		defer func() {
			f, err := os.Create(*memProf)
			if err != nil {
				fatalf("%v", err)
			}
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}()
	}

	t := &table{}
	b := &bench{cfg: cfg, srv: srv, t: t}
	start := time.Now()
	for _, s := range cfg.scenarios {
		b.run(s)
	}
	logf("done in %s", time.Since(start).Round(time.Second))
	t.print(os.Stdout, cfg)
	printTargets(os.Stdout, t)
}

type bench struct {
	cfg config
	srv *servers
	t   *table
}

// scenario names as the table shows them.
const (
	sGet1     = "Small GET, 1 goroutine (HTTP/1.1 loopback)"
	sGet64    = "Small GET, 64 goroutines (HTTP/1.1 loopback)"
	sDownload = "64 MiB download, streamed (HTTP/1.1 loopback)"
	sUpload   = "64 MiB upload, streamed, chunked (HTTP/1.1 loopback)"
	sH2       = "Small GET, 64 goroutines (HTTP/2 over TLS)"
	sMem      = "Small GET, in-memory transport (library overhead)"
)

func (b *bench) run(name string) {
	ctx := context.Background()
	h1 := b.srv.h1
	if b.runExtra(name) {
		return
	}
	switch name {
	case "get1":
		b.rate(sGet1, setup{}, 1, h1+"/small", 1)
	case "get64":
		b.rate(strings.Replace(sGet64, "64", fmt.Sprint(b.cfg.conc), 1), setup{}, b.cfg.conc, h1+"/small", 1)
	case "h2":
		b.rate(strings.Replace(sH2, "64", fmt.Sprint(b.cfg.conc), 1), setup{tls: &tls.Config{RootCAs: b.srv.pool()}, h2: true}, b.cfg.conc, b.srv.h2+"/small", 2)
	case "mem":
		b.rate(sMem, setup{mem: memRT{}}, 1, "http://bench.invalid/small", 1)
	case "download":
		url := fmt.Sprintf("%s/download?n=%d", h1, b.cfg.size)
		b.transfer(sizeName(sDownload, b.cfg.size), func(c *client) (int64, error) { return c.download(ctx, url) })
	case "upload":
		url := fmt.Sprintf("%s/upload?n=%d", h1, b.cfg.size)
		size := b.cfg.size
		b.transfer(sizeName(sUpload, size), func(c *client) (int64, error) {
			if err := c.upload(ctx, url, &genReader{n: size}); err != nil {
				return 0, err
			}
			return size, nil
		})
	}
}

func sizeName(s string, size int64) string {
	return strings.Replace(s, "64 MiB", fmt.Sprintf("%d MiB", size>>20), 1)
}

// clientsFor builds the selected clients for s.
func (b *bench) clientsFor(s setup) []*client { return newClients(s, b.cfg.clients) }

// rate measures closed-loop small GETs. Each run gives every client d in
// total, in slices (-slice) taken in turns, in an order rotated from slice
// to slice, so that load from other processes on a shared machine falls on
// all clients alike.
func (b *bench) rate(scenario string, s setup, conc int, url string, wantProto int) {
	ctx := context.Background()
	cs := b.clientsFor(s)
	defer closeAll(cs)
	failed := map[string]bool{}
	ops := make([]func() error, len(cs))
	for i, c := range cs {
		ops[i] = func() error { _, err := c.get(ctx, url); return err }
		proto, err := c.get(ctx, url)
		if err == nil && proto != wantProto {
			err = fmt.Errorf("spoke HTTP/%d, want HTTP/%d", proto, wantProto)
		}
		if err == nil {
			err = runRate(&rateTotals{}, conc, warmup(b.cfg.dur), ops[i])
		}
		if err != nil {
			b.fail(scenario, c, failed, err)
		}
	}
	nSlices := max(1, int(b.cfg.dur/b.cfg.slice))
	for r := range b.cfg.runs {
		logf("%s: run %d/%d", scenario, r+1, b.cfg.runs)
		totals := make([]rateTotals, len(cs))
		for k := range nSlices {
			for j := range cs {
				i := (j + k + r) % len(cs)
				if failed[cs[i].name] {
					continue
				}
				if err := runRate(&totals[i], conc, b.cfg.dur/time.Duration(nSlices), ops[i]); err != nil {
					b.fail(scenario, cs[i], failed, err)
				}
			}
		}
		for i, c := range cs {
			t := totals[i]
			if failed[c.name] || t.ops == 0 {
				continue
			}
			if s.mem != nil {
				b.t.add(scenario, "ns/op", cmpRatio, c.name, t.nsPerOp())
				b.t.add(scenario, "CPU ns/op", cmpRatio, c.name, t.cpuNsPerOp())
				b.t.add(scenario, "B/op", cmpRatio, c.name, t.bytesPerOp())
				b.t.add(scenario, "allocs/op", cmpDelta, c.name, t.allocsPerOp())
			} else {
				b.t.add(scenario, "req/s", cmpRatio, c.name, t.opsPerSec())
				b.t.add(scenario, b.who()+" CPU µs/req", cmpRatio, c.name, t.cpuNsPerOp()/1e3)
				b.t.add(scenario, b.who()+" B/req", cmpRatio, c.name, t.bytesPerOp())
				b.t.add(scenario, b.who()+" allocs/req", cmpDelta, c.name, t.allocsPerOp())
			}
		}
	}
}

// transfer measures sequential large transfers over HTTP/1.1 loopback. In
// each run the clients take turns, one transfer each, until every client
// has spent d transferring and made at least minN transfers.
func (b *bench) transfer(scenario string, op func(*client) (int64, error)) {
	cs := b.clientsFor(setup{})
	defer closeAll(cs)
	failed := map[string]bool{}
	for _, c := range cs {
		if _, err := op(c); err != nil {
			b.fail(scenario, c, failed, err)
		}
	}
	for r := range b.cfg.runs {
		logf("%s: run %d/%d", scenario, r+1, b.cfg.runs)
		totals := make([]transferTotals, len(cs))
		for k := 0; ; k++ {
			busy := false
			for j := range cs {
				i := (j + k + r) % len(cs)
				t := &totals[i]
				if failed[cs[i].name] || (t.elapsed >= b.cfg.dur && t.n >= b.cfg.minN) {
					continue
				}
				busy = true
				if err := runTransfer(t, b.cfg.size, func() (int64, error) { return op(cs[i]) }); err != nil {
					b.fail(scenario, cs[i], failed, err)
				}
			}
			if !busy {
				break
			}
		}
		for i, c := range cs {
			t := totals[i]
			if failed[c.name] || t.n == 0 {
				continue
			}
			b.t.add(scenario, "MB/s", cmpRatio, c.name, t.mbPerSec())
			b.t.add(scenario, b.who()+" CPU ms/transfer", cmpRatio, c.name, t.cpuMsPer())
			b.t.addAgg(scenario, "peak heap growth, MiB", cmpNone, aggMax, c.name, t.peakMiB())
			b.t.add(scenario, "allocated per transfer, MiB", cmpNone, c.name, t.allocMiBPer())
		}
	}
}

// who says whose CPU time and allocations the measuring process counts.
func (b *bench) who() string {
	if b.cfg.inproc {
		return "client+server"
	}
	return "client"
}

func (b *bench) fail(scenario string, c *client, failed map[string]bool, err error) {
	logf("%s: %s failed: %v", scenario, c.name, err)
	failed[c.name] = true
	b.t.markFailed(scenario, c.name)
}

func warmup(d time.Duration) time.Duration { return max(d/4, 200*time.Millisecond) }

func closeAll(cs []*client) {
	for _, c := range cs {
		c.close()
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}
