package transport

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// TLSOptions are HTTPX's verify, cert and trust_env settings, the input of
// NewTLSConfig (HTTPX's create_ssl_context).
type TLSOptions struct {
	// Verify checks the server's certificate chain and host name. HTTPX
	// verifies by default; the root package passes true unless told not to.
	Verify bool
	// CAFile is a PEM bundle, or an OpenSSL-style directory of certificates,
	// trusted instead of the system roots.
	CAFile string
	// CertFile and KeyFile hold the client certificate chain and its key in
	// PEM; an empty KeyFile means the key is in CertFile. KeyPassword
	// decrypts an encrypted key: PKCS#8 (ENCRYPTED PRIVATE KEY) or legacy
	// OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED).
	CertFile, KeyFile, KeyPassword string
	// TrustEnv lets the environment in: SSL_CERT_FILE (a PEM bundle, which
	// wins) or SSL_CERT_DIR (directories, colon-separated) replace the system
	// roots when neither CAFile nor Base chose roots, and SSLKEYLOGFILE
	// appends TLS secrets for Wireshark.
	TrustEnv bool
	// Base, when set, is copied and then adjusted (HTTPX's verify=SSLContext).
	Base *tls.Config
	// Getenv reads the environment; nil means os.Getenv. Tests set it.
	Getenv func(string) string
}

// NewTLSConfig builds the client TLS configuration for o. Errors name the
// file at fault; a wrong key password says so.
func NewTLSConfig(o TLSOptions) (*tls.Config, error) {
	cfg := o.Base.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if !o.Verify {
		cfg.InsecureSkipVerify = true
	} else {
		roots, err := rootsFor(o, cfg, getenv)
		if err != nil {
			return nil, err
		}
		if roots != nil {
			cfg.RootCAs = roots
		}
	}
	if o.CertFile != "" {
		cert, err := LoadKeyPair(o.CertFile, o.KeyFile, o.KeyPassword)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	if o.TrustEnv {
		if path := getenv("SSLKEYLOGFILE"); path != "" {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				return nil, fmt.Errorf("transport: SSLKEYLOGFILE: %w", err)
			}
			cfg.KeyLogWriter = f
		}
	}
	return cfg, nil
}

// rootsFor returns the trust roots o asks for, or nil for the default.
func rootsFor(o TLSOptions, cfg *tls.Config, getenv func(string) string) (*x509.CertPool, error) {
	if o.CAFile != "" {
		return loadCAPath(o.CAFile)
	}
	if cfg.RootCAs != nil {
		return nil, nil
	}
	if !o.TrustEnv {
		// crypto/x509 reads SSL_CERT_FILE and SSL_CERT_DIR itself when it
		// loads the system roots; without trust_env they must not count, so
		// load the platform's default locations ourselves.
		if getenv("SSL_CERT_FILE") != "" || getenv("SSL_CERT_DIR") != "" {
			return defaultRoots()
		}
		return nil, nil
	}
	if file := getenv("SSL_CERT_FILE"); file != "" {
		return loadCAFile(file)
	}
	if dirs := getenv("SSL_CERT_DIR"); dirs != "" {
		return loadCADirs(dirs)
	}
	return nil, nil
}

// The platform's default certificate locations, as crypto/x509 knows them
// for Linux and the BSDs, read regardless of the environment.
var (
	defaultCertFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
		"/usr/local/etc/ssl/cert.pem",
		"/usr/local/share/certs/ca-root-nss.crt",
	}
	defaultCertDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}

	defaultRootsOnce sync.Once
	defaultRootsPool *x509.CertPool
)

// defaultRoots returns the system roots without the environment's say, or
// nil (crypto/x509's own default) where there are no such files (macOS and
// Windows verify with the platform, which ignores these variables).
func defaultRoots() (*x509.CertPool, error) {
	defaultRootsOnce.Do(func() {
		pool := x509.NewCertPool()
		found := false
		for _, f := range defaultCertFiles {
			if data, err := os.ReadFile(f); err == nil && pool.AppendCertsFromPEM(data) {
				found = true
				break
			}
		}
		for _, dir := range defaultCertDirs {
			entries, err := os.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && pool.AppendCertsFromPEM(data) {
					found = true
				}
			}
		}
		if found {
			defaultRootsPool = pool
		}
	})
	return defaultRootsPool, nil
}

// loadCAPath loads a PEM bundle, or a directory of certificates.
func loadCAPath(path string) (*x509.CertPool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("transport: CA certificates: %w", err)
	}
	if fi.IsDir() {
		return loadCADirs(path)
	}
	return loadCAFile(path)
}

func loadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("transport: CA certificates: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("transport: no PEM certificates in %s", path)
	}
	return pool, nil
}

// caFileName matches what OpenSSL's hashed directories hold (0a1b2c3d.0,
// and .r0 for CRLs, which AppendCertsFromPEM skips) and usual bundle names.
var caFileName = regexp.MustCompile(`^[0-9a-fA-F]{8}\.r?[0-9]+$|\.(pem|crt|cer)$`)

// loadCADirs loads every certificate file of the given directories
// (colon-separated, as OpenSSL reads SSL_CERT_DIR). Unreadable or non-PEM
// files are skipped, as OpenSSL skips them; an empty result simply trusts
// nothing.
func loadCADirs(list string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, dir := range filepath.SplitList(list) {
		if dir == "" {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("transport: CA directory: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() || !caFileName.MatchString(strings.ToLower(e.Name())) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			pool.AppendCertsFromPEM(data)
		}
	}
	return pool, nil
}
