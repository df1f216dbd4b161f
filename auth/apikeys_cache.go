package auth

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// keyChangesChannel is the Postgres channel on which migration 00021's triggers announce every
// change that can make a remembered key wrong (revoked, rebound, deleted, owner disabled, owner's
// primary account changed).
const keyChangesChannel = "api_key_changes"

// keyCacheTTL bounds how long a verified key is remembered even when no change is announced: a
// second line of defence, should some change ever bypass the triggers. Announced changes take
// effect at once.
const keyCacheTTL = 30 * time.Second

// keyCache remembers verified API keys (key id → grant and the SHA-256 of the secret), so a
// bot's request is admitted with a hash and a constant-time compare instead of a query. It is
// trusted only while this process LISTENs on keyChangesChannel: every announcement, and every
// loss of the listening connection, forgets every key, and while not listening nothing is kept.
// A revocation through this process's APIKeys forgets at once, before the announcement arrives.
type keyCache struct {
	mu        sync.Mutex
	entries   map[string]*cachedKey
	gen       uint64 // moves on every forget, so a lookup that raced one does not store a stale grant
	listening bool
	// heard is signalled after the watch starts listening and after each announcement is acted on
	// (for tests, which must not sleep to wait for them).
	heard chan struct{}
}

// cachedKey is one remembered key.
type cachedKey struct {
	grant      KeyGrant
	secretHash []byte
	lastUsedAt *time.Time
	expires    time.Time
}

func newKeyCache() *keyCache {
	return &keyCache{entries: map[string]*cachedKey{}, heard: make(chan struct{}, 1)}
}

// signalHeard tells a waiting test that the cache has caught up with the database's news.
func (c *keyCache) signalHeard() {
	select {
	case c.heard <- struct{}{}:
	default:
	}
}

// get returns the remembered key, if any and still fresh, and the generation to store under
// otherwise.
func (c *keyCache) get(keyID string, now time.Time) (cachedKey, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[keyID]
	if !ok || !c.listening || now.After(e.expires) {
		return cachedKey{}, false, c.gen
	}
	return *e, true, c.gen
}

// put remembers a key verified against the database, unless something was forgotten since the
// lookup began (gen) or changes are not being heard.
func (c *keyCache) put(keyID string, e cachedKey, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening || gen != c.gen {
		return
	}
	c.entries[keyID] = &e
}

// touched records a last_used_at write, so the next one waits a minute.
func (c *keyCache) touched(keyID string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[keyID]; ok {
		e.lastUsedAt = &at
	}
}

// forgetAll drops every key.
func (c *keyCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.gen++
}

// setListening starts or stops trusting the cache; either way it starts empty.
func (c *keyCache) setListening(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listening = on
	clear(c.entries)
	c.gen++
}

// secretMatches compares a presented secret with a remembered hash in constant time.
func (e cachedKey) secretMatches(secret string) bool {
	return subtle.ConstantTimeCompare(HashSecret(secret), e.secretHash) == 1
}

// WatchKeyChanges makes the service remember verified keys, for as long as it hears the
// database's announcements of key changes on a connection of its own taken from pool (held out
// of the pool for good). The watch starts with the first key checked, so a process that serves
// no bots holds no connection for it; Close ends it. Call it before the service is used.
func (k *APIKeys) WatchKeyChanges(pool *pgxpool.Pool, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.stopWatch = cancel
	k.startWatch = sync.OnceFunc(func() { go k.watch(ctx, pool, log) })
}

// watch listens for key changes until ctx ends, reconnecting after a lost connection.
func (k *APIKeys) watch(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	const retry = time.Second
	for ctx.Err() == nil {
		err := k.listenForKeyChanges(ctx, pool)
		k.cache.setListening(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("auth: listening for api key changes; keys are checked in the database meanwhile", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry): // a back-off before reconnecting, not a synchronisation
		}
	}
}

// Close ends WatchKeyChanges' watch; keys are then checked in the database every time.
func (k *APIKeys) Close() {
	if k.stopWatch != nil {
		k.stopWatch()
	}
}

// listenForKeyChanges LISTENs until the connection fails, forgetting every key on each
// announcement.
func (k *APIKeys) listenForKeyChanges(ctx context.Context, pool *pgxpool.Pool) error {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+keyChangesChannel); err != nil {
		return err
	}
	k.cache.setListening(true)
	k.cache.signalHeard()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		k.cache.forgetAll()
		k.cache.signalHeard()
	}
}
