package trading

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// ErrFillNotFound refuses a fill that does not exist or is not the person's (never which).
var ErrFillNotFound = apperr.New(apperr.KindNotFound, "fill_not_found", "No such fill.")

// FillOf loads a fill of any of a person's accounts, in any period, with its account's name: the
// ownership check is part of the one query.
func (s *Service) FillOf(ctx context.Context, userID int64, id uuid.UUID) (*models.OwnedFill, error) {
	f, err := models.FillOfUser(ctx, s.db, userID, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrFillNotFound
	}
	return f, err
}
