package main

import (
	"context"
	"testing"
)

// BenchmarkInMemory is the in-memory scenario as a Go benchmark, for
// benchstat and profiling:
//
//	go test -run '^$' -bench InMemory -benchmem -count 6
func BenchmarkInMemory(b *testing.B) {
	ctx := context.Background()
	for _, name := range clientNames {
		b.Run(name, func(b *testing.B) {
			c := newClients(setup{mem: memRT{}}, []string{name})[0]
			defer c.close()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.get(ctx, "http://bench.invalid/small"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
