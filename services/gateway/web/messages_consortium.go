package web

// consortiumMessages are the texts of the consortium actions (lead, removal,
// invitations, refusals), merged into messages at start.
var consortiumMessages = map[string]map[string]string{
	"es": {
		"violation.one_consortium_per_lot": "Ya está en otro consorcio para esta licitación (o lote): una empresa solo puede estar en uno por lote.",
		"tender.ownbid":                    "Formar una oferta como representante",
		"tender.ownbid.help":               "Su empresa encabeza la oferta (UTE) y después invita a otros socios del clúster.",
		"tendernew.budget":                 "Presupuesto base sin IVA (€)",
		"tendernew.budgetvat":              "Presupuesto base con IVA (€)",
		"tendernew.lots":                   "Lotes",
		"tendernew.lots.help":              "Opcional. Cada lote con su código (1, 2…), título y valor estimado; heredan los requisitos de la licitación.",
		"tendernew.sharing":                "Compartir con otros clústeres",
		"tendernew.sharing.help":           "Sus gestores verán la licitación y podrán recomendar equipos y formar consorcios con sus socios.",
		"tendernew.maxmembers":             "Máximo de miembros por consorcio (0 = sin límite)",
		"tendernew.badmaxmembers":          "Escriba un número entero de 0 en adelante.",
		"consortium.actions":               "Acciones",
		"consortium.lead.make":             "Nombrar representante",
		"consortium.lead.changed":          "%s es ahora el representante (líder) del consorcio.",
		"consortium.member.remove":         "Retirar del consorcio",
		"consortium.invite.revoke":         "Retirar invitación",
		"consortium.member.removed":        "%s ya no forma parte del consorcio.",
		"consortium.pending":               "Pendientes de respuesta: %s. Para presentar, deben aceptar o rechazar, o retire la invitación.",
		"consortium.refused":               "No se ha podido hacer:",
		"recommend.lead":                   "Representante (líder)",
		"tender.shared":                    "Compartida con",
		"violation.invitation_pending":     "%s no ha respondido a su invitación: debe aceptarla o rechazarla, o retire la invitación, antes de presentar.",
		"violation.lead":                   "El representante no puede retirarse: nombre antes a otro representante.",
		"violation.membership":             "Esa empresa no es miembro del consorcio.",
	},
	"en": {
		"violation.one_consortium_per_lot": "Already in another consortium for this tender (or lot): a company may be in only one per lot.",
		"tender.ownbid":                    "Form a bid as its lead",
		"tender.ownbid.help":               "Your company leads the bid (UTE) and then invites other members of the cluster.",
		"tendernew.budget":                 "Base budget without VAT (€)",
		"tendernew.budgetvat":              "Base budget with VAT (€)",
		"tendernew.lots":                   "Lots",
		"tendernew.lots.help":              "Optional. Each lot with its code (1, 2…), title and estimated value; they inherit the tender's requirements.",
		"tendernew.sharing":                "Share with other clusters",
		"tendernew.sharing.help":           "Their managers will see the tender and may recommend teams and form consortia with their members.",
		"tendernew.maxmembers":             "Most members of a consortium (0 = no limit)",
		"tendernew.badmaxmembers":          "Type a whole number, 0 or more.",
		"consortium.actions":               "Actions",
		"consortium.lead.make":             "Make lead",
		"consortium.lead.changed":          "%s is now the consortium's lead.",
		"consortium.member.remove":         "Remove from consortium",
		"consortium.invite.revoke":         "Withdraw invitation",
		"consortium.member.removed":        "%s is no longer in the consortium.",
		"consortium.pending":               "Awaiting an answer: %s. Before submitting, they accept or decline, or withdraw the invitation.",
		"consortium.refused":               "This could not be done:",
		"recommend.lead":                   "Lead",
		"tender.shared":                    "Shared with",
		"violation.invitation_pending":     "%s has not answered its invitation: it accepts or declines, or withdraw the invitation, before submitting.",
		"violation.lead":                   "The lead cannot leave: name another lead first.",
		"violation.membership":             "That company is not a member of the consortium.",
	},
}

func init() {
	for lang, m := range consortiumMessages {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}
