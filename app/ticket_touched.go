package app

import (
	"slices"
	"strings"

	"alpacawrapper/views"
)

// The ticket's preview runs as the person types, before they have reached every field: choosing
// "Bracket" makes the take-profit and stop-loss prices required at once, and marking them wrong
// then would scold fields not yet reached. The form carries the names of the fields changed so
// far ("touched", kept by static/js/trading.js); the preview shows messages for those only, and
// while every message is for a field not reached yet it asks for them instead of refusing.
// Placing the order always shows every message.

// touchedFields reads the form's comma-separated list of changed fields; nil when the form has
// no such field (a client that does not keep it gets every message).
func touchedFields(raw string, present bool) map[string]bool {
	if !present {
		return nil
	}
	out := map[string]bool{}
	for _, n := range strings.Split(raw, ",") {
		if n = strings.TrimSpace(n); n != "" && len(out) < 32 {
			out[n] = true
		}
	}
	return out
}

// ticketFieldLabels name the fields in the preview's request for what is missing.
var ticketFieldLabels = map[string]string{
	"symbol": "symbol", "qty": "quantity", "notional": "amount", "limit_price": "limit price",
	"stop_price": "stop price", "trail_price": "trail", "trail_percent": "trail",
	"tp_limit_price": "take-profit price", "sl_stop_price": "stop-loss price", "sl_limit_price": "stop-loss limit",
}

// previewForTouched keeps p's field messages for the touched fields (all of them when touched is
// nil). When messages remain only for fields not touched, the refusal becomes a prompt naming
// them. p.Errors is replaced.
func previewForTouched(p views.TicketPreviewView, touched map[string]bool) views.TicketPreviewView {
	if len(p.Errors) == 0 || touched == nil {
		return p
	}
	shown := map[string]string{}
	var pending []string
	for _, name := range views.TicketFieldNames() {
		msg, ok := p.Errors[name]
		switch {
		case !ok:
		case touched[name]:
			shown[name] = msg
		default:
			label := ticketFieldLabels[name]
			if label == "" {
				label = strings.ReplaceAll(name, "_", " ")
			}
			if !slices.Contains(pending, label) {
				pending = append(pending, label)
			}
		}
	}
	p.Errors = shown
	if len(shown) == 0 && len(pending) > 0 {
		p.Refusal = ""
		p.Prompt = "Enter the " + joinWords(pending) + " to see the estimate."
	}
	return p
}

// joinWords joins a list as a sentence does: "a", "a and b", "a, b and c".
func joinWords(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
