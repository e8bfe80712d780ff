package demo

import (
	"strings"
	"testing"
)

// TestEveryDemoCompanyHasAUser: each demo company has exactly one company
// user, with a key, its organisation and the cluster it is listed under.
func TestEveryDemoCompanyHasAUser(t *testing.T) {
	const year = 2026
	users := map[string]User{} // organisation → user
	keys := map[string]bool{}
	for _, u := range Users(year) {
		if keys[u.Key] {
			t.Errorf("user key %q twice", u.Key)
		}
		keys[u.Key] = true
		if u.Claims.Organization == "" {
			continue
		}
		if _, dup := users[u.Claims.Organization]; dup {
			t.Errorf("organisation %s has two users", u.Claims.Organization)
		}
		users[u.Claims.Organization] = u
	}
	companies := Companies(year)
	if len(users) != len(companies) {
		t.Errorf("%d company users for %d demo companies", len(users), len(companies))
	}
	for i, c := range companies {
		u, ok := users[c.ID()]
		if !ok {
			t.Errorf("%s has no demo user", c.Registration.LegalName)
			continue
		}
		if !strings.HasSuffix(u.Title, c.Registration.LegalName) || !strings.HasSuffix(u.Group, "(demo)") {
			t.Errorf("%s: user %q titled %q in group %q", c.Registration.LegalName, u.Key, u.Title, u.Group)
		}
		if i == 0 && u.Key != "company1" {
			t.Errorf("first demo company's user is %q, want company1 (tests and the README name it)", u.Key)
		}
	}
}
