package transport

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
)

// ErrKeyPassword means a private key could not be decrypted with the
// password given (or none was given for an encrypted key).
var ErrKeyPassword = errors.New("transport: wrong or missing password for the encrypted private key")

// LoadKeyPair reads a client certificate chain and its private key (HTTPX's
// cert=(certfile, keyfile, password)). keyFile may be empty when certFile
// holds the key too. The key may be PKCS#1, PKCS#8 or SEC 1 (EC), plain or
// encrypted: PKCS#8 with PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512, and
// AES-128/192/256-CBC or DES-EDE3-CBC), or legacy OpenSSL PEM encryption.
func LoadKeyPair(certFile, keyFile, password string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: client certificate: %w", err)
	}
	keyPEM := certPEM
	if keyFile != "" {
		if keyPEM, err = os.ReadFile(keyFile); err != nil {
			return tls.Certificate{}, fmt.Errorf("transport: client key: %w", err)
		}
	}
	key, err := ParsePrivateKeyPEM(keyPEM, []byte(password))
	if err != nil {
		return tls.Certificate{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: client key: %w", err)
	}
	// X509KeyPair skips the key blocks in certPEM and checks that the
	// certificate matches the key.
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: client certificate %s: %w", certFile, err)
	}
	return cert, nil
}

// ParsePrivateKeyPEM returns the first private key in data, decrypting it
// with password if it is encrypted. A wrong password gives ErrKeyPassword.
func ParsePrivateKeyPEM(data, password []byte) (crypto.PrivateKey, error) {
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			return nil, errors.New("transport: no PEM private key found")
		}
		data = rest
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY":
			if len(password) == 0 {
				return nil, ErrKeyPassword
			}
			der, err := decryptPKCS8(block.Bytes, password)
			if err != nil {
				return nil, err
			}
			key, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				// Garbage that happened to unpad: the password was wrong.
				return nil, ErrKeyPassword
			}
			return key, nil
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			der := block.Bytes
			//lint:ignore SA1019 legacy PEM encryption is weak, but the issue asks to load such keys.
			if x509.IsEncryptedPEMBlock(block) {
				if len(password) == 0 {
					return nil, ErrKeyPassword
				}
				var err error
				//lint:ignore SA1019 see above.
				if der, err = x509.DecryptPEMBlock(block, password); err != nil {
					if errors.Is(err, x509.IncorrectPasswordError) {
						return nil, ErrKeyPassword
					}
					return nil, fmt.Errorf("transport: decrypting private key: %w", err)
				}
				// Legacy PEM encryption has no integrity check: a wrong
				// password passes the padding check about once in 256 tries
				// and yields garbage, which is a wrong password too.
				key, err := parseKeyDER(block.Type, der)
				if err != nil {
					return nil, ErrKeyPassword
				}
				return key, nil
			}
			return parseKeyDER(block.Type, der)
		}
	}
}

// parseKeyDER tries the encoding the PEM type names first, then the others.
func parseKeyDER(typ string, der []byte) (crypto.PrivateKey, error) {
	parsers := []func([]byte) (crypto.PrivateKey, error){parsePKCS8, parsePKCS1, parseEC}
	switch typ {
	case "RSA PRIVATE KEY":
		parsers[0], parsers[1] = parsers[1], parsers[0]
	case "EC PRIVATE KEY":
		parsers[0], parsers[2] = parsers[2], parsers[0]
	}
	var first error
	for _, parse := range parsers {
		key, err := parse(der)
		if err == nil {
			return key, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, fmt.Errorf("transport: parsing %s: %w", strings.ToLower(typ), first)
}

func parsePKCS8(der []byte) (crypto.PrivateKey, error) { return x509.ParsePKCS8PrivateKey(der) }
func parsePKCS1(der []byte) (crypto.PrivateKey, error) { return x509.ParsePKCS1PrivateKey(der) }
func parseEC(der []byte) (crypto.PrivateKey, error)    { return x509.ParseECPrivateKey(der) }

// ASN.1 of an encrypted PKCS#8 key (RFC 5208, RFC 8018).
type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}

	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}

	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// decryptPKCS8 decrypts the DER of an ENCRYPTED PRIVATE KEY block (PBES2).
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("transport: encrypted private key: %w", err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("transport: encrypted private key: unsupported scheme %v (only PBES2)", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("transport: PBES2 parameters: %w", err)
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("transport: unsupported key derivation %v (only PBKDF2)", params.KeyDerivationFunc.Algorithm)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("transport: PBKDF2 parameters: %w", err)
	}
	prf, err := prfHash(kdf.PRF.Algorithm)
	if err != nil {
		return nil, err
	}
	newCipher, keyLen, err := cbcCipher(params.EncryptionScheme.Algorithm)
	if err != nil {
		return nil, err
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, fmt.Errorf("transport: PBKDF2 key length %d does not fit the cipher", kdf.KeyLength)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("transport: cipher IV: %w", err)
	}
	key, err := pbkdf2.Key(prf, string(password), kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, fmt.Errorf("transport: PBKDF2: %w", err)
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(info.Data) == 0 || len(info.Data)%bs != 0 {
		return nil, errors.New("transport: encrypted private key: bad IV or data length")
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	return unpad(plain, bs)
}

// prfHash maps a PBKDF2 PRF OID to its hash; absent means HMAC-SHA1.
func prfHash(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACSHA1):
		return sha1.New, nil
	case oid.Equal(oidHMACSHA224):
		return sha256.New224, nil
	case oid.Equal(oidHMACSHA256):
		return sha256.New, nil
	case oid.Equal(oidHMACSHA384):
		return sha512.New384, nil
	case oid.Equal(oidHMACSHA512):
		return sha512.New, nil
	}
	return nil, fmt.Errorf("transport: unsupported PBKDF2 PRF %v", oid)
}

// cbcCipher maps a PBES2 encryption OID to its block cipher and key size.
func cbcCipher(oid asn1.ObjectIdentifier) (func([]byte) (cipher.Block, error), int, error) {
	switch {
	case oid.Equal(oidAES128CBC):
		return aes.NewCipher, 16, nil
	case oid.Equal(oidAES192CBC):
		return aes.NewCipher, 24, nil
	case oid.Equal(oidAES256CBC):
		return aes.NewCipher, 32, nil
	case oid.Equal(oidDESEDE3CBC):
		return des.NewTripleDESCipher, 24, nil
	}
	return nil, 0, fmt.Errorf("transport: unsupported key encryption %v", oid)
}

// unpad strips PKCS#7 padding; bad padding is what a wrong password
// usually looks like.
func unpad(b []byte, bs int) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > bs || n > len(b) || !bytes.Equal(b[len(b)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, ErrKeyPassword
	}
	return b[:len(b)-n], nil
}
