package alpacaapi

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// Alpaca identifies accounts, assets and watchlists by UUIDs; this app numbers them. An ID is
// the number inside a version 8 ("custom") UUID whose first bytes name the kind, so it converts
// both ways without a lookup table and a UUID of one kind never finds a row of another.
type idKind byte

// The kinds of object with a numeric id that the API shows as a UUID.
const (
	kindAccount   idKind = 'a'
	kindAsset     idKind = 's'
	kindWatchlist idKind = 'w'
	kindLedger    idKind = 'l'
)

// idPrefix marks the UUIDs this package makes ("apcw" in ASCII).
var idPrefix = [4]byte{'a', 'p', 'c', 'w'}

func encodeID(k idKind, id int64) uuid.UUID {
	var u uuid.UUID
	copy(u[:4], idPrefix[:])
	u[4] = byte(k)
	u[6] = 0x80 // version 8
	u[8] = 0x80 // RFC 4122 variant
	binary.BigEndian.PutUint64(u[8:], uint64(id))
	u[8] = u[8]&0x3f | 0x80
	return u
}

func decodeID(k idKind, s string) (int64, bool) {
	u, err := uuid.Parse(s)
	if err != nil || [4]byte(u[:4]) != idPrefix || u[4] != byte(k) {
		return 0, false
	}
	b := u
	b[8] &= 0x3f
	id := int64(binary.BigEndian.Uint64(b[8:]))
	return id, id > 0
}

// AccountID is the UUID the API shows for a paper account.
func AccountID(id int64) string { return encodeID(kindAccount, id).String() }

// AssetID is the UUID the API shows for an asset.
func AssetID(id int64) string { return encodeID(kindAsset, id).String() }

// AssetIDOf reads an asset's number from its UUID; ok is false for anything else.
func AssetIDOf(s string) (int64, bool) { return decodeID(kindAsset, s) }

// WatchlistID is the UUID the API shows for a watchlist.
func WatchlistID(id int64) string { return encodeID(kindWatchlist, id).String() }

// WatchlistIDOf reads a watchlist's number from its UUID.
func WatchlistIDOf(s string) (int64, bool) { return decodeID(kindWatchlist, s) }
