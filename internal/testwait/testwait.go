// Package testwait lets a test wait for a condition that another goroutine, connection or process
// makes true. It polls the condition itself, so the test waits on the outcome, never on an amount
// of time; the deadline only turns a hang into a failure that says what never happened.
package testwait

import (
	"testing"
	"time"
)

// pollEvery is how often Until looks at the condition: short enough that a test does not linger
// after it holds, long enough not to starve the goroutine it waits for on a busy machine.
const pollEvery = 2 * time.Millisecond

// Until returns once cond reports true, or fails the test after timeout, naming what it waited
// for (and the last state, when state is given).
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s: it never happened", timeout, what)
		}
		// Not synchronisation by time: the loop ends on the condition; this only yields the CPU
		// between looks.
		time.Sleep(pollEvery)
	}
}
