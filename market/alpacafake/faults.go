package alpacafake

import (
	"time"

	"alpacawrapper/market/alpacawire"
)

// DropConnections closes every stream socket abruptly, with no close frame, as a network failure
// would. The connections are forgotten at once, so a client reconnecting right away is not
// refused for the connection limit.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.takeConnsLocked(func(*conn) bool { return true })
	s.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
}

// Silence stops data frames for d: what is published meanwhile is lost, while connections stay
// open and control messages still flow, like a feed that goes quiet without disconnecting.
func (s *Server) Silence(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silentUntil = time.Now().Add(d)
}

// RejectAuth answers the next times stream auth attempts with the error code (406, 402 …) and
// Alpaca's text for it, whatever the credentials. The connection stays open, so a client that
// retries auth on the same socket (the SDK does after 406) can succeed afterwards.
func (s *Server) RejectAuth(code int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectCode, s.rejectTimes = code, times
}

// SendMalformed sends every authenticated connection one frame that does not decode in its format.
func (s *Server) SendMalformed() {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		if c.isAuthenticated() {
			c.sendRaw(alpacawire.Malformed(c.format))
		}
	}
}

// SetLatency makes every REST answer wait d (0 to stop).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}
