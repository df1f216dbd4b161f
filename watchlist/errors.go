package watchlist

import (
	"fmt"

	"alpacawrapper/apperr"
)

// The refusals, worded for the person who will read them.

func errListNotFound() error {
	return apperr.New(apperr.KindNotFound, "watchlist_not_found", "There is no such watchlist.")
}

func errLoginRequired() error {
	return apperr.New(apperr.KindUnauthenticated, "authentication_required", "Log in to change watchlists.")
}

func errGlobalAdminOnly() error {
	return apperr.New(apperr.KindForbidden, "watchlist_forbidden",
		"Only administrators can change global watchlists. Create a watchlist of your own to keep your picks.")
}

func errNameTaken(global bool, name string) error {
	if global {
		return apperr.Invalid(map[string]string{"name": fmt.Sprintf("There is already a global watchlist called “%s”. Choose another name.", name)})
	}
	return apperr.Invalid(map[string]string{"name": fmt.Sprintf("You already have a watchlist called “%s”. Choose another name.", name)})
}

func errTooManyLists(global bool) error {
	if global {
		return apperr.New(apperr.KindConflict, "watchlist_limit",
			fmt.Sprintf("There are already %d global watchlists, the most allowed. Delete one to make room.", MaxListsPerOwner))
	}
	return apperr.New(apperr.KindConflict, "watchlist_limit",
		fmt.Sprintf("You have %d watchlists, the most allowed. Delete one to make room.", MaxListsPerOwner))
}

func errListFull() error {
	return apperr.New(apperr.KindConflict, "watchlist_full",
		fmt.Sprintf("This watchlist already holds %d assets, the most allowed. Remove one, or start another list.", MaxAssetsPerList))
}

func errNotOnList(symbol string) error {
	return apperr.New(apperr.KindNotFound, "asset_not_on_watchlist", fmt.Sprintf("%s is not on this watchlist.", symbol))
}
