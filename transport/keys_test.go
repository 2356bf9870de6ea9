package transport_test

import (
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

// openssl runs openssl in dir or skips the test when it is missing.
func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "openssl %v\n%s", args, out)
}

type equaler interface{ Equal(crypto.PrivateKey) bool }

func TestParsePrivateKeyPEM(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem")
	openssl(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pem")
	const pw = "pass:s3cret"

	for _, tc := range []struct {
		name string
		src  string   // the plain key the file is made from
		args []string // openssl arguments making out.pem from in.pem
		pw   string
	}{
		{"plain PKCS#8 EC", "ec", nil, ""},
		{"plain PKCS#8 RSA", "rsa", nil, ""},
		{"plain PKCS#1 RSA", "rsa", []string{"rsa", "-traditional"}, ""},
		{"plain SEC 1 EC", "ec", []string{"ec"}, ""},
		{"genpkey -aes256 (PBES2, HMAC-SHA256, AES-256)", "", []string{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", pw}, "s3cret"},
		{"pkcs8 -v2 aes-128-cbc", "rsa", []string{"pkcs8", "-topk8", "-v2", "aes-128-cbc", "-passout", pw}, "s3cret"},
		{"pkcs8 -v2 aes-192-cbc HMAC-SHA1", "ec", []string{"pkcs8", "-topk8", "-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA1", "-passout", pw}, "s3cret"},
		{"pkcs8 -v2 aes-256-cbc HMAC-SHA512", "ec", []string{"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512", "-passout", pw}, "s3cret"},
		{"pkcs8 -v2 des3", "rsa", []string{"pkcs8", "-topk8", "-v2", "des3", "-passout", pw}, "s3cret"},
		{"legacy rsa -aes256 -traditional", "rsa", []string{"rsa", "-aes256", "-traditional", "-passout", pw}, "s3cret"},
		{"legacy ec -des3", "ec", []string{"ec", "-des3", "-passout", pw}, "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pem")
			switch {
			case tc.args == nil:
				out = filepath.Join(dir, tc.src+".pem")
			case tc.src == "":
				openssl(t, dir, append(tc.args, "-out", out)...)
			default:
				openssl(t, dir, append(tc.args, "-in", tc.src+".pem", "-out", out)...)
			}
			data, err := os.ReadFile(out)
			require.NoError(t, err)
			key, err := transport.ParsePrivateKeyPEM(data, []byte(tc.pw))
			require.NoError(t, err)
			require.Implements(t, (*crypto.Signer)(nil), key)

			if tc.src != "" {
				orig, err := os.ReadFile(filepath.Join(dir, tc.src+".pem"))
				require.NoError(t, err)
				want, err := transport.ParsePrivateKeyPEM(orig, nil)
				require.NoError(t, err)
				assert.True(t, want.(equaler).Equal(key), "decrypted key differs from the original")
			}
			if tc.pw != "" {
				_, err = transport.ParsePrivateKeyPEM(data, []byte("wrong"))
				assert.ErrorIs(t, err, transport.ErrKeyPassword)
				_, err = transport.ParsePrivateKeyPEM(data, nil)
				assert.ErrorIs(t, err, transport.ErrKeyPassword)
			}
		})
	}

	t.Run("no key", func(t *testing.T) {
		_, err := transport.ParsePrivateKeyPEM([]byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), nil)
		assert.ErrorContains(t, err, "no PEM private key")
	})
}

func TestLoadKeyPairMismatch(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "a.key", "-out", "a.pem", "-days", "1", "-subj", "/CN=a")
	openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "b.key")
	_, err := transport.LoadKeyPair(filepath.Join(dir, "a.pem"), filepath.Join(dir, "a.key"), "")
	require.NoError(t, err)
	_, err = transport.LoadKeyPair(filepath.Join(dir, "a.pem"), filepath.Join(dir, "b.key"), "")
	assert.Error(t, err)
	_, err = transport.LoadKeyPair(filepath.Join(dir, "missing.pem"), "", "")
	assert.Error(t, err)
}
