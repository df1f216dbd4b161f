package models

import (
	"strconv"
	"testing"
	"time"
)

func TestFillCursorIsForgiving(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "x", "12_notauuid", "-5_0190c8a4-0000-7000-8000-000000000000", "abc_0190c8a4-0000-7000-8000-000000000000"} {
		if c := ParseFillCursor(s); !c.IsZero() {
			t.Errorf("ParseFillCursor(%q) = %v, want the start", s, c)
		}
	}
	at := time.Date(2026, 3, 2, 15, 0, 0, 123456000, time.UTC)
	c := ParseFillCursor(strconv.FormatInt(at.UnixMicro(), 10) + "_0190c8a4-0000-7000-8000-000000000000")
	if !c.At.Equal(at) {
		t.Errorf("cursor time %s, want %s", c.At, at)
	}
	if back := ParseFillCursor(c.String()); back != c {
		t.Errorf("cursor %s reads back as %v", c, back)
	}
}
