package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

func TestKeyIsDeterministicPerEventRecipientAndChannel(t *testing.T) {
	k := domain.Key("ev-1", "org:a", domain.ChannelInbox)
	if k != domain.Key("ev-1", "org:a", domain.ChannelInbox) || !domain.ValidKey(k) {
		t.Fatalf("key %q not stable or not valid", k)
	}
	for _, other := range []string{domain.Key("ev-2", "org:a", domain.ChannelInbox), domain.Key("ev-1", "org:b", domain.ChannelInbox), domain.Key("ev-1", "org:a", domain.ChannelEmail)} {
		if other == k {
			t.Fatal("different notifications share a key")
		}
	}
	if domain.ValidKey("../etc") || domain.ValidKey(strings.Repeat("A", 32)) {
		t.Fatal("ValidKey accepted a non-key")
	}
}

func TestPlanChannels(t *testing.T) {
	n := domain.Notice{Type: domain.TypeConsortiumInvited, OrganizationID: "a", MessageID: domain.MsgInvited, Source: domain.Source{EventID: "ev"}}
	users := []domain.Preferences{
		{UserID: "u1", OrganizationID: "a", Email: "u1@x.invalid", Language: "en"},
		{UserID: "u2", OrganizationID: "a", Email: "u2@x.invalid", Types: []domain.TypePreference{{Type: domain.TypeConsortiumInvited, Email: true, Webhook: false, Mode: domain.ModeDailyDigest}}},
		{UserID: "u3", OrganizationID: "a", Email: "u3@x.invalid", Types: []domain.TypePreference{{Type: domain.TypeConsortiumInvited, Email: false, Webhook: true}}},
		{UserID: "u4", OrganizationID: "a"}, // no address
	}
	eps := []domain.Endpoint{
		{ID: "e1", Enabled: true},
		{ID: "e2", Enabled: false},
		{ID: "e3", Enabled: true, Types: []domain.Type{domain.TypeAwardResult}},
		{ID: "e4", Enabled: true, Deleted: true},
	}
	got := map[string]domain.Intent{}
	for _, in := range domain.Plan(n, users, eps) {
		got[in.Channel.String()+":"+in.UserID+in.EndpointID] = in
	}
	want := []string{"inbox:", "email:u1", "email:u2", "webhook:e1"}
	if len(got) != len(want) {
		t.Fatalf("intents %v, want %v", got, want)
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Fatalf("missing %s in %v", w, got)
		}
	}
	if !got["email:u2"].Digest || got["email:u1"].Digest || got["email:u1"].Language != "en" || got["email:u2"].Language != "es" {
		t.Fatalf("digest or language wrong: %+v %+v", got["email:u1"], got["email:u2"])
	}
	// When every user turned webhooks off for the type, none is sent.
	off := []domain.Preferences{{UserID: "u", Types: []domain.TypePreference{{Type: domain.TypeConsortiumInvited, Webhook: false}}}}
	for _, in := range domain.Plan(n, off, eps) {
		if in.Channel == domain.ChannelWebhook {
			t.Fatal("webhook planned although every user turned it off")
		}
	}
}

func TestValidatePreferences(t *testing.T) {
	err := domain.ValidatePreferences(domain.Preferences{Language: "fr", DigestMinute: 1500,
		Types: []domain.TypePreference{{Type: domain.TypeDigest}, {Type: domain.TypeAwardResult}, {Type: domain.TypeAwardResult}},
		Quiet: &domain.QuietHours{StartMinute: 60, EndMinute: 60, TimeZone: "Mars/Olympus"}})
	var inv *domainerr.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err %v", err)
	}
	fields := map[string]bool{}
	for _, v := range inv.Violations {
		fields[v.Field] = true
	}
	for _, f := range []string{"preferences.language", "preferences.types[0].type", "preferences.types[2].type", "preferences.quiet_hours.end_minute", "preferences.quiet_hours.time_zone", "preferences.digest_minute"} {
		if !fields[f] {
			t.Errorf("no violation for %s (got %v)", f, inv.Violations)
		}
	}
	if err := domain.ValidatePreferences(domain.Preferences{Language: "en", Quiet: &domain.QuietHours{StartMinute: 22 * 60, EndMinute: 7 * 60}}); err != nil {
		t.Fatal(err)
	}
}

func TestQuietHoursAndDigestTime(t *testing.T) {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	p := domain.Preferences{Quiet: &domain.QuietHours{StartMinute: 22 * 60, EndMinute: 7 * 60, TimeZone: "Europe/Madrid"}, DigestMinute: 9 * 60}
	cases := []struct {
		at   time.Time
		want time.Time
	}{
		{time.Date(2026, 3, 2, 23, 30, 0, 0, madrid), time.Date(2026, 3, 3, 7, 0, 0, 0, madrid)},
		{time.Date(2026, 3, 3, 6, 59, 0, 0, madrid), time.Date(2026, 3, 3, 7, 0, 0, 0, madrid)},
		{time.Date(2026, 3, 3, 7, 0, 0, 0, madrid), time.Time{}},
		{time.Date(2026, 3, 3, 12, 0, 0, 0, madrid), time.Time{}},
	}
	for _, c := range cases {
		if got := p.QuietUntil(c.at); !got.Equal(c.want) {
			t.Errorf("QuietUntil(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	if got := p.NextDigest(time.Date(2026, 3, 3, 8, 0, 0, 0, madrid)); !got.Equal(time.Date(2026, 3, 3, 9, 0, 0, 0, madrid)) {
		t.Errorf("next digest %v", got)
	}
	if got := p.NextDigest(time.Date(2026, 3, 3, 9, 0, 0, 0, madrid)); !got.Equal(time.Date(2026, 3, 4, 9, 0, 0, 0, madrid)) {
		t.Errorf("next digest after 09:00 %v", got)
	}
}

// The documented default schedule.
func TestDefaultBackoffSchedule(t *testing.T) {
	b := domain.DefaultBackoff
	want := []time.Duration{5 * time.Second, 20 * time.Second, 80 * time.Second, 320 * time.Second, 1280 * time.Second, 5120 * time.Second, 20480 * time.Second}
	for i, w := range want {
		if got := b.Delay(i+1, 0.5); got != w {
			t.Errorf("delay after attempt %d = %v, want %v", i+1, got, w)
		}
	}
	if got := b.Delay(1, 0); got != 4*time.Second {
		t.Errorf("jitter low end %v, want 4s (−20 %%)", got)
	}
	if got := (domain.Backoff{Initial: time.Hour, Factor: 10, Max: 2 * time.Hour, Attempts: 3}).Delay(5, 0.5); got != 2*time.Hour {
		t.Errorf("capped delay %v", got)
	}
	if b.Final(7) || !b.Final(8) {
		t.Error("8 attempts: the 8th failure is final")
	}
}

func TestEveryMessageInBothLanguages(t *testing.T) {
	for _, id := range []string{domain.MsgTenderMatchedAlone, domain.MsgTenderMatchedTeam, domain.MsgInvited, domain.MsgMemberAccepted, domain.MsgMemberDeclined,
		domain.MsgShareSet, domain.MsgEligible, domain.MsgIneligible, domain.MsgSubmitted, domain.MsgAwardWon, domain.MsgAwardLost, domain.MsgReminder,
		domain.MsgCertExpiring, domain.MsgDigest} {
		if !domain.HasMessage(id) {
			t.Errorf("%s lacks a language", id)
		}
	}
	title, body := domain.Render("en", domain.MsgReminder, map[string]string{"tender": "T", "deadline": "D", "left": "@days:7"})
	if title != "Last chance: T" || !strings.Contains(body, "7 days left") {
		t.Fatalf("%q / %q", title, body)
	}
	_, body = domain.Render("es", domain.MsgReminder, map[string]string{"tender": "T", "deadline": "D", "left": "@hours:48"})
	if !strings.Contains(body, "quedan 48 horas") {
		t.Fatalf("%q", body)
	}
}

func TestValidateEndpoint(t *testing.T) {
	for _, bad := range []string{"", "ftp://x", "https://", "https://user:pw@x.example/h", "not a url\x7f"} {
		if err := domain.ValidateEndpoint(domain.EndpointInput{URL: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := domain.ValidateEndpoint(domain.EndpointInput{URL: "https://erp.example/hook", Types: []domain.Type{domain.TypeAwardResult}}); err != nil {
		t.Fatal(err)
	}
	s := domain.NewSecret()
	if key, err := domain.SecretBytes(s); !strings.HasPrefix(s, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("secret %q: %v", s, err)
	}
}
