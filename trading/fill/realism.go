package fill

import "time"

// LimitRule is how a resting limit order fills when the quote reaches its price.
type LimitRule string

// The limit rules.
const (
	// LimitOnTouch fills a resting limit as soon as the quote reaches it (a buy when ask <=
	// limit). It is Alpaca paper's behaviour and the default (also the zero value's).
	LimitOnTouch LimitRule = "touch"
	// LimitThrough fills a resting limit only when the quote goes strictly beyond it (a buy
	// when ask < limit), as LEAN does: a touch is taken to mean the queue ahead of the order
	// absorbed the liquidity.
	LimitThrough LimitRule = "through"
)

// DefaultMaxQuoteAge is the quote age beyond which nothing fills when Realism.MaxQuoteAge is
// zero. A minute is long for a liquid stock, but a quote's time is when the NBBO last changed,
// and a quiet symbol's NBBO can stand still that long while still being current.
const DefaultMaxQuoteAge = time.Minute

// Realism is the account's (or competition's) realism dial. The zero value behaves like Alpaca
// paper (without its random partial fills): limits fill on touch, displayed size is ignored,
// quotes older than DefaultMaxQuoteAge are stale.
type Realism struct {
	// Limits decides touch versus through for resting limits. Empty means LimitOnTouch.
	Limits LimitRule
	// PartialByDisplayedSize caps each fill at the displayed size on the side the order
	// executes against (ask size for buys, bid size for sells). A non-IOC remainder keeps
	// working; an IOC remainder is cancelled; a FOK that does not fit is cancelled.
	PartialByDisplayedSize bool
	// MaxQuoteAge is how old a quote may be and still fill. Zero means DefaultMaxQuoteAge;
	// negative disables the check (for replays of stored quotes with a synthetic clock).
	MaxQuoteAge time.Duration
}

// Easy is close to Alpaca paper: limits fill on touch, any size fills at once, quotes up to five
// minutes old are used. One difference is deliberate: Alpaca gives a random-size partial fill to
// 10% of eligible orders, and Easy never does. Fills here are a pure function of the order and the
// quote, so a receipt can always be replayed and explained; the realistic and harsh presets give
// partial fills that follow the displayed size instead of a dice roll.
func Easy() Realism {
	return Realism{Limits: LimitOnTouch, MaxQuoteAge: 5 * time.Minute}
}

// Realistic fills limits on touch but caps fills at the displayed size, and refuses quotes
// older than a minute.
func Realistic() Realism {
	return Realism{Limits: LimitOnTouch, PartialByDisplayedSize: true, MaxQuoteAge: time.Minute}
}

// Harsh requires resting limits to be traded through, caps fills at the displayed size, and
// refuses quotes older than fifteen seconds.
func Harsh() Realism {
	return Realism{Limits: LimitThrough, PartialByDisplayedSize: true, MaxQuoteAge: 15 * time.Second}
}

// Preset returns the named preset ("easy", "realistic", "harsh").
func Preset(name string) (Realism, bool) {
	switch name {
	case "easy":
		return Easy(), true
	case "realistic":
		return Realistic(), true
	case "harsh":
		return Harsh(), true
	}
	return Realism{}, false
}

func (r Realism) maxQuoteAge() time.Duration {
	if r.MaxQuoteAge == 0 {
		return DefaultMaxQuoteAge
	}
	return r.MaxQuoteAge
}

// Fresh reports whether a quote of the given age may fill (Evaluate refuses an older one as
// stale). The matcher uses it so that it never moves a trailing stop on a quote Evaluate would
// refuse.
func (r Realism) Fresh(age time.Duration) bool {
	limit := r.maxQuoteAge()
	return limit < 0 || age <= limit
}

func (r Realism) through() bool { return r.Limits == LimitThrough }
