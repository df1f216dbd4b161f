package alpacawire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vmihailenco/msgpack/v5"
)

// Format is the encoding of a stream connection's frames.
type Format int

// The two encodings Alpaca's stream speaks.
const (
	// JSON is the default: text frames of JSON.
	JSON Format = iota
	// MsgPack is chosen by a client that sends "Content-Type: application/msgpack" on the upgrade, as
	// the SDK does: binary frames of msgpack, both ways.
	MsgPack
)

// MsgPackContentType is the upgrade header value that selects MsgPack.
const MsgPackContentType = "application/msgpack"

// FormatFor picks the format from the upgrade request's Content-Type header.
func FormatFor(contentType string) Format {
	if strings.EqualFold(strings.TrimSpace(contentType), MsgPackContentType) {
		return MsgPack
	}
	return JSON
}

// String names the format.
func (f Format) String() string {
	if f == MsgPack {
		return "msgpack"
	}
	return "json"
}

// Encode is one frame: the messages as an array, in order. Messages are the *Msg structs of this
// package, whose field order puts T first.
func Encode(f Format, msgs ...any) ([]byte, error) {
	if msgs == nil {
		msgs = []any{}
	}
	if f == MsgPack {
		b, err := msgpack.Marshal(msgs)
		if err != nil {
			return nil, fmt.Errorf("alpacawire: encode msgpack frame: %w", err)
		}
		return b, nil
	}
	b, err := json.Marshal(msgs)
	if err != nil {
		return nil, fmt.Errorf("alpacawire: encode json frame: %w", err)
	}
	return b, nil
}

// Malformed is a frame that a client of the given format cannot decode: for msgpack a byte no
// msgpack value starts with, for JSON a truncated array.
func Malformed(f Format) []byte {
	if f == MsgPack {
		return []byte{0xc1} // "never used" in the msgpack spec
	}
	return []byte(`[{"T":`)
}

// DecodeAction reads one client message. Clients send a single map per frame; an array of maps is
// accepted too, and its first element is taken.
func DecodeAction(f Format, data []byte) (Action, error) {
	var a Action
	if f == MsgPack {
		if len(data) > 0 && isMsgpackArray(data[0]) {
			var arr []Action
			if err := msgpack.Unmarshal(data, &arr); err != nil || len(arr) == 0 {
				return Action{}, errors.New("alpacawire: action is not a msgpack map")
			}
			return arr[0], nil
		}
		if err := msgpack.Unmarshal(data, &a); err != nil {
			return Action{}, fmt.Errorf("alpacawire: action is not a msgpack map: %w", err)
		}
		return a, nil
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var arr []Action
		if err := json.Unmarshal(trimmed, &arr); err != nil || len(arr) == 0 {
			return Action{}, errors.New("alpacawire: action is not a json object")
		}
		return arr[0], nil
	}
	if err := json.Unmarshal(trimmed, &a); err != nil {
		return Action{}, fmt.Errorf("alpacawire: action is not a json object: %w", err)
	}
	return a, nil
}

// EncodeAction is a client message as a client of the given format sends it.
func EncodeAction(f Format, a Action) ([]byte, error) {
	if f == MsgPack {
		return msgpack.Marshal(a)
	}
	return json.Marshal(a)
}

// MessageTypes reads a frame as the SDK does: an array of maps whose first key must be "T". It
// returns each element's T in order, or an error naming the first element that breaks the rule.
func MessageTypes(f Format, data []byte) ([]string, error) {
	if f == MsgPack {
		return msgpackTypes(data)
	}
	return jsonTypes(data)
}

func msgpackTypes(data []byte) ([]string, error) {
	d := msgpack.NewDecoder(bytes.NewReader(data))
	n, err := d.DecodeArrayLen()
	if err != nil {
		return nil, fmt.Errorf("alpacawire: frame is not an array: %w", err)
	}
	types := make([]string, 0, n)
	for i := 0; i < n; i++ {
		m, err := d.DecodeMapLen()
		if err != nil {
			return nil, fmt.Errorf("alpacawire: element %d is not a map: %w", i, err)
		}
		if m < 1 {
			return nil, fmt.Errorf("alpacawire: element %d is empty", i)
		}
		key, err := d.DecodeString()
		if err != nil {
			return nil, err
		}
		if key != "T" {
			return nil, fmt.Errorf("alpacawire: element %d: first key is not T but: %s", i, key)
		}
		t, err := d.DecodeString()
		if err != nil {
			return nil, err
		}
		types = append(types, t)
		for j := 1; j < m; j++ {
			if err := d.Skip(); err != nil { // key
				return nil, err
			}
			if err := d.Skip(); err != nil { // value
				return nil, err
			}
		}
	}
	return types, nil
}

func jsonTypes(data []byte) ([]string, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		return nil, fmt.Errorf("alpacawire: frame is not an array: %w", err)
	}
	types := make([]string, 0, len(elems))
	for i, el := range elems {
		d := json.NewDecoder(bytes.NewReader(el))
		if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
			return nil, fmt.Errorf("alpacawire: element %d is not an object", i)
		}
		key, err := d.Token()
		if err != nil || key != "T" {
			return nil, fmt.Errorf("alpacawire: element %d: first key is not T but: %v", i, key)
		}
		var t string
		if err := d.Decode(&t); err != nil {
			return nil, fmt.Errorf("alpacawire: element %d: T: %w", i, err)
		}
		types = append(types, t)
	}
	return types, nil
}

// isMsgpackArray reports whether a msgpack value starting with c is an array (fixarray, array 16,
// array 32).
func isMsgpackArray(c byte) bool { return (c >= 0x90 && c <= 0x9f) || c == 0xdc || c == 0xdd }
