package app

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"alpacawrapper/jobs"
)

// historyJSON is where a symbol's candle history stands: what the chart page shows while it loads.
type historyJSON struct {
	Symbol string `json:"symbol"`
	// Status: "none" (never loaded), "pending", "running", "done" or "failed".
	Status   string `json:"status"`
	Loading  bool   `json:"loading"`
	Complete bool   `json:"complete"`
	// Percent of the minute span loaded, 100 only when complete.
	Percent     int        `json:"percent"`
	MinutesFrom *time.Time `json:"minutes_from"`
	MinutesTo   *time.Time `json:"minutes_to"`
	Target      time.Time  `json:"target"`
	DailyFrom   *time.Time `json:"daily_from"`
	BarsLoaded  int64      `json:"bars_loaded"`
	DailyBars   int64      `json:"daily_bars"`
}

// apiHistory is GET /api/v1/assets/{symbol}/history: where the symbol's history stands. Public,
// like its candles.
func (s *Server) apiHistory(c *fiber.Ctx) error {
	a, err := s.assetFromPath(c)
	if err != nil {
		return err
	}
	h, err := s.backfills.Progress(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	return c.JSON(toHistoryJSON(a.Symbol, h))
}

// apiRequestHistory is POST /api/v1/assets/{symbol}/history: load the symbol's history unless it
// is complete or loading already; the chart page asks when it opens. Answers 202 when a backfill
// is queued or running, 200 when the history is complete, and 429 with the reason when the
// asker's or the server's bound on concurrent backfills is reached. The asker is the signed-in
// person, or the client IP for a guest.
func (s *Server) apiRequestHistory(c *fiber.Ctx) error {
	a, err := s.assetFromPath(c)
	if err != nil {
		return err
	}
	person := "ip:" + clientIPOf(c)
	if u := currentUser(c); u != nil {
		person = "user:" + strconv.FormatInt(u.ID, 10)
	}
	h, err := s.backfills.Request(c.UserContext(), jobs.BackfillRequest{AssetID: a.ID, Person: person})
	if err != nil {
		return err
	}
	if h.Loading {
		c.Status(fiber.StatusAccepted)
	}
	return c.JSON(toHistoryJSON(a.Symbol, h))
}

func toHistoryJSON(symbol string, h jobs.History) historyJSON {
	status := string(h.Status)
	if status == "" {
		status = "none"
	}
	return historyJSON{Symbol: symbol, Status: status, Loading: h.Loading, Complete: h.Complete, Percent: h.Percent,
		MinutesFrom: h.MinutesFrom, MinutesTo: h.MinutesTo, Target: h.Target, DailyFrom: h.DailyFrom,
		BarsLoaded: h.BarsLoaded, DailyBars: h.DailyBars}
}
