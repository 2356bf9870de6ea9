package httpx_test

import (
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeoutBuilderMirrorsHTTPX(t *testing.T) {
	s := time.Second
	cases := []struct {
		name   string // the HTTPX expression mirrored
		got    httpx.Timeout
		want   httpx.Timeout
		string string
	}{
		{"Timeout(10.0)", httpx.Timeouts(10 * s), httpx.Timeout{Connect: 10 * s, Read: 10 * s, Write: 10 * s, Pool: 10 * s}, "Timeout(timeout=10s)"},
		{"Timeout(10.0, connect=60.0)", httpx.Timeouts(10 * s).WithConnect(60 * s), httpx.Timeout{Connect: 60 * s, Read: 10 * s, Write: 10 * s, Pool: 10 * s}, "Timeout(connect=1m0s, read=10s, write=10s, pool=10s)"},
		{"Timeout(10.0, read=1.0)", httpx.Timeouts(10 * s).WithRead(s), httpx.Timeout{Connect: 10 * s, Read: s, Write: 10 * s, Pool: 10 * s}, "Timeout(connect=10s, read=1s, write=10s, pool=10s)"},
		{"Timeout(10.0, write=2.0)", httpx.Timeouts(10 * s).WithWrite(2 * s), httpx.Timeout{Connect: 10 * s, Read: 10 * s, Write: 2 * s, Pool: 10 * s}, "Timeout(connect=10s, read=10s, write=2s, pool=10s)"},
		{"Timeout(10.0, pool=None)", httpx.Timeouts(10 * s).WithPool(0), httpx.Timeout{Connect: 10 * s, Read: 10 * s, Write: 10 * s}, "Timeout(connect=10s, read=10s, write=10s, pool=0s)"},
		{"Timeout(None, connect=1.0)", httpx.NoTimeout.WithConnect(s), httpx.Timeout{Connect: s}, "Timeout(connect=1s, read=0s, write=0s, pool=0s)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.got)
			assert.Equal(t, tc.string, tc.got.String())
		})
	}
	base := httpx.Timeouts(10 * s)
	_ = base.WithConnect(time.Minute)
	assert.Equal(t, httpx.Timeouts(10*s), base, "the With methods return a copy")
}

func TestNegativeTimeoutIsUsageError(t *testing.T) {
	negative := map[string]httpx.Timeout{
		"connect": httpx.Timeouts(time.Second).WithConnect(-1),
		"read":    httpx.Timeouts(time.Second).WithRead(-time.Second),
		"write":   httpx.Timeouts(time.Second).WithWrite(-time.Millisecond),
		"pool":    httpx.Timeouts(time.Second).WithPool(-time.Nanosecond),
	}
	for phase, bad := range negative {
		t.Run(phase, func(t *testing.T) {
			ok := httpx.WithTransport(echoTransport())
			ways := []struct {
				name string
				do   func() error
			}{
				{"client option", func() error {
					c := httpx.NewClient(ok, httpx.WithTimeout(bad))
					defer c.Close()
					require.ErrorIs(t, c.Err(), httpx.ErrUsage)
					_, err := c.Get(ctx, "http://h/")
					return err
				}},
				{"client field", func() error {
					c := httpx.NewClient(ok)
					defer c.Close()
					c.Timeout = bad
					_, err := c.Get(ctx, "http://h/")
					return err
				}},
				{"request option", func() error {
					c := httpx.NewClient(ok)
					defer c.Close()
					_, err := c.Get(ctx, "http://h/", httpx.WithTimeout(bad))
					return err
				}},
				{"timeout extension", func() error {
					c := httpx.NewClient(ok)
					defer c.Close()
					_, err := c.Get(ctx, "http://h/", httpx.WithExtensions(map[string]any{"timeout": bad}))
					return err
				}},
				{"SetTimeout then Send", func() error {
					c := httpx.NewClient(ok)
					defer c.Close()
					req, err := c.BuildRequest("GET", "http://h/")
					require.NoError(t, err)
					req.SetTimeout(bad)
					_, err = c.Send(ctx, req)
					return err
				}},
				{"NewRequest", func() error {
					_, err := httpx.NewRequest("GET", "http://h/", httpx.WithTimeout(bad))
					return err
				}},
			}
			for _, w := range ways {
				err := w.do()
				assert.ErrorIs(t, err, httpx.ErrUsage, w.name)
				if err != nil {
					assert.Contains(t, err.Error(), phase, w.name)
				}
			}
		})
	}
}
