package alpacaapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"alpacawrapper/apperr"
)

// MaxBody bounds a request body. An order is a few hundred bytes; a watchlist with every symbol
// a person may hold is a few kilobytes.
const MaxBody = 32 << 10

// Decode reads a request body into dst the way Alpaca's server does for the SDKs, which send no
// Content-Type at all (the Go SDK) and write absent fields as null or "" (alpaca.md §1.1): the
// body is JSON whatever its declared type, null and "" are absent, unknown fields are ignored (a
// newer SDK may send fields this app has no use for). Anything wrong is a 400 with a message
// naming the field, never a 500.
func Decode(body []byte, dst any) error {
	if len(body) > MaxBody {
		return Refuse(CodeMalformedBody, fmt.Sprintf("request body is larger than %d KiB", MaxBody>>10))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Refuse(CodeMalformedBody, "request body format is invalid: the body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return decodeRefusal(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Refuse(CodeMalformedBody, "request body format is invalid: more than one JSON value")
	}
	return nil
}

// decodeRefusal explains a decoding error, naming the field when the decoder knows it.
func decodeRefusal(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var ae *Error
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &typ) && typ.Field != "":
		return BadRequest(fmt.Sprintf("%s must be %s", typ.Field, jsonKind(typ.Type.Kind().String())))
	case errors.As(err, &typ):
		return Refuse(CodeMalformedBody, "request body format is invalid: expected a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return Refuse(CodeMalformedBody, "request body format is invalid")
	}
	if rej, ok := apperr.As(err); ok { // a bounded amount refused by trading/order
		return BadRequest(rej.Message)
	}
	return Refuse(CodeMalformedBody, "request body format is invalid")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a number"
}
