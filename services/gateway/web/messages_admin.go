package web

// adminMessages are the texts of the administrator's page and the headlines
// of refused actions, merged into messages at start.
var adminMessages = map[string]map[string]string{
	"es": {
		"nav.admin":                 "Administración",
		"admin.title":               "Administración: clústeres, usuarios y roles",
		"admin.intro":               "Como administrador actúa por cualquier clúster: gestiona sus socios, crea e importa licitaciones, forma consorcios y responde por cualquier empresa.",
		"admin.clusters":            "Clústeres",
		"admin.cluster":             "Clúster",
		"admin.region":              "Región",
		"admin.members":             "Socios activos",
		"admin.managers":            "Gestores",
		"admin.nomanager":           "ningún usuario conocido",
		"admin.cluster.open":        "Socios",
		"admin.cluster.new":         "Nueva licitación",
		"admin.users":               "Usuarios",
		"admin.users.dev":           "Usuarios de demostración de esta instalación (los del inicio de sesión).",
		"admin.users.idp":           "Los usuarios y sus roles vienen del proveedor de identidad (OIDC); la consola no guarda usuarios.",
		"admin.user":                "Usuario",
		"admin.email":               "Correo",
		"admin.roles":               "Roles",
		"admin.actsfor":             "Actúa por",
		"admin.role":                "Rol",
		"admin.may":                 "Puede",
		"admin.may.admin":           "Todo, en cualquier clúster y por cualquier empresa.",
		"admin.may.agency":          "Ver todos los clústeres, licitaciones y consorcios, pedir recomendaciones, crear clústeres y comisiones sin clúster convocante.",
		"admin.may.cluster_manager": "En sus clústeres: socios (aprobar, suspender), licitaciones (crear, importar, publicar, plazo, adjudicación, cancelación), recomendaciones y consorcios, comisiones que convoca.",
		"admin.may.company":         "Por su empresa: perfil, certificaciones, facturación y referencias; ofertas propias como representante, invitaciones, participación.",
		"error.adminonly":           "Esta página es para administradores.",
	},
	"en": {
		"nav.admin":                 "Administration",
		"admin.title":               "Administration: clusters, users and roles",
		"admin.intro":               "As an administrator you act for any cluster: manage its members, create and import tenders, form consortia and answer for any company.",
		"admin.clusters":            "Clusters",
		"admin.cluster":             "Cluster",
		"admin.region":              "Region",
		"admin.members":             "Active members",
		"admin.managers":            "Managers",
		"admin.nomanager":           "no known user",
		"admin.cluster.open":        "Members",
		"admin.cluster.new":         "New tender",
		"admin.users":               "Users",
		"admin.users.dev":           "This installation's demo users (those of the sign-in page).",
		"admin.users.idp":           "Users and their roles come from the identity provider (OIDC); the console stores no users.",
		"admin.user":                "User",
		"admin.email":               "E-mail",
		"admin.roles":               "Roles",
		"admin.actsfor":             "Acts for",
		"admin.role":                "Role",
		"admin.may":                 "May",
		"admin.may.admin":           "Everything, in any cluster and for any company.",
		"admin.may.agency":          "See every cluster, tender and consortium, ask for recommendations, create clusters and commissions without a convening cluster.",
		"admin.may.cluster_manager": "In its clusters: members (approve, suspend), tenders (create, import, publish, deadline, award, cancel), recommendations and consortia, the commissions it convenes.",
		"admin.may.company":         "For its company: profile, certifications, turnover and references; own bids as lead, invitations, shares.",
		"error.adminonly":           "This page is for administrators.",
	},
}

func init() {
	for lang, m := range adminMessages {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}
