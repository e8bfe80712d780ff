// Package demo builds Consortia's demonstration data: clusters named as demo,
// generated member companies clearly marked as demo (no public list of cluster
// members exists as data), and demo users for each persona. Everything is
// deterministic, so ids and tokens are stable across restarts.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// Cluster is a demo cluster.
type Cluster struct {
	Key, Name, Region, Description string
}

// Clusters are named after real Cantabrian clusters and marked "(demo)".
var Clusters = []Cluster{
	{"tera", "TERA ICT cluster (demo)", "ES130", "Datos de demostración. Micropymes de software y TIC de Cantabria."},
	{"gira", "GIRA automotive cluster (demo)", "ES130", "Datos de demostración. Proveedores de automoción e industria 4.0."},
	{"marca", "MarCa maritime cluster (demo)", "ES130", "Datos de demostración. Industria marítima y portuaria."},
}

// ClusterID returns the id of a demo cluster by key.
func ClusterID(key string) string {
	for _, c := range Clusters {
		if c.Key == key {
			return domain.ClusterID(c.Name)
		}
	}
	panic("demo: unknown cluster " + key)
}

// Company is a generated demo company.
type Company struct {
	Registration domain.Registration
	Clusters     []string // keys; memberships approved
	Pending      []string // keys; membership requested only
}

// ID returns the organisation id.
func (c Company) ID() string { return domain.OrganizationID(c.Registration.TaxID) }

var places = []string{
	"Altamira", "Besaya", "Pas", "Miera", "Saja", "Nansa", "Asón", "Liébana", "Campoo", "Trasmiera",
	"Buelna", "Cabuérniga", "Pisueña", "Deva", "Escudo", "Magdalena", "Sardinero", "Mataleñas", "Comillas", "Castañeda",
	"Soba", "Valdáliga", "Peña Cabarga", "Udías",
}

type profileKind struct {
	suffix string
	caps   []string
	cpvs   []string
}

var kinds = []profileKind{
	{"Software", []string{"software-development", "web-development", "e-government"}, []string{"72200000", "72212000", "48000000"}},
	{"Cloud", []string{"cloud", "managed-services", "systems-integration"}, []string{"72500000", "72321000", "72300000"}},
	{"Ciberseguridad", []string{"cybersecurity", "it-consulting"}, []string{"72600000", "72000000"}},
	{"Datos", []string{"data-analytics", "ai"}, []string{"72300000", "72310000", "48600000"}},
	{"Redes", []string{"networks", "connectivity", "5g"}, []string{"32420000", "32500000", "72700000"}},
	{"Salud Digital", []string{"e-health", "software-development"}, []string{"48800000", "72267000", "48313100"}},
	{"Sistemas", []string{"hardware-supply", "systems-integration", "audiovisual"}, []string{"30200000", "48820000", "50324100"}},
	{"Industria", []string{"industry-4-0", "iot", "digital-twins"}, []string{"72260000", "48000000", "72222300"}},
	{"Formación", []string{"training", "ux-design"}, []string{"80500000", "72000000"}},
}

var buyers = []string{
	"Servicio Cántabro de Salud", "Ayuntamiento de Santander", "Ayuntamiento de Torrelavega", "Gobierno de Cantabria",
	"Universidad de Cantabria", "Autoridad Portuaria de Santander", "Ayuntamiento de Castro-Urdiales",
}

// validCIF returns the B-company tax id with the given 7 digits and its control digit.
func validCIF(n int) string {
	base := "B39" + fmt.Sprintf("%05d", n%100000)
	for _, c := range "0123456789" {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	panic("demo: no control digit for " + base)
}

// Companies returns the demo companies for the reference year (the last closed
// financial year is year-1).
func Companies(year int) []Company {
	r := rand.New(rand.NewPCG(2026, 643))
	var out []Company
	for i, place := range places {
		k := kinds[i%len(kinds)]
		size := domain.SizeMicro
		head := 4 + r.IntN(6)
		if i%3 != 0 {
			size, head = domain.SizeSmall, 10+r.IntN(16)
		}
		// Micro-SMEs: best annual turnover 0.3–2.2 M€, so a 1.5 × value threshold
		// of a real mid-size tender needs several of them together.
		base := int64(300_000+r.IntN(1_900_000)) * 100
		var turnover []domain.Turnover
		for y := year - 1; y >= year-3; y-- {
			f := 85 + r.IntN(30)
			turnover = append(turnover, domain.Turnover{Year: y, Cents: base * int64(f) / 100})
		}
		// Two to four past contracts in the company's own CPV groups, 80–450 k€
		// each: enough that two or three members together reach the technical
		// solvency (70 % of the annual value) of a mid-size tender.
		var refs []domain.Reference
		for j := range 2 + r.IntN(3) {
			refs = append(refs, domain.Reference{
				Buyer: buyers[r.IntN(len(buyers))],
				Title: "Referencia de demostración " + strconv.Itoa(j+1) + ": " + k.suffix,
				CPV:   k.cpvs[j%len(k.cpvs)],
				Cents: int64(80_000+r.IntN(370_000)) * 100,
				Year:  year - 1 - r.IntN(3),
			})
		}
		var certs []domain.CertificationInput
		if i%4 == 1 || k.suffix == "Cloud" || k.suffix == "Ciberseguridad" {
			level := "media"
			if i%8 == 1 {
				level = "alta"
			}
			// One certificate runs out soon, to show an eligibility failure.
			exp := fmt.Sprintf("%d-%02d-15", year+1+r.IntN(2), 1+r.IntN(12))
			if i == 5 {
				exp = fmt.Sprintf("%d-01-10", year+1)
			}
			certs = append(certs, domain.CertificationInput{Kind: "ENS", Level: level, IssueDate: fmt.Sprintf("%d-03-01", year-2), ExpiryDate: exp, Scope: "Demo: alojamiento y explotación de sistemas de información"})
		}
		if i%3 == 0 {
			certs = append(certs, domain.CertificationInput{Kind: "ISO27001", IssueDate: fmt.Sprintf("%d-06-01", year-1), ExpiryDate: fmt.Sprintf("%d-05-31", year+2)})
		}
		if i%2 == 0 {
			certs = append(certs, domain.CertificationInput{Kind: "ISO9001", IssueDate: fmt.Sprintf("%d-02-01", year-1), ExpiryDate: fmt.Sprintf("%d-01-31", year+2)})
		}
		c := Company{
			Registration: domain.Registration{
				Kind:      domain.KindCompany,
				LegalName: "Demo " + place + " " + k.suffix + " S.L.",
				TaxID:     validCIF(1000 + i*37),
				Profile: domain.Profile{
					SizeBand: size, Headcount: head,
					Address:      domain.Address{Locality: "Santander", Province: "Cantabria", NUTS: "ES130"},
					Capabilities: k.caps, CPVInterests: k.cpvs,
					Description: "Empresa de demostración (generada, no es una empresa real): " + k.suffix + ".",
				},
				Certifications: certs, Turnover: turnover, References: refs, Demo: true,
			},
			Clusters: []string{"tera"},
		}
		switch {
		case k.suffix == "Industria":
			c.Clusters = []string{"gira", "tera"}
		case k.suffix == "Redes" && i%2 == 0:
			c.Clusters = []string{"marca", "tera"}
		case k.suffix == "Sistemas":
			c.Clusters = []string{"marca"}
		}
		if i == len(places)-1 {
			c.Clusters, c.Pending = nil, []string{"tera"}
		}
		out = append(out, c)
	}
	return out
}

// User is a demo user (persona).
type User struct {
	Key    string
	Claims auth.Claims
	Title  string // persona, for the sign-in page
	Group  string // the company's first cluster (or the one it asked to join), to group companies on the sign-in page
}

// FeaturedCompanies is how many demo company users (company1..) the seeded
// consortia prefer to invite, so that the first few sign-ins show an invitation.
const FeaturedCompanies = 5

// Users returns the demo users: an administrator, agency staff, a manager per
// demo cluster and a user for every demo company (company1..company24), so any
// member of a recommended team can sign in and answer its invitation.
// Display names are people's names, the same in every language: the console
// greets "Hola, Lucía Gómez (demo)", and a company user's name says the company
// it acts for ("Pablo Fernández (Demo Altamira Software S.L.)"). Title says what
// the persona works for without words of one language (the cluster's or the
// company's name; empty for the administrator and agency staff, whose role
// says it all).
func Users(year int) []User {
	users := []User{
		{Key: "admin", Claims: auth.Claims{Name: "Carmen Vidal (demo)", Email: "admin@consortia.invalid", Roles: []string{auth.RoleAdmin}, Locale: "en"}},
		{Key: "agency", Claims: auth.Claims{Name: "Ana Ruiz (demo)", Email: "ana.ruiz@agency.invalid", Roles: []string{auth.RoleAgency}, Locale: "es"}},
	}
	for i, c := range Clusters {
		users = append(users, User{Key: c.Key + "-manager", Title: c.Name, Claims: auth.Claims{
			Name: managerNames[i%len(managerNames)] + " (demo)", Email: c.Key + ".manager@clusters.invalid", Roles: []string{auth.RoleClusterManager},
			Clusters: []string{ClusterID(c.Key)}, Locale: "es",
		}})
	}
	for i, c := range Companies(year) {
		key := fmt.Sprintf("company%d", i+1)
		group := append(append([]string{}, c.Clusters...), c.Pending...)[0]
		users = append(users, User{Key: key, Title: c.Registration.LegalName, Group: clusterName(group), Claims: auth.Claims{
			Name: personName(i) + " (" + c.Registration.LegalName + ")", Email: key + "@companies.invalid", Roles: []string{auth.RoleCompany},
			Organization: c.ID(), Locale: "es",
		}})
	}
	for i := range users {
		users[i].Claims.Subject = "demo:" + users[i].Key
	}
	return users
}

// managerNames name the demo clusters' managers, in the order of Clusters.
var managerNames = []string{"Lucía Gómez", "Javier Ortiz", "Elena Prieto"}

// firstNames and surnames make the company users' names; their lengths are
// coprime, so the first len(firstNames)*len(surnames) names are all different.
var (
	firstNames = []string{"Pablo", "Marta", "Diego", "Laura", "Sergio", "Nuria", "Álvaro", "Irene", "Raúl", "Sara", "Hugo"}
	surnames   = []string{"Fernández", "Sainz", "Cobo", "Herrera", "Revilla", "Gutiérrez", "Pelayo", "Bustamante", "Ceballos", "Díaz", "Llata", "Mier", "Toca"}
)

// personName is the name of the i-th demo company's user.
func personName(i int) string {
	return firstNames[i%len(firstNames)] + " " + surnames[i%len(surnames)]
}

func clusterName(key string) string {
	for _, c := range Clusters {
		if c.Key == key {
			return c.Name
		}
	}
	return key
}

// UserByKey returns the demo user with key.
func UserByKey(year int, key string) (User, bool) {
	for _, u := range Users(year) {
		if u.Key == key {
			return u, true
		}
	}
	return User{}, false
}
