package export

// labels are the exports' column headers and sheet names by language and id.
var labels = map[string]map[string]string{
	"es": {
		"sheet.clusters": "Clústeres", "sheet.matrix": "Matriz de colaboración", "sheet.commissions": "Comisiones",
		"sheet.months": "Adjudicaciones por mes", "sheet.consortia": "Consorcios interclúster", "sheet.commission_list": "Comisiones",
		"cluster_id": "Id del clúster", "cluster": "Clúster", "member_organizations": "Organizaciones socias", "commission_members": "En comisiones",
		"tenders_pursued": "Licitaciones perseguidas", "tenders_submitted": "Licitaciones presentadas", "tenders_won": "Licitaciones ganadas",
		"tenders_lost": "Licitaciones perdidas", "pursued_value_eur": "Valor perseguido (EUR)", "awarded_value_eur": "Importe adjudicado (EUR)",
		"inter_cluster_consortia": "Consorcios interclúster", "meetings_attended": "Asistencias", "meetings_expected": "Convocatorias registradas",
		"projects_proposed": "Proyectos propuestos", "projects_active": "Proyectos en marcha", "projects_completed": "Proyectos terminados",
		"projects_cancelled": "Proyectos cancelados",
		"cluster_a_id":       "Id del clúster A", "cluster_a": "Clúster A", "cluster_b_id": "Id del clúster B", "cluster_b": "Clúster B",
		"consortia": "Consorcios", "awarded": "Adjudicados",
		"commission_id": "Id de la comisión", "commission": "Comisión", "convening_cluster": "Convoca", "status": "Estado", "members": "Miembros",
		"meetings_held": "Reuniones celebradas", "decisions_open": "Acuerdos pendientes", "decisions_done": "Acuerdos cumplidos",
		"linked_tenders": "Licitaciones vinculadas", "month": "Mes", "consortium_id": "Id del consorcio", "consortium": "Consorcio",
		"tender_id": "Id de la licitación", "tender": "Licitación", "clusters": "Clústeres", "formed": "Formado", "theme": "Tema",
		"next_meeting": "Próxima reunión", "projects": "Proyectos",
		"agency": "Agencia", "status.active": "Activa", "status.closed": "Cerrada",
		"bid.forming": "En formación", "bid.submitted": "Presentado", "bid.awarded": "Adjudicado", "bid.lost": "No adjudicado", "bid.dissolved": "Disuelto",
	},
	"en": {
		"sheet.clusters": "Clusters", "sheet.matrix": "Collaboration matrix", "sheet.commissions": "Commissions",
		"sheet.months": "Awards by month", "sheet.consortia": "Inter-cluster consortia", "sheet.commission_list": "Commissions",
		"cluster_id": "Cluster id", "cluster": "Cluster", "member_organizations": "Member organisations", "commission_members": "On commissions",
		"tenders_pursued": "Tenders pursued", "tenders_submitted": "Tenders submitted", "tenders_won": "Tenders won",
		"tenders_lost": "Tenders lost", "pursued_value_eur": "Value pursued (EUR)", "awarded_value_eur": "Awarded amount (EUR)",
		"inter_cluster_consortia": "Inter-cluster consortia", "meetings_attended": "Attendances", "meetings_expected": "Attendance records",
		"projects_proposed": "Projects proposed", "projects_active": "Projects active", "projects_completed": "Projects completed",
		"projects_cancelled": "Projects cancelled",
		"cluster_a_id":       "Cluster A id", "cluster_a": "Cluster A", "cluster_b_id": "Cluster B id", "cluster_b": "Cluster B",
		"consortia": "Consortia", "awarded": "Awarded",
		"commission_id": "Commission id", "commission": "Commission", "convening_cluster": "Convened by", "status": "Status", "members": "Members",
		"meetings_held": "Meetings held", "decisions_open": "Decisions open", "decisions_done": "Decisions done",
		"linked_tenders": "Linked tenders", "month": "Month", "consortium_id": "Consortium id", "consortium": "Consortium",
		"tender_id": "Tender id", "tender": "Tender", "clusters": "Clusters", "formed": "Formed", "theme": "Theme",
		"next_meeting": "Next meeting", "projects": "Projects",
		"agency": "Agency", "status.active": "Active", "status.closed": "Closed",
		"bid.forming": "Forming", "bid.submitted": "Submitted", "bid.awarded": "Awarded", "bid.lost": "Lost", "bid.dissolved": "Dissolved",
	},
}

// label returns the text of id in lang (English by default; the id when missing).
func label(lang, id string) string {
	if m, ok := labels[lang]; ok {
		if v, ok := m[id]; ok {
			return v
		}
	}
	if v, ok := labels["en"][id]; ok {
		return v
	}
	return id
}
