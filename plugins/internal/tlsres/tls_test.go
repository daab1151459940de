package tlsres_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"

	"pulumivalkey.local/plugins/internal/providertest"
	"pulumivalkey.local/plugins/internal/tlsres"
)

const (
	keyToken  = "tls:index/privateKey:PrivateKey"
	selfToken = "tls:index/selfSignedCert:SelfSignedCert"
	csrToken  = "tls:index/certRequest:CertRequest"
	certToken = "tls:index/locallySignedCert:LocallySignedCert"
)

func block(t *testing.T, text, wantType string) []byte {
	t.Helper()
	b, rest := pem.Decode([]byte(text))
	if b == nil || b.Type != wantType || strings.TrimSpace(string(rest)) != "" {
		t.Fatalf("want one PEM %s, got %q", wantType, text)
	}
	return b.Bytes
}

func TestPrivateKeys(t *testing.T) {
	h := providertest.Start(t, tlsres.Package("5.5.1"))
	if v := h.Info(); v != "5.5.1" {
		t.Fatalf("plugin version %q", v)
	}
	for _, c := range []struct {
		in         map[string]any
		nativeType string
		sshType    string
	}{
		{map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"}, "EC PRIVATE KEY", "ecdsa-sha2-nistp256"},
		{map[string]any{"algorithm": "RSA", "rsaBits": 2048}, "RSA PRIVATE KEY", "ssh-rsa"},
		{map[string]any{"algorithm": "ED25519"}, "PRIVATE KEY", "ssh-ed25519"},
		{map[string]any{"algorithm": "ECDSA"}, "EC PRIVATE KEY", ""}, // default P224: no OpenSSH form
	} {
		_, out := h.Create(keyToken, c.in)
		for _, secret := range []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"} {
			if !providertest.IsSecret(out, secret) {
				t.Fatalf("%v: %s is not a secret", c.in, secret)
			}
		}
		if providertest.IsSecret(out, "publicKeyPem") {
			t.Fatalf("publicKeyPem must not be a secret")
		}
		native := block(t, providertest.Str(t, out, "privateKeyPem"), c.nativeType)
		pkcs8, err := x509.ParsePKCS8PrivateKey(block(t, providertest.Str(t, out, "privateKeyPemPkcs8"), "PRIVATE KEY"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := x509.ParsePKIXPublicKey(block(t, providertest.Str(t, out, "publicKeyPem"), "PUBLIC KEY"))
		if err != nil {
			t.Fatal(err)
		}
		switch k := pkcs8.(type) {
		case *ecdsa.PrivateKey:
			sec1, err := x509.ParseECPrivateKey(native)
			if err != nil || !sec1.Equal(k) || !k.PublicKey.Equal(pub) {
				t.Fatalf("ECDSA encodings disagree: %v", err)
			}
			want := elliptic.P224()
			if c.in["ecdsaCurve"] == "P256" {
				want = elliptic.P256()
			}
			if k.Curve != want {
				t.Fatalf("curve %s", k.Curve.Params().Name)
			}
		case *rsa.PrivateKey:
			p1, err := x509.ParsePKCS1PrivateKey(native)
			if err != nil || !p1.Equal(k) || k.N.BitLen() != 2048 || !k.PublicKey.Equal(pub) {
				t.Fatalf("RSA encodings disagree: %v", err)
			}
		case ed25519.PrivateKey:
			if !k.Public().(ed25519.PublicKey).Equal(pub) {
				t.Fatal("ED25519 public key disagrees")
			}
		}
		if c.sshType == "" {
			for _, k := range []string{"privateKeyOpenssh", "publicKeyOpenssh", "publicKeyFingerprintMd5", "publicKeyFingerprintSha256"} {
				if s := providertest.Str(t, out, k); s != "" {
					t.Fatalf("P224 %s = %q, want empty", k, s)
				}
			}
			continue
		}
		sshPub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(providertest.Str(t, out, "publicKeyOpenssh")))
		if err != nil || sshPub.Type() != c.sshType {
			t.Fatalf("publicKeyOpenssh: %v %v", err, sshPub)
		}
		signer, err := ssh.ParsePrivateKey([]byte(providertest.Str(t, out, "privateKeyOpenssh")))
		if err != nil || string(signer.PublicKey().Marshal()) != string(sshPub.Marshal()) {
			t.Fatalf("privateKeyOpenssh: %v", err)
		}
		if got := providertest.Str(t, out, "publicKeyFingerprintSha256"); got != ssh.FingerprintSHA256(sshPub) || !strings.HasPrefix(got, "SHA256:") {
			t.Fatalf("fingerprint %q", got)
		}
	}
}

// The chain pulumi-valkey builds (sdk/credentials/tls.ts), verified by openssl.
func TestChainVerifiesWithOpenSSL(t *testing.T) {
	h := providertest.Start(t, tlsres.Package("5.5.1"))
	_, caKey := h.Create(keyToken, map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"})
	caKeyPem := providertest.Str(t, caKey, "privateKeyPem")
	_, ca := h.Create(selfToken, map[string]any{
		"privateKeyPem":       resource.MakeSecret(resource.NewStringProperty(caKeyPem)),
		"isCaCertificate":     true,
		"subject":             map[string]any{"commonName": "cache CA", "organization": "pulumi-valkey"},
		"validityPeriodHours": 87600,
		"allowedUses":         []any{"cert_signing", "crl_signing", "digital_signature"},
	})
	if !providertest.IsSecret(ca, "privateKeyPem") {
		t.Fatal("SelfSignedCert privateKeyPem must stay a secret in its outputs")
	}
	if got := providertest.Str(t, ca, "keyAlgorithm"); got != "ECDSA" {
		t.Fatalf("keyAlgorithm %q", got)
	}
	caPem := providertest.Str(t, ca, "certPem")
	_, leafKey := h.Create(keyToken, map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"})
	_, csr := h.Create(csrToken, map[string]any{
		"privateKeyPem": providertest.Str(t, leafKey, "privateKeyPem"),
		"subject":       map[string]any{"commonName": "cache", "organization": "pulumi-valkey", "serialNumber": "rotation-7"},
		"dnsNames":      []any{"cache.prod.svc.cluster.local", "*.cache-headless.prod.svc.cluster.local"},
		"ipAddresses":   []any{"127.0.0.1", "::1"},
	})
	id, leaf := h.Create(certToken, map[string]any{
		"certRequestPem":      providertest.Str(t, csr, "certRequestPem"),
		"caPrivateKeyPem":     caKeyPem,
		"caCertPem":           caPem,
		"validityPeriodHours": 2160,
		"allowedUses":         []any{"digital_signature", "key_encipherment", "server_auth", "client_auth"},
	})
	if !providertest.IsSecret(leaf, "caPrivateKeyPem") {
		t.Fatal("caPrivateKeyPem must be a secret in the outputs")
	}
	leafPem := providertest.Str(t, leaf, "certPem")
	cert, err := x509.ParseCertificate(block(t, leafPem, "CERTIFICATE"))
	if err != nil {
		t.Fatal(err)
	}
	if cert.SerialNumber.String() != id {
		t.Fatalf("id %s is not the serial %s", id, cert.SerialNumber)
	}
	if cert.Subject.CommonName != "cache" || cert.Subject.SerialNumber != "rotation-7" || cert.Subject.Organization[0] != "pulumi-valkey" {
		t.Fatalf("subject %s", cert.Subject)
	}
	if cert.IsCA || cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment ||
		fmt.Sprint(cert.ExtKeyUsage) != fmt.Sprint([]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
		t.Fatalf("usages %v %v ca %v", cert.KeyUsage, cert.ExtKeyUsage, cert.IsCA)
	}
	start, end := providertest.Str(t, leaf, "validityStartTime"), providertest.Str(t, leaf, "validityEndTime")
	if start != "2026-12-03T09:00:00Z" || end != "2027-03-03T09:00:00Z" {
		t.Fatalf("validity %s .. %s", start, end)
	}
	if !cert.NotBefore.Equal(h.Clock) || !cert.NotAfter.Equal(h.Clock.Add(2160*time.Hour)) {
		t.Fatalf("certificate validity %s .. %s", cert.NotBefore, cert.NotAfter)
	}

	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile, leafFile := write("ca.pem", caPem), write("leaf.pem", leafPem)
	at := fmt.Sprint(h.Clock.Add(time.Hour).Unix()) // openssl checks validity against this instant
	for _, args := range [][]string{
		{"-verify_hostname", "cache.prod.svc.cluster.local"},
		{"-verify_hostname", "cache-0.cache-headless.prod.svc.cluster.local"},
		{"-verify_ip", "127.0.0.1"},
		{"-verify_ip", "::1"},
		{"-purpose", "sslserver"},
		{"-purpose", "sslclient"},
	} {
		cmd := exec.Command("openssl", append(append([]string{"verify", "-attime", at, "-CAfile", caFile}, args...), leafFile)...)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "OK") {
			t.Fatalf("openssl verify %v: %v\n%s", args, err, out)
		}
	}
	for _, args := range [][]string{{"-verify_hostname", "attacker.example"}, {"-verify_ip", "10.9.9.9"}} {
		cmd := exec.Command("openssl", append(append([]string{"verify", "-attime", at, "-CAfile", caFile}, args...), leafFile)...)
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("openssl verify %v accepted a name the certificate is not for:\n%s", args, out)
		}
	}
	// The CA itself: a CA with a subject key identifier, self-signed.
	caCert, err := x509.ParseCertificate(block(t, caPem, "CERTIFICATE"))
	if err != nil {
		t.Fatal(err)
	}
	if !caCert.IsCA || len(caCert.SubjectKeyId) != 20 || caCert.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature {
		t.Fatalf("CA: isCA %v ski %x usage %v", caCert.IsCA, caCert.SubjectKeyId, caCert.KeyUsage)
	}
	if string(cert.AuthorityKeyId) != string(caCert.SubjectKeyId) {
		t.Fatal("the leaf's authority key id is not the CA's subject key id")
	}
}

func TestRenewalReplacesOnlyInsideTheWindow(t *testing.T) {
	h := providertest.Start(t, tlsres.Package("5.5.1"))
	_, key := h.Create(keyToken, map[string]any{"algorithm": "ED25519"})
	in := map[string]any{
		"privateKeyPem":       providertest.Str(t, key, "privateKeyPem"),
		"subject":             map[string]any{"commonName": "renewal"},
		"validityPeriodHours": 10,
		"earlyRenewalHours":   2,
		"allowedUses":         []any{"server_auth"},
	}
	id, state := h.Create(selfToken, in)
	inputs, _ := h.Check(selfToken, in)
	created := h.Clock

	h.Clock = created.Add(8*time.Hour - time.Second)
	if d := h.Diff(selfToken, state, inputs, in); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("1 s before the renewal window: %v", d)
	}
	if got := h.Read(selfToken, id, state)[resource.PropertyKey("readyForRenewal")]; got.BoolValue() {
		t.Fatal("refresh before the window marked it ready")
	}
	h.Clock = created.Add(8 * time.Hour)
	d := h.Diff(selfToken, state, inputs, in)
	if d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(d.GetReplaces(), ",") != "readyForRenewal" {
		t.Fatalf("inside the renewal window the certificate must be replaced: %v", d)
	}
	if got := h.Read(selfToken, id, state)[resource.PropertyKey("readyForRenewal")]; !got.BoolValue() {
		t.Fatal("refresh inside the window must set readyForRenewal")
	}

	// earlyRenewalHours changes in place; any other input replaces.
	h.Clock = created
	more := map[string]any{}
	for k, v := range in {
		more[k] = v
	}
	more["earlyRenewalHours"] = 3
	d = h.Diff(selfToken, state, inputs, more)
	if len(d.GetReplaces()) != 0 || d.GetDetailedDiff()["earlyRenewalHours"].GetKind() != pulumirpc.PropertyDiff_UPDATE {
		t.Fatalf("earlyRenewalHours must update in place: %v", d)
	}
	more["earlyRenewalHours"] = 2
	more["dnsNames"] = []any{"renewal.example"}
	d = h.Diff(selfToken, state, inputs, more)
	if strings.Join(d.GetReplaces(), ",") != "dnsNames" || d.GetDetailedDiff()["dnsNames"].GetKind() != pulumirpc.PropertyDiff_ADD_REPLACE {
		t.Fatalf("adding dnsNames must replace: %v", d)
	}
}

func failures(fs []*pulumirpc.CheckFailure) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.GetProperty()+": "+f.GetReason())
	}
	return strings.Join(out, "\n")
}

func TestRefusedInputs(t *testing.T) {
	h := providertest.Start(t, tlsres.Package("5.5.1"))
	cases := []struct {
		token string
		in    map[string]any
		want  string
	}{
		{keyToken, map[string]any{"algorithm": "DSA"}, `algorithm: algorithm must be one of RSA, ECDSA, ED25519 (got "DSA")`},
		{keyToken, map[string]any{"algorithm": "RSA", "rsaBits": 512}, "rsaBits: rsaBits must be at least 1024 (got 512)"},
		{keyToken, map[string]any{"algorithm": "ECDSA", "curve": "P256"}, `curve: unknown property "curve": the accepted properties are algorithm, ecdsaCurve, rsaBits`},
		{csrToken, map[string]any{"privateKeyPem": "x", "subject": map[string]any{"cn": "a"}},
			`subject.cn: unknown property "subject.cn": the accepted properties are commonName, country, emailAddress, locality, organization, organizationalUnit, postalCode, province, serialNumber, streetAddresses`},
		{csrToken, map[string]any{"privateKeyPem": "x", "ipAddresses": []any{"10.0.0.300"}}, `ipAddresses[0]: ipAddresses[0] is not an IP address: "10.0.0.300"`},
		{csrToken, map[string]any{"privateKeyPem": "x", "uris": []any{"no-scheme"}}, `uris[0]: uris[0] is not a URI with a scheme: "no-scheme"`},
		{selfToken, map[string]any{"privateKeyPem": "x", "validityPeriodHours": 1, "allowedUses": []any{"server-auth"}},
			"allowedUses[0]: allowedUses[0] must be one of any_extended, cert_signing, client_auth, code_signing, content_commitment, crl_signing, data_encipherment, decipher_only, digital_signature, email_protection, encipher_only, ipsec_end_system, ipsec_tunnel, ipsec_user, key_agreement, key_encipherment, microsoft_commercial_code_signing, microsoft_kernel_code_signing, microsoft_server_gated_crypto, netscape_server_gated_crypto, ocsp_signing, server_auth, timestamping (got \"server-auth\")"},
		{certToken, map[string]any{"certRequestPem": "x", "caCertPem": "y", "validityPeriodHours": -1, "allowedUses": []any{}},
			"caPrivateKeyPem: missing required property \"caPrivateKeyPem\"\nvalidityPeriodHours: validityPeriodHours must be at least 0 (got -1)"},
	}
	for _, c := range cases {
		_, fails := h.Check(c.token, c.in)
		if got := failures(fails); got != c.want {
			t.Errorf("Check(%s %v):\n got %s\nwant %s", c.token, c.in, got, c.want)
		}
	}
}

func TestCAWithoutSubjectAndMismatchedCAKeyFail(t *testing.T) {
	h := providertest.Start(t, tlsres.Package("5.5.1"))
	_, key := h.Create(keyToken, map[string]any{"algorithm": "ED25519"})
	inputs, _ := h.Check(selfToken, map[string]any{
		"privateKeyPem": providertest.Str(t, key, "privateKeyPem"), "isCaCertificate": true, "validityPeriodHours": 1, "allowedUses": []any{"cert_signing"},
	})
	props := h.Props(inputs.Mappable())
	_, err := h.Client.Create(t.Context(), &pulumirpc.CreateRequest{Urn: providertest.URN(selfToken), Properties: props})
	if err == nil || !strings.Contains(err.Error(), "isCaCertificate: a certificate authority's subject must hold at least one distinguished name") {
		t.Fatalf("CA without subject: %v", err)
	}

	_, caKey := h.Create(keyToken, map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"})
	_, ca := h.Create(selfToken, map[string]any{"privateKeyPem": providertest.Str(t, caKey, "privateKeyPem"), "isCaCertificate": true,
		"subject": map[string]any{"commonName": "ca"}, "validityPeriodHours": 10, "allowedUses": []any{"cert_signing"}})
	_, csr := h.Create(csrToken, map[string]any{"privateKeyPem": providertest.Str(t, key, "privateKeyPem"), "subject": map[string]any{"commonName": "leaf"}})
	inputs, _ = h.Check(certToken, map[string]any{"certRequestPem": providertest.Str(t, csr, "certRequestPem"), "caCertPem": providertest.Str(t, ca, "certPem"),
		"caPrivateKeyPem": providertest.Str(t, key, "privateKeyPem"), "validityPeriodHours": 1, "allowedUses": []any{"server_auth"}})
	_, err = h.Client.Create(t.Context(), &pulumirpc.CreateRequest{Urn: providertest.URN(certToken), Properties: h.Props(inputs.Mappable())})
	if err == nil || !strings.Contains(err.Error(), "caPrivateKeyPem is not the key of caCertPem") {
		t.Fatalf("a CA key that is not the CA certificate's: %v", err)
	}
}
