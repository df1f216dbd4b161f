package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"sync"
	"time"

	"alpacawrapper/live"
)

// userStreamsEvery is how often the open streams' people are checked against the database. An
// administrator's action through this process ends the streams at once (end); this catches one
// made through another process within a second, as the API keys' stream guard does.
const userStreamsEvery = time.Second

// userStreams are this process's open live connections by person: the trading pages' WebSockets
// (with the browser session that opened them) and the Alpaca trade-event streams. A person
// disabled, demoted or signed out loses them at once, rather than when the client next reconnects.
type userStreams struct {
	srv     *Server
	mu      sync.Mutex
	byUser  map[int64]map[*live.Session][]byte // the browser session's id hash, nil for an API stream
	running bool
}

func newUserStreams(s *Server) *userStreams {
	return &userStreams{srv: s, byUser: map[int64]map[*live.Session][]byte{}}
}

// add watches session s of userID, opened by the browser session sessHash (nil for a program);
// the watch ends with the session.
func (g *userStreams) add(s *live.Session, userID int64, sessHash []byte) {
	if g == nil || userID == 0 {
		return
	}
	g.mu.Lock()
	if g.byUser[userID] == nil {
		g.byUser[userID] = map[*live.Session][]byte{}
	}
	g.byUser[userID][s] = sessHash
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	context.AfterFunc(s.Context(), func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		delete(g.byUser[userID], s)
		if len(g.byUser[userID]) == 0 {
			delete(g.byUser, userID)
		}
	})
}

// end closes every open stream of userID whose browser session is not kept: all of them for
// keep == nil.
func (g *userStreams) end(userID int64, reason string, keep func(sessHash []byte) bool) {
	if g == nil {
		return
	}
	g.mu.Lock()
	var closing []*live.Session
	for s, h := range g.byUser[userID] {
		if keep == nil || !keep(h) {
			closing = append(closing, s)
		}
	}
	g.mu.Unlock()
	for _, s := range closing {
		s.Close(live.ClosePolicy, reason)
	}
}

// endSession closes the streams a browser session opened (the session was revoked).
func (g *userStreams) endSession(userID int64, handlePrefix []byte) {
	g.end(userID, "signed out", func(h []byte) bool { return h == nil || !bytes.HasPrefix(h, handlePrefix) })
}

// run checks, while any stream is open, that each person is still active and each browser
// session still exists; then stops.
func (g *userStreams) run() {
	t := time.NewTicker(userStreamsEvery)
	defer t.Stop()
	for range t.C {
		g.mu.Lock()
		users := make([]int64, 0, len(g.byUser))
		var hashes [][]byte
		for u, m := range g.byUser {
			users = append(users, u)
			for _, h := range m {
				if h != nil {
					hashes = append(hashes, h)
				}
			}
		}
		if len(users) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		g.check(users, hashes)
	}
}

// check ends the streams of people no longer active (or no longer existing) and of browser
// sessions that ended. A failed query ends nothing: the database being unreachable is not a
// reason to cut people off.
func (g *userStreams) check(users []int64, hashes [][]byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var active []int64
	if err := g.srv.db.WithContext(ctx).Raw("SELECT id FROM users WHERE id IN ? AND active", users).Scan(&active).Error; err != nil {
		return
	}
	alive := map[string]bool{}
	if len(hashes) > 0 {
		var found [][]byte
		if err := g.srv.db.WithContext(ctx).Raw("SELECT id_hash FROM sessions WHERE id_hash IN ?", hashes).Scan(&found).Error; err != nil {
			return
		}
		for _, h := range found {
			alive[string(h)] = true
		}
	}
	isActive := map[int64]bool{}
	for _, id := range active {
		isActive[id] = true
	}
	for _, u := range users {
		if !isActive[u] {
			g.end(u, "account disabled", nil)
			continue
		}
		g.end(u, "signed out", func(h []byte) bool { return h == nil || alive[string(h)] })
	}
}

// endUser closes every open stream of userID on this process at once: its trading pages and its
// API streams, by key as well (the Alpaca WebSocket knows only its key).
func (l *liveState) endUser(userID int64, reason string) {
	if l == nil {
		return
	}
	l.users.end(userID, reason, nil)
	for _, id := range l.users.keysOf(userID) {
		l.streams.revoked(id)
	}
}

// endSession closes the streams one browser session of userID opened.
func (l *liveState) endSession(userID int64, handle string) {
	if l == nil {
		return
	}
	if prefix, err := hex.DecodeString(handle); err == nil {
		l.users.endSession(userID, prefix)
	}
}

// keysOf lists userID's API key row ids, revoked or not (a disabled owner's keys stop working
// without being revoked).
func (g *userStreams) keysOf(userID int64) []int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ids []int64
	if err := g.srv.db.WithContext(ctx).Raw("SELECT id FROM api_keys WHERE user_id = ? AND revoked_at IS NULL", userID).Scan(&ids).Error; err != nil {
		return nil
	}
	return ids
}
