package web

// memberMessages are the texts of a member's page, registering an
// organisation and requesting membership, merged into messages at start.
var memberMessages = map[string]map[string]string{
	"es": {
		"member.title":                 "Socio",
		"member.back":                  "← Socios",
		"member.memberships":           "Clústeres",
		"member.cluster":               "Clúster",
		"member.since":                 "Desde",
		"member.nomemberships":         "No es miembro de ningún clúster.",
		"member.register":              "Dar de alta una empresa",
		"member.register.help":         "La empresa queda registrada; después solicita su adhesión al clúster desde su perfil y usted la aprueba aquí.",
		"member.register.name":         "Razón social",
		"member.register.taxid":        "NIF/CIF",
		"member.register.submit":       "Dar de alta",
		"member.register.badheadcount": "La plantilla debe ser un número entero de 0 en adelante.",
		"member.registered":            "%s está dada de alta. Aparecerá aquí cuando solicite la adhesión desde su perfil.",
		"member.request":               "Solicitar la adhesión a un clúster",
		"member.request.submit":        "Solicitar",
		"member.requested":             "Solicitud enviada: el gestor del clúster la revisará.",
		"roles.help":                   "Qué requisitos de la licitación cubre su empresa en este consorcio:",
		"roles.certifies":              "Aporta el sistema certificado %s",
		"roles.save":                   "Guardar lo que cubre",
		"roles.saved":                  "Guardado lo que cubre su empresa.",
		"roles.invalid":                "El formulario no es válido.",
	},
	"en": {
		"member.title":                 "Member",
		"member.back":                  "← Members",
		"member.memberships":           "Clusters",
		"member.cluster":               "Cluster",
		"member.since":                 "Since",
		"member.nomemberships":         "Not a member of any cluster.",
		"member.register":              "Register a company",
		"member.register.help":         "The company is registered; it then requests membership of the cluster from its profile and you approve it here.",
		"member.register.name":         "Legal name",
		"member.register.taxid":        "Tax id (NIF/CIF)",
		"member.register.submit":       "Register",
		"member.register.badheadcount": "The headcount must be a whole number from 0 up.",
		"member.registered":            "%s is registered. It shows here once it requests membership from its profile.",
		"member.request":               "Request membership of a cluster",
		"member.request.submit":        "Request",
		"member.requested":             "Request sent: the cluster's manager will review it.",
		"roles.help":                   "Which of the tender's requirements your company covers in this consortium:",
		"roles.certifies":              "Runs the certified %s system",
		"roles.save":                   "Save what it covers",
		"roles.saved":                  "Saved what your company covers.",
		"roles.invalid":                "The form is not valid.",
	},
}

func init() { addMessages(memberMessages) }
