package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"
)

// histogram counts latencies in fixed 100 µs buckets up to histMax, with one overflow bucket. It is
// shared by every client goroutine, so counts are atomic; fixed buckets keep it at ~1.6 MB whatever
// the number of samples, where keeping every sample of a 30 s run would take hundreds of megabytes.
type histogram struct {
	buckets [histBuckets + 1]atomic.Uint64
	max     atomic.Int64 // nanoseconds
}

const (
	histResolution = 100 * time.Microsecond
	histMax        = 20 * time.Second
	histBuckets    = int(histMax / histResolution)
)

// add records one latency; negatives (a quote stamped after it was received cannot happen on one
// clock, but be safe) count as zero.
func (h *histogram) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := int(d / histResolution)
	if i > histBuckets {
		i = histBuckets
	}
	h.buckets[i].Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// count is the number of samples recorded.
func (h *histogram) count() uint64 {
	var n uint64
	for i := range h.buckets {
		n += h.buckets[i].Load()
	}
	return n
}

// quantile is the latency at or below which q (0..1) of the samples fall, to the upper edge of its
// bucket (so it never flatters), capped at the largest sample seen. Zero when empty.
func (h *histogram) quantile(q float64) time.Duration {
	counts := make([]uint64, len(h.buckets))
	for i := range h.buckets {
		counts[i] = h.buckets[i].Load()
	}
	return quantileOf(counts, q, time.Duration(h.max.Load()))
}

// quantileOf is quantile over a snapshot of bucket counts: the smallest bucket whose cumulative count
// reaches ceil(q*total), reported at its upper edge and capped at maxSeen.
func quantileOf(counts []uint64, q float64, maxSeen time.Duration) time.Duration {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q * float64(total))
	if float64(rank) < q*float64(total) {
		rank++ // ceil
	}
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			edge := time.Duration(i+1) * histResolution
			if edge > maxSeen || i == len(counts)-1 { // the overflow bucket has no upper edge
				edge = maxSeen
			}
			return edge
		}
	}
	return maxSeen
}

// checkLoopback refuses any server URL whose host is not a loopback address: the tool opens
// thousands of connections and must never be pointed at someone else's machine.
func checkLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("wsload: -url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "ws" {
		return nil, fmt.Errorf("wsload: -url %q: scheme must be http or ws (loopback only, no TLS)", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("wsload: -url %q: host must be 127.0.0.1, localhost or ::1 (this tool is loopback only)", raw)
	}
	return u, nil
}

// sourceAddr is the local address the i-th client dials from. The server allows a guest only a few
// connections per IP (20), so clients are spread over 127.0.0.0/8, all of which is loopback on
// Linux: perIP clients per address, starting at 127.1.0.1 so the server's own 127.0.0.1 stays free.
func sourceAddr(i, perIP int) net.IP {
	n := i / perIP
	return net.IPv4(127, byte(1+n/(250*250)), byte(n/250%250), byte(1+n%250))
}

// message is the part of a /ws/market server message the tool reads.
type message struct {
	Type   string `json:"type"`
	Symbol string `json:"symbol"`
	Time   string `json:"time"`
}

// errNotJSON means a frame was neither a JSON object nor an array of objects.
var errNotJSON = errors.New("wsload: frame is not a JSON object or array")

// parseFrame calls fn for each message of a frame (one object, or an array of them). It scans the
// compact JSON the server writes by hand, because at 5,000 clients the load generator decodes
// hundreds of thousands of messages a second on the same two cores as the server, and reflection-
// based decoding would cost it most of one. Anything unexpected falls back to encoding/json.
func parseFrame(frame []byte, fn func(message)) error {
	frame = bytes.TrimSpace(frame)
	if len(frame) == 0 || (frame[0] != '{' && frame[0] != '[') {
		return errNotJSON
	}
	var objs [][]byte
	if !splitObjects(frame, &objs) {
		return parseFrameSlow(frame, fn)
	}
	for _, o := range objs {
		m := message{Type: stringField(o, "type"), Symbol: stringField(o, "symbol"), Time: stringField(o, "time")}
		if m.Type == "" {
			return parseFrameSlow(frame, fn)
		}
		fn(m)
	}
	return nil
}

func parseFrameSlow(frame []byte, fn func(message)) error {
	if frame[0] == '{' {
		var m message
		if err := json.Unmarshal(frame, &m); err != nil {
			return fmt.Errorf("wsload: frame: %w", err)
		}
		fn(m)
		return nil
	}
	var ms []message
	if err := json.Unmarshal(frame, &ms); err != nil {
		return fmt.Errorf("wsload: frame: %w", err)
	}
	for _, m := range ms {
		fn(m)
	}
	return nil
}

// splitObjects cuts a frame into its top-level objects, honouring strings and escapes. It reports
// false on anything it does not expect (nested arrays at the top, unbalanced braces).
func splitObjects(frame []byte, out *[][]byte) bool {
	depth, start, inStr, esc := 0, -1, false, false
	for i, b := range frame {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case b == '\\':
				esc = true
			case b == '"':
				inStr = false
			}
		case b == '"':
			inStr = true
		case b == '{':
			if depth == 0 {
				start = i
			}
			depth++
		case b == '}':
			depth--
			if depth < 0 {
				return false
			}
			if depth == 0 {
				*out = append(*out, frame[start:i+1])
			}
		}
	}
	return depth == 0 && !inStr && len(*out) > 0
}

// stringField is the value of the first `"key":"value"` in obj, for values without escapes (the
// fields read here are types, symbols and times). Empty when absent.
func stringField(obj []byte, key string) string {
	var pat [24]byte
	p := append(pat[:0], '"')
	p = append(p, key...)
	p = append(p, '"', ':')
	i := bytes.Index(obj, p)
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(obj[i+len(p):], " ")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 {
		return ""
	}
	return string(rest[1 : 1+end])
}
