package main

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// loopbackAddr checks that addr is host:port on loopback and returns it
// with the host as an IP literal ("localhost" becomes 127.0.0.1), so that
// neither the server nor the attackers ever resolve a name.
//
// Errors: addr is not host:port; the port is not 1-65535; the host is
// empty (every interface), a name other than localhost, or an address
// outside 127.0.0.0/8 and ::1 (IPv4-mapped forms included).
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: must be host:port on loopback, e.g. 127.0.0.1:18080", addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("-addr %q: port must be 1-65535", addr)
	}
	switch host {
	case "":
		return "", fmt.Errorf("-addr %q: an empty host listens on every interface; use 127.0.0.1", addr)
	case "localhost":
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return "", fmt.Errorf("-addr %q: host must be a loopback IP address or localhost", addr)
	}
	if !ip.Unmap().IsLoopback() {
		return "", fmt.Errorf("-addr %q: %s is not a loopback address; this tool only attacks loopback", addr, ip)
	}
	return net.JoinHostPort(ip.Unmap().String(), port), nil
}

// spreadable reports whether attackers can speak from other loopback
// addresses to reach addr: only IPv4, where all of 127.0.0.0/8 is local.
func spreadable(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Is4()
}
