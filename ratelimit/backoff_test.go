package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	l, clk, _ := setup(t)
	ctx := context.Background()
	b := Backoff{Free: 2, Base: time.Second, Max: 10 * time.Second, Forget: time.Hour}
	var waits []time.Duration
	for range 7 {
		w, err := l.Fail(ctx, "k", b)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if n, w, err := l.Wait(ctx, "k", b); err != nil || n != 7 || w != 10*time.Second {
		t.Fatalf("Wait = %d, %s, %v", n, w, err)
	}
	clk.advance(10 * time.Second)
	if n, w, _ := l.Wait(ctx, "k", b); n != 7 || w != 0 {
		t.Fatalf("after the wait: %d, %s", n, w)
	}
	clk.advance(time.Hour)
	if n, _, _ := l.Wait(ctx, "k", b); n != 0 {
		t.Fatalf("failures not forgotten: %d", n)
	}
	if w, _ := l.Fail(ctx, "k", b); w != 0 {
		t.Fatalf("a forgotten key starts again: %s", w)
	}
}
