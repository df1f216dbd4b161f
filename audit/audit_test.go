package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"alpacawrapper/audit"
	"alpacawrapper/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var root = audit.Actor{UserID: 7, Email: "root@example.com", Session: "abc123", IP: "203.0.113.9"}

func record(t *testing.T, db *gorm.DB, e audit.Entry) {
	t.Helper()
	if err := db.Transaction(func(tx *gorm.DB) error { return audit.Record(tx, e) }); err != nil {
		t.Fatal(err)
	}
}

func TestRecordWritesEveryField(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t).Gorm
	record(t, db, audit.Entry{Actor: root, Action: "user.disable", TargetType: "user", TargetID: "42",
		Before: map[string]any{"active": true}, After: map[string]any{"active": false}})
	got, next, err := audit.List(context.Background(), db, audit.Filter{}, 0, 10)
	if err != nil || len(got) != 1 || next != 0 {
		t.Fatalf("%v %d %v", got, next, err)
	}
	e := got[0]
	if e.Actor != root || e.Action != "user.disable" || e.TargetType != "user" || e.TargetID != "42" || e.At.IsZero() {
		t.Errorf("%+v", e)
	}
	if b, _ := json.Marshal(e.Before); string(b) != `{"active":true}` {
		t.Errorf("before %s", b)
	}
	if b, _ := json.Marshal(e.After); string(b) != `{"active":false}` {
		t.Errorf("after %s", b)
	}
}

func TestRecordRefusesAHandleOutsideATransaction(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t).Gorm
	err := audit.Record(db, audit.Entry{Actor: root, Action: "user.disable", TargetType: "user", TargetID: "1"})
	if !errors.Is(err, audit.ErrNotInTransaction) {
		t.Fatalf("got %v", err)
	}
	var n int64
	db.Table("audit_entries").Count(&n)
	if n != 0 {
		t.Errorf("%d entries written", n)
	}
}

func TestEntryRollsBackWithItsChange(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t).Gorm
	boom := errors.New("the change failed")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := audit.Record(tx, audit.Entry{Actor: root, Action: "user.disable", TargetType: "user", TargetID: "1"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int64
	db.Table("audit_entries").Count(&n)
	if n != 0 {
		t.Errorf("%d entries outlived their rolled-back change", n)
	}
}

// The table refuses every way of rewriting history, whoever asks.
func TestTableIsAppendOnly(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t).Gorm
	record(t, db, audit.Entry{Actor: root, Action: "user.disable", TargetType: "user", TargetID: "1"})
	for _, stmt := range []string{
		"UPDATE audit_entries SET action = 'user.enable'",
		"UPDATE audit_entries SET before = NULL WHERE id > 0",
		"DELETE FROM audit_entries",
		"TRUNCATE audit_entries",
	} {
		err := db.Exec(stmt).Error
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	got, _, err := audit.List(context.Background(), db, audit.Filter{}, 0, 10)
	if err != nil || len(got) != 1 || got[0].Action != "user.disable" {
		t.Errorf("the entry changed: %+v %v", got, err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t).Gorm
	other := audit.Actor{UserID: 8, Email: "ops_team@example.com"}
	for _, e := range []audit.Entry{
		{Actor: root, Action: "user.disable", TargetType: "user", TargetID: "1"},
		{Actor: root, Action: "user.enable", TargetType: "user", TargetID: "1"},
		{Actor: other, Action: "account.freeze", TargetType: "paper_account", TargetID: "5"},
		{Actor: root, Action: "user.role", TargetType: "user", TargetID: "2"},
		{Actor: other, Action: "user.disable", TargetType: "user", TargetID: "3"},
	} {
		record(t, db, e)
	}
	ctx := context.Background()
	ids := func(f audit.Filter, before int64, limit int) ([]string, int64) {
		t.Helper()
		got, next, err := audit.List(ctx, db, f, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range got {
			out = append(out, e.Action+"/"+e.TargetID)
		}
		return out, next
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	got, _ := ids(audit.Filter{Actor: "OPS_"}, 0, 10)
	check("actor (literal underscore, any case)", got, "user.disable/3", "account.freeze/5")
	got, _ = ids(audit.Filter{Actor: "s%t"}, 0, 10)
	check("actor with a wildcard typed", got)
	got, _ = ids(audit.Filter{Action: "user.disable"}, 0, 10)
	check("action", got, "user.disable/3", "user.disable/1")
	got, _ = ids(audit.Filter{Action: "user."}, 0, 10)
	check("action prefix", got, "user.disable/3", "user.role/2", "user.enable/1", "user.disable/1")
	got, _ = ids(audit.Filter{TargetType: "user", TargetID: "1"}, 0, 10)
	check("target", got, "user.enable/1", "user.disable/1")

	page1, next := ids(audit.Filter{}, 0, 2)
	check("page 1", page1, "user.disable/3", "user.role/2")
	page2, next2 := ids(audit.Filter{}, next, 2)
	check("page 2", page2, "account.freeze/5", "user.enable/1")
	page3, next3 := ids(audit.Filter{}, next2, 2)
	check("page 3", page3, "user.disable/1")
	if next == 0 || next2 == 0 || next3 != 0 {
		t.Errorf("cursors %d %d %d", next, next2, next3)
	}

	all, _, _ := audit.List(ctx, db, audit.Filter{}, 0, 10)
	at := all[0].At
	got, _ = ids(audit.Filter{From: at.Add(1e9)}, 0, 10)
	check("from after everything", got)
	got, _ = ids(audit.Filter{To: at.Add(-3600e9)}, 0, 10)
	check("to before everything", got)
	got, _ = ids(audit.Filter{From: at.Add(-3600e9), To: at.Add(3600e9), Action: "user.role"}, 0, 10)
	check("inside the range", got, "user.role/2")

	actions, err := audit.Actions(ctx, db)
	if err != nil || strings.Join(actions, " ") != "account.freeze user.disable user.enable user.role" {
		t.Errorf("actions %v %v", actions, err)
	}
}
