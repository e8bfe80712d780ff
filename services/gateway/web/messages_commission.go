package web

// commissionMessages are the texts of the commission and cross-cluster pages,
// merged into messages at start (kept apart so those pages' texts live with
// them); TestMessagesComplete checks them like the rest.
var commissionMessages = map[string]map[string]string{
	"es": {
		"nav.commissions": "Comisiones",

		"report.from": "Desde", "report.to": "Hasta", "report.allperiod": "Todo el periodo",
		"report.unavailable": "El servicio de comisiones no responde ahora: las cifras entre clústeres no están disponibles. Inténtelo de nuevo en un momento.",
		"report.export":      "Exportar:", "report.clusters": "Clústeres", "report.all": "todas las tablas",
		"report.won": "licitaciones ganadas", "report.awarded": "adjudicado", "report.intercluster": "consorcios interclúster",
		"report.members": "Socios", "report.oncommissions": "En comisiones", "report.pursued": "Perseguidas", "report.submitted": "Presentadas",
		"report.col.won": "Ganadas", "report.col.awarded": "Adjudicado", "report.col.intercluster": "Interclúster",
		"report.intercluster.title": "Consorcios interclúster",
		"report.lost":               "Perdidas", "report.attendance": "Asistencia", "report.consortium": "Consorcio", "report.tender": "Licitación",

		"chart.won": "Licitaciones ganadas por clúster", "chart.won.value": "%d ganadas · %s",
		"chart.value": "Importe adjudicado por clúster y mes", "chart.matrix": "Matriz de colaboración entre clústeres",
		"chart.matrix.cell":  "%d · %s",
		"chart.matrix.title": "%s y %s: %d consorcios, %d adjudicados, %s",
		"chart.matrix.help":  "Cada celda: consorcios con socios de ambos clústeres · importe adjudicado.",
		"chart.activity":     "Actividad de las comisiones (reuniones celebradas)", "chart.activity.value": "%d reuniones · %d miembros · %d acuerdos",
		"chart.none": "Nada en este periodo.",

		"commissions.title": "Comisiones", "commissions.none": "Ninguna comisión coincide con los filtros.",
		"commission.title": "Comisión", "commission.name": "Comisión", "commission.theme": "Tema", "commission.convener": "Convoca",
		"commission.agency": "Agencia (interclúster)", "commission.meetingsheld": "Reuniones", "commission.nextmeeting": "Próxima reunión",
		"commission.tenders": "Licitaciones", "commission.description": "Descripción",
		"commission.invited": "Su empresa está invitada a esta comisión.", "commission.accept": "Aceptar la invitación",
		"commission.decline": "Rechazar", "commission.accepted": "Invitación aceptada: su empresa forma parte de la comisión.",
		"commission.declined": "Invitación rechazada.",
		"commission.members":  "Miembros por clúster", "commission.joined": "desde", "commission.left": "hasta",
		"commission.nomembers": "Todavía no hay miembros.", "commission.nocluster": "Sin clúster activo",
		"commission.meetings": "Reuniones", "commission.cancelled": "cancelada", "commission.agenda": "Orden del día",
		"commission.attendance": "Asistencia", "commission.minutes": "Acta", "commission.decisions": "Acuerdos",
		"commission.decision": "Acuerdo", "commission.owner": "Responsable", "commission.due": "Fecha límite",
		"commission.nomeetings": "Todavía no hay reuniones.", "commission.projects": "Proyectos colaborativos",
		"commission.project": "Proyecto", "commission.partners": "Socios", "commission.budget": "Presupuesto",
		"commission.funding": "Financiación", "commission.noprojects": "Todavía no hay proyectos.",
		"commission.linked": "Licitaciones y consorcios vinculados", "commission.nolinks": "Nada vinculado todavía.",
		"commission.audit": "Historial (quién hizo qué y cuándo)",
		"export.badformat": "Formato de exportación desconocido: use csv o xlsx.",

		"commission.enum.COMMISSION_STATUS_UNSPECIFIED": "—", "commission.enum.COMMISSION_STATUS_ACTIVE": "Activa", "commission.enum.COMMISSION_STATUS_CLOSED": "Cerrada",
		"commission.enum.MEMBER_ROLE_UNSPECIFIED": "—", "commission.enum.MEMBER_ROLE_CHAIR": "Presidencia", "commission.enum.MEMBER_ROLE_SECRETARY": "Secretaría", "commission.enum.MEMBER_ROLE_MEMBER": "Vocal",
		"commission.enum.MEMBER_STATUS_UNSPECIFIED": "—", "commission.enum.MEMBER_STATUS_INVITED": "Invitada", "commission.enum.MEMBER_STATUS_JOINED": "Miembro",
		"commission.enum.MEMBER_STATUS_DECLINED": "Rechazó la invitación", "commission.enum.MEMBER_STATUS_LEFT": "Salió",
		"commission.enum.ATTENDANCE_STATUS_UNSPECIFIED": "—", "commission.enum.ATTENDANCE_STATUS_PRESENT": "Asistió", "commission.enum.ATTENDANCE_STATUS_EXCUSED": "Excusada", "commission.enum.ATTENDANCE_STATUS_ABSENT": "Ausente",
		"commission.enum.DECISION_STATUS_UNSPECIFIED": "—", "commission.enum.DECISION_STATUS_OPEN": "Pendiente", "commission.enum.DECISION_STATUS_DONE": "Cumplido",
		"commission.enum.PROJECT_STATUS_UNSPECIFIED": "—", "commission.enum.PROJECT_STATUS_PROPOSED": "Propuesto", "commission.enum.PROJECT_STATUS_ACTIVE": "En marcha",
		"commission.enum.PROJECT_STATUS_COMPLETED": "Terminado", "commission.enum.PROJECT_STATUS_CANCELLED": "Cancelado",
		"commission.enum.BID_STATUS_UNSPECIFIED": "—", "commission.enum.BID_STATUS_FORMING": "En formación", "commission.enum.BID_STATUS_SUBMITTED": "Presentado",
		"commission.enum.BID_STATUS_AWARDED": "Adjudicado", "commission.enum.BID_STATUS_LOST": "No adjudicado", "commission.enum.BID_STATUS_DISSOLVED": "Disuelto",
	},
	"en": {
		"nav.commissions": "Commissions",

		"report.from": "From", "report.to": "To", "report.allperiod": "Whole period",
		"report.unavailable": "The commission service is not answering right now: cross-cluster figures are unavailable. Try again in a moment.",
		"report.export":      "Export:", "report.clusters": "Clusters", "report.all": "every table",
		"report.won": "tenders won", "report.awarded": "awarded", "report.intercluster": "inter-cluster consortia",
		"report.members": "Members", "report.oncommissions": "On commissions", "report.pursued": "Pursued", "report.submitted": "Submitted",
		"report.col.won": "Won", "report.col.awarded": "Awarded", "report.col.intercluster": "Inter-cluster",
		"report.intercluster.title": "Inter-cluster consortia",
		"report.lost":               "Lost", "report.attendance": "Attendance", "report.consortium": "Consortium", "report.tender": "Tender",

		"chart.won": "Tenders won per cluster", "chart.won.value": "%d won · %s",
		"chart.value": "Awarded value per cluster and month", "chart.matrix": "Cluster collaboration matrix",
		"chart.matrix.cell":  "%d · %s",
		"chart.matrix.title": "%s and %s: %d consortia, %d awarded, %s",
		"chart.matrix.help":  "Each cell: consortia with members of both clusters · awarded value.",
		"chart.activity":     "Commission activity (meetings held)", "chart.activity.value": "%d meetings · %d members · %d decisions",
		"chart.none": "Nothing in this period.",

		"commissions.title": "Commissions", "commissions.none": "No commission matches the filters.",
		"commission.title": "Commission", "commission.name": "Commission", "commission.theme": "Theme", "commission.convener": "Convened by",
		"commission.agency": "Agency (inter-cluster)", "commission.meetingsheld": "Meetings", "commission.nextmeeting": "Next meeting",
		"commission.tenders": "Tenders", "commission.description": "Description",
		"commission.invited": "Your company is invited to this commission.", "commission.accept": "Accept the invitation",
		"commission.decline": "Decline", "commission.accepted": "Invitation accepted: your company sits on the commission.",
		"commission.declined": "Invitation declined.",
		"commission.members":  "Members by cluster", "commission.joined": "since", "commission.left": "until",
		"commission.nomembers": "No members yet.", "commission.nocluster": "No active cluster",
		"commission.meetings": "Meetings", "commission.cancelled": "cancelled", "commission.agenda": "Agenda",
		"commission.attendance": "Attendance", "commission.minutes": "Minutes", "commission.decisions": "Decisions",
		"commission.decision": "Decision", "commission.owner": "Owner", "commission.due": "Due",
		"commission.nomeetings": "No meetings yet.", "commission.projects": "Collaborative projects",
		"commission.project": "Project", "commission.partners": "Partners", "commission.budget": "Budget",
		"commission.funding": "Funding", "commission.noprojects": "No projects yet.",
		"commission.linked": "Linked tenders and consortia", "commission.nolinks": "Nothing linked yet.",
		"commission.audit": "History (who did what, when)",
		"export.badformat": "Unknown export format: use csv or xlsx.",

		"commission.enum.COMMISSION_STATUS_UNSPECIFIED": "—", "commission.enum.COMMISSION_STATUS_ACTIVE": "Active", "commission.enum.COMMISSION_STATUS_CLOSED": "Closed",
		"commission.enum.MEMBER_ROLE_UNSPECIFIED": "—", "commission.enum.MEMBER_ROLE_CHAIR": "Chair", "commission.enum.MEMBER_ROLE_SECRETARY": "Secretary", "commission.enum.MEMBER_ROLE_MEMBER": "Member",
		"commission.enum.MEMBER_STATUS_UNSPECIFIED": "—", "commission.enum.MEMBER_STATUS_INVITED": "Invited", "commission.enum.MEMBER_STATUS_JOINED": "Sits on it",
		"commission.enum.MEMBER_STATUS_DECLINED": "Declined", "commission.enum.MEMBER_STATUS_LEFT": "Left",
		"commission.enum.ATTENDANCE_STATUS_UNSPECIFIED": "—", "commission.enum.ATTENDANCE_STATUS_PRESENT": "Present", "commission.enum.ATTENDANCE_STATUS_EXCUSED": "Excused", "commission.enum.ATTENDANCE_STATUS_ABSENT": "Absent",
		"commission.enum.DECISION_STATUS_UNSPECIFIED": "—", "commission.enum.DECISION_STATUS_OPEN": "Open", "commission.enum.DECISION_STATUS_DONE": "Done",
		"commission.enum.PROJECT_STATUS_UNSPECIFIED": "—", "commission.enum.PROJECT_STATUS_PROPOSED": "Proposed", "commission.enum.PROJECT_STATUS_ACTIVE": "Active",
		"commission.enum.PROJECT_STATUS_COMPLETED": "Completed", "commission.enum.PROJECT_STATUS_CANCELLED": "Cancelled",
		"commission.enum.BID_STATUS_UNSPECIFIED": "—", "commission.enum.BID_STATUS_FORMING": "Forming", "commission.enum.BID_STATUS_SUBMITTED": "Submitted",
		"commission.enum.BID_STATUS_AWARDED": "Awarded", "commission.enum.BID_STATUS_LOST": "Lost", "commission.enum.BID_STATUS_DISSOLVED": "Dissolved",
	},
}

func init() {
	for lang, m := range commissionMessages {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}
