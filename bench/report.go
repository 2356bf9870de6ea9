package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// cmp says how a cell relates to the net/http cell of its row.
type cmp int

const (
	cmpNone  cmp = iota
	cmpRatio     // "(0.97×)"
	cmpDelta     // "(+8)"
)

type agg int

const (
	aggMedian agg = iota
	aggMax
)

// row is one metric of one scenario, with every client's runs.
type row struct {
	scenario, metric string
	cmp              cmp
	agg              agg
	vals             map[string][]float64
}

func (r *row) value(client string) (float64, bool) {
	v := r.vals[client]
	if len(v) == 0 {
		return 0, false
	}
	if r.agg == aggMax {
		return slicesMax(v), true
	}
	return median(v), true
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

type table struct {
	rows   []*row
	failed map[[2]string]bool // scenario, client
}

func (t *table) row(scenario, metric string) *row {
	for _, r := range t.rows {
		if r.scenario == scenario && r.metric == metric {
			return r
		}
	}
	r := &row{scenario: scenario, metric: metric, vals: map[string][]float64{}}
	t.rows = append(t.rows, r)
	return r
}

func (t *table) add(scenario, metric string, c cmp, client string, v float64) {
	t.addAgg(scenario, metric, c, aggMedian, client, v)
}

func (t *table) addAgg(scenario, metric string, c cmp, a agg, client string, v float64) {
	r := t.row(scenario, metric)
	r.cmp, r.agg = c, a
	r.vals[client] = append(r.vals[client], v)
}

func (t *table) markFailed(scenario, client string) {
	if t.failed == nil {
		t.failed = map[[2]string]bool{}
	}
	t.failed[[2]string{scenario, client}] = true
}

// value is the aggregated value of one cell, for the targets.
func (t *table) value(scenario, metric, client string) (float64, bool) {
	for _, r := range t.rows {
		if r.scenario == scenario && r.metric == metric {
			return r.value(client)
		}
	}
	return 0, false
}

func (t *table) print(w io.Writer, cfg config) {
	fmt.Fprintf(w, "%s, %s, %d CPUs, GOMAXPROCS=%d in the client and in the server process; server %s.\n",
		runtime.Version(), cpuModel(), runtime.NumCPU(), cfg.procs, map[bool]string{true: "in the measuring process", false: "in a separate process"}[cfg.inproc])
	fmt.Fprintf(w, "%d run(s) of %s per client and scenario, clients taking turns (%s slices; transfers: one each); median of the runs shown (peak heap: maximum). Pool: %d connections for every client. %s.\n\n",
		cfg.runs, cfg.dur, cfg.slice, maxConns, time.Now().Format("2006-01-02"))
	var cols []string
	for _, c := range append(clientNames, extraClients...) {
		if slices.Contains(cfg.clients, c) {
			cols = append(cols, c)
		}
	}
	fmt.Fprintf(w, "| Scenario | Metric | %s |\n", strings.Join(cols, " | "))
	fmt.Fprintf(w, "|---|---|%s\n", strings.Repeat("--:|", len(cols)))
	prev := ""
	for _, r := range t.rows {
		scen := r.scenario
		if scen == prev {
			scen = ""
		}
		prev = r.scenario
		base, hasBase := r.value("net/http")
		cells := make([]string, 0, len(cols))
		for _, c := range cols {
			v, ok := r.value(c)
			switch {
			case t.failed[[2]string{r.scenario, c}]:
				cells = append(cells, "failed")
			case !ok:
				cells = append(cells, "n/a")
			case c == "net/http" || !hasBase || r.cmp == cmpNone:
				cells = append(cells, num(v))
			case r.cmp == cmpRatio:
				cells = append(cells, fmt.Sprintf("%s (%.2f×)", num(v), v/base))
			case r.cmp == cmpDelta:
				cells = append(cells, fmt.Sprintf("%s (%+.0f)", num(v), math.Round(v)-math.Round(base)))
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", scen, r.metric, strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
}

// num formats with a precision that suits the magnitude.
func num(v float64) string {
	switch {
	case v >= 100:
		return thousands(int64(math.Round(v)))
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOOS + "/" + runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v) + ", " + runtime.GOOS + "/" + runtime.GOARCH
		}
	}
	return runtime.GOOS + "/" + runtime.GOARCH
}

// printTargets checks httpx against the goals the library sets itself.
func printTargets(w io.Writer, t *table) {
	fmt.Fprintln(w, "Targets for httpx:")
	check := func(desc string, ok, known bool, got string) {
		mark := "✅"
		switch {
		case !known:
			mark, got = "–", "not measured"
		case !ok:
			mark = "❌"
		}
		fmt.Fprintf(w, "- %s %s: %s\n", mark, desc, got)
	}
	get := func(s, m, c string) (float64, bool) { return t.value(s, m, c) }
	both := func(s, m string) (x, base float64, ok bool) {
		x, ok1 := get(s, m, "httpx")
		base, ok2 := get(s, m, "net/http")
		return x, base, ok1 && ok2
	}

	if x, base, ok := both(sMem, "allocs/op"); ok {
		check("in-memory allocs/op ≤ net/http + 8", math.Round(x) <= math.Round(base)+8, true, fmt.Sprintf("%.0f vs %.0f (%+.0f)", x, base, math.Round(x)-math.Round(base)))
	} else {
		check("in-memory allocs/op ≤ net/http + 8", false, false, "")
	}
	if x, base, ok := both(sMem, "ns/op"); ok {
		got := fmt.Sprintf("%.2f×", x/base)
		if cx, cbase, ok := both(sMem, "CPU ns/op"); ok {
			got += fmt.Sprintf(" (CPU time: %.2f×)", cx/cbase)
		}
		check("in-memory ns/op ≤ 1.3× net/http", x <= 1.3*base, true, got)
	} else {
		check("in-memory ns/op ≤ 1.3× net/http", false, false, "")
	}
	for _, peer := range []string{"resty v2", "req v3"} {
		x, ok1 := get(sMem, "allocs/op", "httpx")
		p, ok2 := get(sMem, "allocs/op", peer)
		check("in-memory allocs/op below "+peer, x < p, ok1 && ok2, fmt.Sprintf("%.0f vs %.0f", x, p))
	}
	for _, s := range t.scenariosWith("req/s") {
		if strings.Contains(s, "HTTP/2") {
			continue
		}
		x, base, ok := both(s, "req/s")
		check(s+": req/s ≥ 95% of net/http", x >= 0.95*base, ok, fmt.Sprintf("%.3f×", x/base))
	}
	for _, s := range t.scenariosWith("MB/s") {
		x, base, ok := both(s, "MB/s")
		check(s+": MB/s ≥ 95% of net/http", x >= 0.95*base, ok, fmt.Sprintf("%.3f×", x/base))
		h, ok := get(s, "peak heap growth, MiB", "httpx")
		check(s+": peak heap growth < 4 MiB", h < 4, ok, fmt.Sprintf("%.2f MiB", h))
	}
	fmt.Fprintln(w)
}

func (t *table) scenariosWith(metric string) []string {
	var out []string
	for _, r := range t.rows {
		if r.metric == metric {
			out = append(out, r.scenario)
		}
	}
	return out
}
