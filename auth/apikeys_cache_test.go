package auth

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
)

// countQueries counts, from now on, the statements db runs to read.
func countQueries(t *testing.T, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	n := &atomic.Int64{}
	count := func(*gorm.DB) { n.Add(1) }
	name := fmt.Sprintf("test:count_%p", n)
	if err := db.Callback().Query().After("gorm:query").Register(name, count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Raw().After("gorm:raw").Register(name, count); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Row().After("gorm:row").Register(name, count); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitHeard waits until the key cache has acted on the database's news.
func waitHeard(t *testing.T, k *APIKeys) {
	t.Helper()
	select {
	case <-k.cache.heard:
	case <-time.After(10 * time.Second):
		t.Fatal("the key cache heard nothing from the database")
	}
}

// cachedKeySetup is a person with a paper account and a key bound to it, on a service that
// watches key changes (committed writes: the announcements are sent at commit).
func cachedKeySetup(t *testing.T) (*APIKeys, *gorm.DB, *models.User, NewKey) {
	t.Helper()
	db := dbtest.DB(t)
	clock := newTestClock()
	keys := NewAPIKeys(db.Gorm, clock.Now)
	keys.WatchKeyChanges(db.Pool, nil)
	t.Cleanup(keys.Close)
	u := newUser(t, db.Gorm, clock.Now())
	err := db.Gorm.Exec(`INSERT INTO paper_accounts (user_id, name, number, starting_cash, cash, last_equity, is_primary)
		VALUES (?, 'Main', ?, 100000, 100000, 100000, true)`, u.ID, fmt.Sprintf("PA%d", u.ID)).Error
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Create(context.Background(), u.ID, "bot")
	if err != nil {
		t.Fatal(err)
	}
	// The first check starts the watch; once it listens, keys are remembered.
	if _, err := keys.AuthenticateGrant(context.Background(), k.KeyID, k.Secret); err != nil {
		t.Fatal(err)
	}
	waitHeard(t, keys)
	return keys, db.Gorm, u, k
}

func TestAPIKeyCacheAdmitsARememberedKeyWithoutAQuery(t *testing.T) {
	t.Parallel()
	keys, db, u, k := cachedKeySetup(t)
	ctx := context.Background()
	first, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret) // verified in the database, remembered
	if err != nil {
		t.Fatal(err)
	}
	queries := countQueries(t, db)
	for range 20 {
		g, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret)
		if err != nil || g != first {
			t.Fatalf("remembered key = %+v, %v; want %+v", g, err, first)
		}
	}
	if n := queries.Load(); n != 0 {
		t.Errorf("%d queries for 20 checks of a remembered key, want 0", n)
	}
	if first.UserID != u.ID || first.AccountID == 0 {
		t.Errorf("grant = %+v", first)
	}
	if _, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret[:39]+"x"); !isUnauthenticated(err) {
		t.Errorf("a remembered key with a wrong secret: %v, want refused", err)
	}
}

func TestAPIKeyCacheForgetsAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("revoked through the service: refused on the next check", func(t *testing.T) {
		t.Parallel()
		keys, _, u, k := cachedKeySetup(t)
		if _, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret); err != nil {
			t.Fatal(err)
		}
		if err := keys.Revoke(ctx, u.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret); !isUnauthenticated(err) {
			t.Errorf("revoked key: %v, want refused", err)
		}
	})

	// Changes made elsewhere (another process, another service, an operator's SQL) reach the
	// cache through the database's announcement.
	for _, c := range []struct{ name, sql string }{
		{"revoked by another process", "UPDATE api_keys SET revoked_at = now() WHERE id = @key"},
		{"its owner disabled", "UPDATE users SET active = false WHERE id = @user"},
		{"its account deleted", "DELETE FROM paper_accounts WHERE user_id = @user"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			keys, db, u, k := cachedKeySetup(t)
			if _, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(c.sql, map[string]any{"key": k.ID, "user": u.ID}).Error; err != nil {
				t.Fatal(err)
			}
			waitHeard(t, keys)
			g, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret)
			if !isUnauthenticated(err) {
				t.Errorf("after the change: %+v, %v; want refused", g, err)
			}
		})
	}

	t.Run("frequent updates announce nothing", func(t *testing.T) {
		t.Parallel()
		keys, db, u, k := cachedKeySetup(t)
		if _, err := keys.AuthenticateGrant(ctx, k.KeyID, k.Secret); err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{
			"UPDATE api_keys SET last_used_at = now() WHERE id = @key",
			"UPDATE paper_accounts SET cash = cash - 1 WHERE user_id = @user",
			"UPDATE users SET name = 'Renamed' WHERE id = @user",
		} {
			if err := db.Exec(sql, map[string]any{"key": k.ID, "user": u.ID}).Error; err != nil {
				t.Fatal(err)
			}
		}
		// An announced change after them: the first news the cache hears must be this one.
		if err := db.Exec("UPDATE users SET active = false WHERE id = ?", u.ID).Error; err != nil {
			t.Fatal(err)
		}
		waitHeard(t, keys)
		keys.cache.mu.Lock()
		gen := keys.cache.gen
		keys.cache.mu.Unlock()
		// 1 when listening started, 2 after the one announcement; each update above that announced
		// would have moved it once more, before the last.
		if gen != 2 {
			t.Errorf("cache generation %d after one announced change, want 2: a frequent update announced a change", gen)
		}
	})
}

// isUnauthenticated reports whether err is the refusal of bad credentials.
func isUnauthenticated(err error) bool {
	return err != nil && err.Error() == invalidAPIKey().Error()
}
