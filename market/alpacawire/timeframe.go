package alpacawire

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// The units of a bar timeframe.
const (
	UnitMin   = "Min"
	UnitHour  = "Hour"
	UnitDay   = "Day"
	UnitWeek  = "Week"
	UnitMonth = "Month"
)

// TimeFrame is a bar width as the bars endpoints take it: "1Min", "15Min", "1Hour", "1Day".
type TimeFrame struct {
	N    int
	Unit string
}

var timeFrameRe = regexp.MustCompile(`^([0-9]+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$`)

// ParseTimeFrame reads a timeframe with Alpaca's limits: 1–59Min, 1–23Hour, 1Day, 1Week and
// 1/2/3/4/6/12Month. The short unit names (T, H, D, W, M) are accepted too.
func ParseTimeFrame(s string) (TimeFrame, error) {
	m := timeFrameRe.FindStringSubmatch(s)
	if m == nil {
		return TimeFrame{}, fmt.Errorf("alpacawire: invalid timeframe %q", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return TimeFrame{}, fmt.Errorf("alpacawire: invalid timeframe %q", s)
	}
	unit := map[string]string{"T": UnitMin, "H": UnitHour, "D": UnitDay, "W": UnitWeek, "M": UnitMonth}[m[2]]
	if unit == "" {
		unit = m[2]
	}
	ok := false
	switch unit {
	case UnitMin:
		ok = n >= 1 && n <= 59
	case UnitHour:
		ok = n >= 1 && n <= 23
	case UnitDay, UnitWeek:
		ok = n == 1
	case UnitMonth:
		ok = n == 1 || n == 2 || n == 3 || n == 4 || n == 6 || n == 12
	}
	if !ok {
		return TimeFrame{}, fmt.Errorf("alpacawire: invalid timeframe %q", s)
	}
	return TimeFrame{N: n, Unit: unit}, nil
}

// String is the timeframe as the SDK writes it ("5Min").
func (tf TimeFrame) String() string { return fmt.Sprintf("%d%s", tf.N, tf.Unit) }

// Intraday is the width of a minute or hour timeframe; false for days and longer, whose buckets
// follow the calendar rather than a fixed width.
func (tf TimeFrame) Intraday() (time.Duration, bool) {
	switch tf.Unit {
	case UnitMin:
		return time.Duration(tf.N) * time.Minute, true
	case UnitHour:
		return time.Duration(tf.N) * time.Hour, true
	}
	return 0, false
}
