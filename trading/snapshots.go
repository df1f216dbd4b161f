package trading

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/models"
)

// SnapshotEvery is the spacing of intraday equity snapshots.
const SnapshotEvery = 5 * time.Minute

// Snapshot records equity snapshots for portfolio history and rolls each account's previous-close
// equity. Idempotent: snapshots are keyed by account and time (intraday ones on the SnapshotEvery
// grid), so running it twice in a slot writes nothing new. Intraday snapshots are taken while
// stocks trade, and at any time for accounts holding crypto; a close snapshot is written once per
// regular close, at the close, for every account.
func (s *Service) Snapshot(ctx context.Context) (int, error) {
	now := s.now().UTC()
	st := s.clock.At(now)
	prevClose := s.clock.PreviousClose(now)
	written := 0
	var lastID int64
	for {
		accts, err := models.ActiveAccountsAfter(ctx, s.db, lastID, 200)
		if err != nil {
			return written, fmt.Errorf("trading: snapshot accounts: %w", err)
		}
		if len(accts) == 0 {
			return written, nil
		}
		for i := range accts {
			a := &accts[i]
			lastID = a.ID
			n, err := s.snapshotAccount(ctx, a, now, st.IsOpen, prevClose)
			if err != nil {
				return written, err
			}
			written += n
		}
	}
}

func (s *Service) snapshotAccount(ctx context.Context, a *models.PaperAccount, now time.Time, open bool, prevClose time.Time) (int, error) {
	written := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := models.LockPaperAccount(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		v, err := s.Value(ctx, tx, a)
		if err != nil {
			return err
		}
		insert := func(at time.Time, kind string) error {
			snap := models.EquitySnapshot{AccountID: a.ID, At: at, Period: a.Period, Kind: kind, Equity: v.Equity, Cash: v.Cash,
				LongMarketValue: v.LongMarketValue, ShortMarketValue: v.ShortMarketValue}
			ok, err := models.InsertEquitySnapshot(ctx, tx, &snap, models.KeepExistingSnapshot)
			if err != nil {
				return fmt.Errorf("trading: %w", err)
			}
			if ok {
				written++
			}
			return nil
		}
		// The close: once per regular close after the account existed.
		if !prevClose.IsZero() && prevClose.After(a.PeriodStartedAt) && (a.LastEquityAt == nil || a.LastEquityAt.Before(prevClose)) {
			if err := insert(prevClose, models.SnapshotClose); err != nil {
				return err
			}
			if err := models.RollLastEquity(ctx, tx, a, v.Equity, prevClose); err != nil {
				return fmt.Errorf("trading: %w", err)
			}
		}
		// A slot that began before the period did is left out: a snapshot dated before the
		// opening deposit would make the deposit look like money added to a running account,
		// and the return −100%.
		if slot := now.Truncate(SnapshotEvery); (open || holdsCrypto(v)) && !slot.Before(a.PeriodStartedAt) {
			return insert(slot, models.SnapshotIntraday)
		}
		return nil
	})
	return written, err
}

func holdsCrypto(v Valuation) bool {
	for _, p := range v.Positions {
		if p.AssetClass == "crypto" {
			return true
		}
	}
	return false
}
