package web

import (
	"strings"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/vocab"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain/msg"
)

// The tender service explains eligibility and recommendations with messages
// of its text catalogue (services/tender/domain/msg): an id and typed
// arguments beside each English string. The console renders them in the
// page's language from the same catalogue; a message this build does not
// know (a newer service) falls back to the service's English string.

// ruleRow is one row of the eligibility panel in the page's language.
type ruleRow struct {
	R      *tenderv1.RuleResult
	Needed string
	Have   string
	Detail string
}

// printer renders catalogue messages in the locale's language, naming
// organisations by their legal names when known.
func (l *Locale) printer(names map[string]string) *msg.Printer {
	return msg.NewPrinter(l.Lang, func(id string) string { return names[id] })
}

// say renders a message from the tender service, or english when the
// message is missing or unknown.
func say(p *msg.Printer, m *tenderv1.Message, english string) string {
	if mm, ok := convert.MessageFrom(m); ok {
		return p.Render(mm)
	}
	return english
}

// Rules returns the report's results for the page, in its language.
func (l *Locale) Rules(rep *tenderv1.EligibilityReport, names map[string]string) []ruleRow {
	rows := make([]ruleRow, 0, len(rep.GetResults()))
	for _, r := range rep.GetResults() {
		rows = append(rows, l.rule(r, names))
	}
	return rows
}

// rule renders one result in the locale's language.
func (l *Locale) rule(r *tenderv1.RuleResult, names map[string]string) ruleRow {
	p := l.printer(names)
	return ruleRow{
		R:      r,
		Needed: say(p, r.GetNeededMessage(), r.GetNeeded()),
		Have:   say(p, r.GetHaveMessage(), r.GetHave()),
		Detail: say(p, r.GetDetailMessage(), r.GetDetail()),
	}
}

// Explanation says why a recommended team ranks where it does, in the
// page's language (the service's English when its messages are unknown).
func (l *Locale) Explanation(rec *tenderv1.Recommendation, names map[string]string) string {
	ms := rec.GetExplanationMessages()
	if len(ms) == 0 {
		return rec.GetExplanation()
	}
	p := l.printer(names)
	out := make([]string, len(ms))
	for i, m := range ms {
		mm, ok := convert.MessageFrom(m)
		if !ok {
			return rec.GetExplanation()
		}
		out[i] = p.Render(mm)
	}
	return strings.Join(out, " ")
}

// Requirement names a requirement of a recommendation's coverage: a
// capability by its label, a certification by its name in the language.
func (l *Locale) Requirement(req string) string {
	if vocab.IsCapability(req) {
		return msg.CapabilityLabel(l.Lang, req)
	}
	return msg.CertName(l.Lang, req)
}
