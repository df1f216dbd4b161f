package sim

import "math"

// Every random number in the simulator is a pure function of a key such as (seed, symbol, day),
// never of shared generator state. That is what makes a price at a given minute the same
// whichever request, process or order of calls asks for it.

// Salts keep the streams drawn for different purposes independent of one another.
const (
	saltAnchor uint64 = iota + 1
	saltDay
	saltGap
	saltMinute
	saltQuote
	saltTick
	saltTrade
)

// mix is SplitMix64's finaliser: a cheap bijection whose output bits all depend on every input bit.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashKey folds its parts into one well-mixed key.
func hashKey(a, b, c, d uint64) uint64 {
	h := mix(a + 0x9e3779b97f4a7c15)
	h = mix(h ^ b)
	h = mix(h ^ c)
	return mix(h ^ d)
}

// hashString is FNV-1a, used once per symbol to give it a numeric identity.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// rng is SplitMix64: tiny, fast and fully specified here, so the simulated market does not change
// when the standard library's generators do.
type rng struct {
	state    uint64
	spare    float64
	hasSpare bool
}

func newRNG(seed uint64) rng { return rng{state: seed} }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix(r.state)
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return unit(r.next()) }

// norm is a standard normal draw (Marsaglia's polar method, which makes two at a time).
func (r *rng) norm() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	for {
		u := 2*r.float() - 1
		v := 2*r.float() - 1
		s := u*u + v*v
		if s > 0 && s < 1 {
			m := math.Sqrt(-2 * math.Log(s) / s)
			r.spare, r.hasSpare = v*m, true
			return u * m
		}
	}
}
