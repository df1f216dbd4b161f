package order

import "alpacawrapper/apperr"

// The stable codes a refusal carries, Alpaca's own: 40010001 for a request that is malformed
// (a required field missing, an unknown value, a number that cannot be one), 42210000 for a
// well-formed request whose parameters Alpaca will not process together.
const (
	CodeMalformed     = "40010001"
	CodeUnprocessable = "42210000"
)

// problems collects field errors in the order Validate finds them. The first one found decides
// the refusal's code and message (Alpaca reports one message); all of them go into Fields so an
// order ticket can mark every field at fault.
type problems struct {
	fields apperr.Fields
	code   string
	msg    string
}

func (p *problems) add(field, code, msg string) {
	if p.fields == nil {
		p.fields = apperr.Fields{}
	}
	if p.msg == "" {
		p.code, p.msg = code, msg
	}
	p.fields.Add(field, msg)
}

func (p *problems) has(field string) bool {
	_, ok := p.fields[field]
	return ok
}

func (p *problems) err() error {
	if len(p.fields) == 0 {
		return nil
	}
	return &apperr.Error{Kind: apperr.KindInvalid, Code: p.code, Message: p.msg, Fields: map[string]string(p.fields)}
}
