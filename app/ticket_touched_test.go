package app

import (
	"testing"

	"alpacawrapper/views"
)

func TestPreviewForTouched(t *testing.T) {
	bracket := func() views.TicketPreviewView {
		return views.TicketPreviewView{Refusal: "Check the highlighted fields.",
			Errors: map[string]string{"tp_limit_price": "Enter a take-profit price.", "sl_stop_price": "Enter a stop-loss price."}}
	}
	t.Run("fields not reached yet are asked for, not refused", func(t *testing.T) {
		p := previewForTouched(bracket(), touchedFields("qty,order_class", true))
		if p.Refusal != "" || len(p.Errors) != 0 {
			t.Fatalf("refusal %q, errors %v", p.Refusal, p.Errors)
		}
		if want := "Enter the take-profit price and stop-loss price to see the estimate."; p.Prompt != want {
			t.Errorf("prompt %q, want %q", p.Prompt, want)
		}
	})
	t.Run("a touched field keeps its message and the refusal", func(t *testing.T) {
		p := previewForTouched(bracket(), touchedFields("qty, tp_limit_price", true))
		if p.Refusal == "" || p.Prompt != "" || len(p.Errors) != 1 || p.Errors["tp_limit_price"] == "" {
			t.Fatalf("got %+v", p)
		}
	})
	t.Run("a form without the list gets every message", func(t *testing.T) {
		p := previewForTouched(bracket(), touchedFields("", false))
		if p.Refusal == "" || len(p.Errors) != 2 {
			t.Fatalf("got %+v", p)
		}
	})
}
