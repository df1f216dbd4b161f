package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ChartSettings is what a signed-in person's charts start with: the indicators they last set up,
// in the chart page's ind= notation. The server stores it as text and never interprets it; the
// browser's parser drops whatever it does not understand.
type ChartSettings struct {
	UserID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Indicators string
	UpdatedAt  time.Time
}

// TableName is the table of migration 00027.
func (ChartSettings) TableName() string { return "chart_settings" }

// ChartIndicatorsOf is the indicators a person saved, "" when they never saved any.
func ChartIndicatorsOf(ctx context.Context, db *gorm.DB, userID int64) (string, error) {
	var s ChartSettings
	err := db.WithContext(ctx).Where("user_id = ?", userID).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("models: chart settings of user %d: %w", userID, err)
	}
	return s.Indicators, nil
}

// SaveChartIndicators replaces a person's saved indicators (an upsert: the first save creates
// the row).
func SaveChartIndicators(ctx context.Context, db *gorm.DB, userID int64, indicators string, at time.Time) error {
	s := ChartSettings{UserID: userID, Indicators: indicators, UpdatedAt: at}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"indicators", "updated_at"}),
	}).Create(&s).Error
	if err != nil {
		return fmt.Errorf("models: save chart settings of user %d: %w", userID, err)
	}
	return nil
}
