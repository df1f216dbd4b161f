package models

import "gorm.io/gorm/clause"

// lockForUpdate locks the selected rows until the transaction ends.
func lockForUpdate() clause.Expression { return clause.Locking{Strength: "UPDATE"} }
