package trading

import (
	"strings"
	"testing"
)

func TestParseTags(t *testing.T) {
	t.Parallel()
	got, err := ParseTags(" #Breakout,breakout  swing_2 ")
	if err != nil || strings.Join(got, ",") != "breakout,swing_2" {
		t.Errorf("ParseTags = %v, %v", got, err)
	}
	for _, bad := range []string{"a/b", strings.Repeat("x", 33), "a b c d e f g h i j k"} {
		if _, err := ParseTags(bad); err == nil {
			t.Errorf("ParseTags(%q) accepted", bad)
		}
	}
}
