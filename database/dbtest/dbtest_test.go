package dbtest

import (
	"context"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestCloneIsMigratedAndIsolated(t *testing.T) {
	t.Parallel()
	a, b := DB(t), DB(t)
	if err := a.Gorm.Exec("CREATE TABLE only_in_a (id int)").Error; err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Gorm.Raw("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("clones share tables: n=%d err=%v", n, err)
	}
	if err := b.Gorm.Raw("SELECT count(*) FROM pg_tables WHERE tablename = 'river_job'").Scan(&n).Error; err != nil || n != 1 {
		t.Errorf("a clone must be migrated: river_job count=%d err=%v", n, err)
	}
}

func TestTakeDown(t *testing.T) {
	t.Parallel()
	db := DB(t)
	TakeDown(t, db)
	if err := db.Ping(context.Background()); err == nil {
		t.Error("ping succeeded on a database that was taken down")
	}
}

// BenchmarkFreshDatabase measures what a test pays for a database of its own: clone the migrated
// template and open a pool on it (the drops run after the timer, at cleanup).
func BenchmarkFreshDatabase(b *testing.B) {
	for b.Loop() {
		DB(b)
	}
}

// BenchmarkTx measures the cheaper isolation Tx gives: begin on the shared clone, roll back.
func BenchmarkTx(b *testing.B) {
	db := Shared(b)
	for b.Loop() {
		tx := db.Gorm.Begin()
		tx.Rollback()
	}
}
