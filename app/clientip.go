package app

import (
	"fmt"
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// localClientIP is the c.Locals key under which withClientIP stores the client's address.
const localClientIP = "client_ip"

// parseTrustedProxies turns TRUSTED_PROXIES entries (addresses or CIDR ranges) into networks. A
// single address becomes a /32 or /128; an IPv4-mapped IPv6 address is taken as the IPv4 address,
// because that is how IPNet.Contains will see a peer written either way.
func parseTrustedProxies(list []string) ([]*net.IPNet, error) {
	nets := make([]*net.IPNet, 0, len(list))
	for _, entry := range list {
		entry = strings.TrimSpace(entry)
		if ip := net.ParseIP(entry); ip != nil {
			if v4 := ip.To4(); v4 != nil {
				nets = append(nets, &net.IPNet{IP: v4, Mask: net.CIDRMask(32, 32)})
			} else {
				nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(128, 128)})
			}
			continue
		}
		_, n, err := net.ParseCIDR(entry)
		if err != nil {
			return nil, fmt.Errorf("app: TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", entry)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// clientIP is the address of the client that made the request, in canonical form.
//
// It is the socket peer, unless the peer is a trusted proxy. Then X-Forwarded-For is read from the
// right: each trusted proxy appends the address that connected to it, so an entry is believable
// only while every hop to its right is trusted. The first untrusted entry is the client. Entries to
// its left were sent by the client itself and are never believed, whatever they say.
//
// When every entry is trusted (a request from inside the network), the leftmost is the client.
// An entry that is not an address ends the walk the same way: the trusted hop that wrote it could
// not name its client, so nothing further left can be believed, and the last believable address is
// used. Empty entries (",,") are skipped; no proxy writes one.
func clientIP(c *fiber.Ctx, trusted []*net.IPNet) string {
	peer := c.Context().RemoteIP()
	if !isTrusted(peer, trusted) {
		return canonical(peer)
	}
	client := peer
	// Several X-Forwarded-For lines form one list, in order (RFC 9110 §5.3). Reading only the first
	// line would believe a client-sent header when a proxy adds its own line instead of appending.
	values := c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)
	for i := len(values) - 1; i >= 0; i-- {
		entries := strings.Split(string(values[i]), ",")
		for j := len(entries) - 1; j >= 0; j-- {
			entry := strings.TrimSpace(entries[j])
			if entry == "" {
				continue
			}
			ip := parseForwarded(entry)
			if ip == nil {
				return canonical(client)
			}
			client = ip
			if !isTrusted(ip, trusted) {
				return canonical(client)
			}
		}
	}
	return canonical(client)
}

// parseForwarded reads one X-Forwarded-For entry. Some proxies (Azure Application Gateway, for
// one) append the client's port, as 192.0.2.1:5123 or [2001:db8::1]:5123.
func parseForwarded(entry string) net.IP {
	if ip := net.ParseIP(entry); ip != nil {
		return ip
	}
	if host, _, err := net.SplitHostPort(entry); err == nil {
		return net.ParseIP(host)
	}
	return net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(entry, "["), "]"))
}

func isTrusted(ip net.IP, trusted []*net.IPNet) bool {
	for _, n := range trusted {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// canonical writes ip one way only, so that rate-limit keys and logs agree: IPv4-mapped IPv6 as
// IPv4, IPv6 compressed and lower-case.
func canonical(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.String()
}

// withClientIP works out the client's address once per request (see clientIP) for the access log,
// sessions and rate limits to share.
func withClientIP(trusted []*net.IPNet) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(localClientIP, clientIP(c, trusted))
		return c.Next()
	}
}

// clientIPOf is the address withClientIP stored, or the socket peer on a route mounted without it.
func clientIPOf(c *fiber.Ctx) string {
	if ip, ok := c.Locals(localClientIP).(string); ok && ip != "" {
		return ip
	}
	return c.IP()
}
