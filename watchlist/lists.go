package watchlist

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// Create makes a new, empty list called name at the end of the actor's lists. global makes it a
// list for everyone, which only administrators may do; the first global list becomes the default
// that guests see.
func (s *Service) Create(ctx context.Context, actor *models.User, name string, global bool) (*Detail, error) {
	if actor == nil {
		return nil, errLoginRequired()
	}
	if global && !actor.IsAdmin() {
		return nil, apperr.New(apperr.KindForbidden, "watchlist_forbidden", "Only administrators can create global watchlists.")
	}
	name, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	w := &models.Watchlist{Name: name}
	if !global {
		w.OwnerID = &actor.ID
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Held to the end, so two creations at once cannot both pass the limit or both become
		// the first global list.
		if err := models.LockWatchlistOwner(ctx, tx, w.OwnerID); err != nil {
			return err
		}
		n, err := models.CountWatchlists(ctx, tx, w.OwnerID)
		if err != nil {
			return err
		}
		if n >= MaxListsPerOwner {
			return errTooManyLists(global)
		}
		if err := checkNameFree(ctx, tx, w.OwnerID, name, 0); err != nil {
			return err
		}
		w.IsDefault = global && n == 0
		return models.CreateWatchlist(ctx, tx, w)
	})
	if err != nil {
		return nil, nameTakenOr(err, global, name)
	}
	return &Detail{List: List{Watchlist: *w, Editable: true}, Items: []models.WatchlistItem{}}, nil
}

// Rename gives list id a new name.
func (s *Service) Rename(ctx context.Context, actor *models.User, id int64, name string) (*Detail, error) {
	name, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	var out *Detail
	var global bool
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		global = w.IsGlobal()
		if err := checkNameFree(ctx, tx, w.OwnerID, name, w.ID); err != nil {
			return err
		}
		if err := models.UpdateWatchlist(ctx, tx, w.ID, map[string]any{"name": name}); err != nil {
			return err
		}
		if w, err = models.WatchlistByID(ctx, tx, id); err != nil {
			return err
		}
		out, err = detail(ctx, tx, actor, w)
		return err
	})
	if err != nil {
		return nil, nameTakenOr(err, global, name)
	}
	return out, nil
}

// Edit gives list id a new name and description together (the watchlist page's form).
func (s *Service) Edit(ctx context.Context, actor *models.User, id int64, name, description string) (*Detail, error) {
	name, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	description, err = cleanDescription(description)
	if err != nil {
		return nil, err
	}
	var out *Detail
	var global bool
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		global = w.IsGlobal()
		if err := checkNameFree(ctx, tx, w.OwnerID, name, w.ID); err != nil {
			return err
		}
		if err := models.UpdateWatchlist(ctx, tx, w.ID, map[string]any{"name": name, "description": description}); err != nil {
			return err
		}
		if w, err = models.WatchlistByID(ctx, tx, id); err != nil {
			return err
		}
		out, err = detail(ctx, tx, actor, w)
		return err
	})
	if err != nil {
		return nil, nameTakenOr(err, global, name)
	}
	return out, nil
}

// Delete removes list id and its items. When it was the guests' default, the first remaining
// global list takes its place, so guests are never left with nothing while global lists exist.
func (s *Service) Delete(ctx context.Context, actor *models.User, id int64) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := models.DeleteWatchlist(ctx, tx, w.ID); err != nil {
			return err
		}
		if w.IsDefault {
			return models.SetDefaultWatchlist(ctx, tx, 0)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("watchlist: delete %d: %w", id, err)
	}
	return nil
}

// SetDefault makes global list id the one guests see. Administrators only.
func (s *Service) SetDefault(ctx context.Context, actor *models.User, id int64) (*Detail, error) {
	var out *Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !w.IsGlobal() {
			return apperr.New(apperr.KindConflict, "watchlist_not_global",
				"Only a global watchlist can be the one guests see. Create it as a global list first.")
		}
		if err := models.SetDefaultWatchlist(ctx, tx, w.ID); err != nil {
			return err
		}
		w.IsDefault = true
		out, err = detail(ctx, tx, actor, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("watchlist: set default %d: %w", id, err)
	}
	return out, nil
}

// Move moves list id one place earlier (by -1) or later (by +1) among its owner's lists, for
// everyone who sees them in that order. Moving the first list up or the last down is a conflict
// that changes nothing.
func (s *Service) Move(ctx context.Context, actor *models.User, id int64, by int) (*Detail, error) {
	if by != -1 && by != 1 {
		return nil, apperr.Invalid(map[string]string{"direction": "Move a list up or down by one place."})
	}
	var out *Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The owner's lock first, then the row, as everywhere: two moves at once must not each
		// hold a row the other's swap needs. A list's owner never changes, so reading it unlocked is safe.
		peek, err := models.WatchlistByID(ctx, tx, id)
		if errors.Is(err, models.ErrNotFound) {
			return errListNotFound()
		}
		if err != nil {
			return err
		}
		if err := models.LockWatchlistOwner(ctx, tx, peek.OwnerID); err != nil {
			return err
		}
		w, err := lockForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		moved, err := models.SwapWatchlistWithNeighbour(ctx, tx, w, by)
		if err != nil {
			return err
		}
		if !moved {
			return apperr.New(apperr.KindConflict, "watchlist_at_end", fmt.Sprintf(
				"%s is already the %s list; nothing was changed.", w.Name, map[int]string{-1: "first", 1: "last"}[by]))
		}
		if w, err = models.WatchlistByID(ctx, tx, id); err != nil {
			return err
		}
		out, err = detail(ctx, tx, actor, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("watchlist: move %d: %w", id, err)
	}
	return out, nil
}

// checkNameFree refuses a name the owner already uses for another list. The unique index is the
// real guard (see nameTakenOr); this check gives the usual case its friendly answer without
// relying on a failed statement.
func checkNameFree(ctx context.Context, tx *gorm.DB, ownerID *int64, name string, exceptID int64) error {
	taken, err := models.WatchlistNameTaken(ctx, tx, ownerID, name, exceptID)
	if err != nil {
		return err
	}
	if taken {
		return errNameTaken(ownerID == nil, name)
	}
	return nil
}

// nameTakenOr turns the unique-name violation (a concurrent request took the name between the
// check and the write) into the same field error the check gives, and wraps anything else.
func nameTakenOr(err error, global bool, name string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return errNameTaken(global, name)
	}
	return fmt.Errorf("watchlist: %w", err)
}
