package market

import "testing"

func TestTapeOf(t *testing.T) {
	t.Parallel()
	for exchange, want := range map[string]string{
		"NYSE": "A", "ARCA": "B", "AMEX": "B", "BATS": "B", "NASDAQ": "C", "OTC": "", "CRYPTO": "", "": "",
	} {
		if got := TapeOf(exchange); got != want {
			t.Errorf("TapeOf(%q) = %q, want %q", exchange, got, want)
		}
	}
}
