package web

// importMessages are the texts of the import page's cluster-profile filter,
// merged into messages at start.
var importMessages = map[string]map[string]string{
	"es": {
		"import.all":                "Importar todas, también las de fuera de la región del clúster o sin CPV de interés de sus socios",
		"import.all.help":           "Por omisión solo se importan las licitaciones que se ejecutan en la región del clúster y con algún CPV de los intereses de sus socios.",
		"import.reason.nuts":        "fuera del filtro NUTS",
		"import.reason.cpv":         "fuera del filtro CPV",
		"import.reason.region":      "se ejecutan fuera de la región del clúster",
		"import.reason.noplace":     "sin lugar de ejecución (no se puede comprobar la región)",
		"import.reason.cpvinterest": "sin ningún CPV de los intereses de los socios",
		"import.reason.withdrawn":   "anuladas en origen, nunca importadas aquí",
	},
	"en": {
		"import.all":                "Import all, also those outside the cluster's region or with no CPV code its members are interested in",
		"import.all.help":           "By default only tenders performed in the cluster's region and with a CPV code among its members' interests are imported.",
		"import.reason.nuts":        "outside the NUTS filter",
		"import.reason.cpv":         "outside the CPV filter",
		"import.reason.region":      "performed outside the cluster's region",
		"import.reason.noplace":     "no place of performance (the region cannot be checked)",
		"import.reason.cpvinterest": "no CPV code among the members' interests",
		"import.reason.withdrawn":   "withdrawn at the source, never imported here",
	},
}

func init() { addMessages(importMessages) }

// importReasons maps the tender service's filter reasons (ImportSummary.filtered_by
// keys, stable API strings) to catalogue keys.
var importReasons = map[string]string{
	"outside the NUTS filter":                                     "import.reason.nuts",
	"outside the CPV filter":                                      "import.reason.cpv",
	"performed outside the cluster's region":                      "import.reason.region",
	"no place of performance (cannot match the cluster's region)": "import.reason.noplace",
	"no CPV code in the cluster members' interests":               "import.reason.cpvinterest",
	"withdrawn at the source, never imported here":                "import.reason.withdrawn",
}

// ImportReason names a filter reason in the page's language (the service's
// words when it is one the console does not know yet).
func (l *Locale) ImportReason(reason string) string {
	if key, ok := importReasons[reason]; ok {
		return l.T(key)
	}
	return reason
}
