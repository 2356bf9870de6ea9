package httpxtest_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/httpxtest"
)

// apiServer is a loopback API whose answers change from call to call, so a
// replay that reached it would show.
func apiServer(t *testing.T) *httptest.Server {
	var calls atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /counter", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "call %d", calls.Add(1))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "cookie-secret"})
		_ = json.NewEncoder(w).Encode(map[string]any{"got": string(b), "authorized": r.Header.Get("Authorization") != ""})
	})
	mux.HandleFunc("GET /gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, "hello <gzip>")
		_ = zw.Close()
	})
	mux.HandleFunc("GET /binary", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte{0xff, 0x00, 0xfe})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type outcome struct {
	Status      int
	Body        string
	ContentType string
}

// exercise sends the same requests in both phases and returns what came
// back.
func exercise(t *testing.T, ctx context.Context, tr httpx.Transport, base string) []outcome {
	t.Helper()
	client := httpx.NewClient(httpx.WithTransport(tr))
	defer client.Close()
	authURL := strings.Replace(base, "http://", "http://ada:hunter2@", 1)
	type call struct {
		method, url string
		opts        []httpx.RequestOption
	}
	calls := []call{
		{"GET", base + "/counter", nil},
		{"GET", base + "/counter", nil},
		{"POST", base + "/echo", []httpx.RequestOption{httpx.WithHeader("Authorization", "Bearer s3cret-token"), httpx.WithText("first")}},
		{"POST", base + "/echo", []httpx.RequestOption{httpx.WithText("second")}},
		{"GET", base + "/gzip", nil},
		{"GET", base + "/binary", nil},
		{"GET", authURL + "/counter", nil},
	}
	var out []outcome
	for _, c := range calls {
		resp, err := client.Request(ctx, c.method, c.url, c.opts...)
		require.NoError(t, err, "%s %s", c.method, c.url)
		b, err := resp.Content()
		require.NoError(t, err)
		out = append(out, outcome{resp.StatusCode, string(b), resp.Headers.Get("Content-Type")})
	}
	return out
}

// failingNext stands for the real transport during a replay: it must never
// be reached.
func failingNext(t *testing.T) httpx.Transport {
	return httpx.TransportFunc(func(_ context.Context, req *httpx.Request) (*httpx.Response, error) {
		t.Errorf("next was called during a replay: %s %s", req.Method, req.URL)
		return nil, errors.New("next must not be called")
	})
}

func TestRecordThenReplay(t *testing.T) {
	t.Parallel()
	ctx := within(t, 10*time.Second)
	srv := apiServer(t)
	file := filepath.Join(t.TempDir(), "nested", "dirs", "api.json")

	rec := &fakeTB{}
	recorded := exercise(t, ctx, httpxtest.Record(rec, file, &httpx.HTTPTransport{}), srv.URL)
	require.Empty(t, rec.finish())
	require.Equal(t, "call 1", recorded[0].Body)
	require.Equal(t, "call 2", recorded[1].Body)
	require.Equal(t, "hello <gzip>", recorded[4].Body, "recorded responses are decoded")

	raw, err := os.ReadFile(file)
	require.NoError(t, err, "the recording is written at cleanup, directories created")
	text := string(raw)
	for _, secret := range []string{"s3cret-token", "hunter2", "cookie-secret"} {
		assert.NotContains(t, text, secret)
	}
	assert.Contains(t, text, `"Authorization: [secure]"`)
	assert.Contains(t, text, `"Set-Cookie: [secure]"`)
	assert.Contains(t, text, "ada:[secure]@")
	assert.Contains(t, text, `"body": "hello <gzip>"`, "decoded and readable")
	assert.NotContains(t, text, "Content-Encoding")
	assert.Contains(t, text, "\n  \"exchanges\": [\n", "indented")
	var c struct {
		Exchanges []struct {
			Request struct {
				Method string
				URL    string
				Body   *string
			}
			Response struct {
				Status     int
				BodyBase64 string `json:"body_base64"`
			}
		}
	}
	require.NoError(t, json.Unmarshal(raw, &c))
	require.Len(t, c.Exchanges, 7)
	assert.Equal(t, "first", *c.Exchanges[2].Request.Body)
	assert.Nil(t, c.Exchanges[0].Request.Body, "no body, no field")
	assert.Equal(t, "/wD+", c.Exchanges[5].Response.BodyBase64, "binary bodies as base64")

	srv.Close() // nothing may reach the network now
	play := &fakeTB{}
	replayed := exercise(t, ctx, httpxtest.Record(play, file, failingNext(t)), srv.URL)
	assert.Empty(t, play.finish())
	assert.Equal(t, recorded, replayed)
}

func TestReplayUnmatched(t *testing.T) {
	t.Parallel()
	ctx := within(t, 5*time.Second)
	file := filepath.Join(t.TempDir(), "api.json")
	writeRecording(t, file, "http://127.0.0.1:1/a", "done")

	tests := []struct {
		name   string
		method string
		url    string
		opts   []httpx.RequestOption
		want   string
	}{
		{"another URL", "GET", "http://127.0.0.1:1/b", nil,
			"no exchange in " + file + " has this method and URL (set GOHTTPX_RECORD=1 to record afresh)"},
		{"another method", "DELETE", "http://127.0.0.1:1/a", nil, "no exchange in " + file + " has this method and URL"},
		{"another body", "POST", "http://127.0.0.1:1/a", []httpx.RequestOption{httpx.WithText("other")},
			"the 1 exchange in " + file + " for this method and URL recorded a different request body"},
		{"replayed already", "POST", "http://127.0.0.1:1/a", []httpx.RequestOption{httpx.WithText("payload")},
			"all 1 matching exchange in " + file + " were already replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb := &fakeTB{}
			client := httpx.NewClient(httpx.WithTransport(httpxtest.Record(tb, file, failingNext(t))))
			defer client.Close()
			if tt.name == "replayed already" {
				resp, err := client.Request(ctx, tt.method, tt.url, tt.opts...)
				require.NoError(t, err)
				text, _ := resp.Text()
				require.Equal(t, "done", text)
			}
			_, err := client.Request(ctx, tt.method, tt.url, tt.opts...)
			assert.ErrorIs(t, err, httpx.ErrRequest)
			assert.ErrorContains(t, err, tt.want)
			errs := tb.finish()
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0], tt.method+" "+tt.url+": "+tt.want)
		})
	}
}

// writeRecording writes a one-exchange recording of POST url with body
// "payload" answered by text.
func writeRecording(t *testing.T, file, url, text string) {
	t.Helper()
	data := fmt.Sprintf(`{"exchanges": [{
		"request": {"method": "POST", "url": %q, "body": "payload"},
		"response": {"status": 200, "headers": ["Content-Type: text/plain"], "body": %q}
	}]}`, url, text)
	require.NoError(t, os.WriteFile(file, []byte(data), 0o644))
}

// TestRecordEnvRecordsAfresh cannot run in parallel: it sets the
// environment.
func TestRecordEnvRecordsAfresh(t *testing.T) {
	ctx := within(t, 5*time.Second)
	srv := apiServer(t)
	file := filepath.Join(t.TempDir(), "api.json")
	writeRecording(t, file, srv.URL+"/counter", "stale")
	t.Setenv(httpxtest.RecordEnv, "1")

	tb := &fakeTB{}
	client := httpx.NewClient(httpx.WithTransport(httpxtest.Record(tb, file, &httpx.HTTPTransport{})))
	resp, err := client.Get(ctx, srv.URL+"/counter")
	require.NoError(t, err)
	text, _ := resp.Text()
	assert.Equal(t, "call 1", text, "the server answered, not the old recording")
	require.NoError(t, client.Close())
	require.Empty(t, tb.finish())

	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"body": "call 1"`)
	assert.NotContains(t, string(raw), "stale")
}

func TestRecordProblems(t *testing.T) {
	t.Parallel()
	ctx := within(t, 5*time.Second)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	require.NoError(t, os.WriteFile(corrupt, []byte("not json"), 0o644))

	t.Run("a file that is not a recording", func(t *testing.T) {
		tb := &fakeTB{}
		tr := httpxtest.Record(tb, corrupt, failingNext(t))
		require.Len(t, tb.errors, 1)
		assert.Contains(t, tb.errors[0], "not a recording")
		_, err := tr.HandleRequest(ctx, mustRequest(t, "GET", "http://127.0.0.1:1/"))
		assert.ErrorIs(t, err, httpx.ErrRequest)
	})
	t.Run("recording without a next transport", func(t *testing.T) {
		tb := &fakeTB{}
		tr := httpxtest.Record(tb, filepath.Join(dir, "none.json"), nil)
		require.Len(t, tb.errors, 1)
		_, err := tr.HandleRequest(ctx, mustRequest(t, "GET", "http://127.0.0.1:1/"))
		assert.ErrorIs(t, err, httpx.ErrRequest)
	})
	t.Run("a failed test writes no recording", func(t *testing.T) {
		file := filepath.Join(dir, "failed.json")
		tb := &fakeTB{}
		next := httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) { return httpx.NewResponse(200), nil })
		tr := httpxtest.Record(tb, file, next)
		_, err := tr.HandleRequest(ctx, mustRequest(t, "GET", "http://127.0.0.1:1/"))
		require.NoError(t, err)
		tb.Errorf("the test failed")
		tb.finish()
		assert.NoFileExists(t, file)
		assert.Contains(t, tb.logs, "httpxtest: not writing "+file+": the test failed")
	})
}
