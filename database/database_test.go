package database_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// note is a throwaway model for the transaction tests; the app's own tables come in later migrations.
type note struct {
	ID   int64
	Body string
}

type noteArgs struct {
	NoteID int64 `json:"note_id"`
}

func (noteArgs) Kind() string { return "test_note" }

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	done chan int64
}

func (w *noteWorker) Work(_ context.Context, job *river.Job[noteArgs]) error {
	w.done <- job.Args.NoteID
	return nil
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}

func TestWriteAndEnqueueCommitTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	if err := db.Gorm.AutoMigrate(&note{}); err != nil {
		t.Fatal(err)
	}
	client, err := db.NewRiver(&river.Config{}) // insert-only
	if err != nil {
		t.Fatal(err)
	}

	writeAndEnqueue := func(body string, fail bool) error {
		return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			n := note{Body: body}
			if err := tx.Create(&n).Error; err != nil {
				return err
			}
			stx, err := database.SQLTx(tx)
			if err != nil {
				return err
			}
			if _, err := client.InsertTx(ctx, stx, noteArgs{NoteID: n.ID}, nil); err != nil {
				return err
			}
			if fail {
				return errors.New("something after the enqueue failed")
			}
			return nil
		})
	}

	t.Run("commit keeps both", func(t *testing.T) {
		if err := writeAndEnqueue("kept", false); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db.Gorm, "SELECT count(*) FROM notes WHERE body = 'kept'"); n != 1 {
			t.Errorf("rows = %d, want 1", n)
		}
		if n := count(t, db.Gorm, "SELECT count(*) FROM river_job WHERE kind = 'test_note'"); n != 1 {
			t.Errorf("jobs = %d, want 1", n)
		}
	})
	t.Run("rollback keeps neither", func(t *testing.T) {
		if err := writeAndEnqueue("lost", true); err == nil {
			t.Fatal("want the transaction's error")
		}
		if n := count(t, db.Gorm, "SELECT count(*) FROM notes WHERE body = 'lost'"); n != 0 {
			t.Errorf("rows = %d, want 0", n)
		}
		if n := count(t, db.Gorm, "SELECT count(*) FROM river_job WHERE kind = 'test_note'"); n != 1 {
			t.Errorf("jobs = %d, want still 1 (the committed one)", n)
		}
	})
}

func TestCommittedJobIsWorked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	worker := &noteWorker{done: make(chan int64, 1)}
	workers := river.NewWorkers()
	river.AddWorker(workers, worker)
	client, err := db.NewRiver(&river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers: workers,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
	})

	err = db.Gorm.Transaction(func(tx *gorm.DB) error {
		stx, err := database.SQLTx(tx)
		if err != nil {
			return err
		}
		_, err = client.InsertTx(ctx, stx, noteArgs{NoteID: 42}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-worker.done:
		if id != 42 {
			t.Errorf("worked note %d, want 42", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("job was not worked within 10s")
	}
}

func TestSQLTxRefusesAPlainHandle(t *testing.T) {
	t.Parallel()
	db := dbtest.Shared(t)
	if _, err := database.SQLTx(db.Gorm); !errors.Is(err, database.ErrNotInTransaction) {
		t.Errorf("err = %v, want ErrNotInTransaction", err)
	}
}

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	m, err := database.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	tables := func() int64 {
		return count(t, db.Gorm, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('river_job', 'goose_db_version')")
	}
	extension := func() int64 { return count(t, db.Gorm, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") }

	st, err := m.Status(ctx)
	if err != nil || st.Pending() || len(st.App) == 0 || len(st.River) == 0 {
		t.Fatalf("a clone starts fully migrated: pending=%v err=%v", st.Pending(), err)
	}

	reverted, err := m.DownAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reverted) != len(st.App)+len(st.River) {
		t.Errorf("rolled back %d migrations, want %d: %v", len(reverted), len(st.App)+len(st.River), reverted)
	}
	if extension() != 0 || count(t, db.Gorm, "SELECT count(*) FROM pg_tables WHERE tablename = 'river_job'") != 0 {
		t.Error("down --all left schema behind")
	}
	if st, _ := m.Status(ctx); !st.Pending() {
		t.Error("status after down must show pending migrations")
	}

	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(reverted) || tables() != 2 || extension() != 1 {
		t.Errorf("up again: applied %v, tables %d, extension %d", applied, tables(), extension())
	}
	if again, err := m.Up(ctx); err != nil || len(again) != 0 {
		t.Errorf("second up must be a no-op: %v %v", again, err)
	}

	t.Run("down rolls back one application migration", func(t *testing.T) {
		name, err := m.Down(ctx)
		if err != nil || !strings.HasSuffix(name, ".sql") {
			t.Fatalf("down: %q %v", name, err)
		}
		if st, _ := m.Status(ctx); !st.Pending() {
			t.Error("one migration must be pending after down")
		}
	})
}

func TestTxIsRolledBack(t *testing.T) {
	t.Parallel()
	// Two tests writing the same row would collide if the first one's write survived.
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			tx := dbtest.Tx(t)
			if err := tx.Exec("CREATE TABLE probe (id int PRIMARY KEY)").Error; err != nil {
				t.Fatal(err)
			}
			if err := tx.Exec("INSERT INTO probe VALUES (1)").Error; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCreateMigration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00007_previous.sql"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := database.CreateMigration(dir, "Add-Orders")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "00008_add_orders.sql" {
		t.Errorf("path = %s", path)
	}
	body, _ := os.ReadFile(path)
	if !strings.Contains(string(body), "-- +goose Up") || !strings.Contains(string(body), "-- +goose Down") {
		t.Errorf("body = %q", body)
	}
	if _, err := database.CreateMigration(dir, "drop table;"); err == nil {
		t.Error("want an error for a name that is not an identifier")
	}
	if _, err := database.CreateMigration(filepath.Join(dir, "missing"), "x"); err == nil {
		t.Error("want an error when the folder does not exist")
	}
}
