package crawler

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// newTransport returns an HTTP transport whose dialer refuses loopback,
// private, link-local and other non-public addresses unless allowPrivate.
// The check runs on the address actually dialled, after DNS resolution, so
// a hostname that resolves to an internal address is refused too; and the
// transport ignores proxy environment variables, which would route around it.
func newTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refuseNonPublic
	}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
}

func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: not an IP address", address)
	}
	if !isPublic(ap.Addr()) {
		return fmt.Errorf("refusing to dial %s: not a public address (set allow_private_addresses in the site config only for a local test site)", address)
	}
	return nil
}

func isPublic(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() &&
		!cgnat.Contains(a) && !a.IsUnspecified()
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")
