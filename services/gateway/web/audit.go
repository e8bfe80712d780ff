package web

import (
	"strings"
)

// Event returns the label of a domain event type in the locale's language
// ("consortia.tender.v1.ConsortiumFormed" → "Consorcio creado"). A type
// without a label shows its message key, which the Spanish-pages test catches.
func (l *Locale) Event(typ string) string {
	return l.T("event." + typ[strings.LastIndex(typ, ".")+1:])
}

// Actor returns the display name of who caused an event ("user:<subject>" or
// "system:<name>"): the signed-in user's own name, a development user's name,
// a named system process, or a generic label; never the raw subject.
func (l *Locale) Actor(actor string) string {
	sub := strings.TrimPrefix(actor, "user:")
	if l.self != nil && l.self.Subject == sub && l.self.Name != "" {
		return l.self.Name
	}
	for _, u := range l.users {
		if u.Claims.Subject == sub && u.Claims.Name != "" {
			return u.Claims.Name
		}
	}
	if name, ok := strings.CutPrefix(sub, "system:"); ok {
		if msg, ok := messages[l.Lang]["actor.system."+name]; ok {
			return msg
		}
		return l.T("actor.system")
	}
	return l.T("actor.user")
}
