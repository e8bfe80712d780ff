package demo

import (
	"strings"
	"testing"
)

// TestDemoUserNames: every demo user has a person's name of its own, the same
// in every language (the console greets with it; a company user's names its
// company, or the header would not say whom it acts for), and a Title that is the
// cluster's or the company's name, not an English phrase.
func TestDemoUserNames(t *testing.T) {
	const year = 2026
	companies := map[string]string{} // organisation → legal name
	for _, c := range Companies(year) {
		companies[c.ID()] = c.Registration.LegalName
	}
	names := map[string]string{}
	for _, u := range Users(year) {
		name := u.Claims.Name
		if prev, dup := names[name]; dup {
			t.Errorf("%s and %s are both named %q", prev, u.Key, name)
		}
		names[name] = u.Key
		for _, english := range []string{"Manager of", "User of", "Admin", "agency"} {
			if strings.Contains(name, english) {
				t.Errorf("%s is named %q: an English phrase, not a person's name", u.Key, name)
			}
		}
		suffix := " (demo)"
		if org := u.Claims.Organization; org != "" {
			suffix = " (" + companies[org] + ")"
		}
		if !strings.HasSuffix(name, suffix) || len(strings.Fields(strings.TrimSuffix(name, suffix))) != 2 {
			t.Errorf("%s is named %q, want a first name and a surname, then %q", u.Key, name, suffix)
		}
		var want string
		switch {
		case u.Claims.Organization != "":
			want = companies[u.Claims.Organization]
		case strings.HasSuffix(u.Key, "-manager"):
			want = clusterName(strings.TrimSuffix(u.Key, "-manager"))
		}
		if u.Title != want {
			t.Errorf("%s titled %q, want %q", u.Key, u.Title, want)
		}
	}
}
