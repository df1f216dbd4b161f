package trading

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"alpacawrapper/apperr"
	"alpacawrapper/models"
)

// The journal (issue 14, item 17): the original's paper trading was a journal of trades with
// notes; here any real order may carry a note and tags, written or changed at any time, and the
// activity page finds fills by them.

// Limits of a journal entry, as the order_notes table enforces them.
const (
	MaxNoteRunes = 1000
	MaxTags      = 10
	MaxTagRunes  = 32
)

// ParseTags reads tags as people type them: separated by commas or spaces, a leading # dropped,
// folded to lower case, duplicates removed, in the order given. A tag is letters, digits, "-"
// and "_" only, so it can be searched for as typed. A refusal is an Invalid error on "tags".
func ParseTags(text string) ([]string, error) {
	tags, problem := parseTags(text)
	if problem != "" {
		return nil, apperr.Invalid(map[string]string{"tags": problem})
	}
	return tags, nil
}

// parseTags is ParseTags with its refusal as a message for people.
func parseTags(text string) ([]string, string) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	var out []string
	seen := map[string]bool{}
	for _, f := range fields {
		t := strings.ToLower(strings.TrimPrefix(f, "#"))
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagRunes {
			return nil, fmt.Sprintf("Tag %q is longer than %d characters.", t, MaxTagRunes)
		}
		for _, r := range t {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
				return nil, fmt.Sprintf("Tag %q may hold only letters, digits, - and _.", t)
			}
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, fmt.Sprintf("At most %d tags (you gave %d).", MaxTags, len(out))
	}
	return out, ""
}

// SetOrderNote writes the note and tags of one of the person's orders (in any of their accounts'
// periods); both empty removes them. tagsText is as typed (ParseTags).
func (s *Service) SetOrderNote(ctx context.Context, userID, accountID int64, orderID uuid.UUID, note, tagsText string) (*models.OrderNote, error) {
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	fields := apperr.Fields{}
	if utf8.RuneCountInString(note) > MaxNoteRunes {
		fields.Add("note", fmt.Sprintf("The note is %d characters; at most %d.", utf8.RuneCountInString(note), MaxNoteRunes))
	}
	if !utf8.ValidString(note) || strings.ContainsRune(note, 0) {
		fields.Add("note", "The note holds characters that are not text.")
	}
	tags, problem := parseTags(tagsText)
	if problem != "" {
		fields.Add("tags", problem)
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	if _, err := s.Account(ctx, userID, accountID); err != nil {
		return nil, err
	}
	err := models.SaveOrderNote(ctx, s.db, accountID, orderID, note, tags, s.now())
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrOrderNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("trading: %w", err)
	}
	return &models.OrderNote{OrderID: orderID, AccountID: accountID, Note: note, Tags: tags}, nil
}

// OrderNote is the note of one of an account's orders; an order without one has an empty note.
func (s *Service) OrderNote(ctx context.Context, accountID int64, orderID uuid.UUID) (models.OrderNote, error) {
	n, err := models.OrderNoteOf(ctx, s.db, accountID, orderID)
	if errors.Is(err, models.ErrNotFound) {
		return models.OrderNote{OrderID: orderID, AccountID: accountID}, nil
	}
	if err != nil {
		return models.OrderNote{}, fmt.Errorf("trading: %w", err)
	}
	return *n, nil
}

// OrderNotes are the notes of some of an account's orders, by order id.
func (s *Service) OrderNotes(ctx context.Context, accountID int64, orderIDs []uuid.UUID) (map[uuid.UUID]models.OrderNote, error) {
	out, err := models.OrderNotesOf(ctx, s.db, accountID, orderIDs)
	if err != nil {
		return nil, fmt.Errorf("trading: %w", err)
	}
	return out, nil
}
