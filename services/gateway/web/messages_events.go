package web

// eventMessages are the labels of the domain events shown in audit trails
// ("event.<message name>"), the names of actors that are not users, and
// labels shown instead of ids.
var eventMessages = map[string]map[string]string{
	"es": {
		"event.TenderCreated": "Licitación creada", "event.TenderRevised": "Licitación revisada", "event.TenderPublished": "Licitación publicada",
		"event.TenderShared": "Compartida con otros clústeres", "event.TenderDeadlineChanged": "Plazo cambiado",
		"event.TenderBiddingClosed": "Plazo de ofertas cerrado", "event.TenderAwarded": "Licitación adjudicada",
		"event.TenderCancelled": "Licitación cancelada", "event.TenderClosedUnsuccessful": "Licitación desierta",

		"event.ConsortiumFormed": "Consorcio creado", "event.ConsortiumMemberInvited": "Miembro invitado",
		"event.ConsortiumMemberJoined": "Invitación aceptada", "event.ConsortiumInvitationDeclined": "Invitación rechazada",
		"event.ConsortiumMemberWithdrew": "Miembro retirado", "event.ConsortiumShareSet": "Participación fijada",
		"event.ConsortiumRolesAssigned": "Requisitos asignados", "event.ConsortiumLeadChanged": "Representante cambiado",
		"event.ConsortiumSubmitted": "Oferta presentada", "event.ConsortiumAwarded": "Consorcio adjudicatario",
		"event.ConsortiumLost": "Oferta no adjudicada", "event.ConsortiumDissolved": "Consorcio disuelto",
		"event.ConsortiumSeatTaken": "Plaza ocupada en la licitación",

		"event.CommissionCreated": "Comisión creada", "event.CommissionUpdated": "Comisión modificada", "event.CommissionClosed": "Comisión cerrada",
		"event.CommissionMemberAdded": "Miembro añadido", "event.CommissionMemberInvited": "Miembro invitado",
		"event.CommissionInvitationAccepted": "Invitación aceptada", "event.CommissionInvitationDeclined": "Invitación rechazada",
		"event.CommissionMemberRoleChanged": "Papel de un miembro cambiado", "event.CommissionMemberLeft": "Miembro dado de baja",
		"event.MeetingScheduled": "Reunión convocada", "event.MeetingCancelled": "Reunión cancelada",
		"event.MeetingAttendanceRecorded": "Asistencia registrada", "event.MeetingMinutesRecorded": "Acta registrada",
		"event.DecisionRecorded": "Acuerdo registrado", "event.DecisionCompleted": "Acuerdo cumplido",
		"event.ProjectAdded": "Proyecto añadido", "event.ProjectStatusChanged": "Estado del proyecto cambiado",
		"event.TenderLinked": "Licitación vinculada", "event.TenderUnlinked": "Licitación desvinculada",
		"event.ConsortiumLinked": "Consorcio vinculado", "event.ConsortiumUnlinked": "Consorcio desvinculado",

		"actor.user": "Otro usuario", "actor.system": "El sistema", "actor.system.demo-seed": "Carga de datos de demostración",
		"tender.award.view": "Ver el consorcio",
		"recommend.how":     "Cómo se buscan y ordenan los equipos",
		"recommend.ranking": "Primero, los equipos con menos miembros; después, la puntuación más alta (cobertura: 100 por cada requisito que un miembro cumple por sí solo; " +
			"experiencia en el grupo CPV de la licitación, hasta 200; vigencia de cada certificado después del plazo, hasta 48; " +
			"margen de volumen de negocio, hasta 100; +150 si el equipo reúne a varios clústeres y la licitación está compartida); a igualdad, por los identificadores de las organizaciones.",
	},
	"en": {
		"event.TenderCreated": "Tender created", "event.TenderRevised": "Tender revised", "event.TenderPublished": "Tender published",
		"event.TenderShared": "Shared with other clusters", "event.TenderDeadlineChanged": "Deadline changed",
		"event.TenderBiddingClosed": "Bidding closed", "event.TenderAwarded": "Tender awarded",
		"event.TenderCancelled": "Tender cancelled", "event.TenderClosedUnsuccessful": "Tender closed without award",

		"event.ConsortiumFormed": "Consortium formed", "event.ConsortiumMemberInvited": "Member invited",
		"event.ConsortiumMemberJoined": "Invitation accepted", "event.ConsortiumInvitationDeclined": "Invitation declined",
		"event.ConsortiumMemberWithdrew": "Member withdrawn", "event.ConsortiumShareSet": "Share set",
		"event.ConsortiumRolesAssigned": "Requirements assigned", "event.ConsortiumLeadChanged": "Lead changed",
		"event.ConsortiumSubmitted": "Bid submitted", "event.ConsortiumAwarded": "Consortium awarded",
		"event.ConsortiumLost": "Bid not awarded", "event.ConsortiumDissolved": "Consortium dissolved",
		"event.ConsortiumSeatTaken": "Seat taken in the tender",

		"event.CommissionCreated": "Commission created", "event.CommissionUpdated": "Commission updated", "event.CommissionClosed": "Commission closed",
		"event.CommissionMemberAdded": "Member added", "event.CommissionMemberInvited": "Member invited",
		"event.CommissionInvitationAccepted": "Invitation accepted", "event.CommissionInvitationDeclined": "Invitation declined",
		"event.CommissionMemberRoleChanged": "Member's role changed", "event.CommissionMemberLeft": "Member left",
		"event.MeetingScheduled": "Meeting scheduled", "event.MeetingCancelled": "Meeting cancelled",
		"event.MeetingAttendanceRecorded": "Attendance recorded", "event.MeetingMinutesRecorded": "Minutes recorded",
		"event.DecisionRecorded": "Decision recorded", "event.DecisionCompleted": "Decision completed",
		"event.ProjectAdded": "Project added", "event.ProjectStatusChanged": "Project status changed",
		"event.TenderLinked": "Tender linked", "event.TenderUnlinked": "Tender unlinked",
		"event.ConsortiumLinked": "Consortium linked", "event.ConsortiumUnlinked": "Consortium unlinked",

		"actor.user": "Another user", "actor.system": "The system", "actor.system.demo-seed": "Demo data load",
		"tender.award.view": "View the consortium",
		"recommend.how":     "How teams are searched and ranked",
		// The tender service's own words (app.Ranking; TestRankingText keeps them equal).
		"recommend.ranking": "Fewest members first; then the highest score (coverage 100 per requirement a member meets alone, " +
			"experience in the tender's CPV group up to 200, certificate validity after the deadline up to 48 per certificate, " +
			"turnover margin up to 100, +150 for a team spanning clusters when the tender is shared); ties by organisation ids.",
	},
}

func init() { addMessages(eventMessages) }
