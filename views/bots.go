package views

// BotsView is what the "Use your bot" page shows: where this app answers, and its limits.
type BotsView struct {
	BaseURL     string // e.g. https://wrapper.example.com (trading and market-data REST)
	StreamURL   string // e.g. wss://wrapper.example.com (WebSockets)
	RateLimit   int    // requests per window per key
	RateWindow  string // e.g. "minute"
	SignedIn    bool
	HasAPIKeys  bool
	Simulated   bool // the built-in simulated market serves data
	DataStreams int  // how many data stream connections one key may hold (0: not stated)
}
