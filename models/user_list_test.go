package models_test

import (
	"context"
	"testing"
	"time"

	"alpacawrapper/database/dbtest"
	"alpacawrapper/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestListUsers(t *testing.T) {
	t.Parallel()
	ctx, tx := context.Background(), dbtest.Tx(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	people := []struct{ email, name string }{
		{"ada@example.com", "Ada Lovelace"},
		{"grace@example.com", "Grace Hopper"},
		{"alan@example.org", "Alan Turing"},
		{"under_score@example.com", "Percent 100% Person"},
		{"katherine@example.net", "Katherine Johnson"},
	}
	for i, p := range people {
		// Created a minute apart, the last newest, so the expected order is known.
		at := start.Add(time.Duration(i) * time.Minute)
		u := &models.User{Email: p.email, Name: p.name, PasswordHash: "x", Role: models.RoleUser, Active: true,
			TimeZone: "UTC", TermsAcceptedAt: at, CredentialsChangedAt: at, CreatedAt: at, UpdatedAt: at}
		if err := models.CreateUser(ctx, tx, u); err != nil {
			t.Fatal(err)
		}
	}
	emails := func(us []models.User) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = u.Email
		}
		return out
	}
	cases := []struct {
		name, query   string
		limit, offset int
		want          []string
		total         int64
	}{
		{"everyone, newest first", "", 25, 0, []string{"katherine@example.net", "under_score@example.com", "alan@example.org", "grace@example.com", "ada@example.com"}, 5},
		{"first page", "", 2, 0, []string{"katherine@example.net", "under_score@example.com"}, 5},
		{"last page", "", 2, 4, []string{"ada@example.com"}, 5},
		{"past the end", "", 2, 10, []string{}, 5},
		{"name, any case", "LOVELACE", 25, 0, []string{"ada@example.com"}, 1},
		{"e-mail substring", "example.org", 25, 0, []string{"alan@example.org"}, 1},
		{"name or e-mail", "a", 25, 0, []string{"katherine@example.net", "under_score@example.com", "alan@example.org", "grace@example.com", "ada@example.com"}, 5},
		{"surrounding spaces ignored", "  hopper ", 25, 0, []string{"grace@example.com"}, 1},
		{"underscore is literal", "_", 25, 0, []string{"under_score@example.com"}, 1},
		{"percent is literal", "%", 25, 0, []string{"under_score@example.com"}, 1},
		{"backslash is literal", `\`, 25, 0, []string{}, 0},
		{"no match", "nobody", 25, 0, []string{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			users, total, err := models.ListUsers(ctx, tx, tc.query, tc.limit, tc.offset)
			if err != nil {
				t.Fatal(err)
			}
			got := emails(users)
			if total != tc.total || len(got) != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v (total %d)", got, total, tc.want, tc.total)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}
