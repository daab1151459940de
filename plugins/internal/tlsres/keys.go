// Package tlsres declares the tls provider's PrivateKey, SelfSignedCert, CertRequest and
// LocallySignedCert, with the real provider's tokens, property names, defaults, secret outputs and
// replacement rules (https://www.pulumi.com/registry/packages/tls/api-docs/).
package tlsres

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"

	"pulumivalkey.local/plugins/internal/provider"
)

// Package is the tls plugin.
func Package(version string) *provider.Package {
	return &provider.Package{Name: "tls", Version: version, Resources: []*provider.Resource{
		PrivateKey(), SelfSignedCert(), CertRequest(), LocallySignedCert(),
	}}
}

func input(p provider.Prop) provider.Prop { p.Input = true; return p }

var curves = map[string]elliptic.Curve{"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521()}

// PrivateKey is tls:index/privateKey:PrivateKey.
func PrivateKey() *provider.Resource {
	return &provider.Resource{
		Token: "tls:index/privateKey:PrivateKey",
		Doc:   "A private key (RSA, ECDSA or ED25519) in PEM and OpenSSH formats; the private forms are secrets.",
		Props: []provider.Prop{
			input(provider.Prop{Name: "algorithm", Kind: provider.String, Required: true, OneOf: []string{"RSA", "ECDSA", "ED25519"}, Doc: "The key algorithm."}),
			input(provider.Prop{Name: "rsaBits", Kind: provider.Int, Default: int64(2048), Min: provider.AtLeast(1024), Doc: "RSA key size in bits (algorithm RSA)."}),
			input(provider.Prop{Name: "ecdsaCurve", Kind: provider.String, Default: "P224", OneOf: []string{"P224", "P256", "P384", "P521"}, Doc: "The elliptic curve (algorithm ECDSA)."}),
			{Name: "privateKeyPem", Kind: provider.String, Secret: true, Doc: "The private key in PEM: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for ED25519."},
			{Name: "privateKeyPemPkcs8", Kind: provider.String, Secret: true, Doc: "The private key in PKCS#8 PEM."},
			{Name: "privateKeyOpenssh", Kind: provider.String, Secret: true, Doc: "The private key in OpenSSH format (empty for P224, which OpenSSH does not support)."},
			{Name: "publicKeyPem", Kind: provider.String, Doc: "The public key in PKIX PEM."},
			{Name: "publicKeyOpenssh", Kind: provider.String, Doc: "The public key in authorized_keys format (empty for P224)."},
			{Name: "publicKeyFingerprintMd5", Kind: provider.String, Doc: "The MD5 fingerprint of the OpenSSH public key (empty for P224)."},
			{Name: "publicKeyFingerprintSha256", Kind: provider.String, Doc: "The SHA256 fingerprint of the OpenSSH public key (empty for P224)."},
		},
		Validate: func(in provider.Values) []provider.Failure {
			if in.Str("algorithm") == "RSA" && in.Int("rsaBits") > 16384 {
				return []provider.Failure{{Property: "rsaBits", Reason: fmt.Sprintf("rsaBits must be at most 16384 (got %d)", in.Int("rsaBits"))}}
			}
			return nil
		},
		Create: createPrivateKey,
	}
}

func createPrivateKey(in provider.Values, _ time.Time) (string, provider.Values, error) {
	var key crypto.Signer
	var err error
	switch in.Str("algorithm") {
	case "RSA":
		key, err = rsa.GenerateKey(rand.Reader, int(in.Int("rsaBits")))
	case "ECDSA":
		key, err = ecdsa.GenerateKey(curves[in.Str("ecdsaCurve")], rand.Reader)
	case "ED25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		err = fmt.Errorf("algorithm %q is not RSA, ECDSA or ED25519", in.Str("algorithm"))
	}
	if err != nil {
		return "", nil, err
	}
	return keyOutputs(key)
}

// keyOutputs: every encoding of a private key and its public key.
func keyOutputs(key crypto.Signer) (string, provider.Values, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", nil, err
	}
	var native *pem.Block
	switch k := key.(type) {
	case *rsa.PrivateKey:
		native = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case *ecdsa.PrivateKey:
		b, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return "", nil, err
		}
		native = &pem.Block{Type: "EC PRIVATE KEY", Bytes: b}
	default:
		native = &pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return "", nil, err
	}
	publicPem := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	out := provider.Values{
		"privateKeyPem":              string(pem.EncodeToMemory(native)),
		"privateKeyPemPkcs8":         string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"publicKeyPem":               publicPem,
		"privateKeyOpenssh":          "",
		"publicKeyOpenssh":           "",
		"publicKeyFingerprintMd5":    "",
		"publicKeyFingerprintSha256": "",
	}
	// OpenSSH has no P224: those outputs stay empty, as the real provider leaves them.
	if sshPub, err := ssh.NewPublicKey(key.Public()); err == nil {
		block, err := ssh.MarshalPrivateKey(key, "")
		if err != nil {
			return "", nil, err
		}
		out["privateKeyOpenssh"] = string(pem.EncodeToMemory(block))
		out["publicKeyOpenssh"] = string(ssh.MarshalAuthorizedKey(sshPub))
		out["publicKeyFingerprintMd5"] = ssh.FingerprintLegacyMD5(sshPub)
		out["publicKeyFingerprintSha256"] = ssh.FingerprintSHA256(sshPub)
	}
	return hashID(publicPem), out, nil
}

func hashID(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// parsePrivateKey reads a private key PEM (PKCS#1, SEC 1 or PKCS#8) and names its algorithm.
func parsePrivateKey(pemText, field string) (crypto.Signer, string, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, "", fmt.Errorf("%s: not a PEM block", field)
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, "", fmt.Errorf("%s: a PEM %q is not a private key (RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)", field, block.Type)
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", field, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, "RSA", nil
	case *ecdsa.PrivateKey:
		return k, "ECDSA", nil
	case ed25519.PrivateKey:
		return k, "ED25519", nil
	}
	return nil, "", fmt.Errorf("%s: unsupported key type %T", field, key)
}
