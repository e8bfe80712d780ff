package convert

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/domain/msg"
)

// TestMessagesSurviveTheWire converts reports to protobuf, through the wire
// format and back: every message is known again and renders the English
// string it travels with, and the same Spanish as before the trip.
func TestMessagesSurviveTheWire(t *testing.T) {
	req := eligibility.Requirements{
		Capabilities:        []string{"cybersecurity", "cloud", "ai"},
		Technical:           eligibility.TechnicalSolvency{CPVs: []string{"72200000", "48000000"}},
		Certifications:      []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}},
		EstimatedValueCents: 300_000_00, DurationMonths: 24, Accumulation: true,
		Deadline: time.Date(2027, 3, 15, 14, 0, 0, 0, time.UTC),
	}
	alfa := eligibility.Company{ID: "a1", Name: "Alfa", Active: true, Capabilities: []string{"cloud"},
		Certifications: []eligibility.Certification{{Kind: "ENS", Level: eligibility.LevelBasica, Expires: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}},
		Turnover:       []eligibility.YearAmount{{Year: 2025, Cents: 100_000_00}}}
	beta := eligibility.Company{ID: "b2", Name: "Beta", Capabilities: []string{"cybersecurity"}}
	es := msg.NewPrinter("es", nil)
	for _, team := range []eligibility.Team{eligibility.TeamOf(alfa, beta), {Members: []eligibility.Member{{Company: alfa, ShareBP: 10000, Lead: true, Covers: []string{"ai"}}}}} {
		rep := eligibility.Check(req, team, eligibility.Options{RequireShares: true})
		wire, err := proto.Marshal(Report(rep))
		if err != nil {
			t.Fatal(err)
		}
		var back tenderv1.EligibilityReport
		if err := proto.Unmarshal(wire, &back); err != nil {
			t.Fatal(err)
		}
		for i, r := range back.GetResults() {
			d := rep.Results[i]
			for _, c := range []struct {
				p       *tenderv1.Message
				english string
				orig    msg.Message
			}{{r.GetNeededMessage(), r.GetNeeded(), d.NeededMsg}, {r.GetHaveMessage(), r.GetHave(), d.HaveMsg}, {r.GetDetailMessage(), r.GetDetail(), d.DetailMsg}} {
				m, ok := MessageFrom(c.p)
				if !ok {
					t.Errorf("%s: message %v does not come back", r.GetRule(), c.p)
					continue
				}
				if got := msg.English(m); got != c.english {
					t.Errorf("%s: English %q, string field %q", r.GetRule(), got, c.english)
				}
				if got, want := es.Render(m), es.Render(c.orig); got != want {
					t.Errorf("%s: Spanish %q after the trip, %q before", r.GetRule(), got, want)
				}
			}
		}
	}
	if _, ok := MessageFrom(&tenderv1.Message{Id: "no.such.id"}); ok {
		t.Error("an unknown id came back")
	}
	if _, ok := MessageFrom(&tenderv1.Message{Id: msg.CountMembers.String(), Args: []*tenderv1.MessageArg{{Value: &tenderv1.MessageArg_Text{Text: "3"}}}}); ok {
		t.Error("a message with an argument of the wrong kind came back")
	}
}
