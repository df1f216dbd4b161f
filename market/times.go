package market

import "time"

// Earliest returns the earlier of a and b (a when they are the same instant). The candle,
// bucketing and market-data packages clamp time ranges with it and Latest.
func Earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Latest returns the later of a and b (a when they are the same instant).
func Latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
