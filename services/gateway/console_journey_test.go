package gateway_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleSignInEveryCompany: every demo company has a demo user on the
// sign-in page, listed under its cluster's heading, and each can sign in.
func TestConsoleSignInEveryCompany(t *testing.T) {
	s := startStack(t, false)
	c := consoleClient(t)
	page := body(t, get(t, c, s.URL+"/?lang=es"))
	// The page's headings in order, with the users after each.
	sections := regexp.MustCompile(`(?s)<h3>(.*?)</h3>(.*?)</div>`).FindAllStringSubmatch(page, -1)
	under := map[string]string{} // user key → heading
	for _, sec := range sections {
		for _, m := range regexp.MustCompile(`id="signin-([a-z0-9-]+)"`).FindAllStringSubmatch(sec[2], -1) {
			under[m[1]] = sec[1]
		}
	}
	companies := 0
	for key, u := range s.Users {
		if u.Claims.Organization == "" {
			continue
		}
		companies++
		if h, ok := under[key]; !ok || !strings.Contains(h, u.Group) || u.Group == "" {
			t.Errorf("%s (%s): under heading %q, want its cluster %q", key, u.Title, h, u.Group)
		}
	}
	if companies != 24 {
		t.Errorf("%d demo company users, want one per demo company (24)", companies)
	}
	for _, key := range []string{"company6", "company24"} {
		resp := post(t, c, s.URL+"/signin", url.Values{"user": {key}, "next": {"/profile"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in as %s: %d", key, resp.StatusCode)
		}
		name := strings.TrimPrefix(s.Users[key].Title, "Company user, ")
		if page := body(t, get(t, c, s.URL+"/profile")); !strings.Contains(page, name) {
			t.Errorf("%s's profile page does not show %q", key, name)
		}
		post(t, c, s.URL+"/signout", nil)
	}
}
