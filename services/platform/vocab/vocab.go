// Package vocab holds the controlled vocabularies every service shares: member
// capabilities (including the six ICT driving forces) and certification kinds.
package vocab

// Capability is an entry of the controlled capability vocabulary.
type Capability struct {
	ID, LabelEN, LabelES string
	// DrivingForce marks the six ICT driving forces the clusters work on.
	DrivingForce bool
}

// Capabilities is the controlled vocabulary: the six ICT driving forces first,
// then the usual software and services capabilities of a cluster's members.
var Capabilities = []Capability{
	{"connectivity", "Connectivity", "Conectividad", true},
	{"5g", "5G", "5G", true},
	{"cybersecurity", "Cybersecurity", "Ciberseguridad", true},
	{"ai", "Artificial intelligence", "Inteligencia artificial", true},
	{"quantum", "Quantum technologies", "Tecnologías cuánticas", true},
	{"cloud", "Cloud", "Nube", true},
	{"software-development", "Software development", "Desarrollo de software", false},
	{"web-development", "Web development", "Desarrollo web", false},
	{"mobile-apps", "Mobile apps", "Aplicaciones móviles", false},
	{"data-analytics", "Data analytics and BI", "Analítica de datos y BI", false},
	{"iot", "Internet of things", "Internet de las cosas", false},
	{"systems-integration", "Systems integration", "Integración de sistemas", false},
	{"it-consulting", "IT consulting", "Consultoría TIC", false},
	{"managed-services", "Managed services and support", "Servicios gestionados y soporte", false},
	{"networks", "Networks and communications", "Redes y comunicaciones", false},
	{"hardware-supply", "Hardware supply", "Suministro de hardware", false},
	{"erp-crm", "ERP and CRM", "ERP y CRM", false},
	{"e-government", "E-government", "Administración electrónica", false},
	{"e-health", "E-health", "Salud digital", false},
	{"gis", "Geographic information systems", "Sistemas de información geográfica", false},
	{"digital-twins", "Digital twins and simulation", "Gemelos digitales y simulación", false},
	{"industry-4-0", "Industry 4.0 and automation", "Industria 4.0 y automatización", false},
	{"ux-design", "UX and accessibility", "UX y accesibilidad", false},
	{"training", "Training", "Formación", false},
	{"audiovisual", "Audiovisual systems", "Sistemas audiovisuales", false},
}

// IsCapability reports whether id is in the vocabulary.
func IsCapability(id string) bool {
	for _, c := range Capabilities {
		if c.ID == id {
			return true
		}
	}
	return false
}

// Certification kinds and ENS levels.
var (
	CertificationKinds = []string{"ENS", "ISO27001", "ISO9001", "ISO14001", "ISO20000", "ISO22301", "ISO27701", "CMMI"}
	ENSLevels          = []string{"basica", "media", "alta"}
)

// IsCertificationKind reports whether kind is a known certification.
func IsCertificationKind(kind string) bool {
	for _, k := range CertificationKinds {
		if k == kind {
			return true
		}
	}
	return false
}
