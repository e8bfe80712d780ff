package web

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/protobuf/reflect/protoreflect"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/tender/app"
)

// TestEventLabels: every event of the tender and commission services (the
// messages of their *_events.proto files that no other message there holds as
// a field) has a label in both languages.
func TestEventLabels(t *testing.T) {
	files := []protoreflect.FileDescriptor{
		tenderv1.File_consortia_tender_v1_tender_events_proto, tenderv1.File_consortia_tender_v1_consortium_events_proto,
		commissionv1.File_consortia_commission_v1_commission_events_proto,
	}
	n := 0
	for _, f := range files {
		held := map[protoreflect.FullName]bool{}
		for i := range f.Messages().Len() {
			fields := f.Messages().Get(i).Fields()
			for j := range fields.Len() {
				if m := fields.Get(j).Message(); m != nil {
					held[m.FullName()] = true
				}
			}
		}
		for i := range f.Messages().Len() {
			m := f.Messages().Get(i)
			if held[m.FullName()] {
				continue
			}
			n++
			for _, lang := range languages {
				if _, ok := messages[lang]["event."+string(m.Name())]; !ok {
					t.Errorf("event %s has no %s label", m.FullName(), lang)
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d events found in the tender and commission event files", n)
	}
}

// TestAuditNames: audit lines name the event and the actor in the page's
// language, never the type or the subject.
func TestAuditNames(t *testing.T) {
	self := &auth.Principal{Claims: auth.Claims{Name: "Lucía Gómez (demo)", RegisteredClaims: jwt.RegisteredClaims{Subject: "demo:tera-manager"}}}
	users := []User{{Key: "company1", Claims: auth.Claims{Name: "Pablo Fernández (demo)", RegisteredClaims: jwt.RegisteredClaims{Subject: "demo:company1"}}}}
	for _, tc := range []struct {
		lang, actor, typ, who, what string
	}{
		{"es", "user:demo:tera-manager", "consortia.tender.v1.ConsortiumFormed", "Lucía Gómez (demo)", "Consorcio creado"},
		{"en", "user:demo:tera-manager", "consortia.tender.v1.ConsortiumFormed", "Lucía Gómez (demo)", "Consortium formed"},
		{"es", "user:demo:company1", "consortia.tender.v1.ConsortiumMemberJoined", "Pablo Fernández (demo)", "Invitación aceptada"},
		{"es", "user:system:demo-seed", "consortia.tender.v1.TenderCreated", "Carga de datos de demostración", "Licitación creada"},
		{"en", "system:scheduler", "consortia.commission.v1.MeetingScheduled", "The system", "Meeting scheduled"},
		{"es", "user:0b8f3c2e-1d4a-4f6b-9c7e-5a2d1e3f4b6c", "TenderPublished", "Otro usuario", "Licitación publicada"},
		{"es", "user:x", "consortia.tender.v1.NoSuchEvent", "Otro usuario", "event.NoSuchEvent"},
	} {
		l := &Locale{Lang: tc.lang, users: users, self: self}
		if got := l.Actor(tc.actor); got != tc.who {
			t.Errorf("%s: Actor(%q) = %q, want %q", tc.lang, tc.actor, got, tc.who)
		}
		if got := l.Event(tc.typ); got != tc.what {
			t.Errorf("%s: Event(%q) = %q, want %q", tc.lang, tc.typ, got, tc.what)
		}
		if strings.Contains(l.Actor(tc.actor), ":") {
			t.Errorf("%s: Actor(%q) shows a subject", tc.lang, tc.actor)
		}
	}
}

// TestRankingText: the console's English account of how recommendations are
// ranked is the tender service's own (its Spanish one translates it).
func TestRankingText(t *testing.T) {
	if got := messages["en"]["recommend.ranking"]; got != app.Ranking {
		t.Errorf("recommend.ranking (en) = %q, want the tender service's app.Ranking %q", got, app.Ranking)
	}
}
