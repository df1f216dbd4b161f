package views

// AdminHomeData is GET /admin: the state of the system at a glance.
type AdminHomeData struct {
	Days     int    // how many days the charts cover
	TimeZone string // the days are the operator's
	Charts   []AdminHomeChart
	Now      []AdminStatGroup // live connections, the feed and failed jobs, each figure linking to its page
}

// AdminHomeChart is one chart of the home with the page it links to.
type AdminHomeChart struct {
	ID    string
	Title string
	Total string // over the window, shown beside the title
	Href  string
	Link  string // the link's words
	Chart AdminChart
}
