package trading

import (
	"context"

	"alpacawrapper/models"
)

// What an activity page lists.
const (
	ActivityAll   = "all"   // fills, and the cash movements that are not a fill's own lines
	ActivityFills = "fills" // fills only
	ActivityCash  = "cash"  // every cash line, a fill's value and fees included
)

// ActivityQuery selects a page of an account's activity in a period, newest first. Each source
// keeps its own cursor (fills by time and id, the ledger by id), so the pages of the merged list
// join up exactly however the two interleave.
type ActivityQuery struct {
	AccountID   int64
	Period      int
	Kind        string            // ActivityAll (default), ActivityFills or ActivityCash
	FillsBefore models.FillCursor // zero: from the newest fill
	CashBefore  int64             // a ledger id; zero: from the newest line
	Limit       int
	// Search, when set, lists only the fills it finds (models.FillsMatching: the symbol, or the
	// order's note or a tag), and no cash lines.
	Search string
}

// ActivityItem is one row of activity: a fill or a cash movement.
type ActivityItem struct {
	Fill  *models.Fill
	Entry *models.LedgerEntry
}

// ActivityPage is a page of activity and where the next page starts.
type ActivityPage struct {
	Items []ActivityItem
	// NextFills and NextCash are the cursors of the next page; More says whether it has rows.
	NextFills models.FillCursor
	NextCash  int64
	More      bool
}

// Activity lists a page of an account's fills and cash movements, merged newest first.
func (s *Service) Activity(ctx context.Context, q ActivityQuery) (ActivityPage, error) {
	var fills []models.Fill
	var entries []models.LedgerEntry
	var err error
	if q.Search != "" {
		if fills, err = models.FillsMatching(ctx, s.db, q.AccountID, q.Period, q.Search, q.FillsBefore, q.Limit+1); err != nil {
			return ActivityPage{}, err
		}
		return mergeActivity(fills, nil, q.Limit, q.FillsBefore, q.CashBefore), nil
	}
	if q.Kind != ActivityCash {
		if fills, err = models.FillsOf(ctx, s.db, q.AccountID, q.Period, q.FillsBefore, q.Limit+1); err != nil {
			return ActivityPage{}, err
		}
	}
	switch q.Kind {
	case ActivityCash: // every cash line, each with its kind
		entries, err = models.LedgerOf(ctx, s.db, q.AccountID, q.Period, q.CashBefore, q.Limit+1)
	case ActivityFills:
	default: // a fill's cash lines are on its own row (value and fees); list the rest
		entries, err = models.CashMovementsOf(ctx, s.db, q.AccountID, q.Period, q.CashBefore, q.Limit+1)
	}
	if err != nil {
		return ActivityPage{}, err
	}
	return mergeActivity(fills, entries, q.Limit, q.FillsBefore, q.CashBefore), nil
}

// mergeActivity merges newest-first fills and ledger entries into at most n rows, newest first
// (at one instant a fill comes before the cash it moved), and says where each source's next page
// starts (from fc and ec, the cursors this page started at) and whether there is one.
func mergeActivity(fills []models.Fill, entries []models.LedgerEntry, n int, fc models.FillCursor, ec int64) ActivityPage {
	var p ActivityPage
	i, j := 0, 0
	for len(p.Items) < n && (i < len(fills) || j < len(entries)) {
		if j >= len(entries) || i < len(fills) && !fills[i].ExecutedAt.Before(entries[j].CreatedAt) {
			p.Items = append(p.Items, ActivityItem{Fill: &fills[i]})
			fc = models.FillCursor{At: fills[i].ExecutedAt, ID: fills[i].ID}
			i++
		} else {
			p.Items = append(p.Items, ActivityItem{Entry: &entries[j]})
			ec = entries[j].ID
			j++
		}
	}
	p.NextFills, p.NextCash, p.More = fc, ec, i < len(fills) || j < len(entries)
	return p
}
