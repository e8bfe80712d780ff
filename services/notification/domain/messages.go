package domain

import (
	"fmt"
	"sort"
	"strings"
)

// Message ids of notification texts; Args fill the {placeholders}.
const (
	MsgTenderMatchedAlone = "notify.tender_matched.alone"
	MsgTenderMatchedTeam  = "notify.tender_matched.team"
	MsgInvited            = "notify.consortium_invited"
	MsgMemberAccepted     = "notify.member_accepted"
	MsgMemberDeclined     = "notify.member_declined"
	MsgShareSet           = "notify.share_set"
	MsgEligible           = "notify.eligible"
	MsgIneligible         = "notify.ineligible"
	MsgSubmitted          = "notify.submitted"
	MsgAwardWon           = "notify.award_won"
	MsgAwardLost          = "notify.award_lost"
	MsgReminder           = "notify.deadline_reminder"
	MsgCertExpiring       = "notify.certification_expiring"
	MsgDigest             = "notify.digest"
)

type text struct{ title, body string }

// catalog holds every text in Spanish and English.
var catalog = map[string]map[string]text{
	MsgTenderMatchedAlone: {
		"es": {"Licitación para su perfil: {tender}", "{tender} ({authority}) encaja con su perfil ({why}) y su empresa cumple sola los requisitos. Plazo: {deadline}."},
		"en": {"Tender for your profile: {tender}", "{tender} ({authority}) fits your profile ({why}) and your company meets the requirements alone. Deadline: {deadline}."},
	},
	MsgTenderMatchedTeam: {
		"es": {"Licitación para su perfil, en consorcio: {tender}", "{tender} ({authority}) encaja con su perfil ({why}). Sola no cumple los requisitos, pero sí en UTE con {partners}. Plazo: {deadline}."},
		"en": {"Tender for your profile, as a team: {tender}", "{tender} ({authority}) fits your profile ({why}). You do not meet the requirements alone, but you do in a joint bid with {partners}. Deadline: {deadline}."},
	},
	MsgInvited: {
		"es": {"Invitación al consorcio {consortium}", "Le invitan a unirse al consorcio {consortium} para la licitación {tender}. Acepte o rechace la invitación en la consola."},
		"en": {"Invitation to the consortium {consortium}", "You are invited to join the consortium {consortium} for the tender {tender}. Accept or decline the invitation in the console."},
	},
	MsgMemberAccepted: {
		"es": {"{member} se une a {consortium}", "{member} ha aceptado la invitación al consorcio {consortium} ({tender})."},
		"en": {"{member} joined {consortium}", "{member} accepted the invitation to the consortium {consortium} ({tender})."},
	},
	MsgMemberDeclined: {
		"es": {"{member} rechaza unirse a {consortium}", "{member} ha rechazado la invitación al consorcio {consortium} ({tender}). {reason}"},
		"en": {"{member} declined to join {consortium}", "{member} declined the invitation to the consortium {consortium} ({tender}). {reason}"},
	},
	MsgShareSet: {
		"es": {"Participación cambiada en {consortium}", "La participación de {member} en el consorcio {consortium} es ahora del {share}."},
		"en": {"Share changed in {consortium}", "{member}'s share in the consortium {consortium} is now {share}."},
	},
	MsgEligible: {
		"es": {"{consortium} cumple los requisitos", "El consorcio {consortium} cumple ahora todos los requisitos de {tender}."},
		"en": {"{consortium} is eligible", "The consortium {consortium} now meets every requirement of {tender}."},
	},
	MsgIneligible: {
		"es": {"{consortium} ya no cumple los requisitos", "El consorcio {consortium} ya no cumple los requisitos de {tender}: {failed}."},
		"en": {"{consortium} is no longer eligible", "The consortium {consortium} no longer meets the requirements of {tender}: {failed}."},
	},
	MsgSubmitted: {
		"es": {"Oferta presentada: {consortium}", "El consorcio {consortium} ha presentado su oferta a {tender}."},
		"en": {"Bid submitted: {consortium}", "The consortium {consortium} submitted its bid for {tender}."},
	},
	MsgAwardWon: {
		"es": {"¡Adjudicada! {tender}", "La oferta del consorcio {consortium} ha ganado la licitación {tender}."},
		"en": {"Awarded! {tender}", "The consortium {consortium}'s bid won the tender {tender}."},
	},
	MsgAwardLost: {
		"es": {"No adjudicada: {tender}", "La oferta del consorcio {consortium} no ha ganado la licitación {tender}. Adjudicataria: {winner}."},
		"en": {"Not awarded: {tender}", "The consortium {consortium}'s bid did not win the tender {tender}. Winner: {winner}."},
	},
	MsgReminder: {
		"es": {"Última oportunidad: {tender}", "El plazo de {tender} termina el {deadline} (quedan {left})."},
		"en": {"Last chance: {tender}", "The deadline of {tender} is {deadline} ({left} left)."},
	},
	MsgCertExpiring: {
		"es": {"Su certificación {certification} caduca pronto", "La certificación {certification} caduca el {expiry} (en {days} días). Una certificación caducada hace que sus consorcios dejen de cumplir los requisitos."},
		"en": {"Your {certification} certification expires soon", "The certification {certification} expires on {expiry} (in {days} days). An expired certification makes your consortia ineligible."},
	},
	MsgDigest: {
		"es": {"Resumen diario de Consortia: {count} avisos", "Estos son sus avisos de las últimas horas."},
		"en": {"Consortia daily digest: {count} notifications", "These are your notifications of the last hours."},
	},
}

// Words that fill some arguments, per language.
var words = map[string]map[string]string{
	"es": {"days": "%s días", "hours": "%s horas", "seconds": "%s segundos", "unknown": "no publicada"},
	"en": {"days": "%s days", "hours": "%s hours", "seconds": "%s seconds", "unknown": "not published"},
}

// Word returns a word of the catalogue in lang, for argument values written
// "@word" or "@word:n" ("@days:7" is "7 días" or "7 days").
func Word(lang, key string) string {
	key, n, _ := strings.Cut(key, ":")
	w, ok := words[lang][key]
	if !ok {
		w, ok = words["es"][key]
	}
	if !ok {
		return key
	}
	if strings.Contains(w, "%s") {
		return fmt.Sprintf(w, n)
	}
	return w
}

// Render returns the title and body of message id in lang ("es" or "en"; any
// other falls back to Spanish), with args filled in. An unknown id renders as
// itself, so a text is never blank.
func Render(lang, id string, args map[string]string) (title, body string) {
	byLang, ok := catalog[id]
	if !ok {
		return id, ""
	}
	t, ok := byLang[lang]
	if !ok {
		t = byLang["es"]
	}
	return fill(t.title, lang, args), fill(t.body, lang, args)
}

func fill(s, lang string, args map[string]string) string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		v := args[k]
		// Arguments of the form "@word" are catalogue words in the reader's language.
		if w, ok := strings.CutPrefix(v, "@"); ok {
			v = Word(lang, w)
		}
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.TrimSpace(strings.NewReplacer(pairs...).Replace(s))
}

// HasMessage reports whether id is in the catalogue in both languages.
func HasMessage(id string) bool {
	m, ok := catalog[id]
	return ok && m["es"].title != "" && m["en"].title != ""
}
