package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	tests := []struct {
		name   string
		header string
		lines  []string
		remote string
		want   string
	}{
		{"peer", "", nil, "192.0.2.7:4431", "192.0.2.7"},
		{"peer IPv6 by /64", "", nil, "[2001:db8:1:2:aaaa::1]:4431", "2001:db8:1:2::/64"},
		{"peer IPv6, another address of the same /64", "", nil, "[2001:db8:1:2:bbbb::9]:4431", "2001:db8:1:2::/64"},
		{"XFF last entry", "X-Forwarded-For", []string{"198.51.100.7, 203.0.113.9"}, "10.0.0.1:1", "203.0.113.9"},
		{"XFF last entry of the last line", "X-Forwarded-For", []string{"203.0.113.9", "198.51.100.7, 192.0.2.44"}, "10.0.0.1:1", "192.0.2.44"},
		{"XFF forged first line", "X-Forwarded-For", []string{"1.2.3.4", "192.0.2.44"}, "10.0.0.1:1", "192.0.2.44"},
		{"XFF IPv6 by /64", "X-Forwarded-For", []string{"2001:db8:aa:bb:1::2"}, "10.0.0.1:1", "2001:db8:aa:bb::/64"},
		{"XFF IPv4-mapped", "X-Forwarded-For", []string{"::ffff:192.0.2.5"}, "10.0.0.1:1", "192.0.2.5"},
		{"XFF garbage falls back to the peer", "X-Forwarded-For", []string{"not an ip"}, "10.0.0.1:1", "10.0.0.1"},
		{"X-Real-IP", "X-Real-IP", []string{"192.0.2.8"}, "10.0.0.1:1", "192.0.2.8"},
	}
	for _, tt := range tests {
		m := newMissLimiter(1, 1, tt.header)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		for _, l := range tt.lines {
			r.Header.Add(tt.header, l)
		}
		if got := m.clientIP(r); got != tt.want {
			t.Errorf("%s: clientIP = %q, want %q", tt.name, got, tt.want)
		}
	}
}
