package pki

import (
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// serverTemplateFor is [serverTemplate] made valid also for hosts, each a
// DNS name or an IP address: the names other machines reach the server by.
// It returns an error for a host that is neither.
func serverTemplateFor(notBefore, notAfter time.Time, hosts []string) (*x509.Certificate, error) {
	template := serverTemplate(notBefore, notAfter)
	for _, host := range hosts {
		if ip := net.ParseIP(host); ip != nil {
			if !slices.ContainsFunc(template.IPAddresses, ip.Equal) {
				template.IPAddresses = append(template.IPAddresses, ip)
			}
			continue
		}
		if !validDNSName(host) {
			return nil, fmt.Errorf("server host %q is neither an IP address nor a DNS name", host)
		}
		if !slices.Contains(template.DNSNames, host) {
			template.DNSNames = append(template.DNSNames, host)
		}
	}
	return template, nil
}

// validDNSName reports whether name is a DNS name a certificate may carry:
// dot-separated labels of letters, digits and hyphens, or a wildcard
// "*." in front of them. It leaves finer rules to the TLS libraries.
func validDNSName(name string) bool {
	name = strings.TrimPrefix(name, "*.")
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
