package tlsres

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"sort"
	"time"

	"pulumivalkey.local/plugins/internal/provider"
)

var keyUsages = map[string]x509.KeyUsage{
	"digital_signature":  x509.KeyUsageDigitalSignature,
	"content_commitment": x509.KeyUsageContentCommitment,
	"key_encipherment":   x509.KeyUsageKeyEncipherment,
	"data_encipherment":  x509.KeyUsageDataEncipherment,
	"key_agreement":      x509.KeyUsageKeyAgreement,
	"cert_signing":       x509.KeyUsageCertSign,
	"crl_signing":        x509.KeyUsageCRLSign,
	"encipher_only":      x509.KeyUsageEncipherOnly,
	"decipher_only":      x509.KeyUsageDecipherOnly,
}

var extKeyUsages = map[string]x509.ExtKeyUsage{
	"any_extended":                      x509.ExtKeyUsageAny,
	"server_auth":                       x509.ExtKeyUsageServerAuth,
	"client_auth":                       x509.ExtKeyUsageClientAuth,
	"code_signing":                      x509.ExtKeyUsageCodeSigning,
	"email_protection":                  x509.ExtKeyUsageEmailProtection,
	"ipsec_end_system":                  x509.ExtKeyUsageIPSECEndSystem,
	"ipsec_tunnel":                      x509.ExtKeyUsageIPSECTunnel,
	"ipsec_user":                        x509.ExtKeyUsageIPSECUser,
	"timestamping":                      x509.ExtKeyUsageTimeStamping,
	"ocsp_signing":                      x509.ExtKeyUsageOCSPSigning,
	"microsoft_server_gated_crypto":     x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"netscape_server_gated_crypto":      x509.ExtKeyUsageNetscapeServerGatedCrypto,
	"microsoft_commercial_code_signing": x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
	"microsoft_kernel_code_signing":     x509.ExtKeyUsageMicrosoftKernelCodeSigning,
}

func usageNames() []string {
	var names []string
	for k := range keyUsages {
		names = append(names, k)
	}
	for k := range extKeyUsages {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

func subjectProp() provider.Prop {
	s := func(name, doc string) provider.Prop {
		return provider.Prop{Name: name, Kind: provider.String, Input: true, Doc: doc}
	}
	return input(provider.Prop{Name: "subject", Kind: provider.Object, Doc: "The certificate's subject.", Fields: []provider.Prop{
		s("commonName", "Distinguished name: CN"),
		s("country", "Distinguished name: C"),
		s("emailAddress", "ASN.1 object identifier 1.2.840.113549.1.9.1 (emailAddress)"),
		s("locality", "Distinguished name: L"),
		s("organization", "Distinguished name: O"),
		s("organizationalUnit", "Distinguished name: OU"),
		s("postalCode", "Distinguished name: PC"),
		s("province", "Distinguished name: ST"),
		s("serialNumber", "Distinguished name: SERIALNUMBER"),
		{Name: "streetAddresses", Kind: provider.StringList, Input: true, Doc: "Distinguished name: STREET"},
	}})
}

// The subject alternative names, shared by SelfSignedCert and CertRequest.
func sanProps() []provider.Prop {
	return []provider.Prop{
		input(provider.Prop{Name: "dnsNames", Kind: provider.StringList, Doc: "DNS names the certificate is for."}),
		input(provider.Prop{Name: "ipAddresses", Kind: provider.StringList, Doc: "IP addresses the certificate is for."}),
		input(provider.Prop{Name: "uris", Kind: provider.StringList, Doc: "URIs the certificate is for."}),
	}
}

// The signing options, shared by SelfSignedCert and LocallySignedCert.
func certProps() []provider.Prop {
	return []provider.Prop{
		input(provider.Prop{Name: "validityPeriodHours", Kind: provider.Int, Required: true, Min: provider.AtLeast(0), Doc: "Hours the certificate is valid for, from its creation."}),
		input(provider.Prop{Name: "allowedUses", Kind: provider.StringList, Required: true, OneOf: usageNames(), Doc: "Key usages and extended key usages of the certificate."}),
		input(provider.Prop{Name: "earlyRenewalHours", Kind: provider.Int, Default: int64(0), Min: provider.AtLeast(0), InPlace: true,
			Doc: "Hours before its end that the certificate is ready for renewal: an update after that replaces it."}),
		input(provider.Prop{Name: "isCaCertificate", Kind: provider.Bool, Default: false, Doc: "Whether the certificate is a certificate authority."}),
		input(provider.Prop{Name: "setSubjectKeyId", Kind: provider.Bool, Default: false, Doc: "Include a subject key identifier."}),
		input(provider.Prop{Name: "maxPathLength", Kind: provider.Int, Default: int64(-1), Min: provider.AtLeast(-1),
			Doc: "For a CA: how many intermediate certificates may follow it (-1: no limit)."}),
		{Name: "certPem", Kind: provider.String, Doc: "The certificate in PEM."},
		{Name: "validityStartTime", Kind: provider.String, Doc: "The start of the validity period (RFC 3339)."},
		{Name: "validityEndTime", Kind: provider.String, Doc: "The end of the validity period (RFC 3339)."},
		{Name: "readyForRenewal", Kind: provider.Bool, Doc: "Whether the certificate is past validityEndTime - earlyRenewalHours: the next update replaces it."},
	}
}

func validateSANs(in provider.Values) []provider.Failure {
	var fails []provider.Failure
	for i, ip := range in.Strings("ipAddresses") {
		if net.ParseIP(ip) == nil {
			fails = append(fails, provider.Failure{Property: fmt.Sprintf("ipAddresses[%d]", i), Reason: fmt.Sprintf("ipAddresses[%d] is not an IP address: %q", i, ip)})
		}
	}
	for i, u := range in.Strings("uris") {
		if parsed, err := url.Parse(u); err != nil || parsed.Scheme == "" {
			fails = append(fails, provider.Failure{Property: fmt.Sprintf("uris[%d]", i), Reason: fmt.Sprintf("uris[%d] is not a URI with a scheme: %q", i, u)})
		}
	}
	return fails
}

func subjectName(s provider.Values) pkix.Name {
	var n pkix.Name
	one := func(f string) []string {
		if v := s.Str(f); v != "" {
			return []string{v}
		}
		return nil
	}
	n.CommonName = s.Str("commonName")
	n.Country = one("country")
	n.Locality = one("locality")
	n.Organization = one("organization")
	n.OrganizationalUnit = one("organizationalUnit")
	n.PostalCode = one("postalCode")
	n.Province = one("province")
	n.SerialNumber = s.Str("serialNumber")
	n.StreetAddress = s.Strings("streetAddresses")
	if e := s.Str("emailAddress"); e != "" {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: oidEmailAddress, Value: e})
	}
	return n
}

func sans(in provider.Values) ([]string, []net.IP, []*url.URL) {
	var ips []net.IP
	for _, s := range in.Strings("ipAddresses") {
		ips = append(ips, net.ParseIP(s))
	}
	var uris []*url.URL
	for _, s := range in.Strings("uris") {
		if u, err := url.Parse(s); err == nil {
			uris = append(uris, u)
		}
	}
	return in.Strings("dnsNames"), ips, uris
}

// subjectKeyID: SHA-1 of the subject public key bits (RFC 5280 4.2.1.2, method 1).
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, err
	}
	sum := sha1.Sum(info.PublicKey.Bytes)
	return sum[:], nil
}

// sign fills the validity, serial, usages and CA options of template from in and signs it.
func sign(in provider.Values, now time.Time, template, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (string, provider.Values, error) {
	start := now.Truncate(time.Second)
	template.NotBefore = start
	template.NotAfter = start.Add(time.Duration(in.Int("validityPeriodHours")) * time.Hour)
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return "", nil, err
	}
	template.SerialNumber = serial
	template.BasicConstraintsValid = true
	for _, u := range in.Strings("allowedUses") {
		if k, ok := keyUsages[u]; ok {
			template.KeyUsage |= k
		}
		if k, ok := extKeyUsages[u]; ok {
			template.ExtKeyUsage = append(template.ExtKeyUsage, k)
		}
	}
	if in.Bool("isCaCertificate") {
		if template.Subject.String() == "" {
			return "", nil, fmt.Errorf("isCaCertificate: a certificate authority's subject must hold at least one distinguished name (RFC 5280 4.1.2.6)")
		}
		template.IsCA = true
		if n := in.Int("maxPathLength"); n >= 0 {
			template.MaxPathLen = int(n)
			template.MaxPathLenZero = n == 0
		}
	}
	if in.Bool("isCaCertificate") || in.Bool("setSubjectKeyId") {
		if template.SubjectKeyId, err = subjectKeyID(pub); err != nil {
			return "", nil, err
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, signer)
	if err != nil {
		return "", nil, fmt.Errorf("signing the certificate: %w", err)
	}
	return serial.String(), provider.Values{
		"certPem":           string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		"validityStartTime": template.NotBefore.UTC().Format(time.RFC3339),
		"validityEndTime":   template.NotAfter.UTC().Format(time.RFC3339),
		"readyForRenewal":   false,
	}, nil
}

// dueForRenewal: now is at or past validityEndTime - earlyRenewalHours.
func dueForRenewal(state provider.Values, now time.Time) bool {
	end, err := time.Parse(time.RFC3339, state.Str("validityEndTime"))
	if err != nil {
		return false
	}
	return !now.Before(end.Add(-time.Duration(state.Int("earlyRenewalHours")) * time.Hour))
}

func renewal(r *provider.Resource) *provider.Resource {
	r.Refresh = func(state provider.Values, now time.Time) provider.Values {
		return provider.Values{"readyForRenewal": dueForRenewal(state, now)}
	}
	r.ForceReplace = func(state provider.Values, now time.Time) []string {
		if state.Has("validityEndTime") && dueForRenewal(state, now) {
			return []string{"readyForRenewal"}
		}
		return nil
	}
	return r
}

// SelfSignedCert is tls:index/selfSignedCert:SelfSignedCert.
func SelfSignedCert() *provider.Resource {
	props := []provider.Prop{
		input(provider.Prop{Name: "privateKeyPem", Kind: provider.String, Required: true, Secret: true, Doc: "The private key (PEM) the certificate is for and signed with."}),
		subjectProp(),
		input(provider.Prop{Name: "setAuthorityKeyId", Kind: provider.Bool, Default: false, Doc: "Include an authority key identifier (the subject key identifier, for a self-signed certificate)."}),
		{Name: "keyAlgorithm", Kind: provider.String, Doc: "The algorithm of privateKeyPem."},
	}
	props = append(append(props, sanProps()...), certProps()...)
	return renewal(&provider.Resource{
		Token:    "tls:index/selfSignedCert:SelfSignedCert",
		Doc:      "A self-signed certificate.",
		Props:    props,
		Validate: validateSANs,
		Create: func(in provider.Values, now time.Time) (string, provider.Values, error) {
			key, alg, err := parsePrivateKey(in.Str("privateKeyPem"), "privateKeyPem")
			if err != nil {
				return "", nil, err
			}
			t := &x509.Certificate{Subject: subjectName(in.Object("subject"))}
			t.DNSNames, t.IPAddresses, t.URIs = sans(in)
			if in.Bool("setAuthorityKeyId") {
				if t.AuthorityKeyId, err = subjectKeyID(key.Public()); err != nil {
					return "", nil, err
				}
			}
			id, out, err := sign(in, now, t, t, key.Public(), key)
			if err != nil {
				return "", nil, err
			}
			out["keyAlgorithm"] = alg
			return id, out, nil
		},
	})
}

// CertRequest is tls:index/certRequest:CertRequest.
func CertRequest() *provider.Resource {
	props := []provider.Prop{
		input(provider.Prop{Name: "privateKeyPem", Kind: provider.String, Required: true, Secret: true, Doc: "The private key (PEM) the request is for and signed with."}),
		subjectProp(),
		{Name: "certRequestPem", Kind: provider.String, Doc: "The certificate signing request in PEM."},
		{Name: "keyAlgorithm", Kind: provider.String, Doc: "The algorithm of privateKeyPem."},
	}
	return &provider.Resource{
		Token:    "tls:index/certRequest:CertRequest",
		Doc:      "A certificate signing request.",
		Props:    append(props, sanProps()...),
		Validate: validateSANs,
		Create: func(in provider.Values, _ time.Time) (string, provider.Values, error) {
			key, alg, err := parsePrivateKey(in.Str("privateKeyPem"), "privateKeyPem")
			if err != nil {
				return "", nil, err
			}
			t := &x509.CertificateRequest{Subject: subjectName(in.Object("subject"))}
			t.DNSNames, t.IPAddresses, t.URIs = sans(in)
			der, err := x509.CreateCertificateRequest(rand.Reader, t, key)
			if err != nil {
				return "", nil, fmt.Errorf("creating the request: %w", err)
			}
			csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
			return hashID(csr), provider.Values{"certRequestPem": csr, "keyAlgorithm": alg}, nil
		},
	}
}

// LocallySignedCert is tls:index/locallySignedCert:LocallySignedCert.
func LocallySignedCert() *provider.Resource {
	props := []provider.Prop{
		input(provider.Prop{Name: "certRequestPem", Kind: provider.String, Required: true, Doc: "The certificate signing request (PEM)."}),
		input(provider.Prop{Name: "caPrivateKeyPem", Kind: provider.String, Required: true, Secret: true, Doc: "The CA's private key (PEM)."}),
		input(provider.Prop{Name: "caCertPem", Kind: provider.String, Required: true, Doc: "The CA's certificate (PEM)."}),
		{Name: "caKeyAlgorithm", Kind: provider.String, Doc: "The algorithm of caPrivateKeyPem."},
	}
	return renewal(&provider.Resource{
		Token: "tls:index/locallySignedCert:LocallySignedCert",
		Doc:   "A certificate issued for a signing request by a CA whose key is given.",
		Props: append(props, certProps()...),
		Create: func(in provider.Values, now time.Time) (string, provider.Values, error) {
			block, _ := pem.Decode([]byte(in.Str("certRequestPem")))
			if block == nil || block.Type != "CERTIFICATE REQUEST" {
				return "", nil, fmt.Errorf("certRequestPem: not a PEM CERTIFICATE REQUEST")
			}
			csr, err := x509.ParseCertificateRequest(block.Bytes)
			if err != nil {
				return "", nil, fmt.Errorf("certRequestPem: %w", err)
			}
			if err := csr.CheckSignature(); err != nil {
				return "", nil, fmt.Errorf("certRequestPem: its signature does not verify: %w", err)
			}
			caKey, alg, err := parsePrivateKey(in.Str("caPrivateKeyPem"), "caPrivateKeyPem")
			if err != nil {
				return "", nil, err
			}
			block, _ = pem.Decode([]byte(in.Str("caCertPem")))
			if block == nil || block.Type != "CERTIFICATE" {
				return "", nil, fmt.Errorf("caCertPem: not a PEM CERTIFICATE")
			}
			ca, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return "", nil, fmt.Errorf("caCertPem: %w", err)
			}
			caPub, _ := x509.MarshalPKIXPublicKey(ca.PublicKey)
			keyPub, _ := x509.MarshalPKIXPublicKey(caKey.Public())
			if !bytes.Equal(caPub, keyPub) {
				return "", nil, fmt.Errorf("caPrivateKeyPem is not the key of caCertPem")
			}
			t := &x509.Certificate{Subject: csr.Subject, DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses, URIs: csr.URIs, AuthorityKeyId: ca.SubjectKeyId}
			id, out, err := sign(in, now, t, ca, csr.PublicKey, caKey)
			if err != nil {
				return "", nil, err
			}
			out["caKeyAlgorithm"] = alg
			return id, out, nil
		},
	})
}
