package live

import "time"

// msgAllowance is a connection's allowance of client messages: a token bucket of burst messages
// refilled at perSecond. Each message may cost a symbol look-up and a reply; a client sending
// hundreds a second (300 in 6 s were seen from one connection) would otherwise get all that work
// done for free. It is used by the reading goroutine only, so it needs no lock.
type msgAllowance struct {
	perSecond, burst float64
	tokens           float64
	last             time.Time
}

func newMsgAllowance(perSecond, burst int) *msgAllowance {
	return &msgAllowance{perSecond: float64(perSecond), burst: float64(burst), tokens: float64(burst)}
}

// allow reports whether a message arriving at now is within the allowance, and counts it if so.
func (a *msgAllowance) allow(now time.Time) bool {
	if !a.last.IsZero() {
		a.tokens = min(a.burst, a.tokens+now.Sub(a.last).Seconds()*a.perSecond)
	}
	a.last = now
	if a.tokens < 1 {
		return false
	}
	a.tokens--
	return true
}
