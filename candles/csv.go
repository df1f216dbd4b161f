package candles

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"alpacawrapper/market"
)

// WriteCSV writes candles as CSV with a header line: times in RFC 3339 UTC, decimals exactly as
// stored (never through a float).
func WriteCSV(w io.Writer, candles []market.Bar) error {
	out := csv.NewWriter(w)
	if err := out.Write([]string{"time", "open", "high", "low", "close", "volume", "trade_count", "vwap"}); err != nil {
		return fmt.Errorf("candles: csv: %w", err)
	}
	for _, c := range candles {
		record := []string{
			c.Start.UTC().Format(time.RFC3339),
			c.Open.String(), c.High.String(), c.Low.String(), c.Close.String(), c.Volume.String(),
			strconv.FormatInt(c.TradeCount, 10), c.VWAP.String(),
		}
		if err := out.Write(record); err != nil {
			return fmt.Errorf("candles: csv: %w", err)
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return fmt.Errorf("candles: csv: %w", err)
	}
	return nil
}
