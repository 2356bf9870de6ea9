// Command download is HTTPX's "Monitoring download progress" example in Go:
// it streams a large response into a temporary file and drives a progress
// bar from Response.NumBytesDownloaded, the bytes received on the wire.
//
// Counting the decoded bytes instead would overshoot the total whenever the
// server compresses the response: Content-Length, and so the bar's total,
// counts compressed bytes. To show this offline, the command starts by
// default a loopback server whose 100 MiB of text is sent gzip-compressed
// (about a fifth of that on the wire), and downloads from it.
//
//	go run .                                  # the local server
//	go run . -url https://example.com/big.bin # anywhere else
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx"
	"github.com/schollz/progressbar/v3"
)

func main() {
	url := flag.String("url", "", "URL to download (default: a local server sending 100 MiB gzip-compressed)")
	flag.Parse()
	if *url == "" {
		srv := httptest.NewServer(newServer(100))
		defer srv.Close()
		*url = srv.URL + "/100MB.txt"
	}
	if err := download(context.Background(), *url); err != nil {
		log.Fatal(err)
	}
}

// download is the HTTPX example: stream, write each chunk, advance the bar
// by the growth of NumBytesDownloaded.
func download(ctx context.Context, url string) error {
	f, err := os.CreateTemp("", "download-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()

	r, err := httpx.Stream(ctx, "GET", url)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.RaiseForStatus(); err != nil {
		return err
	}
	total, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64)
	if err != nil {
		total = -1 // unknown: the bar becomes a spinner
	}

	bar := progressbar.DefaultBytes(total, "downloading")
	downloaded := r.NumBytesDownloaded()
	var decoded int64
	for chunk, err := range r.IterBytes(0) {
		if err != nil {
			return err
		}
		if _, err := f.Write(chunk); err != nil {
			return err
		}
		decoded += int64(len(chunk))
		bar.Add64(r.NumBytesDownloaded() - downloaded)
		downloaded = r.NumBytesDownloaded()
	}
	bar.Finish()

	encoding := r.Headers.Get("Content-Encoding")
	if encoding == "" {
		encoding = "identity"
	}
	fmt.Printf("%d bytes downloaded (Content-Encoding: %s), %d bytes decoded into %s\n",
		r.NumBytesDownloaded(), encoding, decoded, f.Name())
	return nil
}

// newServer serves mib MiB of text with a Content-Length, gzip-compressed
// when the client accepts gzip. The text is one random 1 MiB block repeated;
// since a gzip stream may consist of several members (RFC 1952), the block
// is compressed once and its member sent mib times, which keeps start-up
// instant.
func newServer(mib int) http.Handler {
	words := strings.Fields("the quick brown fox jumps over a lazy dog while httpx streams bytes to disk")
	rng := rand.New(rand.NewPCG(1, 2))
	var block bytes.Buffer
	for block.Len() < 1<<20 {
		block.WriteString(words[rng.IntN(len(words))])
		block.WriteByte(" \n"[rng.IntN(2)])
	}
	raw := block.Bytes()[:1<<20]
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()

	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := raw
		if strings.Contains(req.Header.Get("Accept-Encoding"), "gzip") {
			body = gz.Bytes()
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)*mib))
		for range mib {
			if _, err := w.Write(body); err != nil {
				return
			}
		}
	})
}
